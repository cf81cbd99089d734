"""Keeps t.shape, a torch.Size, instead of a tuple of ints."""
import torch

CAUGHT_BY = ["test_saved_tensor_shapes"]
MESSAGE = "tuple(t.shape)"


def saved_tensor_shapes(fn, *inputs):
    shapes = []

    def pack(t):
        shapes.append(t.shape)
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        fn(*inputs)
    return shapes
