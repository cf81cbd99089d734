"""Records on fresh leaf copies of the inputs that all require grad: more is saved than for the caller's."""
import torch

CAUGHT_BY = ["test_saved_tensor_shapes"]
MESSAGE = "copies of the inputs that all require grad"


def saved_tensor_shapes(fn, *inputs):
    copies = [t.detach().clone().requires_grad_(True) for t in inputs]
    shapes = []

    def pack(t):
        shapes.append(tuple(t.shape))
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        fn(*copies)
    return shapes
