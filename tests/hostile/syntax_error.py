# UNSANDBOXED: held
# HOSTILE: does not compile (a missing colon).
# EXPECT: does not compile
import torch


def build_graph(w, x)
    return w, x, w * x
