# UNSANDBOXED: held
# HOSTILE: asks for far more memory than the limit, from torch and from Python.
# EXPECT: memory limit
import torch


def build_graph(w, x):
    huge = torch.empty(1 << 40)  # 4 TB of float32
    return huge, huge, huge


def dy_dw_by_hand(w, x):
    chunks = []
    while True:  # grow until something gives
        chunks.append(bytearray(256 * 1024 * 1024))


dy_dw_autograd = build_graph


def backward_node_names(t):
    return ["x" * (1 << 36)]


def count_paths(root, leaf):
    return len(bytearray(1 << 40))
