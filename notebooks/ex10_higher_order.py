# %% [markdown]
# # ex10 · Higher-order gradients, VJPs and JVPs, `torch.func`
#
# **By the end of this notebook you will be able to**
# - differentiate a gradient once more with `create_graph=True`, and say what that records;
# - compute a Hessian-vector product with two reverse passes, without the n × n Hessian, and
#   show how the cost of each grows with n;
# - build a Jacobian row by row from vector-Jacobian products (reverse mode), or column by column
#   from Jacobian-vector products (forward mode), and pick the cheaper one from its shape;
# - push a tangent through a function with forward-mode dual numbers (`torch.autograd.forward_ad`);
# - compute one gradient per example of a batch in a single call, `torch.func.vmap` over
#   `torch.func.grad`;
# - check a gradient by central differences, and read the relative error on CS231n's scale.
#
# From earlier notebooks we use: `torch.autograd.grad(y, x)` returns $\partial y/\partial x$
# without touching `.grad`, and `x.detach().requires_grad_(True)` is a fresh leaf that leaves the
# caller's `x` alone (ex01, ex03); the gradient of `y.sum()` is the elementwise derivative when
# each `y[i]` depends on `x[i]` only (ex01); a backward pass frees the graph unless
# `retain_graph=True` (ex05).
#
# Fill in every cell that says `YOUR CODE HERE`, then run the test cell below it.
# You can also work in `exercises/ex10_higher_order.py` and run `pytest tests/graders -k ex10`.

# %%
import statistics
import time
from typing import Callable

import matplotlib.pyplot as plt
import torch
import torch.autograd.forward_ad as fwAD
from torchviz import make_dot

torch.__version__

# %% [markdown]
# Some cells below time things. CPU timings depend on how many threads torch uses and on what else
# the machine is doing, so we fix one thread, repeat each measurement, and look at the median and
# the spread (fastest and slowest run), never at one run:

# %%
torch.set_num_threads(1)


def timed(fn, *args, repeats=7):
    """(median, fastest, slowest) seconds of fn(*args), after one untimed warm-up call."""
    fn(*args)
    seconds = []
    for _run in range(repeats):
        began = time.perf_counter()
        fn(*args)
        seconds.append(time.perf_counter() - began)
    return statistics.median(seconds), min(seconds), max(seconds)


# %% [markdown]
# ## 1. A gradient is a tensor too: `create_graph`
#
# `torch.autograd.grad` returns the gradient as a tensor. By default that tensor is a plain
# result: the backward nodes computed it, but nothing recorded how.

# %%
x = torch.tensor(2.0, requires_grad=True)
(slope,) = torch.autograd.grad(x ** 3, x)
slope, slope.requires_grad, slope.grad_fn

# %% [markdown]
# $3x^2 = 12$ at $x = 2$, with no history. With `create_graph=True`, autograd records the backward
# pass as it runs it. Each backward node computes its gradient with ordinary tensor operations
# (`PowBackward0` of $x^3$ computes $\text{grad} \cdot 3 \cdot x^2$), and with `create_graph=True`
# those operations are recorded like forward ones, into a new graph whose output is the gradient
# and whose leaf is `x`:

# %%
(slope,) = torch.autograd.grad(x ** 3, x, create_graph=True)
print(slope)
make_dot(slope, params={"x": x})

# %% [markdown]
# Read it from the bottom: `x ** 2` (`PowBackward0`), times the number 3 (`MulBackward1`), times the
# incoming gradient, 1 here (`MulBackward0`). That is the derivative $3x^2$, written as a graph
# that a backward pass can go through. So differentiating the gradient once more is an ordinary
# `torch.autograd.grad` call, and with `create_graph=True` again, it can go on:

# %%
(curvature,) = torch.autograd.grad(slope, x, create_graph=True)  # 6x
(third,) = torch.autograd.grad(curvature, x)  # 6, and no graph this time
curvature, third, third.grad_fn

# %% [markdown]
# Without `create_graph=True`, the first gradient is a constant as far as autograd knows, and the
# second call has nothing to go through:

# %%
(constant_slope,) = torch.autograd.grad(x ** 3, x)
try:
    torch.autograd.grad(constant_slope, x)
