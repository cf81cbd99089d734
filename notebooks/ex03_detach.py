# %% [markdown]
# # ex03 · `requires_grad=False` versus `.detach()`
#
# **By the end of this notebook you will be able to**
# - keep a tensor out of a graph with `requires_grad=False`, and cut a path out of a graph that
#   already exists with `.detach()`, and tell the two apart in a torchviz rendering;
# - explain why `.detach()` is not a copy, and what the "modified by an inplace operation" error
#   at `backward` is protecting you from;
# - say why `.data` is dangerous, and when `torch.no_grad()` is the right tool instead;
# - stop the gradient of one term but not another, write a straight-through estimator, and take a
#   real snapshot of a tensor.
#
# From ex02 we need: a leaf is a tensor with no history, `backward` fills `.grad` only for leaves
# that require grad, and reading `.grad` of a non-leaf gives `None`. Our example is one neuron,
# $h = w \cdot x + b$, where `w` and `b` are parameters and `x` is the input.
#
# Fill in every cell that says `YOUR CODE HERE`, then run the test cell below it.
# You can also work in `exercises/ex03_detach.py` and run `pytest tests/graders -k ex03`.

# %%
import torch
from IPython.display import HTML
from torchviz import make_dot

torch.__version__


# %%
def side_by_side(*graphs):
    """Show (title, make_dot(...)) pairs next to each other, as one row of pictures."""
    cells = []
    for title, graph in graphs:
        svg = graph.pipe(format="svg").decode()
        svg = svg[svg.index("<svg"):]  # drop the XML header, keep the picture
        cells.append(f"<td style='vertical-align:top; text-align:center'><b>{title}</b><br>{svg}</td>")
    return HTML("<table><tr>" + "".join(cells) + "</tr></table>")


# %% [markdown]
# ## 1. `requires_grad=False`: a tensor that is never recorded
#
# Autograd records an operation when one of its inputs requires grad. An input `x` that does
# not require grad is a plain number to autograd: `w * x` is recorded because of `w`, and `x`
# appears nowhere in the graph. We usually want exactly that for data: we train `w` and `b`,
# and never need $\partial h/\partial x$.

# %%
w = torch.tensor([3.0], requires_grad=True)
b = torch.tensor([0.5], requires_grad=True)
x_tracked = torch.tensor([2.0], requires_grad=True)
x_plain = torch.tensor([2.0])  # requires_grad=False, the default

h_tracked = w * x_tracked + b
h_plain = w * x_plain + b
side_by_side(("x requires grad", make_dot(h_tracked, params={"w": w, "x": x_tracked, "b": b})),
             ("x with requires_grad=False", make_dot(h_plain, params={"w": w, "x": x_plain, "b": b})))

# %% [markdown]
# On the right, `x` has no blue box and no `AccumulateGrad`: `backward` cannot reach it, and
# its `.grad` stays `None` while `w` and `b` get theirs:

# %%
h_plain.backward()
w.grad, b.grad, x_plain.grad

# %% [markdown]
# `requires_grad` can be switched on and off only on **leaves**. A computed tensor's flag
# follows from its inputs, and PyTorch refuses to change it (its message already points at
# the tool of the next section):

# %%
x_plain.requires_grad_(True)
print("on a leaf: fine, x_plain.requires_grad =", x_plain.requires_grad)
m = w * 2
try:
    m.requires_grad_(False)
except RuntimeError as error:
    print("on a non-leaf:", error)

# %% [markdown]
# ## 2. `.detach()`: cutting a path out of a graph
#
# Often the tensor to leave out already requires grad: it is a parameter, or the output of
# another network. Switching off its flag would change it for everyone else who uses it.
# `x.detach()` instead gives a **new tensor with the same values and no history**, a leaf that
# does not require grad, and leaves `x` itself alone:

# %%
x = torch.tensor([2.0], requires_grad=True)
x_cut = x.detach()
x.requires_grad, x_cut.requires_grad, x_cut.is_leaf, x_cut.grad_fn

# %% [markdown]
# Used in place of `x`, it gives the same rendering as `requires_grad=False`:

# %%
h_cut = w * x.detach() + b
side_by_side(("x requires grad", make_dot(h_tracked, params={"w": w, "x": x_tracked, "b": b})),
             ("x.detach() used instead of x", make_dot(h_cut, params={"w": w, "x": x, "b": b})))

