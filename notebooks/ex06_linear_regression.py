# %% [markdown]
# # ex06 · Linear regression from scratch
#
# **By the end of this notebook you will be able to**
# - make a synthetic data set whose true parameters you know, reproducibly, with a `torch.Generator`;
# - walk through the data in shuffled minibatches with a Python generator function;
# - write the model, the loss and the SGD update yourself, and say why the update runs under
#   `torch.no_grad()` and ends by zeroing `.grad`;
# - derive the gradient of the squared loss by hand and check it against autograd;
# - train the model, recover the true parameters, and read the torchviz graph of the loss,
#   including why the data `X` and `y` do not appear in it.
#
# From ex05 we need: `backward` *adds* into `.grad`, so every training step must clear it, and an
# optimizer step is `param -= lr * param.grad`, done where autograd is not recording. ex05 let
# `torch.optim.SGD` do that; here we write it by hand, as in chapter 3 of *Dive into Deep Learning*
# (d2l), to see every piece.
#
# The model is linear: for an example with features $\mathbf{x} \in \mathbb{R}^d$,
#
# $$\hat y = \mathbf{x}^\top \mathbf{w} + b, \qquad \text{or for a batch } X \in \mathbb{R}^{n \times d}: \quad
#   \hat{\mathbf{y}} = X\mathbf{w} + b .$$
#
# Fill in every cell that says `YOUR CODE HERE`, then run the test cell below it.
# You can also work in `exercises/ex06_linear_regression.py` and run `pytest tests/graders -k ex06`.

# %%
import matplotlib.pyplot as plt
import torch
from torchviz import make_dot

torch.__version__

# %% [markdown]
# ## 1. Data whose answer we know
#
# We make the data ourselves from a known $\mathbf{w} = (2, -3.4)$ and $b = 4.2$, so we can tell at
# the end whether training found them: features $X \sim \mathcal{N}(0, 1)$, and labels
# $y = X\mathbf{w} + b + \epsilon$ with a little noise $\epsilon \sim \mathcal{N}(0, 0.01^2)$.
#
# All randomness goes through a `torch.Generator`. Two generators with the same seed produce the
# same numbers, so a run can be repeated exactly, and it does not depend on whatever else drew
# random numbers before:

# %%
g1, g2 = torch.Generator().manual_seed(0), torch.Generator().manual_seed(0)
torch.equal(torch.randn(3, generator=g1), torch.randn(3, generator=g2))

# %% [markdown]
# **Exercise 1.** Write `synthetic_data(w, b, num_examples, generator=None)` returning `(X, y)`:
# `X` of shape `(num_examples, len(w))` drawn from $\mathcal{N}(0, 1)$, and the noise drawn with
# standard deviation 0.01, both from `generator` and in either order; `y` has shape `(num_examples, 1)`.
# (`torch.normal(mean, std, size, generator=...)` or `torch.randn(..., generator=...)` both work.)
#
# Watch the shapes: `X @ w` has shape `(n,)` when `w` has shape `(d,)`; adding noise of shape
# `(n, 1)` to it would broadcast to an `(n, n)` matrix.

# %% [solution] id=synthetic_data from=synthetic_data

# %%
true_w, true_b = torch.tensor([2.0, -3.4]), 4.2
features, labels = synthetic_data(true_w, true_b, 1000, generator=torch.Generator().manual_seed(0))
features.shape, labels.shape

# %% [markdown]
# The second feature against the label: a line with slope $-3.4$, blurred by the first feature.

# %%
fig, ax = plt.subplots(figsize=(4, 3))
ax.scatter(features[:, 1], labels[:, 0], s=2)
ax.set_xlabel("features[:, 1]")
ax.set_ylabel("labels");

# %% [tests] id=test_synthetic_data_draws_the_contract_distributions points=2
from grading.students.kernel import grade, student

grade("ex06_linear_regression", "test_synthetic_data_draws_the_contract_distributions")
### BEGIN HIDDEN TESTS
from grading.checking.references import ex06_linear_regression as ref
from grading.checking.strategies import hidden_seed

ref.check_synthetic_data(student("ex06_linear_regression").synthetic_data,
                         [((0.5,), 0.0, 400, hidden_seed(31)), ((1.0, -1.0, 3.0, 0.25), 2.5, 64, hidden_seed(32)),
                          ((2.0, 1.0), -3.0, 1, hidden_seed(33))])
### END HIDDEN TESTS