except RuntimeError as error:
    print(error)

# %% [markdown]
# Silencing that error (`constant_slope.requires_grad_()`, then `allow_unused=True` and
# `materialize_grads=True`) gives zeros, a wrong second derivative that looks plausible. The price
# of `create_graph=True` is memory: the recorded backward graph, and the forward graph it refers to,
# stay alive as long as the gradient does. (`y.backward(create_graph=True)` also works, but it
# stores a gradient with a history in `x.grad`, a reference cycle that torch warns about: prefer
# `torch.autograd.grad`.)
#
# **Exercise 1.** Write `second_derivative(f, x)`: for an elementwise `f` (such as `torch.sin` or
# `lambda t: t ** 3`), $f''$ at every element of `x`, through autograd with `create_graph=True`.
# `x` may have any shape; the caller's `x` (values, `requires_grad`, `.grad`) is untouched.

# %% [solution] id=second_derivative from=second_derivative

# %%
grid = torch.linspace(0.0, 3.0, 4)
second_derivative(torch.sin, grid), -torch.sin(grid)

# %% [tests] id=test_second_derivative_matches_autograd points=3
from grading.students.kernel import grade, student

grade("ex10_higher_order", "test_second_derivative_matches_autograd")
### BEGIN HIDDEN TESTS
from grading.checking.strategies import hidden_seed
import torch

from grading.checking.references import ex10_higher_order as ref

ref.check_second_derivative(student("ex10_higher_order").second_derivative,
                            ref.elementwise_cases(seed=hidden_seed(2001), functions=(ref.softplus, ref.square),
                                                  shapes=((5,), (2, 1, 3))))
### END HIDDEN TESTS

# %% [tests] id=test_second_derivative_leaves_callers_x_alone points=2
from grading.students.kernel import grade, student

grade("ex10_higher_order", "test_second_derivative_leaves_callers_x_alone")
### BEGIN HIDDEN TESTS
from grading.checking.strategies import hidden_seed
import torch

from grading.checking.references import ex10_higher_order as ref

ref.check_second_derivative_callers_x(student("ex10_higher_order").second_derivative,
                                      ref.elementwise_cases(seed=hidden_seed(2002), functions=(ref.tanh,), shapes=((2, 2),),
                                                            dtypes=(torch.float64,)))
### END HIDDEN TESTS

# %% [markdown]
# ## 2. Hessian-vector products
#
# The Hessian $H$ of a scalar loss $L(p)$, $p \in \mathbb{R}^n$, is the $n \times n$ matrix of its
# second derivatives, $H_{jk} = \partial^2 L / \partial p_j \partial p_k$. torch has it ready-made:

# %%
def wavy(p):
    """A loss whose Hessian is not diagonal: sum_i sin(p_i) * (p_1 + ... + p_i)."""
    return (torch.sin(p) * torch.cumsum(p, 0)).sum()


p = torch.tensor([0.5, -1.0, 2.0])
v = torch.tensor([1.0, 0.0, -1.0])
H = torch.autograd.functional.hessian(wavy, p)
H, H @ v

# %% [markdown]
# Newton steps, conjugate gradient, and the sharpness of a loss (the largest eigenvalue of $H$, by
# power iteration) never need $H$ itself, only $H$ times vectors. For a model with a million
# parameters $H$ has $10^{12}$ numbers (4 TB in float32); $Hv$ has a million. And $Hv$ is one more
# derivative away: with $g(p) = \nabla L(p)$ and $v$ fixed,
#
# $$Hv = \frac{\partial g}{\partial p}\, v = \nabla_p \big(g(p) \cdot v\big),$$
#
# because $H$ is symmetric. Differentiating the scalar $g \cdot v$ is one more reverse pass
# through the graph that `create_graph=True` recorded for $g$. (`torch.autograd.grad(g, p,
# grad_outputs=v)` is the same pass: `grad_outputs` is the vector that weights the outputs, as
# section 3 explains.)
#
# **Exercise 2.** Write `hvp(loss_fn, params, v)`: $Hv$ for the scalar `loss_fn(params)` and a 1-D
# `params`, by differentiating the gradient (double backward), without forming the Hessian: no
# `torch.autograd.functional.hessian` or `jacobian`, no `torch.func.hessian`, `jacrev` or `jacfwd`,
# and no $n \times n$ tensor of your own. The caller's `params` is untouched.

