"""Compare and draw torchviz renderings of autograd graphs.

Student code runs in a child process, so a graph reaches the grader as DOT
source text (what ``torchviz.make_dot(...).source`` returns).  Everything here
works on that text; only :func:`render_dot` needs torch.
"""
from __future__ import annotations

import pathlib
import re
import shutil
import subprocess
from collections import Counter, defaultdict
from dataclasses import dataclass, field

__all__ = ["Node", "Graph", "GraphDiff", "render_dot", "parse_dot",
           "compare_graphs", "side_by_side"]

# torchviz's fill colours say what kind of node it is.
LEAF, OUTPUT, SAVED = "lightblue", "darkolivegreen1", "orange"
# Tensor nodes have no name when they are not in `params`; say what they are.
_UNNAMED = {LEAF: "unnamed leaf", OUTPUT: "output", SAVED: "saved",
            "darkolivegreen3": "view base"}

INSTALL_GRAPHVIZ = ("Graphviz's 'dot' program was not found; install Graphviz "
                    "(apt-get install graphviz | conda install -c conda-forge "
                    "graphviz | brew install graphviz) and try again")


@dataclass
class Node:
    """One node: its normalised label and torchviz fill colour (None = grey
    backward-function node)."""
    label: str
    fillcolor: str | None = None


@dataclass
class Graph:
    """A parsed rendering: nodes by DOT id, and edges as (src_id, dst_id)
    pairs in file order (an edge can repeat, e.g. ``w * w``)."""
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[tuple[str, str]] = field(default_factory=list)


def render_dot(tensor, params: dict) -> str:
    """The torchviz DOT source for `tensor`'s graph, naming leaves by `params`."""
    import torchviz  # lazily: only the child process that ran torch needs it
    return torchviz.make_dot(tensor, params=params).source


# ---------------------------------------------------------------- parsing
#
# Why our own DOT reader and not pydot: benchmarks/dot_parser.py, on torchviz
# renderings on this course's 2-core machine, measured pydot 4.0.1 at 120-130 times
# the time of this reader (19-24 ms a parse of ex01's graph against 0.15-0.2 ms; its
# first parse 225-330 ms while pyparsing builds its grammar; 18 ms to import). Every graph check parses two renderings, in the
# student's `course check` loop, whose start-up time we keep near a bare torch import.
# This reader covers the DOT grammar torchviz and Graphviz write, subgraphs included.

_TOKEN = re.compile(r"""
    (?P<skip> \s+ | //[^\n]* | /\*.*?\*/ | ^[ \t]*\#[^\n]* )
  | (?P<string> "(?:\\.|[^"\\])*" )
  | (?P<edgeop> -> | -- )
  | (?P<id> -?(?:\.\d+|\d+(?:\.\d*)?) | [^\W\d]\w* )
  | (?P<punct> [{}\[\]=;,:] )
  | (?P<html> < )
""", re.X | re.S | re.M)


def _tokenize(source: str) -> list[tuple[str, str, int]]:
    tokens, pos = [], 0
    while pos < len(source):
        m = _TOKEN.match(source, pos)
        if m is None:
            raise _error(source, pos, f"unexpected character {source[pos]!r}")
        kind, start, pos = m.lastgroup, pos, m.end()
        if kind == "skip":
            continue
        if kind == "string":
            # Only \" is an escape the DOT lexer removes; backslash-newline
            # is a line continuation. Other backslashes belong to the label.
            text = m.group()[1:-1].replace('\\"', '"').replace("\\\n", "")
            tokens.append(("id", text, start))
        elif kind == "html":
            depth, end = 0, start
            while end < len(source):
                depth += {"<": 1, ">": -1}.get(source[end], 0)
                end += 1
                if depth == 0:
                    break
            if depth:
                raise _error(source, start, "unterminated <...> string")
            tokens.append(("id", source[start + 1:end - 1], start))
            pos = end
        else:
            tokens.append((kind if kind != "punct" else m.group(), m.group(), start))
    return tokens


