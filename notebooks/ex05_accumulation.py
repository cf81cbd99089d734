# %% [markdown]
# # ex05 · Accumulation, `zero_grad` and `retain_graph`
#
# **By the end of this notebook you will be able to**
# - say what `.grad` holds after several `backward` calls, and why it is a sum;
# - clear gradients with `zero_grad`, knowing that in torch 2.x it sets `.grad` to `None`;
# - run `backward` twice through one graph with `retain_graph=True`, and read the error you get
#   without it;
# - recognise the two classic training-loop bugs, no `zero_grad` and `zero_grad` in the wrong
#   place, from what the parameters do;
# - accumulate gradients over several small batches so that they equal the gradient of one big
#   batch.
#
# From ex01–ex04 we use: ex01's $y = (x + w)(w + 1)$ with $\partial y/\partial w = 2w + x + 1$
# (5 at $w = 1$, $x = 2$); a leaf's gradient is delivered by its `AccumulateGrad` node (ex04);
# `w.detach().clone().requires_grad_()` gives a fresh leaf that leaves the caller's tensor alone
# (ex01, ex03); and parameters are updated under `torch.no_grad()` (ex03).
#
# Fill in every cell that says `YOUR CODE HERE`, then run the test cell below it.
# You can also work in `exercises/ex05_accumulation.py` and run `pytest tests/graders -k ex05`.

# %%
import inspect
from typing import Callable, Sequence

import matplotlib.pyplot as plt
import torch

torch.__version__

# %% [markdown]
# ## 1. `.grad` adds up
#
# Run ex01's graph and its backward three times, building a new graph each time:

# %%
w = torch.tensor([1.0], requires_grad=True)
x = torch.tensor([2.0])
for call in range(1, 4):
    y = (x + w) * (w + 1)
    y.backward()
    print(f"after backward number {call}: w.grad = {w.grad.item()}")

# %% [markdown]
# 5, 10, 15: `backward` does not *store* the gradient in `.grad`, it *adds* it to what is there.
# That is the "Accumulate" in `AccumulateGrad`. It is the same addition that made ex01's chain
# rule work: `w` reached `y` along two paths, and the contributions of both paths were added
# into one `w.grad`. Across calls, the addition goes on until you clear `.grad` yourself:

# %%
w.grad = None  # or w.grad.zero_(), which keeps a tensor of zeros
y = (x + w) * (w + 1)
y.backward()
w.grad

# %% [markdown]
# **Exercise 1.** Write `grad_after_n_backwards(w, x, n)`: on a fresh leaf copy of `w`, build
# ex01's graph and call `backward` on it `n` times (`n >= 1`, a new graph each time) without
# clearing anything, and return the copy's `.grad`: `n` times $\partial y/\partial w$. The caller's
# `w` and `x` (values, `requires_grad`, `.grad`) must stay as they were, and `w`, `x` may hold
# several numbers (backpropagate `y.sum()`, as each `y[i]` depends on `w[i]` only).

# %% [solution] id=grad_after_n_backwards from=grad_after_n_backwards

# %%
grad_after_n_backwards(torch.tensor([1.0], requires_grad=True), torch.tensor([2.0]), 3)

# %% [tests] id=test_grad_after_n_backwards_is_n_times_the_gradient points=3
from grading.students.kernel import grade, student

grade("ex05_accumulation", "test_grad_after_n_backwards_is_n_times_the_gradient")
### BEGIN HIDDEN TESTS
from grading.checking import strategies
from grading.checking.references import ex05_accumulation as ref
from grading.checking.strategies import hidden_seed

ref.check_grad_after_n(student("ex05_accumulation").grad_after_n_backwards,
                       strategies.tensors(2, seed=hidden_seed(501), shapes=((5,), (2, 3))), counts=(4, 7))
### END HIDDEN TESTS

# %% [tests] id=test_grad_after_n_backwards_leaves_callers_tensors_alone points=1
from grading.students.kernel import grade, student