# %% [solution] id=hvp from=hvp

# %%
hvp(wavy, p, v), H @ v

# %% [tests] id=test_hvp_matches_hessian_times_v points=3
from grading.students.kernel import grade, student

grade("ex10_higher_order", "test_hvp_matches_hessian_times_v")
### BEGIN HIDDEN TESTS
from grading.checking.references import ex10_higher_order as ref
from grading.checking.strategies import hidden_seed

ref.check_hvp(student("ex10_higher_order").hvp,
              ref.loss_cases(seed=hidden_seed(2011), losses=(ref.log_sum_exp, ref.quadratic_form, ref.mlp_loss), sizes=(2, 7)))
### END HIDDEN TESTS

# %% [tests] id=test_hvp_forms_no_hessian points=2
from grading.students.kernel import grade, student

grade("ex10_higher_order", "test_hvp_forms_no_hessian")
### BEGIN HIDDEN TESTS
from grading.checking.strategies import hidden_seed
import torch

from grading.checking.references import ex10_higher_order as ref

ref.check_hvp_forms_no_hessian(student("ex10_higher_order").hvp,
                               ref.loss_cases(seed=hidden_seed(2012), losses=(ref.log_sum_exp, ref.sin_sum), sizes=(9,),
                                              dtypes=(torch.float32,)))
### END HIDDEN TESTS

# %% [markdown]
# How do the two costs grow with $n$? `torch.autograd.functional.hessian` builds $H$ one row per
# reverse pass through the gradient's graph: $n$ passes. The HVP takes two, whatever $n$ is.
# Below, the median time of each (the bars span the fastest to the slowest of 7 runs):

# %%
sizes = [16, 32, 64, 128, 256]
costs = {"full Hessian, then H @ v": [], "hvp (double backward)": []}
for n in sizes:
    p_n, v_n = torch.randn(n), torch.randn(n)
    costs["full Hessian, then H @ v"].append(timed(lambda: torch.autograd.functional.hessian(wavy, p_n) @ v_n))
    costs["hvp (double backward)"].append(timed(hvp, wavy, p_n, v_n))

fig, ax = plt.subplots(figsize=(6, 3.5))
for name, runs in costs.items():
    median = [1e3 * r[0] for r in runs]
    spread = [[1e3 * (r[0] - r[1]) for r in runs], [1e3 * (r[2] - r[0]) for r in runs]]
    ax.errorbar(sizes, median, yerr=spread, marker="o", capsize=3, label=name)
ax.set_xscale("log", base=2)
ax.set_yscale("log")
ax.set_xlabel("n (number of parameters)")
ax.set_ylabel("ms per product")
ax.legend();

# %%
{n: round(h[0] / d[0]) for n, h, d in zip(sizes, *costs.values())}  # how many times slower the Hessian is

# %% [markdown]
# The Hessian's time grows with $n$, since every row costs a reverse pass, while one HVP's time
# barely moves at these sizes: at $n = 256$ the Hessian route is many times slower, and it also
# holds $n^2$ numbers where the HVP holds $n$. (Exact ratios change from run to run on a busy
# machine; the gap, and its growth with $n$, do not.)
#
# ## 3. Jacobians row by row: vector-Jacobian products
#
# For $f: \mathbb{R}^n \to \mathbb{R}^m$ the Jacobian $J$ is $m \times n$, with
# $J_{ij} = \partial f_i / \partial x_j$. A reverse pass does not compute $J$: it computes
# $u^\top J$ for one vector $u \in \mathbb{R}^m$, a **vector-Jacobian product** (VJP), and $u$ is
# what `grad_outputs` gives. For a scalar loss, $u = 1$ is implied, which is why `loss.backward()`
# needs no argument.

# %%
def curve(t):
    """R^3 -> R^2."""
    return torch.stack([t[0] * t[1], torch.sin(t).sum()])


t = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
u = torch.tensor([2.0, -1.0])
(vjp,) = torch.autograd.grad(curve(t), t, grad_outputs=u)
vjp, u @ torch.autograd.functional.jacobian(curve, t)