def _error(source: str, pos: int, what: str) -> ValueError:
    line = source.count("\n", 0, pos) + 1
    return ValueError(f"cannot parse DOT graph: {what} on line {line}")


class _Parser:
    """Recursive descent over the DOT grammar, flattening subgraphs."""

    def __init__(self, source: str):
        self.source, self.tokens, self.i = source, _tokenize(source), 0
        self.graph = Graph()

    def peek(self, ahead: int = 0) -> tuple[str, str, int]:
        j = self.i + ahead
        return self.tokens[j] if j < len(self.tokens) else ("eof", "", len(self.source))

    def keyword(self, *words: str) -> bool:
        kind, text, _ = self.peek()
        return kind == "id" and text.lower() in words

    def take(self, kind: str) -> str:
        got, text, pos = self.peek()
        if got != kind:
            shown = "end of input" if got == "eof" else repr(text[:30])
            raise _error(self.source, pos, f"expected {kind!r} but found {shown}")
        self.i += 1
        return text

    def parse(self) -> Graph:
        if self.keyword("strict"):
            self.i += 1
        if not self.keyword("graph", "digraph"):
            self.take("digraph")  # raises with a useful message
        self.i += 1
        if self.peek()[0] == "id":
            self.i += 1
        self.block()
        self.take("eof")
        return self.graph

    def block(self) -> None:
        self.take("{")
        while self.peek()[0] != "}":
            self.statement()
            if self.peek()[0] == ";":
                self.i += 1
        self.take("}")

    def statement(self) -> None:
        if self.keyword("graph", "node", "edge"):  # default attributes: unused
            self.i += 1
            self.attributes()
        elif self.keyword("subgraph") or self.peek()[0] == "{":
            if self.keyword("subgraph"):
                self.i += 1
                if self.peek()[0] == "id":
                    self.i += 1
            self.block()
            if self.peek()[0] == "edgeop":
                raise _error(self.source, self.peek()[2],
                             "edges to or from subgraphs are not supported")
        elif self.peek(1)[0] == "=":  # graph attribute such as rankdir=LR
            self.take("id"), self.take("="), self.take("id")
        else:
            ends = [self.node_id()]
            while self.peek()[0] == "edgeop":
                self.i += 1
                ends.append(self.node_id())
            attrs = self.attributes()
            if len(ends) == 1:
                node = self.graph.nodes[ends[0]]
                node.label = _normalise(attrs.get("label", node.label))
                node.fillcolor = attrs.get("fillcolor", node.fillcolor)
            self.graph.edges.extend(zip(ends, ends[1:]))

    def node_id(self) -> str:
        name = self.take("id")
        for _ in range(2):  # ports (`a:n:ne`) do not change the node
            if self.peek()[0] == ":":
                self.i += 1
                self.take("id")
        # A node that is never declared is drawn with its id as the label.
        self.graph.nodes.setdefault(name, Node(_normalise(name)))
        return name

    def attributes(self) -> dict[str, str]:
        attrs = {}
        while self.peek()[0] == "[":
            self.i += 1
            while self.peek()[0] != "]":
                key = self.take("id")
                self.take("=")
                attrs[key] = self.take("id")
                if self.peek()[0] in (",", ";"):
                    self.i += 1
            self.take("]")
        return attrs


def _normalise(label: str) -> str:
    # torchviz writes tensors as "name\n (shape)"; one line reads better and
    # compares the same whatever the whitespace.
    return " ".join(line.strip() for line in label.splitlines() if line.strip())


def parse_dot(source: str) -> Graph:
    """Parse DOT text (as torchviz emits it) into a :class:`Graph`.

    Raises ValueError with a one-line message if `source` is not a DOT graph.
    """
    if not isinstance(source, str):
        raise ValueError(f"cannot parse DOT graph: expected text, got {type(source).__name__}")
    try:
        return _Parser(source).parse()
    except RecursionError:
        raise ValueError("cannot parse DOT graph: subgraphs nested too deeply") from None