# %% [markdown]
# ## 2. Minibatches
#
# One step of gradient descent on all 1000 examples is accurate but slow; a step on a small random
# **minibatch** is cheap and, on average, points the same way. One pass over all the examples, in
# a fresh random order, is an **epoch**.
#
# A *generator function* is the natural way to hand out batches: each `yield` gives the caller one
# batch and pauses the function until the caller asks for the next.

# %%
def count_to(n):
    for i in range(n):
        yield i


numbers = count_to(3)
next(numbers), list(numbers)

# %% [markdown]
# A random order is a permutation of the indices, `torch.randperm(n, generator=...)`. Indexing a
# tensor with a tensor of indices picks those rows, so one permutation applied to both `features`
# and `labels` keeps each label with its example.
#
# **Exercise 2.** Write `data_iter(batch_size, features, labels, generator=None)`: a generator
# function that yields `(X_batch, y_batch)` pairs in a random order drawn with `generator`, each
# example exactly once per pass; the last batch is smaller when `batch_size` does not divide the
# number of examples.

# %% [solution] id=data_iter from=data_iter

# %%
for X, y in data_iter(4, features, labels, generator=torch.Generator().manual_seed(1)):
    print(X, "\n", y)
    break

# %% [tests] id=test_data_iter_yields_every_example_once points=2
from grading.students.kernel import grade, student

grade("ex06_linear_regression", "test_data_iter_yields_every_example_once")
### BEGIN HIDDEN TESTS
from grading.checking import checks
from grading.checking.references import ex06_linear_regression as ref
from grading.runtime.runner import Build

features_, labels_ = ref.numbered_data(17, 3)
outcome = student("ex06_linear_regression").data_iter.run(4, features_, labels_, generator=Build(ref.generator, (33,)),
                                                          probe=ref.collect_batches, probe_kwargs={"limit": 30})
checks.expect_ok(outcome)
batches = outcome.probe["batches"]
ids = sorted(int(i) for X_, _ in batches for i in X_.value[:, 0].tolist())
assert ids == list(range(17)), f"data_iter on 17 examples in batches of 4: got examples {ids}"
assert [len(X_.value) for X_, _ in batches] == [4, 4, 4, 4, 1], "data_iter: batches of 4, 4, 4, 4 and 1 expected"
assert all(y_.value[:, 0].tolist() == [-v for v in X_.value[:, 0].tolist()] for X_, y_ in batches), "labels moved away from their features"
### END HIDDEN TESTS

# %% [tests] id=test_data_iter_shuffles_with_the_generator points=2
from grading.students.kernel import grade, student

grade("ex06_linear_regression", "test_data_iter_shuffles_with_the_generator")
### BEGIN HIDDEN TESTS
from grading.checking import checks
from grading.checking.references import ex06_linear_regression as ref
from grading.checking.strategies import hidden_seed
from grading.runtime.runner import Build

features_, labels_ = ref.numbered_data(40, 2)
orders = []
for seed_ in (hidden_seed(34), hidden_seed(35), hidden_seed(34)):
    outcome = student("ex06_linear_regression").data_iter.run(8, features_, labels_, generator=Build(ref.generator, (seed_,)),
                                                              probe=ref.collect_batches, probe_kwargs={"limit": 50})
    checks.expect_ok(outcome)
    orders.append([int(i) for X_, _ in outcome.probe["batches"] for i in X_.value[:, 0].tolist()])
assert orders[0] == orders[2] != orders[1], "data_iter: the order must follow the generator's seed, and only it"
### END HIDDEN TESTS

# %% [markdown]
# ## 3. The model and the loss
#
# **Exercise 3.** Write `linreg(X, w, b)`, the model $X\mathbf{w} + b$. With `w` of shape `(d, 1)` it
# returns one column, shape `(n, 1)`; `b` of shape `(1,)` is broadcast to every row.
#
# **Exercise 4.** Write `squared_loss(y_hat, y)`, elementwise $(\hat y - y)^2 / 2$: one number per
# example, not summed yet. Reshape `y` to `y_hat`'s shape first. Here is why:

# %%
column, flat = torch.zeros(3, 1), torch.arange(3.0)
(column - flat).shape

# %% [markdown]
# A `(3, 1)` column minus a `(3,)` vector broadcasts to a `(3, 3)` matrix: nine differences, six
# of them between unrelated examples, and no error to warn you. The $\frac12$ is there so that
# the derivative of the square, $2(\hat y - y)$, comes out as just $\hat y - y$.