# %% [markdown]
# With $u = e_i$, the $i$-th unit vector, the VJP is row $i$ of $J$: $m$ reverse passes give the
# whole Jacobian, through one forward graph kept for all of them (`retain_graph=True`, ex05).
#
# **Exercise 3.** Write `jacobian_rows(f, x)`: for `f` mapping a 1-D `x` of size n to a 1-D output
# of size m, the $m \times n$ Jacobian, one row at a time, each a `torch.autograd.grad` with a unit
# `grad_outputs`. No `torch.autograd.functional.jacobian`, `torch.func.jacrev` or `jacfwd`.

# %% [solution] id=jacobian_rows from=jacobian_rows

# %%
jacobian_rows(curve, t), torch.autograd.functional.jacobian(curve, t)

# %% [tests] id=test_jacobian_rows_matches_autograd_jacobian points=3
from grading.students.kernel import grade, student

grade("ex10_higher_order", "test_jacobian_rows_matches_autograd_jacobian")
### BEGIN HIDDEN TESTS
from grading.checking.references import ex10_higher_order as ref
from grading.checking.strategies import hidden_seed

ref.check_jacobian_rows(student("ex10_higher_order").jacobian_rows,
                        ref.map_cases(seed=hidden_seed(2021), maps=(ref.widen, ref.running_sum), sizes=(2, 6)))
### END HIDDEN TESTS

# %% [tests] id=test_jacobian_rows_builds_one_row_per_vjp points=2
from grading.students.kernel import grade, student

grade("ex10_higher_order", "test_jacobian_rows_builds_one_row_per_vjp")
### BEGIN HIDDEN TESTS
from grading.checking.strategies import hidden_seed
import torch

from grading.checking.references import ex10_higher_order as ref

ref.check_jacobian_rows_one_vjp_per_row(student("ex10_higher_order").jacobian_rows,
                                        ref.map_cases(seed=hidden_seed(2022), maps=(ref.three_features, ref.widen), sizes=(3,),
                                                      dtypes=(torch.float64,)))
### END HIDDEN TESTS

# %% [markdown]
# ## 4. Forward mode: dual numbers and Jacobian-vector products
#
# Forward mode goes the other way. A **dual number** $a + b\,\varepsilon$, with $\varepsilon^2 = 0$,
# carries a value $a$ and a tangent $b$. Expanding, $f(a + b\varepsilon) = f(a) + f'(a)\, b\,
# \varepsilon$: the tangent of the result is the derivative times the tangent. So if $x$ enters with
# tangent $v$, every operation passes on (value, derivative × tangent), and $f(x)$ comes out with
# tangent $J v$, a **Jacobian-vector product** (JVP), after one forward pass and no backward pass
# at all. `torch.autograd.forward_ad` makes dual tensors:

# %%
a = torch.tensor([0.5, 1.0, 2.0])
b = torch.tensor([1.0, 0.0, 0.0])  # the tangent: the direction of a[0]
with fwAD.dual_level():  # dual tensors exist only inside a dual level
    dual = fwAD.make_dual(a, b)
    squared = fwAD.unpack_dual(dual * dual)
squared.primal, squared.tangent, 2 * a * b

# %% [markdown]
# $(a + b\varepsilon)^2 = a^2 + 2ab\,\varepsilon$: the tangent is $2ab$, here only for the first
# element, the one the tangent points along. Through a function of several operations, the
# tangents are combined by the chain rule, forward:

# %%
with fwAD.dual_level():
    result = fwAD.unpack_dual(curve(fwAD.make_dual(a, b)))
result.tangent, torch.autograd.functional.jacobian(curve, a) @ b

# %% [markdown]
# `torch.func.jvp(f, (x,), (v,))` wraps the same machinery in a function call and returns the pair
# (f(x), J v).
#
# **Exercise 4.** Write `jvp_forward(f, x, v)`: $J(x)\,v$ by forward-mode AD (`torch.func.jvp`, or
# dual numbers from `torch.autograd.forward_ad`), without reverse mode: it must not call `backward`
# or `torch.autograd.grad` (nor `torch.autograd.functional.jvp`, which is built on two of them).

# %% [solution] id=jvp_forward from=jvp_forward

