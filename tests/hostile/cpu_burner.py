# HOSTILE: burns CPU in threads-free busy work, ignoring SIGXCPU (the soft CPU limit).
# EXPECT: CPU-time limit
# LIMITS: wall_s=20 cpu_s=1
# GRADERS: test_count_paths_counts_every_edge_path
import signal


def _burn(*args):
    signal.signal(signal.SIGXCPU, signal.SIG_IGN)
    n = 0
    while True:
        n += 1


build_graph = dy_dw_by_hand = dy_dw_autograd = backward_node_names = count_paths = _burn