grade("ex05_accumulation", "test_grad_after_n_backwards_leaves_callers_tensors_alone")
### BEGIN HIDDEN TESTS
from grading.checking.strategies import hidden_seed
import torch

from grading.checking import strategies
from grading.checking.references import ex05_accumulation as ref

ref.check_callers_tensors_alone(student("ex05_accumulation").grad_after_n_backwards,
                                strategies.tensors(2, seed=hidden_seed(502), shapes=((), (2, 2)), dtypes=(torch.float64,)), 3)
### END HIDDEN TESTS

# %% [markdown]
# ## 2. Twice through the same graph: `retain_graph`
#
# Now build the graph **once** and call `backward` on it twice:

# %%
w = torch.tensor([1.0], requires_grad=True)
y = (x + w) * (w + 1)
y.backward()
try:
    y.backward()
except RuntimeError as error:
    print(error)

# %% [markdown]
# To compute its gradients, a node keeps some tensors from the forward pass: `MulBackward0`
# needs $a$ and $b$, since $\partial(ab)/\partial a = b$ and $\partial(ab)/\partial b = a$. These are
# the *saved tensors* of ex04. The first `backward` frees them as soon as they are used, which
# is what keeps memory flat in training, so there is nothing left for a second pass, and reading
# them raises the same error:

# %%
y = (x + w) * (w + 1)
print("before backward:", y.grad_fn._saved_self, y.grad_fn._saved_other)
y.backward()
try:
    y.grad_fn._saved_self
except RuntimeError as error:
    print("after backward: ", str(error)[:80], "...")

# %% [markdown]
# `backward(retain_graph=True)` keeps them, so that one more pass can run (that last pass may
# free them). And the two passes add up, as in section 1:

# %%
w = torch.tensor([1.0], requires_grad=True)
y = (x + w) * (w + 1)
y.backward(retain_graph=True)
y.backward()
w.grad

# %% [markdown]
# A training loop builds a new graph every iteration, so it never needs `retain_graph`. When
# that error shows up in one, the usual cause is a tensor computed *once*, before the loop, from
# something that requires grad, and reused in every iteration: its part of the graph was freed
# by the first iteration's `backward`. Compute it inside the loop, or `.detach()` it if no
# gradient should flow through it.
#
# **Exercise 2.** Write `backward_twice_same_graph(w, x)`: on a fresh leaf copy of `w`, build the
# graph once, call `backward` on it twice, and return the copy's `.grad`. The caller's tensors
# stay as they were.

# %% [solution] id=backward_twice_same_graph from=backward_twice_same_graph

# %% [tests] id=test_backward_twice_same_graph_is_twice_the_gradient points=3
from grading.students.kernel import grade, student

grade("ex05_accumulation", "test_backward_twice_same_graph_is_twice_the_gradient")
### BEGIN HIDDEN TESTS
from grading.checking import strategies
from grading.checking.references import ex05_accumulation as ref
from grading.checking.strategies import hidden_seed

ref.check_twice_same_graph(student("ex05_accumulation").backward_twice_same_graph,
                           strategies.tensors(2, seed=hidden_seed(503), shapes=((6,), (3, 1, 2)), low=-20, high=20))
### END HIDDEN TESTS

# %% [tests] id=test_backward_twice_same_graph_leaves_callers_tensors_alone points=1
from grading.students.kernel import grade, student

grade("ex05_accumulation", "test_backward_twice_same_graph_leaves_callers_tensors_alone")
### BEGIN HIDDEN TESTS
from grading.checking.strategies import hidden_seed
import torch

from grading.checking import strategies
from grading.checking.references import ex05_accumulation as ref

ref.check_callers_tensors_alone(student("ex05_accumulation").backward_twice_same_graph,
                                strategies.tensors(2, seed=hidden_seed(504), shapes=((4,),), dtypes=(torch.float32,)))
### END HIDDEN TESTS

# %% [markdown]
# ## 3. `zero_grad`, and its `None`
#
# An optimizer holds the parameters it updates. `optimizer.step()` moves each one against its
# `.grad`, and `optimizer.zero_grad()` clears the `.grad` of all of them. Since torch 2.0 it does
# not fill them with zeros: its default is `set_to_none=True`, and `.grad` becomes `None`:

