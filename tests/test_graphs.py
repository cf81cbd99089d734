"""Tests for grading.checking.graphs: parsing, comparing and drawing torchviz graphs."""
import shutil
from collections import Counter

import pytest
import torch

from grading.checking import graphs
from grading.checking.graphs import compare_graphs, parse_dot, render_dot, side_by_side


def leaves(*names):
    return {name: torch.randn(1, requires_grad=True) for name in names}


def dot_of(fn, *names, params=True):
    """Render fn(**fresh leaves); params=False leaves them unnamed."""
    ts = leaves(*names)
    return render_dot(fn(**ts), ts if params else {})


def labels(source):
    return Counter(node.label for node in parse_dot(source).nodes.values())


# ------------------------------------------------------------------ parse_dot

def test_parse_torchviz_output():
    g = parse_dot(dot_of(lambda w, x: (w + x) * (w + 1), "w", "x"))
    assert labels_of(g) == Counter({"w (1)": 1, "x (1)": 1, "AccumulateGrad": 2,
                                    "AddBackward0": 2, "MulBackward0": 1, "(1)": 1})
    colours = {n.label: n.fillcolor for n in g.nodes.values()}
    assert colours["w (1)"] == "lightblue"
    assert colours["(1)"] == "darkolivegreen1"
    assert colours["MulBackward0"] is None
    # w->AG, x->AG, AG(w)->Add x2, AG(x)->Add, Add->Mul x2, Mul->output
    assert len(g.edges) == 8
    assert all(s in g.nodes and d in g.nodes for s, d in g.edges)


def labels_of(g):
    return Counter(node.label for node in g.nodes.values())


def saved_dot(fn):
    import torchviz
    w = torch.randn(2, requires_grad=True)
    return torchviz.make_dot(fn(w), params={"w": w}, show_saved=True).source


def test_parse_saved_tensors():
    source = saved_dot(lambda w: (w * 3).exp())
    assert "[dir=none]" in source  # edges with attributes are in the input
    g = parse_dot(source)
    saved = sorted(n.label for n in g.nodes.values() if n.fillcolor == "orange")
    assert saved == ["other ()", "result (2)"]
    assert compare_graphs(source, saved_dot(lambda w: (w * 3).exp())).ok
    assert not compare_graphs(source, saved_dot(lambda w: (w * 3).sin())).ok


def test_cycles_do_not_hang():
    # torchviz draws a saved leaf as the leaf's own node, with an edge back
    # from the op that saved it: MulBackward0 -> w -> AccumulateGrad -> MulBackward0.
    source = saved_dot(lambda w: (w * w).sum())
    assert compare_graphs(source, saved_dot(lambda w: (w * w).sum())).ok
    assert not compare_graphs(source, saved_dot(lambda w: (w * w).mean())).ok
    assert compare_graphs("digraph { a -> b -> a }", "digraph { x [label=a] y [label=b] y -> x -> y }").ok


def test_parse_general_dot_syntax():
    source = '''strict digraph "g" {
        // a comment
        rankdir=LR; node [shape=box]
        /* block
           comment */
        "a \\"quoted\\"" [label="first
 line" fillcolor=lightblue];
        a:port -> b -> c [style=dotted, color=red]
        subgraph cluster_x { c [label=<<b>C</b>>] }
    }'''
    g = parse_dot(source)
    assert g.nodes['a "quoted"'].label == "first line"
    assert g.nodes['a "quoted"'].fillcolor == "lightblue"
    assert g.nodes["a"].label == "a"  # undeclared: labelled by id, like Graphviz
    assert g.nodes["c"].label == "<b>C</b>"
    assert g.edges == [("a", "b"), ("b", "c")]


@pytest.mark.parametrize("source", [
    "", "garbage", "digraph", "digraph {", "digraph { a -> }", 'digraph { a [label="x] }',
    "digraph { a [label] }", "digraph {} trailing", "digraph { {a b} -> c }",
    "digraph { a ~ b }", "\x00\xff", "digraph {" * 5000, None, b"digraph {}",
])
def test_parse_garbage_raises_one_line_value_error(source):
    with pytest.raises(ValueError) as info:
        parse_dot(source)
    message = str(info.value)
    assert message.startswith("cannot parse DOT graph")
    assert "\n" not in message


def test_parse_never_crashes_on_corrupted_torchviz_output():
    import random
    source = dot_of(lambda w, x: (w + x) * (w + 1), "w", "x")
    rnd = random.Random(1234)
    for _ in range(500):
        chars = list(source)
        for _ in range(rnd.randint(1, 4)):
            chars[rnd.randrange(len(chars))] = rnd.choice("{}[]=;,:\"<>-\n a1")
        try:
            parse_dot("".join(chars))
            compare_graphs(source, "".join(chars))
        except ValueError as e:
            assert "\n" not in str(e)


# ------------------------------------------------------------- compare_graphs

def test_identical_graphs_from_different_runs_match():
    first, second = leaves("w", "x"), leaves("w", "x")  # both alive: ids differ
    f = lambda w, x: (w + x) * (w + 1)
    a, b = render_dot(f(**first), first), render_dot(f(**second), second)
    assert a != b
    diff = compare_graphs(a, b)
    assert diff.ok
    assert not (diff.missing_nodes or diff.extra_nodes or diff.missing_edges or diff.extra_edges)
    assert diff.summary() == "graph matches the reference"