# %%
jvp_forward(curve, a, b), torch.autograd.functional.jacobian(curve, a) @ b

# %% [tests] id=test_jvp_forward_matches_jacobian_times_v points=3
from grading.students.kernel import grade, student

grade("ex10_higher_order", "test_jvp_forward_matches_jacobian_times_v")
### BEGIN HIDDEN TESTS
from grading.checking.references import ex10_higher_order as ref
from grading.checking.strategies import hidden_seed

ref.check_jvp_forward(student("ex10_higher_order").jvp_forward,
                      ref.map_cases(seed=hidden_seed(2031), maps=(ref.running_sum, ref.widen, ref.three_features), sizes=(6,)))
### END HIDDEN TESTS

# %% [tests] id=test_jvp_forward_uses_no_reverse_mode points=2
from grading.students.kernel import grade, student

grade("ex10_higher_order", "test_jvp_forward_uses_no_reverse_mode")
### BEGIN HIDDEN TESTS
from grading.checking.strategies import hidden_seed
import torch

from grading.checking.references import ex10_higher_order as ref

ref.check_jvp_forward_no_reverse_mode(student("ex10_higher_order").jvp_forward,
                                      ref.map_cases(seed=hidden_seed(2032), maps=(ref.tanh_layer, ref.widen), sizes=(2,),
                                                    dtypes=(torch.float32,)))
### END HIDDEN TESTS

# %% [markdown]
# ## 5. Rows or columns?
#
# A JVP with $v = e_j$ is column $j$ of $J$, so $n$ forward passes also give the whole Jacobian.
# Which is cheaper depends on its shape: $m$ reverse passes (rows) against $n$ forward passes
# (columns), each pass costing about one evaluation of $f$. Two maps, one wide
# ($n = 200$ inputs, $m = 2$ outputs) and one tall ($n = 2$, $m = 200$):

# %%
def jacobian_columns(f, x):
    """The Jacobian from n JVPs, one per unit vector e_j, stacked as columns."""
    return torch.stack([jvp_forward(f, x, e) for e in torch.eye(x.numel())], dim=1)


weights = torch.randn(2, 200, generator=torch.Generator().manual_seed(0))
scales = torch.randn(200, generator=torch.Generator().manual_seed(1))
maps = {"wide: 200 inputs, 2 outputs": (lambda x: torch.tanh(weights @ x), torch.randn(200)),
        "tall: 2 inputs, 200 outputs": (lambda x: torch.tanh(torch.outer(scales, x)).sum(1), torch.randn(2))}
for name, (f, x0) in maps.items():
    assert torch.allclose(jacobian_rows(f, x0), jacobian_columns(f, x0), atol=1e-5)
    rows, columns = timed(jacobian_rows, f, x0)[0], timed(jacobian_columns, f, x0)[0]
    m, n = f(x0).numel(), x0.numel()
    print(f"{name}: rows ({m} VJPs) {rows * 1e3:.2f} ms, columns ({n} JVPs) {columns * 1e3:.2f} ms")

# %% [markdown]
# Reverse mode wins by far when $m \ll n$, forward mode when $n \ll m$. A training loss is the
# extreme case $m = 1$: one reverse pass gives the derivatives with respect to all $n$ parameters,
# which is why training uses backward. Forward mode pays when there are few inputs and many
# outputs, or when you need $Jv$ for one direction $v$ (and the HVP of section 2 can also be done as
# forward over reverse: `torch.func.jvp` of `torch.func.grad`). `torch.func.jacrev` and
# `torch.func.jacfwd` build the same rows or columns, with all the passes batched into one by `vmap`,
# the subject of the next section.
#
# ## 6. Per-example gradients with `torch.func`
#
# `backward` on a batch's loss gives the gradient of the sum (or mean) over the examples. Some
# methods need one gradient *per example*: differential privacy clips each one, and gradient-noise
# diagnostics look at their spread. `torch.func` offers two function transforms for this.
# `torch.func.grad(fn)` is a new function that returns the gradient of `fn`'s scalar output with
# respect to its first argument:

# %%
def example_loss(w, x, y):
    """The squared error of a linear model on one example."""
    return (x @ w - y) ** 2


