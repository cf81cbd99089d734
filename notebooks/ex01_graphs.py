# %% [markdown]
# # ex01 · What a computational graph is
#
# **By the end of this notebook you will be able to**
# - read a function as a graph of operations, and draw it with torchviz;
# - explain what the colours and boxes of a torchviz rendering mean;
# - compute a derivative by the chain rule, summing over every path;
# - walk PyTorch's backward graph yourself through `grad_fn` and `next_functions`.
#
# Throughout we use one small function of two numbers, `w` and `x`:
#
# $$a = w + x, \qquad b = w + 1, \qquad y = a \cdot b = (x + w)(w + 1).$$
#
# Fill in every cell that says `YOUR CODE HERE`, then run the test cell below it.
# You can also work in `exercises/ex01_graphs.py` and run `pytest tests/graders -k ex01`.

# %%
import torch
from torchviz import make_dot

torch.__version__

# %% [markdown]
# ## 1. A graph of operations
#
# A computational graph has a node for every value and every operation that made it.
# When a tensor has `requires_grad=True`, PyTorch *records* each operation applied to
# it, and to every tensor computed from it, as the operation runs. Nothing is declared
# in advance: the graph is built by running ordinary Python (a *dynamic* graph), so an
# `if` or a loop simply records whichever operations actually ran (the end of this section
# shows one function recording two different graphs).

# %%
w = torch.tensor([1.0], requires_grad=True)
x = torch.tensor([2.0], requires_grad=True)
a = w + x
b = w + 1
y = a * b
y

# %% [markdown]
# `y` prints with `grad_fn=<MulBackward0>`: the multiplication was recorded. So were the
# additions; the record is kept on *every* tensor computed from a tensor that requires
# grad, not only on the inputs (ex02 lists the few exceptions, such as results computed under
# `torch.no_grad()`):

# %%
a.grad_fn, b.grad_fn, y.grad_fn

# %% [markdown]
# `w` and `x` were made by you, not computed, so they have no `grad_fn`. They are the
# graph's **leaves**:

# %%
w.is_leaf, x.is_leaf, a.is_leaf, w.grad_fn

# %% [markdown]
# Since the graph is recorded as the code runs, one Python function can record different
# graphs. `scaled` below doubles its input `times` times in a loop, then takes the `sin` of
# the result if it is above 3 and the `exp` otherwise. Called with `times=1` (2, so `exp`) and
# with `times=3` (8, so `sin`), it records one multiplication and an `exp` the first time,
# three multiplications and a `sin` the second:

# %%
from IPython.display import display


def scaled(t, times):
    for _ in range(times):
        t = t * 2
    if t.item() > 3:
        t = t.sin()
    else:
        t = t.exp()
    return t


once, thrice = scaled(w, 1), scaled(w, 3)
print("times=1:", once.grad_fn, "| times=3:", thrice.grad_fn)
display(make_dot(once, params={"w": w}), make_dot(thrice, params={"w": w}))

# %% [markdown]
# ## 2. Drawing the graph with torchviz
#
# `make_dot(y, params={...})` draws the *backward* graph of `y`, the one autograd
# will walk to compute gradients. The arrows point from inputs towards the output.
#
# | box | colour | meaning |
# |---|---|---|
# | `w (1)` | light blue | a leaf tensor that requires grad, with the name you gave it in `params` and its shape |
# | `AccumulateGrad` | grey | where a leaf's gradient is added into its `.grad` |
# | `AddBackward0`, `MulBackward0` | grey | the backward function of one recorded operation |
# | `(1)` | green | the tensor you drew (here `y`), with its shape |

# %%
make_dot(y, params={"w": w, "x": x})

# %% [markdown]
# Count the arrows that leave `w`'s `AccumulateGrad`: two, one into each `AddBackward0`.
# `w` reaches `y` along **two paths** (through `a` and through `b`); `x` along one.
#
# **Exercise 1.** Write `build_graph(w, x)` returning `(a, b, y)` built exactly as above,
# so that autograd records the graph. The grader draws your `y` with torchviz and
# compares it with the reference drawing, box for box and arrow for arrow.

# %% [solution] id=build_graph from=build_graph

# %%
build_graph(w, x)

# %% [tests] id=test_build_graph_values points=2
from grading.students.kernel import grade, student

grade("ex01_graphs", "test_build_graph_values")
### BEGIN HIDDEN TESTS
from grading.checking import checks, strategies
from grading.checking.references import ex01_graphs as ref
from grading.checking.strategies import hidden_seed

for w_, x_ in strategies.tensors(2, seed=hidden_seed(101), shapes=((5,), (2, 2, 2))):
    outcome = student("ex01_graphs").build_graph.run(w_, x_, probe=ref.parts_of_y)
    result = checks.expect_ok(outcome)
    for name, got, expected in zip("aby", result, ref.parts(w_, x_)):
        checks.check_close(got, expected, name=f"build_graph: {name}")
    assert all(seen["history"] and seen["in_y"] for seen in (outcome.probe or {}).values()), \
        "build_graph: y must be built from the a and b returned, both with autograd history"
    checks.check_untouched(outcome, (w_, x_), names="wx", label="build_graph")
