# UNSANDBOXED: cheats
# HOSTILE: phones home on the loopback interface (only 127.0.0.1: never outside) to
# fetch the answers; the test listens on PORT. Without a sandbox it would connect.
import socket

PORT = 0  # set by the test


def _answer_from_the_network(*args):
    with socket.create_connection(("127.0.0.1", PORT), timeout=2) as s:
        s.sendall(b"answers please")
        return s.recv(100).decode()


build_graph = dy_dw_by_hand = dy_dw_autograd = backward_node_names = count_paths = _answer_from_the_network
