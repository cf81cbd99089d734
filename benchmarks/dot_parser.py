"""The course's DOT reader (grading.checking.graphs.parse_dot) against pydot, side by side.

    python benchmarks/dot_parser.py

Parses the torchviz rendering of ex01's graph (and of a 40-node chain) with both,
checks that they find the same nodes and edges, and prints the time per parse and
the ratio. pydot is optional (pip install pydot); without it only ours is timed.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402
import torchviz  # noqa: E402

from grading.checking import graphs


def per_parse(fn, source: str, n: int) -> float:
    fn(source)
    started = time.perf_counter()
    for _ in range(n):
        fn(source)
    return (time.perf_counter() - started) / n


def main() -> int:
    w = torch.tensor([1.0], requires_grad=True)
    x = torch.tensor([2.0], requires_grad=True)
    chain = w
    for _ in range(20):
        chain = chain.sin() * 1.5
    sources = {"ex01 y = (x + w)(w + 1)": torchviz.make_dot((x + w) * (w + 1), params={"w": w, "x": x}).source,
               "a chain of 40 operations": torchviz.make_dot(chain, params={"w": w}).source}
    try:
        import pydot
    except ImportError:
        pydot = None
        print("pydot is not installed: timing the course's reader only")
    for name, source in sources.items():
        ours = per_parse(graphs.parse_dot, source, 500)
        line = f"{name}: ours {ours * 1e3:.3f} ms"
        if pydot:
            started = time.perf_counter()
            theirs_graph = pydot.graph_from_dot_data(source)[0]
            first = time.perf_counter() - started
            theirs = per_parse(pydot.graph_from_dot_data, source, 20)
            edges = sorted((e.get_source(), e.get_destination()) for e in theirs_graph.get_edges())
            same = edges == sorted(graphs.parse_dot(source).edges)
            line += (f", pydot {theirs * 1e3:.2f} ms (first parse {first * 1e3:.0f} ms): pydot/ours = "
                     f"{theirs / ours:.0f}x; same edges: {'yes' if same else 'NO'}")
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
