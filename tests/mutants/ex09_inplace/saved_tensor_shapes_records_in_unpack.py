"""Records in the unpack hook, which only backward calls: nothing is ever recorded."""
import torch

CAUGHT_BY = ["test_saved_tensor_shapes"]
MESSAGE = "nothing was recorded"


def saved_tensor_shapes(fn, *inputs):
    shapes = []

    def unpack(t):
        shapes.append(tuple(t.shape))
        return t

    with torch.autograd.graph.saved_tensors_hooks(lambda t: t, unpack):
        fn(*inputs)
    return shapes
