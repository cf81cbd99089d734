"""Runs backward after the forward, believing the tensors are saved then: right shapes, the caller's .grad filled."""
import torch

CAUGHT_BY = ["test_saved_tensor_shapes_leaves_callers"]
MESSAGE = "no backward is needed"


def saved_tensor_shapes(fn, *inputs):
    shapes = []

    def pack(t):
        shapes.append(tuple(t.shape))
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out = fn(*inputs)
    if out.requires_grad:
        out.sum().backward()
    return shapes