# %% [markdown]
# The difference is what gets cut. `requires_grad=False` keeps a *tensor* out of every graph
# built while the flag is off (section 1 switched it back on with `requires_grad_(True)`);
# `.detach()` cuts one *path*, the one that goes through the detached value. Any other use of
# `x` is still recorded. Here `x` reaches `z = w * x.detach() + x` along two paths, one of them
# cut, so $\partial z/\partial x = 1$ instead of $w + 1 = 4$:

# %%
z = w * x.detach() + x
z.backward()
x.grad

# %%
make_dot(w * x.detach() + x, params={"w": w, "x": x})

# %% [markdown]
# **Exercise 1.** Write `h_without_x(w, x, b)`: $h = w \cdot x + b$ where `x`, which arrives
# requiring grad, takes no part in the graph: the rendering of `h` has accumulate nodes for `w`
# and `b` only. The caller's `x` must still require grad afterwards. The grader compares your
# rendering with the reference one, as in ex01.

# %% [solution] id=h_without_x from=h_without_x

# %%
h_without_x(w, x, b), x.requires_grad

# %% [tests] id=test_h_without_x_values points=1
from grading.students.kernel import grade, student

grade("ex03_detach", "test_h_without_x_values")
### BEGIN HIDDEN TESTS
from grading.checking import strategies
from grading.checking.references import ex03_detach as ref
from grading.checking.strategies import hidden_seed

ref.check_h_values(student("ex03_detach").h_without_x,
                   strategies.tensors(3, seed=hidden_seed(301), shapes=((5,), (2, 1, 3)), low=-10, high=10))
### END HIDDEN TESTS

# %% [tests] id=test_h_without_x_rendering_matches_reference points=3
from grading.students.kernel import grade, student

grade("ex03_detach", "test_h_without_x_rendering_matches_reference")
### BEGIN HIDDEN TESTS
import torch

from grading.checking.references import ex03_detach as ref

w_, x_, b_ = (torch.full((2, 3), v, requires_grad=True) for v in (-1.0, 2.0, 0.25))
ref.check_h_rendering(student("ex03_detach").h_without_x, (w_, x_, b_), picture="h_without_x_hidden")
### END HIDDEN TESTS

# %% [tests] id=test_h_without_x_leaves_callers_x_requiring_grad points=1
from grading.students.kernel import grade, student

grade("ex03_detach", "test_h_without_x_leaves_callers_x_requiring_grad")
### BEGIN HIDDEN TESTS
from grading.checking.strategies import hidden_seed
import torch

from grading.checking import strategies
from grading.checking.references import ex03_detach as ref

ref.check_callers_x(student("ex03_detach").h_without_x,
                    strategies.tensors(3, seed=hidden_seed(302), shapes=((), (4,)), dtypes=(torch.float64,)))
### END HIDDEN TESTS

# %% [markdown]
# ## 3. `.detach()` is not a copy
#
# "Detach copies the tensor out of the graph" is a common reading, and it is wrong in a way
# that matters. The detached tensor **shares its storage** with the original: same memory, so
# an edit of one is an edit of the other.

# %%
t = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
d = t.detach()
print("same memory:", d.data_ptr() == t.data_ptr())
d[0] = 100.0
t

# %% [markdown]
# They also share a **version counter**, which counts in-place edits. Autograd relies on it:
# when an operation saves a tensor for `backward` (`w * w` saves `w`, since
# $\partial(w^2)/\partial w = 2w$), it notes the version; at `backward` it checks the version
# again, and refuses to compute a gradient from values that changed in between.

# %%
t._version, d._version

# %%
w = torch.tensor([1.0, 2.0], requires_grad=True)
y = w * w  # saves w, at version 0
w.detach().mul_(10)  # allowed (the detached tensor does not require grad), and bumps the shared version
try:
    y.sum().backward()
except RuntimeError as error:
    print(str(error)[:190], "...")

# %% [markdown]
# That error is a guard, not a bug: without it the gradient would be computed with the edited
# values. Which is exactly what `.data` does.
#
# ## 4. `.data` gives silently wrong gradients
#
# `t.data` is older than `.detach()` and looks the same: the same values and memory, no
# history. But an edit through `.data` is hidden from the version counter, so autograd cannot
# tell that a saved tensor changed. The same experiment, with `.data`:

# %%
w = torch.tensor([1.0, 2.0], requires_grad=True)
y = w * w  # y = [1, 4], computed at w = [1, 2]
w.data.mul_(10)
print("version after the .data edit:", w._version)
y.sum().backward()  # no error
w.grad