# ------------------------------------------------------------- comparing

@dataclass
class GraphDiff:
    """How a submitted graph differs from the reference.

    The label lists are multisets (a label repeats if several such nodes or
    edges differ). The *_ids lists name the nodes and (src, dst) edges
    involved: missing ones by ids of the expected graph, extra ones by ids of
    the submitted graph.
    """
    ok: bool
    missing_nodes: list[str] = field(default_factory=list)
    extra_nodes: list[str] = field(default_factory=list)
    missing_edges: list[str] = field(default_factory=list)
    extra_edges: list[str] = field(default_factory=list)
    missing_node_ids: list[str] = field(default_factory=list)
    extra_node_ids: list[str] = field(default_factory=list)
    missing_edge_ids: list[tuple[str, str]] = field(default_factory=list)
    extra_edge_ids: list[tuple[str, str]] = field(default_factory=list)

    def _items(self) -> list[tuple[str, list[str]]]:
        return [("missing node", self.missing_nodes), ("extra node", self.extra_nodes),
                ("missing edge", self.missing_edges), ("extra edge", self.extra_edges)]

    def describe(self) -> str:
        """A short multi-line account of the differences."""
        if self.ok:
            return "graph matches the reference"
        lines = ["graph differs from the reference:"]
        for what, labels in self._items():
            if labels:
                lines.append(f"  {what}s: {', '.join(_counted(labels))}")
        if len(lines) == 1:
            lines.append("  same nodes and edges, but connected differently")
        return "\n".join(lines)

    def summary(self, limit: int = 6) -> str:
        """The same in one line, listing at most `limit` differences."""
        if self.ok:
            return "graph matches the reference"
        parts = [f"{what} {label}" for what, labels in self._items()
                 for label in _counted(labels)]
        if not parts:
            parts = ["same nodes and edges, but connected differently"]
        if len(parts) > limit:
            parts = parts[:limit] + [f"and {len(parts) - limit} more"]
        return "graph differs from the reference: " + "; ".join(parts)


def _counted(labels: list[str]) -> list[str]:
    return [f"{label} (x{n})" if n > 1 else label for label, n in Counter(labels).items()]


def _predecessors(graph: Graph) -> dict[str, list[str]]:
    preds = defaultdict(list)
    for src, dst in graph.edges:
        preds[dst].append(src)
    return preds


def _signatures(graph: Graph, table: dict) -> tuple[dict[str, int], dict[str, int]]:
    """Give each node an int standing for its label plus the whole sub-DAG
    feeding it, and its depth. Equal ints mean equal sub-DAGs.

    Interning through `table` (shared by both graphs) keeps this linear: the
    sub-DAGs themselves could be exponentially large once unfolded.
    """
    preds = _predecessors(graph)
    indegree = Counter(dst for _, dst in graph.edges)
    succs = defaultdict(list)
    for src, dst in graph.edges:
        succs[src].append(dst)
    ready = [n for n in graph.nodes if not indegree[n]]
    sig, depth = {}, {}
    while ready:  # Kahn's algorithm, so deep graphs cannot hit the recursion limit
        n = ready.pop()
        node = graph.nodes[n]
        key = (node.label, node.fillcolor, tuple(sorted(sig[p] for p in preds[n])))
        sig[n] = table.setdefault(key, len(table))
        depth[n] = max((depth[p] + 1 for p in preds[n]), default=0)
        for s in succs[n]:
            indegree[s] -= 1
            if not indegree[s]:
                ready.append(s)
    for n in graph.nodes.keys() - sig.keys():  # on a cycle: autograd never makes these
        node = graph.nodes[n]
        key = (node.label, node.fillcolor, "cycle",
               tuple(sorted(graph.nodes[p].label for p in preds[n])))
        sig[n], depth[n] = table.setdefault(key, len(table)), len(graph.nodes)
    return sig, depth