# %% [solution] id=linreg from=linreg

# %% [tests] id=test_linreg_values_and_gradients points=1
from grading.students.kernel import grade, student

grade("ex06_linear_regression", "test_linreg_values_and_gradients")
### BEGIN HIDDEN TESTS
import torch

from grading.checking import checks
from grading.checking.references import ex06_linear_regression as ref

X_ = torch.linspace(-2, 2, 12).reshape(4, 3)
w_, b_ = torch.tensor([[0.5], [-1.0], [2.0]]), torch.tensor([0.25])
checks.check_close(student("ex06_linear_regression").linreg(X_, w_, b_), ref.linreg_value(X_, w_, b_), name="linreg(X 4x3, w, b)")
### END HIDDEN TESTS

# %% [solution] id=squared_loss from=squared_loss

# %% [tests] id=test_squared_loss_is_elementwise points=1
from grading.students.kernel import grade, student

grade("ex06_linear_regression", "test_squared_loss_is_elementwise")
### BEGIN HIDDEN TESTS
import torch

from grading.checking import checks
from grading.checking.references import ex06_linear_regression as ref

y_hat_, y_ = torch.linspace(-1, 1, 5).reshape(5, 1), torch.linspace(2, -2, 5)
checks.check_close(student("ex06_linear_regression").squared_loss(y_hat_, y_), ref.squared_loss_value(y_hat_, y_),
                   name="squared_loss(y_hat 5x1, y (5,))")
### END HIDDEN TESTS

# %% [markdown]
# ## 4. The optimizer, by hand
#
# A step of minibatch SGD moves each parameter against the gradient of the batch's *summed* loss,
# divided by the batch size (so that the step size does not grow with the batch):
#
# $$p \leftarrow p - \frac{\eta}{|\mathcal{B}|} \frac{\partial}{\partial p} \sum_{i \in \mathcal{B}} l_i .$$
#
# Two things from earlier notebooks decide how it is written. First, autograd must not record the
# update: `w` is a leaf that requires grad, and PyTorch refuses to change one in place while
# recording, because the graph would lose track of what `w` was:

# %%
w = torch.zeros(2, 1, requires_grad=True)
w.grad = torch.ones(2, 1)
try:
    w -= 0.1 * w.grad
except RuntimeError as error:
    print("RuntimeError:", error)

# %% [markdown]
# Under `torch.no_grad()` the same line works, and `w` stays the same leaf, still requiring grad:

# %%
with torch.no_grad():
    w -= 0.1 * w.grad
w, w.is_leaf, w.requires_grad

# %% [markdown]
# It has to be *in place* (`-=`): `w = w - ...` would make a new tensor and rebind the name, leaving
# the tensor the caller holds (and that the next forward pass uses) where it was. Second, from
# ex05: `backward` adds into `.grad`, so after the step the gradient must be cleared, or the next
# batch's step would follow the sum of both batches' gradients.
#
# **Exercise 5.** Write `sgd(params, lr, batch_size)`: for each parameter, in place and without
# recording history, `param -= lr * param.grad / batch_size`, then zero `param.grad`. It returns
# nothing; the parameters stay leaves.

# %% [solution] id=sgd from=sgd

# %% [tests] id=test_sgd_updates_leaves_in_place_and_zeroes_grads points=2
from grading.students.kernel import grade, student

grade("ex06_linear_regression", "test_sgd_updates_leaves_in_place_and_zeroes_grads")
### BEGIN HIDDEN TESTS
import torch

from grading.checking import checks
from grading.checking.references import ex06_linear_regression as ref
from grading.runtime.runner import BuildArgs

values_ = [torch.tensor([[1.0], [2.0]]), torch.tensor([0.5])]
grads_ = [torch.tensor([[3.0], [-6.0]]), torch.tensor([9.0])]
outcome = student("ex06_linear_regression").sgd.run(BuildArgs(ref.sgd_args, (values_, grads_, 0.2, 3)), probe=ref.same_objects)
checks.expect_ok(outcome)
for value_, grad_, after_ in zip(values_, grads_, outcome.args_after[0]):
    checks.check_close(after_, value_ - 0.2 * grad_ / 3, name="sgd(params, lr=0.2, batch_size=3)")
    assert after_.is_leaf and after_.requires_grad, "sgd: the params must stay leaves that require grad"
    assert after_.grad is None or not after_.grad.value.any(), "sgd: the gradients must be zeroed"
### END HIDDEN TESTS

