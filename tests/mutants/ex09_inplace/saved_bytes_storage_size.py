"""Counts the size of each saved tensor's storage: a saved view counts the whole tensor it views."""
import torch

CAUGHT_BY = ["test_saved_bytes"]
MESSAGE = "the size of whole storages"


def saved_bytes(fn, *inputs):
    total = 0

    def pack(t):
        nonlocal total
        total += t.untyped_storage().nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        fn(*inputs)
    return total
