"""Counting autograd's reverse passes where they all start: the engine.

``backward``, ``torch.autograd.grad`` under any name it was imported as (``from
torch.autograd import grad`` at a module's top binds the function before any wrapper
could be put on the name), ``torch.func.grad``/``vjp`` and the
``torch.autograd.functional`` helpers all reach ``Variable._execution_engine.run_backward``.
Standing in for that one object counts them all. Forward mode (``torch.func.jvp``,
``torch.autograd.forward_ad``) runs no reverse pass and is not counted.

Used inside the student's fork, so what it counts is a claim like any other the fork
makes; the graders pair it with checks on values.
"""
from __future__ import annotations

from torch.autograd.variable import Variable


class _CountingEngine:
    def __init__(self, engine):
        self._engine = engine
        self.passes = 0

    def run_backward(self, *args, **kwargs):
        self.passes += 1
        return self._engine.run_backward(*args, **kwargs)

    def __getattr__(self, name):  # queue_callback, is_checkpoint_valid, ...
        return getattr(self._engine, name)


class ReversePasses:
    """``with ReversePasses() as seen: ...`` then ``seen.count``; nests, and restores the engine."""

    def __init__(self):
        self._counter = None
        self._original = None

    @property
    def count(self) -> int:
        return 0 if self._counter is None else self._counter.passes

    def __enter__(self) -> "ReversePasses":
        self._original = Variable._execution_engine
        self._counter = _CountingEngine(self._original)
        Variable._execution_engine = self._counter
        return self

    def __exit__(self, *exc) -> None:
        Variable._execution_engine = self._original