def test_wrong_op_detected():
    diff = compare_graphs(dot_of(lambda w, x: (w + x) * (w + 1), "w", "x"),
                          dot_of(lambda w, x: (w + x) + (w + 1), "w", "x"))
    assert not diff.ok
    assert diff.missing_nodes == ["MulBackward0"]
    assert diff.extra_nodes == ["AddBackward0"]
    assert "AddBackward0 -> MulBackward0" in diff.missing_edges
    summary = diff.summary()
    assert "\n" not in summary
    assert summary.startswith("graph differs from the reference: missing node MulBackward0;")
    assert "extra node AddBackward0" in summary
    assert "MulBackward0" in diff.describe() and "\n" in diff.describe()
    # only the changed node and its edges, not everything downstream of it
    assert len(diff.missing_node_ids) == 1 and len(diff.extra_node_ids) == 1


def test_missing_path_from_leaf_detected():
    diff = compare_graphs(dot_of(lambda w, x: (w + x) * (w + 1), "w", "x"),
                          dot_of(lambda w, x: (w + x) * (x + 1), "w", "x"))
    assert not diff.ok
    assert diff.missing_edges == ["AccumulateGrad(w) -> AddBackward0"]
    assert diff.extra_edges == ["AccumulateGrad(x) -> AddBackward0"]
    assert "missing edge AccumulateGrad(w) -> AddBackward0" in diff.summary()


def test_sharing_one_leaf_differs_from_two_leaves():
    # Unnamed leaves all get the label "(1)": only the structure tells
    # w * w (one leaf used twice) from a * b (two leaves).
    same = dot_of(lambda w: w * w, "w", params=False)
    two = dot_of(lambda a, b: a * b, "a", "b", params=False)
    assert set(labels(same)) == set(labels(two))
    diff = compare_graphs(same, two)
    assert not diff.ok
    assert Counter(diff.extra_nodes) == Counter({"unnamed leaf (1)": 1, "AccumulateGrad": 1})
    assert compare_graphs(same, dot_of(lambda w: w * w, "w", params=False)).ok


def test_second_named_leaf_detected():
    w, w2 = torch.randn(1, requires_grad=True), torch.randn(1, requires_grad=True)
    diff = compare_graphs(render_dot(w * w, {"w": w}), render_dot(w * w2, {"w": w, "w2": w2}))
    assert not diff.ok
    assert "w2 (1)" in diff.extra_nodes
    assert diff.missing_edges == ["AccumulateGrad(w) -> MulBackward0"]


def test_swapped_param_names_detected():
    w, x = torch.randn(1, requires_grad=True), torch.randn(1, requires_grad=True)
    y = (w + x) * (w + 1)
    diff = compare_graphs(render_dot(y, {"w": w, "x": x}), render_dot(y, {"w": x, "x": w}))
    assert not diff.ok
    assert diff.missing_edges and diff.extra_edges


def test_detached_input_extra_leaf():
    w, x, b = leaves("w", "x", "b").values()
    params = {"w": w, "x": x, "b": b}
    diff = compare_graphs(render_dot(w * x.detach() + b, params), render_dot(w * x + b, params))
    assert not diff.ok
    assert "x (1)" in diff.extra_nodes
    assert diff.missing_nodes == []


def test_same_labels_wired_differently_detected():
    a = dot_of(lambda w, x: (w + 1) * x, "w", "x")
    b = dot_of(lambda w, x: (x + 1) * w, "w", "x")
    assert labels(a) == labels(b)
    diff = compare_graphs(a, b)
    assert not diff.ok
    assert "AccumulateGrad(w) -> AddBackward0" in diff.missing_edges
    assert "AccumulateGrad(w) -> MulBackward0" in diff.extra_edges


def test_summary_truncated_to_one_line():
    diff = compare_graphs(dot_of(lambda w, x: (w * x).exp().sin() + w, "w", "x"),
                          dot_of(lambda a, b: (a - b).cos() / 3, "a", "b"))
    assert not diff.ok
    summary = diff.summary()
    assert "\n" not in summary and "more" in summary and len(summary) < 400


def test_compare_garbage_raises_value_error_naming_the_side():
    good = dot_of(lambda w: w * 2, "w")
    with pytest.raises(ValueError, match="^submitted graph: cannot parse"):
        compare_graphs(good, "not a graph")
    with pytest.raises(ValueError, match="^reference graph: cannot parse"):
        compare_graphs(None, good)


def test_large_shared_graph_is_fast():
    w = torch.randn(1, requires_grad=True)
    y = w
    for _ in range(60):  # 2**60 paths: signatures must not unfold the DAG
        y = y + y
    source = render_dot(y, {"w": w})
    assert compare_graphs(source, source).ok
    assert not compare_graphs(source, render_dot(y * 1, {"w": w})).ok


# --------------------------------------------------------------- side_by_side

@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot not installed")
@pytest.mark.parametrize("wrong", [False, True])
def test_side_by_side_writes_png(tmp_path, wrong):
    expected = dot_of(lambda w, x: (w + x) * (w + 1), "w", "x")
    actual = dot_of(lambda w, x: (w + x) + (w + 1) if wrong else (w + x) * (w + 1), "w", "x")
    out = side_by_side(expected, actual, tmp_path / "sub" / "graphs.png")
    assert out == tmp_path / "sub" / "graphs.png"
    data = out.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 1000


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot not installed")
def test_side_by_side_empty_graph(tmp_path):
    out = side_by_side("digraph {}", dot_of(lambda w: w * 2, "w"), tmp_path / "g.png")
    assert out.read_bytes().startswith(b"\x89PNG")


def test_side_by_side_without_dot_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(graphs.shutil, "which", lambda name: None)
    source = dot_of(lambda w: w * 2, "w")
    with pytest.raises(RuntimeError) as info:
        side_by_side(source, source, tmp_path / "g.png")
    message = str(info.value)
    assert "apt-get install graphviz" in message and "brew install graphviz" in message
    assert "\n" not in message
    assert not (tmp_path / "g.png").exists()