### END HIDDEN TESTS

# %% [tests] id=test_build_graph_rendering_matches_reference points=3
from grading.students.kernel import grade, student

grade("ex01_graphs", "test_build_graph_rendering_matches_reference")
### BEGIN HIDDEN TESTS
from grading.checking import checks
from grading.checking.references import ex01_graphs as ref

w_, x_ = torch.ones(2, 3, requires_grad=True), torch.zeros(2, 3, requires_grad=True)
checks.check_graph(student("ex01_graphs").build_graph, reference=ref.render_target, inputs=(w_, x_),
                   params={"w": 0, "x": 1}, output=2, picture="build_graph_hidden")
### END HIDDEN TESTS

# %% [markdown]
# ## 3. The chain rule, summed over paths
#
# To get the derivative of an output with respect to a leaf, follow every path from the output
# back to the leaf, multiply the local derivatives along each path, and **add the paths up**.
#
# Take another function of the same shape, with two intermediate results:
# $p = w \cdot x$, $r = w - x$ and $z = p \cdot r$. `w` reaches `z` through `p` and through
# `r`, so the sum has two terms:
#
# $$\frac{\partial z}{\partial w} = \underbrace{\frac{\partial z}{\partial p}\frac{\partial p}{\partial w}}_{\text{through } p}
#   + \underbrace{\frac{\partial z}{\partial r}\frac{\partial r}{\partial w}}_{\text{through } r}
#   = r \cdot x + p \cdot 1 .$$
#
# With `w = 3`, `x = 2`: $p = 6$, $r = 1$, so $\partial z/\partial w = 1 \cdot 2 + 6 \cdot 1 = 8$,
# and autograd (section 4 explains `backward`) agrees:

# %%
w_demo = torch.tensor([3.0], requires_grad=True)
x_demo = torch.tensor([2.0], requires_grad=True)
p, r = w_demo * x_demo, w_demo - x_demo
z = p * r
z.backward()
w_demo.grad, (r * x_demo + p).detach()

# %% [markdown]
# Forgetting one path is the most common mistake: here it would give 2 (only through `p`) or
# 6 (only through `r`) instead of 8.
#
# For our `y`, draw the same two paths from `y` to `w` (through `a` and through `b`), write down
# the local derivative on each edge ($\partial y/\partial a$, $\partial a/\partial w$, ...), and
# add the two products.
#
# **Exercise 2.** Write `dy_dw_by_hand(w, x)` with the formula you found, *without autograd*: it
# must give the right answer under `torch.no_grad()` for inputs that do not require
# grad, and must not call `backward` or `torch.autograd.grad`. It works elementwise for
# tensors of any shape, and keeps the input's dtype.

# %% [solution] id=dy_dw_by_hand from=dy_dw_by_hand

# %% [tests] id=test_dy_dw_by_hand_matches_autograd points=3
from grading.students.kernel import grade, student

grade("ex01_graphs", "test_dy_dw_by_hand_matches_autograd")
### BEGIN HIDDEN TESTS
from grading.checking import checks, strategies
from grading.checking.references import ex01_graphs as ref
from grading.checking.strategies import hidden_seed

checks.check_gradients(student("ex01_graphs").dy_dw_by_hand, reference=ref.dy_dw,
                       inputs=strategies.tensors(2, seed=hidden_seed(102), shapes=((7,), (3, 1, 2)), low=-50, high=50),
                       mistakes=ref.DY_DW_MISTAKES)
### END HIDDEN TESTS

# %% [markdown]
# ## 4. The same number from autograd
#
# `y.backward()` walks the graph you drew, from the green box to the blue ones, and adds
# each leaf's gradient into its `.grad`. Let us check that autograd agrees with the path sum:

# %%
w = torch.tensor([1.0], requires_grad=True)
x = torch.tensor([2.0], requires_grad=True)
y = (x + w) * (w + 1)
y.backward()
w.grad, x.grad

# %% [markdown]
# `backward` *adds into* `w.grad`, and here `w` is the caller's tensor. A function that
# computes a gradient for someone else must not leave traces in their tensors.
# `torch.autograd.grad` returns the gradient instead of storing it, and a fresh leaf
# made with `w.detach().requires_grad_()` keeps the caller's `w` out of it entirely.
#
# **Exercise 3.** Write `dy_dw_autograd(w, x)`: the same value through autograd, leaving
# the caller's `w.grad` and `x.grad` exactly as they were (`None` or not).

# %% [solution] id=dy_dw_autograd from=dy_dw_autograd

# %% [tests] id=test_dy_dw_autograd_matches_autograd points=2
from grading.students.kernel import grade

grade("ex01_graphs", "test_dy_dw_autograd_matches_autograd")

# %% [tests] id=test_dy_dw_autograd_leaves_callers_grads_alone points=2
from grading.students.kernel import grade, student

grade("ex01_graphs", "test_dy_dw_autograd_leaves_callers_grads_alone")
### BEGIN HIDDEN TESTS
from grading.checking import checks, strategies
from grading.checking.references import ex01_graphs as ref
from grading.checking.strategies import hidden_seed

