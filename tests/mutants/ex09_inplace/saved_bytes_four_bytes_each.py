"""Counts 4 bytes an element, as if every tensor were float32."""
import torch

CAUGHT_BY = ["test_saved_bytes"]
MESSAGE = "element_size() depends on the dtype"


def saved_bytes(fn, *inputs):
    total = 0

    def pack(t):
        nonlocal total
        total += 4 * t.numel()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        fn(*inputs)
    return total
