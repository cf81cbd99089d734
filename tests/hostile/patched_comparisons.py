# UNSANDBOXED: held
# HOSTILE: returns wrong values after patching every comparison it can reach, so
# that "close enough" is always true: torch.allclose, torch.equal, torch.isclose,
# Tensor.__eq__, torch.testing.assert_close, math.isclose, numpy, unittest and pytest.
import math
import unittest

import numpy
import pytest
import torch

torch.allclose = lambda *a, **k: True
torch.equal = lambda *a, **k: True
torch.isclose = lambda a, b, *r, **k: torch.ones_like(a, dtype=torch.bool)
torch.Tensor.__eq__ = lambda self, other: True
torch.Tensor.__ne__ = lambda self, other: False
torch.Tensor.allclose = lambda *a, **k: True
torch.Tensor.equal = lambda *a, **k: True
torch.testing.assert_close = lambda *a, **k: None
math.isclose = lambda *a, **k: True
numpy.allclose = lambda *a, **k: True
numpy.array_equal = lambda *a, **k: True
numpy.testing.assert_allclose = lambda *a, **k: None
unittest.TestCase.assertEqual = lambda *a, **k: None
pytest.approx = lambda expected, *a, **k: expected


def build_graph(w, x):
    zero = torch.zeros_like(w)
    return zero, zero, zero


def dy_dw_by_hand(w, x):
    return torch.zeros_like(w)


dy_dw_autograd = dy_dw_by_hand


def backward_node_names(t):
    return []


def count_paths(root, leaf):
    return -1