# %% [markdown]
# ## 5. The gradient, by hand
#
# Autograd will compute the gradients for us, but for this model they are short enough to derive.
# Write $r_i = \hat y_i - y_i$ for the residual of example $i$. The loss of a batch is
# $L = \sum_i r_i^2 / 2$, and $\hat y_i = \mathbf{x}_i^\top \mathbf{w} + b$, so by the chain rule
#
# $$\frac{\partial L}{\partial \mathbf{w}} = \sum_i r_i \, \mathbf{x}_i = X^\top \mathbf{r}, \qquad
#   \frac{\partial L}{\partial b} = \sum_i r_i .$$
#
# The 2 from the square cancels the $\frac12$; and $b$ is added to every example, so its gradient
# sums over all of them, the same sum over paths as in ex01.
#
# **Exercise 6.** Write `squared_loss_grads(X, y, w, b)` returning `(dw, db)`, the gradient of
# `squared_loss(linreg(X, w, b), y).sum()`, shaped like `w` and `b`, **without autograd**.

# %% [solution] id=squared_loss_grads from=squared_loss_grads

# %% [markdown]
# Autograd agrees:

# %%
X, y = features[:10], labels[:10]
w = torch.tensor([[1.0], [-1.0]], requires_grad=True)
b = torch.tensor([0.5], requires_grad=True)
squared_loss(linreg(X, w, b), y).sum().backward()
dw, db = squared_loss_grads(X, y, w.detach(), b.detach())
torch.allclose(dw, w.grad), torch.allclose(db, b.grad)

# %% [tests] id=test_squared_loss_grads_matches_autograd points=3
from grading.students.kernel import grade, student

grade("ex06_linear_regression", "test_squared_loss_grads_matches_autograd")
### BEGIN HIDDEN TESTS
from grading.checking import checks
from grading.checking.references import ex06_linear_regression as ref
from grading.checking.strategies import hidden_seed

for X_, y_, w_, b_ in ref.grad_cases(seed=hidden_seed(36)):
    dw_, db_ = student("ex06_linear_regression").squared_loss_grads(X_, y_, w_, b_, no_grad=True)
    expected_ = ref.loss_grads(X_, y_, w_, b_)
    checks.check_close(dw_, expected_[0], name="squared_loss_grads: dw")
    checks.check_close(db_, expected_[1], name="squared_loss_grads: db")
### END HIDDEN TESTS

# %% [markdown]
# ## 6. Training
#
# Now the pieces fit together. Start from small random weights and a zero bias, and for each
# epoch, for each minibatch: forward (`linreg`), loss (`squared_loss`, summed over the batch),
# `backward`, and `sgd`, which also clears the gradients for the next batch. After each epoch,
# record how well the parameters fit *all* the examples.
#
# **Exercise 7.** Write `train(features, labels, lr=0.03, num_epochs=3, batch_size=10, generator=None)`
# returning `(w, b, losses)`: `w` starts as $\mathcal{N}(0, 0.01^2)$ of shape `(d, 1)`, the first
# draw of `generator` (which then goes on to `data_iter`), `b` as `torch.zeros(1)`; minibatch SGD
# with your `data_iter`, `linreg`, `squared_loss` and `sgd`. Return `w` and `b` detached, and
# `losses`, the mean of `squared_loss` over all examples after each epoch, as Python floats.

# %% [solution] id=train from=train

# %%
w, b, losses = train(features, labels, generator=torch.Generator().manual_seed(2))
print("losses after each epoch:", [f"{loss:.6f}" for loss in losses])
print("error in w:", (true_w - w.reshape(true_w.shape)).tolist())
print("error in b:", true_b - b.item())

# %% [markdown]
# The loss falls to about $0.01^2 / 2 = 0.00005$, the part of $y$ that no line can explain: the
# noise. The parameters come out within a few thousandths of the truth.

# %% [tests] id=test_train_starts_from_the_generator points=1
from grading.students.kernel import grade, student

grade("ex06_linear_regression", "test_train_starts_from_the_generator")
### BEGIN HIDDEN TESTS
from grading.checking import checks
from grading.checking.references import ex06_linear_regression as ref
from grading.checking.strategies import hidden_seed
from grading.runtime.runner import Build

features_, labels_ = ref.wide_data(15, 300, seed=hidden_seed(37))
w_, b_, losses_ = student("ex06_linear_regression").train(features_, labels_, lr=0.0, num_epochs=1, batch_size=4,
                                                          generator=Build(ref.generator, (38,)))