# %%
theta = torch.tensor([1.0, -1.0], requires_grad=True)
optimizer = torch.optim.SGD([theta], lr=0.1)
(theta ** 2).sum().backward()
print("after backward:  ", theta.grad)
optimizer.zero_grad()
print("after zero_grad: ", theta.grad)
print(inspect.signature(torch.optim.Optimizer.zero_grad))

# %% [markdown]
# `None` saves the memory of a tensor of zeros and the work of writing them, and the next
# `backward` simply creates a fresh `.grad`. Code that reads `.grad` right after clearing must
# expect `None` (`zero_grad(set_to_none=False)` gives zeros instead). And `step` skips a
# parameter whose `.grad` is `None`: it does not move at all.

# %%
(theta ** 2).sum().backward()
optimizer.zero_grad(set_to_none=False)
print("set_to_none=False:", theta.grad)
optimizer.zero_grad()
before = theta.detach().clone()
optimizer.step()
print("step with .grad None moves nothing:", torch.equal(theta.detach(), before))

# %% [markdown]
# ## 4. Where `zero_grad` goes in a training loop
#
# A small least-squares problem: find `theta` minimising $\frac1n\sum_i (X_i \cdot \theta - y_i)^2$.

# %%
generator = torch.Generator().manual_seed(0)
X = torch.randn(20, 3, generator=generator)
y = X @ torch.tensor([1.0, -2.0, 0.5]) + 0.1 * torch.randn(20, generator=generator)
theta0 = torch.zeros(3)


def run(order, steps=8, lr=0.1):
    """Losses and the final theta of a loop whose step is written as `order`."""
    theta = theta0.clone().requires_grad_(True)
    optimizer = torch.optim.SGD([theta], lr=lr)
    losses = []
    for _iteration in range(steps):
        if order == "zero_grad, backward, step":
            optimizer.zero_grad()
            loss = ((X @ theta - y) ** 2).mean()
            loss.backward()
            optimizer.step()
        elif order == "backward, step (no zero_grad)":
            loss = ((X @ theta - y) ** 2).mean()
            loss.backward()
            optimizer.step()
        elif order == "backward, zero_grad, step":
            loss = ((X @ theta - y) ** 2).mean()
            loss.backward()
            optimizer.zero_grad()
            optimizer.step()
        elif order == "backward, step, zero_grad":
            loss = ((X @ theta - y) ** 2).mean()
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
        losses.append(round(loss.item(), 3))
    return losses, theta.detach()


# %% [markdown]
# The right order clears first, then computes this step's gradient, then steps:

# %%
run("zero_grad, backward, step")

# %% [markdown]
# **Bug 1: no `zero_grad` at all.** Step $k$ then follows the *sum* of the gradients of steps
# $1..k$, not the gradient at the current `theta`. The loss falls at first, then overshoots and
# climbs back up, because old gradients keep pushing in directions that are no longer downhill:

# %%
run("backward, step (no zero_grad)")

# %% [markdown]
# **Bug 2: `zero_grad` between `backward` and `step`.** The gradient is computed and thrown
# away before `step` can use it, and a `.grad` of `None` moves nothing (section 3). The loss
# never changes, and neither do the parameters:

# %%
losses, theta_end = run("backward, zero_grad, step")
losses, theta_end, torch.equal(theta_end, theta0)

# %% [markdown]
# **Clearing after `step` is fine.** A fresh leaf starts with `.grad` set to `None`, so the first
# `backward` finds nothing to add to, and every later one finds the gradients cleared by the
# previous iteration. The trajectory is exactly the right one:

# %%
after_losses, after_theta = run("backward, step, zero_grad")
first_losses, first_theta = run("zero_grad, backward, step")
after_losses == first_losses, torch.equal(after_theta, first_theta)

# %% [markdown]
# The four loops side by side, over 25 steps: the two right orders draw one curve (the dots of
# one on the line of the other), the loop without `zero_grad` swings up and down instead of
# settling, and the one that clears before `step` stays flat where it started.

