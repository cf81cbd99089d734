# UNSANDBOXED: held
# HOSTILE: ignores every catchable signal, then loops forever.
# EXPECT: wall-time limit
# LIMITS: wall_s=1 cpu_s=30
# GRADERS: test_build_graph_values test_dy_dw_autograd_matches_autograd test_count_paths_counts_every_edge_path
import signal


def _spin(*args):
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGXCPU, signal.SIGALRM, signal.SIGUSR1):
        signal.signal(sig, signal.SIG_IGN)
    while True:
        pass


build_graph = dy_dw_by_hand = dy_dw_autograd = backward_node_names = count_paths = _spin
