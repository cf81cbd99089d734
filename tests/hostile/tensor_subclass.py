# UNSANDBOXED: held
# HOSTILE: returns a torch.Tensor subclass that lies: equal to everything, and
# reporting the expected dtype, device, grad_fn and values whatever it holds.
# EXPECT-DIRECT: plain torch.Tensor
import torch


class Liar(torch.Tensor):
    __module__ = "torch"
    __qualname__ = "Tensor"

    def __eq__(self, other):
        return True

    def allclose(self, *a, **k):
        return True

    @property
    def grad_fn(self):
        return "MulBackward0"

    @property
    def requires_grad(self):
        return True

    @property
    def dtype(self):
        return torch.float32

    def tolist(self):
        return [4.0, 4.0]

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        if getattr(func, "__name__", "") in ("allclose", "equal", "__eq__"):
            return True
        return super().__torch_function__(func, types, args, kwargs or {})


def _liar(like):
    return torch.zeros_like(like, dtype=torch.float64).as_subclass(Liar)


def build_graph(w, x):
    return _liar(w), _liar(w), _liar(w)


def dy_dw_by_hand(w, x):
    return _liar(w)


dy_dw_autograd = dy_dw_by_hand


class Names(list):
    def __eq__(self, other):
        return True


def backward_node_names(t):
    return Names()


class Count(int):
    def __eq__(self, other):
        return True

    __hash__ = int.__hash__


def count_paths(root, leaf):
    return Count(-1)