def _display(graph: Graph, preds: dict[str, list[str]], n: str) -> str:
    node = graph.nodes[n]
    if node.label.startswith("(") and node.fillcolor in _UNNAMED:
        return f"{_UNNAMED[node.fillcolor]} {node.label}"
    if node.label == "AccumulateGrad":
        # Every leaf has its own AccumulateGrad; name the leaf so edges like
        # "AccumulateGrad(w) -> AddBackward0" say which input is wired where.
        names = [graph.nodes[p].label.rsplit(" (", 1)[0] for p in preds[n]
                 if graph.nodes[p].fillcolor == LEAF and not graph.nodes[p].label.startswith("(")]
        if names:
            return f"AccumulateGrad({', '.join(names)})"
    return node.label


def compare_graphs(expected: str, actual: str) -> GraphDiff:
    """Compare two torchviz DOT renderings as labelled DAGs, ignoring ids.

    The graphs are equal when their multisets of node signatures (label plus
    the sub-DAG feeding the node) are equal; that also fixes every edge.
    To report a small diff rather than everything downstream of a change,
    nodes left unmatched are paired up by label: a paired node only differs
    in its inputs, which shows up as missing/extra edges. Unpaired nodes are
    the missing/extra nodes.

    Raises ValueError if either text is not a DOT graph.
    """
    graphs = []
    for name, source in (("reference", expected), ("submitted", actual)):
        try:
            graphs.append(parse_dot(source))
        except ValueError as e:
            raise ValueError(f"{name} graph: {e}") from None
    table: dict = {}
    (sig_e, depth_e), (sig_a, depth_a) = (_signatures(g, table) for g in graphs)

    # Match nodes with identical sub-DAGs (as many as both graphs have).
    spare = Counter(sig_e.values())
    spare.subtract(sig_a.values())
    ok = not any(spare.values())
    cls_e = {n: ("same", s) for n, s in sig_e.items()}
    cls_a = {n: ("same", s) for n, s in sig_a.items()}
    left_e, left_a = defaultdict(list), defaultdict(list)
    preds = [_predecessors(g) for g in graphs]
    for (sig, cls, depth, graph, pred, left, sign) in (
            (sig_e, cls_e, depth_e, graphs[0], preds[0], left_e, 1),
            (sig_a, cls_a, depth_a, graphs[1], preds[1], left_a, -1)):
        surplus = Counter({s: sign * c for s, c in spare.items() if sign * c > 0})
        # Shallowest first, then by inputs, so that pairing follows the graph
        # from inputs to output and like is paired with like.
        inputs = lambda n: sorted(_display(graph, pred, p) for p in pred[n])
        for n in sorted(sig, key=lambda n: (depth[n], inputs(n), n)):
            if surplus[sig[n]] > 0:
                surplus[sig[n]] -= 1
                cls[n] = None
                left[graph.nodes[n].label, graph.nodes[n].fillcolor].append(n)

    # Pair leftovers by label; the rest are missing (expected) or extra (submitted).
    missing_ids, extra_ids = [], []
    for kind in left_e.keys() | left_a.keys():
        es, as_ = left_e.get(kind, []), left_a.get(kind, [])
        for k, (e, a) in enumerate(zip(es, as_)):
            cls_e[e] = cls_a[a] = ("paired", kind, k)
        missing_ids += es[len(as_):]
        extra_ids += as_[len(es):]
    for n in missing_ids:
        cls_e[n] = ("missing", n)
    for n in extra_ids:
        cls_a[n] = ("extra", n)

    def edge_surplus(mine, cls, theirs, their_cls):
        surplus = Counter((cls[s], cls[d]) for s, d in mine.edges)
        surplus.subtract((their_cls[s], their_cls[d]) for s, d in theirs.edges)
        out = []
        for s, d in mine.edges:
            if surplus[(cls[s], cls[d])] > 0:
                surplus[(cls[s], cls[d])] -= 1
                out.append((s, d))
        return out

    missing_edge_ids = edge_surplus(graphs[0], cls_e, graphs[1], cls_a)
    extra_edge_ids = edge_surplus(graphs[1], cls_a, graphs[0], cls_e)

    pe, pa = preds
    order = lambda ids, depth: sorted(ids, key=lambda n: (depth[n], n))
    return GraphDiff(
        ok=ok,
        missing_nodes=[_display(graphs[0], pe, n) for n in order(missing_ids, depth_e)],
        extra_nodes=[_display(graphs[1], pa, n) for n in order(extra_ids, depth_a)],
        missing_edges=[f"{_display(graphs[0], pe, s)} -> {_display(graphs[0], pe, d)}"
                       for s, d in missing_edge_ids],
        extra_edges=[f"{_display(graphs[1], pa, s)} -> {_display(graphs[1], pa, d)}"
                     for s, d in extra_edge_ids],
        missing_node_ids=order(missing_ids, depth_e),
        extra_node_ids=order(extra_ids, depth_a),
        missing_edge_ids=missing_edge_ids,
        extra_edge_ids=extra_edge_ids,
    )