w = torch.tensor([1.0, -1.0])
torch.func.grad(example_loss)(w, torch.tensor([3.0, 1.0]), torch.tensor(1.0))  # 2 (x.w - y) x

# %% [markdown]
# and `torch.func.vmap(fn, in_dims=...)` maps a function written for one example over a batch:
# `in_dims` says which dimension of each argument is the batch (`None`: shared, not batched). It
# does not loop: it runs `fn` once on batched tensors.

# %%
X = torch.tensor([[3.0, 1.0], [0.0, 2.0], [1.0, 1.0]])
y = torch.tensor([1.0, 0.0, 2.0])
torch.func.vmap(example_loss, in_dims=(None, 0, 0))(w, X, y)  # one loss per example

# %% [markdown]
# **Exercise 5.** Write `per_sample_grads(loss_fn, w, X, y)`: shape `(n, *w.shape)`; row `i` is
# the gradient with respect to `w` of `loss_fn(w, X[i], y[i])` (a scalar), computed with
# `torch.func.vmap` over `torch.func.grad`. `w` may be a matrix, `y` may hold class indices.

# %% [solution] id=per_sample_grads from=per_sample_grads

# %%
per_sample_grads(example_loss, w, X, y)

# %% [tests] id=test_per_sample_grads_matches_a_loop_of_autograd_grad points=3
from grading.students.kernel import grade, student

grade("ex10_higher_order", "test_per_sample_grads_matches_a_loop_of_autograd_grad")
### BEGIN HIDDEN TESTS
from grading.checking.references import ex10_higher_order as ref
from grading.checking.strategies import hidden_seed

ref.check_per_sample_grads(student("ex10_higher_order").per_sample_grads,
                           ref.per_sample_cases(seed=hidden_seed(2041), losses=(ref.softmax_loss, ref.tanh_net_loss), sizes=(1, 7)))
### END HIDDEN TESTS

# %% [tests] id=test_per_sample_grads_uses_vmap_over_grad points=2
from grading.students.kernel import grade, student

grade("ex10_higher_order", "test_per_sample_grads_uses_vmap_over_grad")
### BEGIN HIDDEN TESTS
from grading.checking.strategies import hidden_seed
import torch

from grading.checking.references import ex10_higher_order as ref

ref.check_per_sample_grads(student("ex10_higher_order").per_sample_grads,
                           ref.per_sample_cases(seed=hidden_seed(2042), losses=(ref.logistic_loss,), sizes=(6,),
                                                dtypes=(torch.float64,)), watch=True)
### END HIDDEN TESTS

# %% [markdown]
# Against the obvious alternative, a Python loop with one forward and one backward pass per
# example, on a one-layer `tanh` network (`W` of 10 × 16) and growing batches:

# %%
def tanh_loss(W, x, y):
    return (torch.tanh(x @ W).sum() - y) ** 2


def loop_of_grads(loss_fn, w, X, y):
    grads = []
    for x_i, y_i in zip(X, y):
        leaf = w.detach().requires_grad_(True)
        grads.append(torch.autograd.grad(loss_fn(leaf, x_i, y_i), leaf)[0])
    return torch.stack(grads)


generator = torch.Generator().manual_seed(2)
W = torch.randn(10, 16, generator=generator)
for batch in (16, 64, 256):
    X_b, y_b = torch.randn(batch, 10, generator=generator), torch.randn(batch, generator=generator)
    assert torch.allclose(per_sample_grads(tanh_loss, W, X_b, y_b), loop_of_grads(tanh_loss, W, X_b, y_b), atol=1e-5)
    looped, mapped = timed(loop_of_grads, tanh_loss, W, X_b, y_b), timed(per_sample_grads, tanh_loss, W, X_b, y_b)
    print(f"batch {batch:3}: loop {looped[0] * 1e3:6.2f} ms ({looped[1] * 1e3:.2f} to {looped[2] * 1e3:.2f}), "
          f"vmap {mapped[0] * 1e3:5.2f} ms ({mapped[1] * 1e3:.2f} to {mapped[2] * 1e3:.2f})")