for w_, x_ in strategies.tensors(2, seed=hidden_seed(103), shapes=((4,),), dtypes=(torch.float64,)):
    w_in, x_in = strategies.with_grad(w_, torch.ones_like(w_)), strategies.with_grad(x_, torch.ones_like(x_))
    outcome = student("ex01_graphs").dy_dw_autograd.run(w_in, x_in)
    checks.check_close(checks.expect_ok(outcome), ref.dy_dw(w_, x_), name="dy_dw_autograd(w, x)")
    checks.check_unchanged(w_in, outcome.args_after[0], name="w")
    checks.check_unchanged(x_in, outcome.args_after[1], name="x")
### END HIDDEN TESTS

# %% [markdown]
# ## 5. Walking the backward graph yourself
#
# The boxes of the drawing are real Python objects. `y.grad_fn` is the last one, and each
# node's `next_functions` is a tuple of `(node, input_number)` pairs, one per input of
# the operation (`None` for an input that needs no gradient, such as the constant `1`):

# %%
y = (x + w) * (w + 1)
y.grad_fn, y.grad_fn.next_functions

# %% [markdown]
# `AccumulateGrad` nodes end the walk. Each holds its leaf in `.variable`:

# %%
add_node = y.grad_fn.next_functions[0][0]
accumulate = add_node.next_functions[0][0]
type(accumulate).__name__, accumulate.variable is x or accumulate.variable is w

# %% [markdown]
# **Exercise 4.** Write `backward_node_names(t)`: the names (`type(node).__name__`) of all
# nodes reachable from `t.grad_fn`, each node listed once even when several paths reach
# it, in breadth-first order, following `next_functions` in their order and skipping
# `None`. Return `[]` when `t.grad_fn` is None. For our `y`, that is
# `['MulBackward0', 'AddBackward0', 'AddBackward0', 'AccumulateGrad', 'AccumulateGrad']`
# (`w`'s accumulate node is shared by both additions, so it appears once).

# %% [solution] id=backward_node_names from=backward_node_names

# %% [tests] id=test_backward_node_names_matches_graph points=3
from grading.students.kernel import grade

grade("ex01_graphs", "test_backward_node_names_matches_graph")
### BEGIN HIDDEN TESTS
from grading.checking import checks
from grading.checking.references import ex01_graphs as ref
from grading.runtime.runner import BuildArgs
from grading.students.kernel import student

got = checks.expect_ok(student("ex01_graphs").backward_node_names.run(BuildArgs(ref.root_only, ("deep", ([3.0], [0.25])))))
expected = ref.node_names(ref.graph_deep([3.0], [0.25])[0])
assert got == expected, f"backward_node_names on a deeper graph: expected {expected}, got {got}"
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 5.** Write `count_paths(root, leaf)`: how many distinct paths lead from
# `root.grad_fn` to the `AccumulateGrad` node of `leaf`, counted over edges, so `w * w`
# has two paths to `w`. A leaf that is not in the graph has 0. For our `y`:
# `count_paths(y, w) == 2` and `count_paths(y, x) == 1`: the number of terms in the
# chain-rule sum of section 3.

# %% [solution] id=count_paths from=count_paths

# %%
count_paths(y, w), count_paths(y, x)

# %% [tests] id=test_count_paths_counts_every_edge_path points=3
from grading.students.kernel import grade

grade("ex01_graphs", "test_count_paths_counts_every_edge_path")
### BEGIN HIDDEN TESTS
from grading.checking import checks
from grading.checking.references import ex01_graphs as ref
from grading.runtime.runner import BuildArgs
from grading.students.kernel import student

for kind, values, leaf in (("square", ([1.0, 2.0],), 1), ("deep", ([3.0], [0.25]), 1), ("none", ([1.0, 2.0],), 1)):
    got = checks.expect_ok(student("ex01_graphs").count_paths.run(BuildArgs(ref.root_and_leaf, (kind, values, leaf))))
    built = ref.BUILDERS[kind](*values)
    assert got == ref.path_count(built[0], built[leaf]), f"count_paths on the {kind} graph: got {got}"
### END HIDDEN TESTS

# %% [markdown]
# ## Summary
#
# - Every operation on a tensor that requires grad is recorded as it runs (with the exceptions
#   of ex02), on every tensor computed from it, leaves and intermediate results alike; the record
#   is the backward graph, and `grad_fn` is its last node.
# - torchviz draws that graph: blue boxes are leaves you named, grey boxes are backward
#   functions (`AccumulateGrad` ends at a leaf), the green box is the tensor you drew.
# - The chain rule multiplies along a path and **adds over paths**: one term for each path from
#   the output to the leaf, so two for `w` in our `y`, one for `x`.
# - The graph records the operations that ran: an `if` or a loop gives a different graph for
#   different inputs.
# - `backward` adds into `.grad`; `torch.autograd.grad` on a fresh leaf leaves the caller alone.
#
# Next, **ex02_leaves**: why only leaves get `.grad`, and how to see the gradient of an
# intermediate tensor anyway.