ref.check_train_start(w_, b_, losses_, features_, labels_)
### END HIDDEN TESTS

# %% [tests] id=test_train_records_mean_loss_after_each_epoch points=1
from grading.students.kernel import grade, student

grade("ex06_linear_regression", "test_train_records_mean_loss_after_each_epoch")
### BEGIN HIDDEN TESTS
from grading.checking import checks
from grading.checking.references import ex06_linear_regression as ref
from grading.checking.strategies import hidden_seed
from grading.runtime.runner import Build

features_, labels_ = ref.synthetic(ref.TRUE_W, ref.TRUE_B, 100, seed=hidden_seed(39))
w_, b_, losses_ = student("ex06_linear_regression").train(features_, labels_, lr=0.02, num_epochs=1, batch_size=7,
                                                          generator=Build(ref.generator, (40,)))
checks.check_floats(losses_, [ref.mean_loss(features_, labels_, w_.value, b_.value)], name="train: losses", rtol=1e-3)
### END HIDDEN TESTS

# %% [tests] id=test_train_recovers_true_parameters points=2
from grading.students.kernel import grade, student

grade("ex06_linear_regression", "test_train_recovers_true_parameters")
### BEGIN HIDDEN TESTS
from grading.checking.strategies import hidden_seed
import torch

from grading.checking.references import ex06_linear_regression as ref
from grading.runtime.runner import Build

features_, labels_ = ref.synthetic((-1.0, 0.5), 1.0, 500, seed=hidden_seed(41))
w_, b_, _ = student("ex06_linear_regression").train(features_, labels_, num_epochs=5, batch_size=5,
                                                    generator=Build(ref.generator, (42,)))
w_best_, b_best_ = ref.least_squares(features_, labels_)
assert (w_.value - w_best_).abs().max() < 0.01 and (b_.value - b_best_).abs().max() < 0.01, \
    f"train on other data: w = {w_.value.tolist()}, b = {b_.value.tolist()}, expected about {w_best_.tolist()}, {b_best_.tolist()}"
### END HIDDEN TESTS

# %% [markdown]
# ## 7. The graph of the loss
#
# **Exercise 8.** Write `loss_for_graph(X, y, w, b)`, the scalar `squared_loss(linreg(X, w, b), y).sum()`
# that each training step backpropagates. The grader draws it with torchviz and compares it box
# for box with the reference drawing.

# %% [solution] id=loss_for_graph from=loss_for_graph

# %%
X, y = next(data_iter(10, features, labels, generator=torch.Generator().manual_seed(3)))
w = torch.normal(0, 0.01, (2, 1), requires_grad=True)
b = torch.zeros(1, requires_grad=True)
loss = loss_for_graph(X, y, w, b)
make_dot(loss, params={"w": w, "b": b})

# %% [markdown]
# Read it from the blue boxes down: `w` enters the matrix product (`MmBackward0`), `b` the addition,
# then come the subtraction of `y`, the square, the halving and the sum. **`X` and `y` are not in
# the drawing**, though the loss is computed from them. They are leaves in the sense of `is_leaf`
# (every tensor that no recorded operation produced is one), but they do not require grad:

# %%
X.is_leaf, X.requires_grad, y.requires_grad, w.requires_grad

# %% [markdown]
# Autograd records a path back to a tensor only if a gradient could flow to it, so there is no
# `AccumulateGrad` node for `X` or `y`, and nothing for torchviz to draw. Where an input needs no
# gradient, the node's `next_functions` holds `None`; the subtraction's second input, `y`, is one:

# %%
sub = loss.grad_fn.next_functions[0][0].next_functions[0][0].next_functions[0][0]
type(sub).__name__, sub.next_functions

# %% [markdown]
# The *values* of `X` and `y` are still needed, as constants. The gradient of `X @ w` with respect
# to `w` is $X^\top g$, so `MmBackward0` keeps `X` in its **saved tensors**; and `y` survives inside
# the residual $\hat y - y$ that the square saved to compute $2(\hat y - y)$:

# %%
mm = sub.next_functions[0][0].next_functions[0][0]
pow_node = loss.grad_fn.next_functions[0][0].next_functions[0][0]
torch.equal(mm._saved_self, X), torch.equal(pow_node._saved_self, linreg(X, w, b) - y)

# %% [markdown]
# `make_dot(..., show_saved=True)` draws the saved tensors too, as orange boxes; `X` is the
# `(10, 2)` one beside `MmBackward0`. Make `X` require grad and it joins the graph as a leaf of its
# own, with an `AccumulateGrad` node feeding the same `MmBackward0`:

