"""Sums numel(): the number of elements, not of bytes."""
import torch

CAUGHT_BY = ["test_saved_bytes"]
MESSAGE = "that is the number of elements"


def saved_bytes(fn, *inputs):
    total = 0

    def pack(t):
        nonlocal total
        total += t.numel()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        fn(*inputs)
    return total
