# UNSANDBOXED: held
# HOSTILE: returns objects that claim to equal anything and to be tensors.
import torch


class Anything:
    """Equal to everything, truthy, and dressed up as a tensor."""

    __class__ = torch.Tensor  # isinstance(obj, torch.Tensor) is True in the child
    dtype = torch.float32
    device = torch.device("cpu")
    requires_grad = True
    is_leaf = False
    grad = None
    grad_fn = "MulBackward0"
    shape = property(lambda self: torch.Size([2]))

    def __eq__(self, other):
        return True

    __ne__ = lambda self, other: False
    __bool__ = lambda self: True
    __len__ = lambda self: 3
    __int__ = __index__ = lambda self: 2
    __hash__ = lambda self: 0

    def __getitem__(self, i):
        if i > 2:
            raise IndexError(i)
        return self

    def __iter__(self):
        return iter([self, self, self])

    def __getattr__(self, name):
        return self

    def __call__(self, *a, **k):
        return self

    def __repr__(self):
        return "tensor([4., 4.], grad_fn=<MulBackward0>)"


class AnyList(list):
    def __eq__(self, other):
        return True


class AnyInt(int):
    def __eq__(self, other):
        return True

    __hash__ = int.__hash__


def build_graph(w, x):
    return Anything(), Anything(), Anything()


def dy_dw_by_hand(w, x):
    return Anything()


dy_dw_autograd = dy_dw_by_hand


def backward_node_names(t):
    return AnyList(["MulBackward0"])


def count_paths(root, leaf):
    return AnyInt(1)
