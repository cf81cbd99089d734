"""Ground truth for each module's graders, computed with torch.autograd.

One module per exercise module: the references the checks compare against, the
builders that make inputs inside the student's process, and the known mistakes
whose values the messages can recognise. These never import a solution.

A reference whose code would give a solution away is marked ``@ground_truth`` and ships to
students as a replay of what it returned in the public graders: the record-and-replay engine
is :mod:`grading.checking.record_replay`, whose docstring says how. This package re-exports
its names, which the graders, the references and the bundle's rewritten references import
from here (``from grading.checking.references import ground_truth, optional``;
``from grading.checking.references import replay as _replay``).
"""
from __future__ import annotations

from grading.checking.record_replay import (UNAVAILABLE, ReferenceUnavailable, ground_truth, key, optional,
                                            recording, replay)

__all__ = ["UNAVAILABLE", "ReferenceUnavailable", "ground_truth", "key", "optional", "recording", "replay"]
