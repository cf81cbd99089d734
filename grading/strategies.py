"""The inputs graders draw from, shared by every grader and notebook check.

Inputs are generated from a seeded ``torch.Generator`` so a failure can be replayed,
and they vary shape and dtype so that an answer that only works for one case fails.
"""
from __future__ import annotations

from typing import Iterator, Sequence

import torch

SHAPES: tuple[tuple[int, ...], ...] = ((), (3,), (2, 4))
DTYPES: tuple[torch.dtype, ...] = (torch.float32, torch.float64)


def tensors(count: int, *, seed: int = 0, shapes: Sequence[tuple[int, ...]] = SHAPES,
            dtypes: Sequence[torch.dtype] = DTYPES, requires_grad: bool = True,
            low: float = -2.0, high: float = 2.0) -> Iterator[tuple[torch.Tensor, ...]]:
    """``count`` same-shaped leaf tensors for every shape and dtype, values in [low, high)."""
    generator = torch.Generator().manual_seed(seed)
    for dtype in dtypes:
        for shape in shapes:
            yield tuple(
                (torch.rand(shape, generator=generator, dtype=torch.float64) * (high - low) + low)
                .to(dtype).requires_grad_(requires_grad)
                for _ in range(count))


def with_grad(t: torch.Tensor, grad: torch.Tensor | None) -> torch.Tensor:
    """A leaf like ``t`` whose ``.grad`` is already set (to test that a function leaves it alone)."""
    t = t.detach().clone().requires_grad_(True)
    t.grad = grad
    return t