# %% [markdown]
# Same values. The loop's time grows in proportion to the batch, since each example costs a forward
# and a backward pass of small tensors, dominated by per-operation overhead; `vmap` runs each
# operation once on the whole batch, so its time grows far more slowly, and at a few hundred
# examples it is many times faster.
#
# ## 7. Checking gradients with central differences
#
# A gradient can be checked without autograd, from values of $f$ alone. Taylor's expansion
# $f(x \pm h) = f(x) \pm h f'(x) + \tfrac{h^2}{2} f''(x) \pm \tfrac{h^3}{6} f'''(x) + \dots$ gives
#
# $$\frac{f(x + h) - f(x)}{h} = f'(x) + \tfrac{h}{2} f''(x) + \dots, \qquad
# \frac{f(x + h) - f(x - h)}{2h} = f'(x) + \tfrac{h^2}{6} f'''(x) + \dots$$
#
# The forward difference is off by a term of order $h$, the central difference by one of order
# $h^2$. For $\sin$ at $x = 1$:

# %%
point = torch.tensor(1.0, dtype=torch.float64)
for h in (1e-2, 1e-3, 1e-4):
    forward = (torch.sin(point + h) - torch.sin(point)) / h
    central = (torch.sin(point + h) - torch.sin(point - h)) / (2 * h)
    print(f"h = {h:g}: forward error {abs(forward - torch.cos(point)):.1e}, "
          f"central error {abs(central - torch.cos(point)):.1e}")

# %% [markdown]
# Each tenfold smaller $h$ divides the forward error by 10 and the central one by 100. For a
# function of many variables, perturb one element at a time: $\partial f/\partial x_i \approx
# (f(x + h e_i) - f(x - h e_i)) / 2h$, two evaluations of $f$ per element.
#
# **Exercise 6.** Write `numerical_gradient(f, x, eps=1e-6)`: the gradient of a scalar `f` at a
# float64 `x` (any shape) by central differences with step `eps`, for every element, without
# autograd: it must work under `torch.no_grad()` on an `x` that does not require grad. Perturb a
# copy, never the caller's `x` (and restore each element by assigning its old value: adding `eps`
# back does not always give the same number). It agrees with autograd to a relative error below
# $10^{-7}$ on smooth functions.

# %% [solution] id=numerical_gradient from=numerical_gradient

# %% [tests] id=test_numerical_gradient_matches_autograd_in_float64 points=3
from grading.students.kernel import grade, student

grade("ex10_higher_order", "test_numerical_gradient_matches_autograd_in_float64")
### BEGIN HIDDEN TESTS
from grading.checking.references import ex10_higher_order as ref
from grading.checking.strategies import hidden_seed

ref.check_numerical_gradient(student("ex10_higher_order").numerical_gradient,
                             ref.numerical_cases(seed=hidden_seed(2051), functions=(ref.log_sum_exp, ref.cube_sum),
                                                 shapes=((7,), (1, 3))))
### END HIDDEN TESTS

# %% [tests] id=test_numerical_gradient_without_autograd points=1
from grading.students.kernel import grade, student

grade("ex10_higher_order", "test_numerical_gradient_without_autograd")
### BEGIN HIDDEN TESTS
from grading.checking.references import ex10_higher_order as ref
from grading.checking.strategies import hidden_seed

ref.check_numerical_gradient_without_autograd(student("ex10_higher_order").numerical_gradient,
                                              ref.numerical_cases(seed=hidden_seed(2052), functions=(ref.quadratic_form,),
                                                                  shapes=((5,),)))
### END HIDDEN TESTS

# %% [tests] id=test_numerical_gradient_uses_central_differences_with_eps points=1
from grading.students.kernel import grade, student

grade("ex10_higher_order", "test_numerical_gradient_uses_central_differences_with_eps")
### BEGIN HIDDEN TESTS
import torch

from grading.checking.references import ex10_higher_order as ref

ref.check_numerical_gradient_eps(student("ex10_higher_order").numerical_gradient,
                                 [torch.tensor([0.75, 1.5, 3.0], dtype=torch.float64)], eps=0.05)
### END HIDDEN TESTS

# %% [markdown]
# How far from autograd is it, and how does that depend on `eps` and the dtype? The **relative
# error** $\lVert a - b\rVert / \max(\lVert a\rVert, \lVert b\rVert)$ makes the answer independent
# of the gradient's scale. Below, for a smooth function of 6 variables, in float32 and float64,
# against autograd's gradient in float64:

