"""Returns an object that claims to equal anything, and touches nothing: it crosses to the grader
as an opaque value, so neither the value test nor the side-property test can be fooled by it."""
import torch

CAUGHT_BY = ["test_h_without_x"]


class _EqualsAnything(torch.Tensor):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False


def h_without_x(w, x, b):
    return torch.zeros_like(w.detach()).as_subclass(_EqualsAnything)
