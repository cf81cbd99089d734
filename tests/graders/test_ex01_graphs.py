"""Grader for ex01_graphs: y = (x + w) * (w + 1) and its computational graph."""
import pytest
import torch
from hypothesis import given

from grading.checking import checks, strategies
from grading.checking.references import ex01_graphs as ref
from grading.runtime.runner import BuildArgs
from grading.runtime.targets import GradingFailure

MODULE = "ex01_graphs"


@pytest.mark.points(2)
def test_build_graph_values(student):
    for w, x in strategies.tensors(2, seed=1):
        outcome = student.build_graph.run(w, x, probe=ref.parts_of_y)
        result = checks.expect_ok(outcome)
        if not isinstance(result, tuple) or len(result) != 3:
            checks.fail(f"build_graph must return the tuple (a, b, y), got {type(result).__name__}")
        for name, got, expected in zip("aby", result, ref.parts(w, x)):
            checks.check_close(got, expected, name=f"build_graph: {name}")
        if result[2].grad_fn is None:
            checks.fail("build_graph: y has no grad_fn, so autograd recorded nothing (was it built under no_grad or from detached tensors?)")
        for name, seen in (outcome.probe or {}).items():
            if not seen["history"]:
                checks.fail(f"build_graph: {name} has no grad_fn: return the {name} that carries autograd history, "
                            "not a detached copy")
            if not seen["in_y"]:
                checks.fail(f"build_graph: y was not built from the {name} returned (its node is not in y's graph): "
                            f"compute y = a * b from the very a and b you return")
        checks.check_untouched(outcome, (w, x), names="wx", label="build_graph")


@pytest.mark.points(3)
def test_build_graph_rendering_matches_reference(student):
    w, x = torch.tensor([1.0, 2.0], requires_grad=True), torch.tensor([3.0, 4.0], requires_grad=True)
    checks.check_graph(student.build_graph, reference=ref.render_target, inputs=(w, x),
                       params={"w": 0, "x": 1}, output=2, picture="build_graph")


@pytest.mark.points(3)
@strategies.graded()
@given(wx=strategies.same_shaped(2))
def test_dy_dw_by_hand_matches_autograd(student, wx):
    checks.check_gradients(student.dy_dw_by_hand, reference=ref.dy_dw, inputs=[wx],
                           mistakes=ref.DY_DW_MISTAKES, names="wx")


@pytest.mark.points(2)
@strategies.graded()
@given(wx=strategies.same_shaped(2))
def test_dy_dw_autograd_matches_autograd(student, wx):
    # The caller's w and x have a test of their own (below).
    checks.check_gradients(student.dy_dw_autograd, reference=ref.dy_dw, inputs=[wx],
                           without_autograd=False, mistakes=ref.DY_DW_MISTAKES, untouched=False)


@pytest.mark.points(2)
def test_dy_dw_autograd_leaves_callers_grads_alone(student):
    for w, x in strategies.tensors(2, seed=4, shapes=((3,),), dtypes=(torch.float32,)):
        # w and x requiring grad (with or without a .grad already), and plain tensors that do not.
        for w_in, x_in in ((strategies.with_grad(w, None), strategies.with_grad(x, None)),
                           (strategies.with_grad(w, torch.full_like(w, 7.0)), strategies.with_grad(x, None)),
                           (w.detach().clone(), x.detach().clone())):
            outcome = student.dy_dw_autograd.run(w_in, x_in)
            value = checks.expect_ok(outcome)
            checks.check_close(value, ref.dy_dw(w, x), name="dy_dw_autograd(w, x)")
            checks.check_unchanged(w_in, outcome.args_after[0], name="w")
            checks.check_unchanged(x_in, outcome.args_after[1], name="x")


NODE_NAME_CASES = [("y", (1.5, -0.5)), ("square", (2.0,)), ("deep", ([0.5, 1.0], [2.0, -1.0])),
                   ("detached", (1.0, 2.0)), ("none", (3.0,))]


@pytest.mark.points(3)
def test_backward_node_names_matches_graph(student):
    for kind, values in NODE_NAME_CASES:
        builder = ref.BUILDERS[kind]
        got = checks.expect_ok(student.backward_node_names.run(BuildArgs(ref.root_only, (kind, values))))
        expected = ref.node_names(builder(*values)[0])
        if not isinstance(got, list) or not all(isinstance(n, str) for n in got):
            checks.fail(f"backward_node_names must return a list of str, got {got!r:.80}")
        if got != expected:
            hint = ""
            if sorted(got) == sorted(expected):
                hint = "; same names in another order: walk breadth first, following next_functions in order"
            elif len(got) > len(expected) and sorted(set(got)) == sorted(set(expected)):
                hint = "; some nodes are listed twice: visit each node once"
            elif any(n.startswith("torch::") or n.startswith("<") for n in got):
                hint = "; use type(node).__name__, not node.name()"
            checks.fail(f"backward_node_names for {kind} graph: expected {expected}, got {got}{hint}")


# (graph, leaf values, which leaf): the expected counts come from the reference walk.
PATH_CASES = [("y", (1.5, -0.5), 1), ("y", (1.5, -0.5), 2), ("square", (2.0,), 1),
              ("deep", ([0.5, 1.0], [2.0, -1.0]), 1), ("deep", ([0.5, 1.0], [2.0, -1.0]), 2),
              ("detached", (1.0, 2.0), 2), ("detached", (1.0, 2.0), 1), ("none", (3.0,), 1)]


@pytest.mark.points(3)
def test_count_paths_counts_every_edge_path(student):
    for kind, values, leaf in PATH_CASES:
        got = student.count_paths.run(BuildArgs(ref.root_and_leaf, (kind, values, leaf)))
        if not got.ok and got.status == "error" and kind == "none":
            checks.fail(f"count_paths(root, {'wx'[leaf - 1]}) raised when root has no grad_fn: {got.message}; "
                        "a root without history reaches no leaf, so there are 0 paths")
        value = checks.expect_ok(got)
        built = ref.BUILDERS[kind](*values)
        expected = ref.path_count(built[0], built[leaf])
        leaf_name = "wx"[leaf - 1]
        if type(value) is not int:
            checks.fail(f"count_paths must return an int, got {type(value).__name__}")
        if value != expected:
            checks.fail(f"count_paths(root, {leaf_name}) for the {kind} graph: expected {expected}, got {value}"
                        + ("; a leaf outside the graph has 0 paths" if expected == 0 else "")
                        + ("; count paths over edges, not distinct nodes" if value < expected else ""))
        # Walking the graph must not run it: the leaf keeps its requires_grad and its empty .grad.
        try:
            checks.check_unchanged(built[leaf], got.args_after[1], name=leaf_name)
        except GradingFailure as failure:
            checks.fail(f"count_paths: {failure}: count the paths by walking next_functions, without backward")