# --------------------------------------------------------------- drawing

def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _cluster(name: str, title: str, graph: Graph, nodes: set[str],
             edges: Counter) -> list[str]:
    lines = [f"  subgraph cluster_{name} {{",
             f"    label={_quote(title)} labelloc=t fontsize=16 style=rounded color=grey60"]
    if not graph.nodes:  # an empty cluster would not be drawn at all
        lines.append(f"    {name}_empty [label=\"(empty graph)\" shape=plaintext style=\"\"]")
    for n, node in graph.nodes.items():
        attrs = [f"label={_quote(node.label)}"]
        if node.fillcolor:
            attrs.append(f"fillcolor={_quote(node.fillcolor)}")
        if n in nodes:
            attrs.append("color=red penwidth=3")
        lines.append(f"    {_quote(name + '_' + n)} [{' '.join(attrs)}]")
    edges = Counter(edges)  # consumed per edge, since an edge can repeat
    for s, d in graph.edges:
        style = ""
        if edges[(s, d)] > 0:
            edges[(s, d)] -= 1
            style = " [color=red penwidth=3]"
        lines.append(f"    {_quote(name + '_' + s)} -> {_quote(name + '_' + d)}{style}")
    lines.append("  }")
    return lines


def side_by_side(expected: str, actual: str, path, diff: GraphDiff | None = None) -> pathlib.Path:
    """Draw the reference (left) and submitted (right) graphs into one PNG at
    `path`, outlining in red what is missing (left) or extra (right).

    Raises ValueError if a text is not a DOT graph, RuntimeError if Graphviz's
    `dot` program is missing or fails.
    """
    path = pathlib.Path(path)
    if diff is None:
        diff = compare_graphs(expected, actual)
    exp, act = parse_dot(expected), parse_dot(actual)
    if diff.ok:
        caption = "The graphs match."
    else:
        caption = ("Red, thick: on the left, in the reference but missing from yours;\\l"
                   "on the right, in yours but not in the reference.\\l")
    lines = [
        "digraph {",
        f'  graph [label="{caption}" labelloc=b labeljust=l fontsize=12 size="20,20"]',
        # An explicit fillcolor, else `color=red` would also fill grey nodes red.
        "  node [align=left fontname=monospace fontsize=10 height=0.2 shape=box"
        " style=filled fillcolor=lightgrey]",
        *_cluster("expected", "expected", exp, set(diff.missing_node_ids),
                  Counter(diff.missing_edge_ids)),
        *_cluster("submitted", "submitted", act, set(diff.extra_node_ids),
                  Counter(diff.extra_edge_ids)),
        "}",
    ]
    dot = shutil.which("dot")
    if dot is None:
        raise RuntimeError(INSTALL_GRAPHVIZ)
    path.parent.mkdir(parents=True, exist_ok=True)
    result = subprocess.run([dot, "-Tpng", "-o", str(path)], input="\n".join(lines),
                            capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        first = (result.stderr.strip().splitlines() or ["no error message"])[0]
        raise RuntimeError(f"Graphviz 'dot' failed: {first}")
    return path