# %% [markdown]
# `y` was computed at $w = (1, 2)$, where $\partial y/\partial w = 2w = (2, 4)$; the gradient
# came out ten times that, from the edited `w`, without a word. torch.autograd on a fresh leaf
# gives the true value:

# %%
w0 = torch.tensor([1.0, 2.0], requires_grad=True)
torch.autograd.grad((w0 * w0).sum(), w0)[0]

# %% [markdown]
# So use `.detach()`, never `.data`: when something goes wrong, it raises instead of lying.
#
# ## 5. `torch.no_grad()` versus `.detach()`
#
# `.detach()` cuts one tensor out; `with torch.no_grad():` switches recording off for
# **everything** computed inside the block. Nothing there gets a `grad_fn`, whatever its
# inputs require:

# %%
w = torch.tensor([3.0], requires_grad=True)
with torch.no_grad():
    h_eval = w * x + b
h_eval.requires_grad, h_eval.grad_fn, (w * x.detach() + b).grad_fn

# %% [markdown]
# Use `torch.no_grad()` when no gradient is wanted at all: evaluating a model, and updating
# parameters. An in-place update of a leaf that requires grad is refused outside it, and
# allowed inside, where `w` stays the same leaf:

# %%
w.grad = torch.tensor([1.0])
try:
    w -= 0.1 * w.grad
except RuntimeError as error:
    print("outside no_grad:", error)
with torch.no_grad():
    w -= 0.1 * w.grad
w, w.is_leaf

# %% [markdown]
# | | `requires_grad=False` | `.detach()` | `torch.no_grad()` |
# |---|---|---|---|
# | acts on | one leaf, every use of it, until `requires_grad_(True)` switches it back | one use of one tensor | every operation in the block |
# | the original | its flag changed (must be a leaf) | unchanged, shares memory | unchanged |
# | typical use | input data, frozen weights | stop the gradient along one path | evaluation, parameter updates |
#
# **Exercise 2.** Write `partial_stop(w, x)`: the value $w \cdot x + w^2$, but with the gradient
# flowing only through $w \cdot x$, so that $\partial y/\partial w = x$ (the $w^2$ term counts
# in the value and is a constant for the gradient). Such a stop-gradient appears in
# reinforcement learning targets and in self-supervised losses.

# %% [solution] id=partial_stop from=partial_stop

# %%
w = torch.tensor([3.0], requires_grad=True)
x = torch.tensor([2.0], requires_grad=True)
y = partial_stop(w, x)
y.backward()
y, w.grad  # 3*2 + 3**2 = 15, and dy/dw = x = 2

# %% [tests] id=test_partial_stop_value_and_gradient points=2
from grading.students.kernel import grade, student

grade("ex03_detach", "test_partial_stop_value_and_gradient")
### BEGIN HIDDEN TESTS
from grading.checking import strategies
from grading.checking.references import ex03_detach as ref
from grading.checking.strategies import hidden_seed

ref.check_gradient_flow(student("ex03_detach").partial_stop, reference=ref.partial_stop, names="wx",
                        inputs=strategies.tensors(2, seed=hidden_seed(303), shapes=((6,),), low=-30, high=30),
                        mistakes=ref.PARTIAL_STOP_MISTAKES)
### END HIDDEN TESTS

# %% [markdown]
# ## 6. The straight-through estimator
#
# Rounding (quantisation) has a gradient of 0 almost everywhere, so a network that rounds
# learns nothing through it:

# %%
x = torch.tensor([0.3, 1.7, -2.4], requires_grad=True)
torch.round(x).sum().backward()
x.grad

# %% [markdown]
# The **straight-through estimator** computes a step function $f$ (such as rounding) going
# forward, and pretends, going backward, that another function $g$ ran instead. `.detach()` does
# it in one line, from two facts of section 2: a detached term keeps its value, and it is a
# constant for the gradient. So
#
# $$y = g(x) + \big(f(x) - g(x)\big)_{\text{detached}}$$
#
# has the value $g(x) + f(x) - g(x) = f(x)$, and the gradient of $g(x)$ alone, since the bracket
# is a constant. Here is that trick for $f = \mathrm{sign}$, which turns each nonzero value into $\pm 1$,
# with $g = \tanh$, whose gradient is $1 - \tanh^2 x$:

# %%
x = torch.tensor([0.3, 1.7, -2.4], requires_grad=True)
y = torch.tanh(x) + (torch.sign(x) - torch.tanh(x)).detach()
y.sum().backward()
y, x.grad, 1 - torch.tanh(x.detach()) ** 2

