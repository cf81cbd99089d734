# UNSANDBOXED: held
# HOSTILE: returns results far larger than the grader will read.
# EXPECT: data
import torch


def _huge(*args):
    return torch.zeros(9_000_000, dtype=torch.float64)  # 72 MB


def build_graph(w, x):
    return _huge(), w, x


dy_dw_by_hand = dy_dw_autograd = count_paths = _huge


def backward_node_names(t):
    return ["MulBackward0" * 6_000_000]  # one 72 MB name
