"""Inspections that must happen where the result lives: in the student's process.

A probe receives what the student's function returned and the arguments it was
called with, and returns plain data. Graders name a probe; it runs right after the
call, in the same fork. (What a probe reports is still only a claim: the grader
checks it against its own reference.)
"""
from __future__ import annotations

import torch

from grading.checking import graphs


def render(result, *args, output: int | None = None, params: dict[str, int]) -> str:
    """The torchviz DOT source of the result (or of ``result[output]``)."""
    tensor = result if output is None else result[output]
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"expected a tensor to render, got {type(tensor).__name__}")
    return graphs.render_dot(tensor, {name: args[i] for name, i in params.items()})


def grad_fn_name(result, *args) -> str | None:
    """``type(result.grad_fn).__name__``, or None."""
    return None if result.grad_fn is None else type(result.grad_fn).__name__


def backward_grads(result, *args, output: int | None = None) -> list:
    """Backpropagate ``result`` (summed) and report each input's ``.grad``."""
    tensor = result if output is None else result[output]
    tensor.sum().backward()
    return [a.grad if isinstance(a, torch.Tensor) else None for a in args]


# ------------------------------------------------------------------ figures

SHOW_CALLS = {"count": 0}


def count_show():
    """Setup hook: plt.show and Figure.show only count their calls; returns the undo.

    A function that builds a figure should hand it back, not show it (in a script
    plt.show() blocks until the window closes).
    """
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    SHOW_CALLS["count"] = 0
    saved = (plt.show, Figure.show)

    def counted(*args, **kwargs):
        SHOW_CALLS["count"] += 1

    plt.show = counted
    Figure.show = counted

    def undo():
        plt.show, Figure.show = saved

    return undo


def figure_summary(result, *args, close: bool = True) -> dict:
    """What a returned matplotlib Figure holds, as plain data, then closes it.

    ``{"is_figure", "type", "show_calls", "axes": [{"artists": [...], "legend": [...] | None}],
    "figure_legends": [[...]]}``; each artist is ``{"kind": "line" | "collection", "label",
    "x", "y", "linestyle", "marker"}`` with its data as lists of floats.
    """
    import numpy as np
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    summary = {"is_figure": isinstance(result, Figure), "type": type(result).__name__,
               "show_calls": SHOW_CALLS["count"], "axes": [], "figure_legends": []}
    if not summary["is_figure"]:
        return summary
    for ax in result.axes:
        artists = []
        for line in ax.get_lines():
            xy = np.asarray(line.get_xydata(), dtype=float).reshape(-1, 2)
            artists.append({"kind": "line", "label": str(line.get_label()), "x": xy[:, 0].tolist(),
                            "y": xy[:, 1].tolist(), "linestyle": str(line.get_linestyle()),
                            "marker": str(line.get_marker())})
        for collection in ax.collections:
            xy = np.asarray(collection.get_offsets(), dtype=float).reshape(-1, 2)
            artists.append({"kind": "collection", "label": str(collection.get_label()),
                            "x": xy[:, 0].tolist(), "y": xy[:, 1].tolist(), "linestyle": "None",
                            "marker": "o"})
        legend = ax.get_legend()
        summary["axes"].append({"artists": artists,
                                "legend": None if legend is None else [t.get_text() for t in legend.get_texts()]})
    summary["figure_legends"] = [[t.get_text() for t in legend.get_texts()] for legend in result.legends]
    if close:
        plt.close(result)
    return summary


# ------------------------------------------------------------------ threads


def single_thread():
    """Setup hook: torch uses one thread for the call; returns the undo.

    In a forked worker torch's thread pool is not fork-safe: on a busy machine a loop
    of small steps (a training run) can take ten times longer with two threads than
    with one, and graded inputs are far too small to gain from threads anyway.
    """
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    return lambda: torch.set_num_threads(before)
