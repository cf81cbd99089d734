# HOSTILE: kills the process that forked it (the grading worker) and its process group,
# hoping to take the grading run down with it.
# GRADERS: test_count_paths_counts_every_edge_path
import os
import signal


def _kill(*args):
    os.kill(os.getppid(), signal.SIGKILL)
    os.killpg(os.getpgid(os.getppid()), signal.SIGKILL)


build_graph = dy_dw_by_hand = dy_dw_autograd = backward_node_names = count_paths = _kill
