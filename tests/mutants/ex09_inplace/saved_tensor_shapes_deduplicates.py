"""Skips a tensor it has seen already, so x * x counts x once."""
import torch

CAUGHT_BY = ["test_saved_tensor_shapes"]
MESSAGE = "a tensor saved twice counts twice"


def saved_tensor_shapes(fn, *inputs):
    seen, shapes = set(), []

    def pack(t):
        if id(t) not in seen:
            seen.add(id(t))
            shapes.append(tuple(t.shape))
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        fn(*inputs)
    return shapes