# %%
def smooth(t):
    return (torch.tanh(t) * torch.cumsum(t, 0)).sum()


x64 = torch.randn(6, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
leaf = x64.clone().requires_grad_(True)
(exact,) = torch.autograd.grad(smooth(leaf), leaf)
steps = [10.0 ** -k for k in range(1, 11)]
errors = {}
for dtype in (torch.float32, torch.float64):
    errors[dtype] = []
    for eps in steps:
        with torch.no_grad():
            estimate = numerical_gradient(smooth, x64.to(dtype), eps).double()
        errors[dtype].append(((estimate - exact).norm() / max(estimate.norm(), exact.norm())).item())

fig, ax = plt.subplots(figsize=(6, 3.5))
for dtype, values in errors.items():
    ax.plot(steps, values, marker="o", label=str(dtype).replace("torch.", ""))
ax.axhline(1e-7, color="grey", linestyle=":", label="1e-7")
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xlabel("eps")
ax.set_ylabel("relative error")
ax.legend();

# %%
{str(dtype).replace("torch.", ""): (f"best {min(values):.0e}", f"at eps=1e-6: {values[5]:.0e}")
 for dtype, values in errors.items()}

# %% [markdown]
# Each curve is a V. On the right the truncation error, of order $\text{eps}^2$, falls as `eps`
# shrinks; on the left rounding takes over: $f$ is known only to about $u\,|f|$ (the unit roundoff
# $u$ is $6 \times 10^{-8}$ in float32, $1.1 \times 10^{-16}$ in float64), and dividing by
# $2\,\text{eps}$ magnifies that into an error of order $u |f| / \text{eps}$. In float32 even the
# best step leaves an error of several times $10^{-5}$, and `eps = 1e-6` one of about 10%, while
# float64 stays below $10^{-7}$ for every step from $10^{-4}$ to $10^{-8}$.
#
# CS231n's notes on gradient checks (Stanford, *Neural Networks Part 3*,
# https://cs231n.github.io/neural-networks-3/#gradcheck) recommend the centered formula, the
# relative error, and double precision, and read the relative error this way:
#
# | relative error | reading |
# |---|---|
# | above $10^{-2}$ | the gradient is probably wrong |
# | $10^{-2}$ to $10^{-4}$ | uncomfortable |
# | below $10^{-4}$ | usually fine for objectives with kinks (ReLU, hinge losses) |
# | $10^{-7}$ and below | good, as it should be for smooth objectives (`tanh`, softmax) |
#
# They also report that with a correct gradient, single precision alone can give relative errors
# as high as $10^{-2}$, which then drop to $10^{-8}$ in double precision: the float32 curve above.
# This is why `torch.autograd.gradcheck` (ex04) wants float64 inputs.

# %% [markdown]
# ## Summary
#
# - `torch.autograd.grad(..., create_graph=True)` records the backward pass itself, so the gradient
#   has a graph and can be differentiated again; without it the gradient is a constant, and a
#   second `grad` raises (or, with the error silenced, gives zeros).
# - A Hessian-vector product is the gradient of $\nabla L \cdot v$: two reverse passes and vectors
#   of $n$ numbers, where the Hessian costs $n$ passes and $n^2$ numbers.
# - A reverse pass computes a vector-Jacobian product $u^\top J$ (`grad_outputs=u`): with unit
#   vectors, a row of $J$. A forward pass on dual numbers computes a Jacobian-vector product $Jv$:
#   with unit vectors, a column. Rows are cheaper when $m \ll n$ (a loss: $m = 1$), columns when
#   $n \ll m$.
# - `torch.autograd.forward_ad` (`dual_level`, `make_dual`, `unpack_dual`) and `torch.func.jvp`
#   run forward mode; `torch.func.grad` turns a function into its gradient function, and
#   `torch.func.vmap` maps a one-example function over a batch without a Python loop: together,
#   per-example gradients in one call.
# - Central differences are accurate to order $\text{eps}^2$, forward differences to order eps;
#   check in float64, where a correct gradient agrees to a relative error of $10^{-7}$ or better
#   on smooth functions (CS231n's scale), while float32's rounding alone costs several digits.