# %%
make_dot(loss, params={"w": w, "b": b}, show_saved=True)

# %%
X_leaf = X.clone().requires_grad_(True)
make_dot(loss_for_graph(X_leaf, y, w, b), params={"w": w, "b": b, "X": X_leaf})

# %% [tests] id=test_loss_for_graph_rendering_matches_reference points=2
from grading.students.kernel import grade, student

grade("ex06_linear_regression", "test_loss_for_graph_rendering_matches_reference")
### BEGIN HIDDEN TESTS
from grading.checking.strategies import hidden_seed
import torch

from grading.checking import checks
from grading.checking.references import ex06_linear_regression as ref

X_, y_ = ref.synthetic((1.0, 2.0, 3.0), -0.5, 6, seed=hidden_seed(43))
w_, b_ = torch.zeros(3, 1, requires_grad=True), torch.ones(1, requires_grad=True)
checks.check_graph(student("ex06_linear_regression").loss_for_graph, reference=ref.loss_graph_target,
                   inputs=(X_, y_, w_, b_), params={"w": 2, "b": 3}, picture="loss_for_graph_hidden")
### END HIDDEN TESTS

# %% [markdown]
# ## 8. What training did, in two pictures
#
# First the loss. `train` records the mean loss after each epoch; the loss before the first
# epoch is that of the starting parameters, which `train` gives back unchanged when the learning
# rate is 0. Ten epochs this time, on a log scale, with the noise level $0.01^2 / 2$ of section 6:

# %%
w_start, b_start, _ = train(features, labels, lr=0.0, num_epochs=1, generator=torch.Generator().manual_seed(2))
with torch.no_grad():
    start_loss = squared_loss(linreg(features, w_start, b_start), labels).mean().item()
w_fit, b_fit, losses_fit = train(features, labels, num_epochs=10, generator=torch.Generator().manual_seed(2))

fig, ax = plt.subplots(figsize=(5, 3))
ax.plot(range(11), [start_loss] + losses_fit, marker="o")
ax.axhline(0.01 ** 2 / 2, color="grey", linestyle="--", label="noise level 0.01² / 2")
ax.set_xlabel("epoch")
ax.set_ylabel("mean squared_loss")
ax.set_yscale("log")
ax.legend();

# %% [markdown]
# The loss falls by orders of magnitude in the first epochs, then stays at the noise level:
# there is nothing left that a line can explain.
#
# Then the line. The data have two features, so the fit is a plane; to see it as a line against
# the second feature, take the first feature's part, $w_1 x_1$, out of each label. What is left
# is $w_2 x_2 + b$ plus the noise, the straight line the model found (with noise of 0.01, the
# points lie on it):

# %%
x2 = features[:, 1]
partial = labels[:, 0] - w_fit[0, 0] * features[:, 0]
grid = torch.linspace(x2.min().item(), x2.max().item(), 2)
fig, ax = plt.subplots(figsize=(5, 3))
ax.scatter(x2, partial, s=2, label="labels - w₁ · features[:, 0]")
ax.plot(grid, w_fit[1, 0] * grid + b_fit[0], "r", linewidth=1, label=f"fitted: {w_fit[1, 0]:.3f} x + {b_fit[0]:.3f}")
ax.set_xlabel("features[:, 1]")
ax.legend();

# %% [markdown]
# ## Summary
#
# - A seeded `torch.Generator` makes every random draw (the data, the shuffling, the starting
#   weights) repeatable.
# - A generator function with `yield` hands out minibatches; one `randperm`, used for both
#   features and labels, shuffles the examples and keeps them paired.
# - Reshape before you subtract: `(n, 1) - (n,)` silently broadcasts to `(n, n)`.
# - The SGD step is in place and under `torch.no_grad()`, so the parameters stay the same leaves;
#   it ends by zeroing `.grad`, because `backward` adds into it.
# - For the squared loss, $\partial L / \partial \mathbf{w} = X^\top \mathbf{r}$ and
#   $\partial L / \partial b = \sum_i r_i$; autograd computes exactly that.
# - The graph of the loss holds only the tensors that require grad; the data are constants, kept
#   in the saved tensors of the nodes that need their values.
#
# Next, **ex07_curve_fitting**: the same loop with `torch.optim` and `nn.MSELoss`, fitting a curve
# that is not a straight line.
