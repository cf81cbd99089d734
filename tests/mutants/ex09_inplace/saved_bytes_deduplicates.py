"""Counts each distinct tensor once (keyed by data_ptr), so x * x counts x once."""
import torch

CAUGHT_BY = ["test_saved_bytes_totals"]
MESSAGE = "a tensor saved twice counts twice"


def saved_bytes(fn, *inputs):
    sizes = {}

    def pack(t):
        sizes[t.data_ptr()] = t.numel() * t.element_size()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        fn(*inputs)
    return sum(sizes.values())
