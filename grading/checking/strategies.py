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


def hidden_seed(base: int) -> int:
    """The seed of one hidden check's inputs: ``base`` as written in the notebook, or, under
    autograde, ``base`` mixed with the student's own seed ($GRADING_STUDENT_SEED), so that two
    students get different hidden cases and the same student gets the same ones on a regrade."""
    import hashlib

    from grading import settings as course_settings

    student = course_settings.student_seed()
    if student is None:
        return base
    return int(hashlib.sha256(f"{student}:{base}".encode()).hexdigest()[:12], 16)


def with_grad(t: torch.Tensor, grad: torch.Tensor | None) -> torch.Tensor:
    """A leaf like ``t`` whose ``.grad`` is already set (to test that a function leaves it alone)."""
    t = t.detach().clone().requires_grad_(True)
    t.grad = grad
    return t


# ------------------------------------------------------------- property-based inputs
# Hypothesis strategies, as minitorch's tests/strategies.py has them: shapes, the dtypes the
# contract allows, and values with negatives and zero. Every grader test that draws from them
# runs under `graded()`: derandomized (the same examples on every run, so a failure replays and
# CI is deterministic; the student bundle's recorded references match them too), no shrinking
# (each example is a call into the student's process) and few examples.

from hypothesis import HealthCheck, Phase, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.internal.conjecture import providers as _providers  # noqa: E402

# Hypothesis also draws constants it finds in the source of whatever "local" modules are loaded
# (found from the working folder), so one seed would give other examples in the course, in the
# student bundle and in a notebook kernel; the bundle replays references recorded for the
# course's examples, so they must be the same everywhere. Graded examples draw from Hypothesis's
# own constants only (tests/test_random_checks.py runs them in two unlike processes).
_NO_LOCAL_CONSTANTS = _providers.Constants()
_providers._get_local_constants = lambda: _NO_LOCAL_CONSTANTS
_providers.CONSTANTS_CACHE.cache.clear()

_NUMPY_DTYPES = {torch.float32: "float32", torch.float64: "float64"}


def graded(max_examples: int = 8):
    """The settings of a grader test with property-based inputs (a decorator, above ``@given``)."""
    return settings(max_examples=max_examples, derandomize=True, database=None, deadline=None,
                    phases=(Phase.explicit, Phase.generate), report_multiple_bugs=False, print_blob=False,
                    suppress_health_check=(HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.differing_executors))


def shapes(max_dims: int = 2, max_side: int = 4) -> st.SearchStrategy[tuple[int, ...]]:
    """Tensor shapes from a scalar up to ``max_dims`` dimensions of 1..``max_side`` each."""
    return st.lists(st.integers(1, max_side), min_size=0, max_size=max_dims).map(tuple)


def dtypes(allowed: Sequence[torch.dtype] = DTYPES) -> st.SearchStrategy[torch.dtype]:
    """float32 (the contract's default) and, where the contract allows, float64."""
    return st.sampled_from(tuple(allowed))


def values(dtype: torch.dtype, low: float = -4.0, high: float = 4.0) -> st.SearchStrategy[float]:
    """Numbers representable in ``dtype`` in [low, high], zero and the bounds among them; no NaN,
    infinity or subnormals (those test the hardware, not the student)."""
    return st.floats(low, high, allow_nan=False, allow_infinity=False, allow_subnormal=False,
                     width=32 if dtype == torch.float32 else 64)


@st.composite
def tensor(draw, shape: tuple[int, ...], dtype: torch.dtype, *, low: float = -4.0, high: float = 4.0,
           requires_grad: bool = False) -> torch.Tensor:
    """One tensor of that shape and dtype, its values drawn by ``values``."""
    numel = 1
    for side in shape:
        numel *= side
    items = draw(st.lists(values(dtype, low, high), min_size=numel, max_size=numel))
    return torch.tensor(items, dtype=dtype).reshape(shape).requires_grad_(requires_grad)


@st.composite
def same_shaped(draw, count: int, *, shape: st.SearchStrategy | None = None,
                dtype: st.SearchStrategy | None = None, low: float = -4.0, high: float = 4.0,
                requires_grad: bool = True) -> tuple[torch.Tensor, ...]:
    """``count`` leaf tensors of one drawn shape and dtype (the property-based ``tensors``)."""
    chosen_shape = draw(shape if shape is not None else shapes())
    chosen_dtype = draw(dtype if dtype is not None else dtypes())
    return tuple(draw(tensor(chosen_shape, chosen_dtype, low=low, high=high, requires_grad=requires_grad))
                 for _ in range(count))
