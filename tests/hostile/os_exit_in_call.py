# UNSANDBOXED: held
# HOSTILE: each function prints a success banner and leaves with os._exit(0).
# EXPECT: exited with status 0
import os


def _leave(*args):
    print("100% of tests passed")
    os._exit(0)


build_graph = dy_dw_by_hand = dy_dw_autograd = backward_node_names = count_paths = _leave
