# UNSANDBOXED: held
# HOSTILE: raises while being imported.
# EXPECT: importing ex01_graphs raised RuntimeError
import torch

raise RuntimeError("half-finished notebook export")


def build_graph(w, x):
    return w + x, w + 1, (w + x) * (w + 1)