# %% [markdown]
# The rendering shows a single path from `x`, through the `tanh`: the detached bracket is a
# constant, and leaves no node in the graph of `y`:

# %%
make_dot(y, params={"x": x})

# %% [markdown]
# **Exercise 3.** Write `straight_through_round(x)`: forward value `torch.round(x)`, gradient 1
# with respect to `x`, the gradient of the identity. Which $f$ and which $g$ is that?
# (Quantisation-aware training and VQ-VAEs use exactly this.)

# %% [solution] id=straight_through_round from=straight_through_round

# %%
x = torch.tensor([0.3, 1.7, -2.4], requires_grad=True)
y = straight_through_round(x)
y.sum().backward()
y, x.grad

# %% [tests] id=test_straight_through_round_value_and_gradient points=2
from grading.students.kernel import grade, student

grade("ex03_detach", "test_straight_through_round_value_and_gradient")
### BEGIN HIDDEN TESTS
from grading.checking import strategies
from grading.checking.references import ex03_detach as ref
from grading.checking.strategies import hidden_seed

ref.check_gradient_flow(student("ex03_detach").straight_through_round, reference=ref.straight_through_round,
                        names="x", inputs=strategies.tensors(1, seed=hidden_seed(304), shapes=((10,), (2, 5)), low=-50, high=50),
                        mistakes=ref.ROUND_MISTAKES)
### END HIDDEN TESTS

# %% [markdown]
# ## 7. A real snapshot: `.detach().clone()`
#
# To keep the current values of a tensor (to log them, or to compare before and after an
# update), neither half alone is enough. `.detach()` shares memory, so the "snapshot" follows
# every later in-place edit; `.clone()` copies the memory but stays in the graph (it records
# `CloneBackward0`, so gradients flow through it and it keeps the graph alive):

# %%
t = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
only_detached, only_cloned, both = t.detach(), t.clone(), t.detach().clone()
with torch.no_grad():
    t.add_(100)
print("detach:        ", only_detached, "same memory:", only_detached.data_ptr() == t.data_ptr())
print("clone:         ", only_cloned)
print("detach + clone:", both, "same memory:", both.data_ptr() == t.data_ptr())

# %% [markdown]
# **Exercise 4.** Write `snapshot(t)`: a copy of `t`'s current values that is in no graph,
# does not require grad, and does not share storage with `t`, so that a later in-place edit of
# `t` leaves it unchanged. `t` may be a leaf or carry history, and may not require grad at all.

# %% [solution] id=snapshot from=snapshot

# %%
t = torch.tensor([1.0, 2.0], requires_grad=True)
s = snapshot(t)
with torch.no_grad():
    t.mul_(-1)
s, s.requires_grad, t

# %% [tests] id=test_snapshot_is_an_independent_copy points=2
from grading.students.kernel import grade, student

grade("ex03_detach", "test_snapshot_is_an_independent_copy")
### BEGIN HIDDEN TESTS
import torch

from grading.checking.references import ex03_detach as ref
from grading.runtime.runner import Build

values = torch.linspace(-3, 3, 12, dtype=torch.float64).reshape(3, 4)
ref.check_snapshot(student("ex03_detach").snapshot, [
    ("a float64 tensor with history", Build(ref.with_history, (values,)), values),
    ("a float64 leaf that requires grad", values.clone().requires_grad_(True), values),
    ("a scalar", torch.tensor(2.5), torch.tensor(2.5)),
])
### END HIDDEN TESTS

# %% [markdown]
# ## Summary
#
# - A tensor with `requires_grad=False` is not recorded: it is in no graph built while the flag
#   is off. The flag can be changed only on leaves, and switched back on with `requires_grad_(True)`.
# - `.detach()` cuts one path out of a graph that exists: the result has the same values and no
#   history, while the original keeps requiring grad and every other use of it is still recorded.
# - `.detach()` is **not a copy**: it shares storage and the version counter with the original,
#   which is why an in-place edit of it makes a later `backward` raise. `.data` shares the
#   storage but hides the edit, and gives silently wrong gradients: use `.detach()`.
# - `torch.no_grad()` turns recording off for a whole block: for evaluation and updates.
# - `.detach()` at work: stopping the gradient of one term, the straight-through estimator, and
#   (with `.clone()`) a snapshot that no later edit can touch.
#
# Next, **ex04_backward_names**: what the names in the grey boxes (`MulBackward0`,
# `PowBackward1`, ...) mean, and writing a backward function of your own.