# %%
orders = ["zero_grad, backward, step", "backward, step, zero_grad",
          "backward, step (no zero_grad)", "backward, zero_grad, step"]
styles = [dict(linewidth=3), dict(linestyle="none", marker="o", markersize=4), dict(), dict(linestyle="--")]
fig, ax = plt.subplots(figsize=(6, 3.5))
for order, style in zip(orders, styles):
    ax.plot(range(1, 26), run(order, steps=25)[0], label=order, **style)
ax.set_xlabel("step")
ax.set_ylabel("loss before the step")
ax.set_yscale("log")
ax.legend(fontsize=8);

# %% [markdown]
# Clearing first is still the safer habit: it does not depend on how `.grad` looked when the loop
# began (a `backward` run earlier, for a check, would leak into the first step otherwise).
#
# **Exercise 3.** Write `train_linear(theta0, X, y, steps, lr)`: starting from a leaf copy of
# `theta0` (shape `(d,)`), minimise `((X @ theta - y) ** 2).mean()` with
# `torch.optim.SGD([theta], lr=lr)` for `steps` steps, clearing gradients every step, and return
# the final `theta`, detached. The grader runs it for 0, 1, 2, 3 steps and compares every point
# with the trajectory of the reference loop, so a wrong order shows up however few steps it takes.

# %% [solution] id=train_linear from=train_linear

# %%
train_linear(theta0, X, y, 200, 0.1)  # close to the [1, -2, 0.5] the data was made from

# %% [tests] id=test_train_linear_follows_the_sgd_trajectory points=4
from grading.students.kernel import grade, student

grade("ex05_accumulation", "test_train_linear_follows_the_sgd_trajectory")
### BEGIN HIDDEN TESTS
import torch

from grading.checking.references import ex05_accumulation as ref

ref.check_train_linear_trajectory(student("ex05_accumulation").train_linear,
                                  [(12, 4, torch.float64, 505, 0.02, (1, 2, 5)), (3, 1, torch.float32, 506, 0.3, (4,))])
### END HIDDEN TESTS

# %% [tests] id=test_train_linear_returns_a_detached_copy points=1
from grading.students.kernel import grade, student

grade("ex05_accumulation", "test_train_linear_returns_a_detached_copy")
### BEGIN HIDDEN TESTS
from grading.checking.references import ex05_accumulation as ref
from grading.checking.strategies import hidden_seed

ref.check_train_linear_detached(student("ex05_accumulation").train_linear, n=9, d=4, seed=hidden_seed(507), steps=5)
### END HIDDEN TESTS

# %% [markdown]
# ## 5. Accumulating on purpose: several small batches, one step
#
# The adding of section 1 is also a tool. When the batch you want does not fit in memory, split
# it into $B$ micro-batches, run `backward` on each, and `step` once. With mean losses $L_i$ over
# equal-sized micro-batches, the loss over the whole batch is their mean,
# $L = \frac1B \sum_i L_i$, so its gradient is $\frac1B \sum_i \nabla L_i$: backpropagate each
# $L_i / B$ and let `.grad` do the sum.

# %%
def loss_fn(params, batch):
    (theta,) = params
    X_batch, y_batch = batch
    return ((X_batch @ theta - y_batch) ** 2).mean()


theta = torch.tensor([0.5, 0.5, 0.5], requires_grad=True)
batches = list(zip(X.split(5), y.split(5)))  # 4 micro-batches of 5 examples

(full,) = torch.autograd.grad(loss_fn([theta], (X, y)), theta)
theta.grad = None
for micro_batch in batches:
    (loss_fn([theta], micro_batch) / len(batches)).backward()
full, theta.grad, torch.allclose(full, theta.grad)

# %% [markdown]
# Forget the scaling and `.grad` holds the *sum* of the batch gradients, $B$ times too large (the
# same as multiplying the learning rate by $B$); clear `.grad` between micro-batches, as a
# training loop would, and only the last one is left:

# %%
theta.grad = None
for micro_batch in batches:
    loss_fn([theta], micro_batch).backward()  # not scaled
print("not scaled, / full:         ", theta.grad / full)

for micro_batch in batches:
    theta.grad = None  # cleared between micro-batches
    (loss_fn([theta], micro_batch) / len(batches)).backward()
(last,) = torch.autograd.grad(loss_fn([theta], batches[-1]) / len(batches), theta)
print("cleared between, == last:   ", torch.allclose(theta.grad, last))

# %% [markdown]
# (With micro-batches of unequal sizes, weight each $L_i$ by its share of the examples instead of
# $1/B$.)
#
# **Exercise 4.** Write `accumulated_gradient(loss_fn, params, batches)`: starting from cleared
# gradients, for each batch call `loss_fn(params, batch)` (a mean loss over that batch) and
# backpropagate it scaled by `1 / len(batches)`; leave the sum in each param's `.grad` and return
# **copies** of them (the caller's next `zero_grad(set_to_none=False)` clears `.grad` in place, and
# must not clear what you returned).

# %% [solution] id=accumulated_gradient from=accumulated_gradient

# %%
theta.grad = torch.full_like(theta, 100.0)  # left over from something else: must not count
accumulated_gradient(loss_fn, [theta], batches), full

# %% [tests] id=test_accumulated_gradient_equals_full_batch_gradient points=3
from grading.students.kernel import grade, student

grade("ex05_accumulation", "test_accumulated_gradient_equals_full_batch_gradient")
### BEGIN HIDDEN TESTS
import torch

from grading.checking.references import ex05_accumulation as ref

ref.check_accumulated_gradient(student("ex05_accumulation").accumulated_gradient,
                               [("tanh", 6, 3, torch.float64, 508), ("mse", 2, 10, torch.float32, 509)])
### END HIDDEN TESTS

# %% [tests] id=test_accumulated_gradient_starts_from_cleared_grads points=1
from grading.students.kernel import grade, student

grade("ex05_accumulation", "test_accumulated_gradient_starts_from_cleared_grads")
### BEGIN HIDDEN TESTS
import torch

from grading.checking.references import ex05_accumulation as ref

ref.check_accumulated_gradient(student("ex05_accumulation").accumulated_gradient,
                               [("mse", 3, 2, torch.float64, 510)], old_grads=True)
### END HIDDEN TESTS

# %% [tests] id=test_accumulated_gradient_leaves_the_sum_in_grad_and_returns_copies points=2
from grading.students.kernel import grade, student

grade("ex05_accumulation", "test_accumulated_gradient_leaves_the_sum_in_grad_and_returns_copies")
### BEGIN HIDDEN TESTS
import torch

from grading.checking.references import ex05_accumulation as ref

ref.check_accumulated_in_grad_and_copied(student("ex05_accumulation").accumulated_gradient,
                                         [("tanh", 2, 5, torch.float64, 511)])
### END HIDDEN TESTS

# %% [markdown]
# ## Summary
#
# - `backward` **adds** each leaf's gradient into its `.grad` (that is what `AccumulateGrad`
#   does): n calls without clearing leave n times the gradient.
# - `backward` frees the tensors the graph saved; a second pass through the same graph needs
#   `retain_graph=True` on the first. A training loop builds a new graph each step and never
#   needs it.
# - `optimizer.zero_grad()` sets `.grad` to `None` (torch 2.x default `set_to_none=True`), and
#   `step` skips parameters whose `.grad` is `None`.
# - Training step: `zero_grad`, forward, `backward`, `step`. Without `zero_grad` each step follows
#   the sum of all past gradients; with `zero_grad` between `backward` and `step` nothing moves.
#   Clearing after `step` works when the gradients start cleared.
# - Gradient accumulation: backpropagate each micro-batch's mean loss divided by the number of
#   micro-batches, then step once: the same gradient as the full batch.
#
# Next, **ex06_linear_regression**: linear regression from scratch, where you write the update
# and the clearing of `.grad` yourself, without an optimizer.
