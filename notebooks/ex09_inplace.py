# %% [markdown]
# # ex09 · In-place operations, version counters and saved tensors
#
# **By the end of this notebook you will be able to**
# - say which in-place operations break `backward`, and why: each operation *saves* what its
#   backward needs (its input, its output, or nothing), and leaves and their views refuse
#   in-place edits outright;
# - read a tensor's version counter (`_version`), say which tensors share one, and show why an
#   edit through `.data` gives a silently wrong gradient;
# - see every tensor autograd saves with `torch.autograd.graph.saved_tensors_hooks`, count their
#   bytes, and move them to the CPU and back;
# - trade compute for memory with activation checkpointing, and measure both sides of the trade.
#
# From ex03 we use: `.detach()` shares memory with the original, and `backward` refuses a saved
# tensor that was edited in place. Here we find out what is saved, by which operation, and when.
#
# Fill in every cell that says `YOUR CODE HERE`, then run the test cell below it.
# You can also work in `exercises/ex09_inplace.py` and run `pytest tests/graders -k ex09`.

# %%
import time
from typing import Callable, Sequence

import matplotlib.pyplot as plt
import torch
from torch.utils.checkpoint import checkpoint

torch.__version__

# %% [markdown]
# ## 1. In-place operations and the version counter
#
# A method whose name ends in `_` (`add_`, `mul_`, `zero_`), an augmented assignment (`t *= 3`)
# and an item assignment (`t[1] = -1`) change a tensor's memory instead of making a new tensor.
# PyTorch counts these edits: every tensor carries a **version counter**, `t._version`, which each
# in-place operation bumps by one. An out-of-place operation makes a new tensor, at version 0.

# %%
t = torch.zeros(4)
print("new:", t._version)
t.add_(1)
t *= 3
t[1] = -1
print("after three in-place edits:", t._version)
print("t + 1 is a new tensor:", (t + 1)._version)

# %% [markdown]
# ## 2. What backward needs: saved tensors
#
# To compute a gradient, an operation's backward usually needs a value from the forward, so the
# operation **saves** it on its node when it runs. Which value depends on the derivative:
# $\frac{d}{da}\sigma(a) = \sigma(a)\,(1 - \sigma(a))$ and $\frac{d}{da}e^a = e^a$ are written with
# the *output*; $\frac{d}{da}a^2 = 2a$ and $\frac{d}{da}\sin a = \cos a$ with the *input*;
# $\frac{d}{da}2a = 2$ with no tensor at all. A node lists what it saved in its `_saved_*`
# attributes (`_saved_result` is the output, `_saved_self` the input):

# %%
a = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
for text in ["a.sigmoid()", "a.exp()", "a.tanh()", "a.relu()", "a ** 2", "a.sin()", "a * 2", "a.clone()"]:
    node = eval(text).grad_fn
    kept = {name: type(getattr(node, name)).__name__ for name in dir(node) if name.startswith("_saved_")}
    print(f"{text:12} {type(node).__name__:17} {kept}")

# %% [markdown]
# `relu` keeps its output to know where it was positive. `a * 2` keeps the number 2 (as a
# one-number tensor of its own), and nothing of `a`: the gradient of $2a$ does not depend on `a`.
# `clone` keeps nothing.
#
# A node also notes the **version** of each tensor it saves, and `backward` checks it again. If
# the tensor was edited in between, the saved values are not the ones the forward used, and
# `backward` raises, naming the operation and both versions:

# %%
b = a.exp()  # exp saves its output b, at version 0
b.add_(1)  # b is now at version 1
try:
    b.sum().backward()
except RuntimeError as error:
    print(str(error)[:175], "...")

# %% [markdown]
# The same edit after `a ** 2` or `a * 2` is harmless: neither saved `b`.

# %%
for text in ["a ** 2", "a * 2"]:
    a.grad = None
    b = eval(text)
    b.add_(1)
    b.sum().backward()
    print(f"{text}: backward ran, a.grad = {a.grad}")

# %% [markdown]
# A **leaf** that requires grad refuses in-place operations at once, at the operation rather than
# at `backward`: its values are the parameters the graph was built from (ex03 updated parameters
# inside `torch.no_grad()` for that reason). A **view** of such a leaf is the same memory, and is
# refused too. A view of a non-leaf is fine, as long as nothing saved it:

# %%
for text in ["a.add_(1)", "a.view(3).mul_(2)", "a[0].zero_()"]:
    try:
        eval(text)
    except RuntimeError as error:
        print(f"{text:18} {error}")
m = a * 1
m.view(3).mul_(2)
m

# %% [markdown]
# **Exercise 1.** Below is `INPLACE_CASES` (keep it as it is). Each statement runs with a fresh
# `a`, a leaf of 3 float32 values that requires grad, and leaves its result in `b`; then comes
# `b.sum().backward()`. Write `predict_inplace_errors()` returning `{statement: True or False}`:
# whether the statement or the backward after it raises a `RuntimeError`. Write the dictionary out
# yourself, from what each operation saves; the cell after it checks it against the installed torch,
# as the grader does.

# %%
INPLACE_CASES = (
    "b = a.sigmoid(); b.mul_(2)",
    "b = a * 2; b.add_(1)",
    "b = a.exp(); b.add_(1)",
    "b = a ** 2; b.add_(1)",
    "b = a.sin(); b.add_(1)",
    "b = a.tanh(); b.add_(1)",
    "b = a.relu(); b.zero_()",
    "b = a.clone(); b[0] = 0",
    "a.add_(1); b = a",
    "b = a.view(3); b.mul_(2)",
    "b = (a * 1).view(3); b.mul_(2)",
    "b = a.clone(); c = b * b; b.add_(1); b = c",
)

# %% [solution] id=predict_inplace_errors from=predict_inplace_errors

# %%
# Check your predictions against the installed torch.
predicted = predict_inplace_errors()
for statement in INPLACE_CASES:
    scope = {"a": torch.tensor([0.5, -1.0, 2.0], requires_grad=True)}
    try:
        exec(statement, {}, scope)
        scope["b"].sum().backward()
        raised = False
    except RuntimeError:
        raised = True
    verdict = "ok" if predicted.get(statement) == raised else f"you predicted {predicted.get(statement)}"
    print(f"{statement:44} raises: {raised!s:6} {verdict}")

# %% [tests] id=test_INPLACE_CASES_holds_the_contract_statements_and_each_is_predicted points=1
from grading.students.kernel import grade, student

grade("ex09_inplace", "test_INPLACE_CASES_holds_the_contract_statements_and_each_is_predicted")
### BEGIN HIDDEN TESTS
from grading.checking.references import ex09_inplace as ref

submission = student("ex09_inplace")
ref.check_inplace_cases(submission.INPLACE_CASES, submission.predict_inplace_errors)
### END HIDDEN TESTS

# %% [tests] id=test_predict_inplace_errors_matches_installed_torch points=3
from grading.students.kernel import grade, student

grade("ex09_inplace", "test_predict_inplace_errors_matches_installed_torch")
### BEGIN HIDDEN TESTS
from grading.checking.references import ex09_inplace as ref
from grading.checking.strategies import hidden_seed

ref.check_predictions(student("ex09_inplace").predict_inplace_errors, seed=hidden_seed(909))
### END HIDDEN TESTS

# %% [markdown]
# ## 3. Who shares a version counter, and why `.data` escapes it
#
# A view is the same memory as its base, so it shares its base's version counter too: an edit
# through the view is an edit of the base, and a node that saved either one sees it. A tensor
# made by `.detach()` (ex03) shares the counter as well; that is what lets `backward` catch an
# edit through a detached tensor.

# %%
t = torch.zeros(2, 3)
row = t[1]  # a view: same memory
row.fill_(7)
print("after editing the view:  t", t._version, " row", row._version)
t.detach().add_(1)
print("after editing a detached:t", t._version, " row", row._version)

# %% [markdown]
# `.data` is the exception: the same memory, but a counter of its own, so autograd never hears of
# the edit. Here `exp` saved its output `b`, and `b` is edited through `.data`: `backward` runs
# without a word and uses the edited values, $e^a + 1$ instead of $e^a$:

# %%
a = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
b = a.exp()  # saves b = e^a
b.data.add_(1)  # edits b; b._version does not move
print("b._version:", b._version)
b.sum().backward()  # no error
print("a.grad:        ", a.grad)
print("true gradient: ", a.detach().exp())

# %% [markdown]
# So edit through `.detach()` (or inside `torch.no_grad()`), never through `.data`: an edit that
# breaks a gradient then raises instead of lying.
#
# **Exercise 2.** Write `version_counts(a)`: on `t = a.detach().clone()`, a fresh copy, record
# `t._version` after each of these steps in turn: when created; after `t.add_(1)`; after `t[0] = 5`;
# after `u = t.view(-1)` then `u.mul_(2)`; after `t.detach().zero_()`. Return the five numbers as a
# list. Predict them first. (Why the `.clone()`? Without it, `t` would share `a`'s memory and
# counter, and the steps would edit the caller's `a`.)

# %% [solution] id=version_counts from=version_counts

# %%
version_counts(torch.tensor([1.0, 2.0, 3.0]))

# %% [tests] id=test_version_counts_follows_each_in_place_step points=2
from grading.students.kernel import grade, student

grade("ex09_inplace", "test_version_counts_follows_each_in_place_step")
### BEGIN HIDDEN TESTS
import torch

from grading.checking.references import ex09_inplace as ref
from grading.runtime.runner import Build

grid = torch.linspace(-2, 2, 8, dtype=torch.float64).reshape(2, 4)
ref.check_version_counts(student("ex09_inplace").version_counts, [
    ("a 2x4 float64 leaf that requires grad", grid.clone().requires_grad_(True)),
    ("a float64 tensor with history edited in place twice", Build(ref.edited, (grid, True))),
    ("a 1-element tensor edited in place twice", Build(ref.edited, (torch.tensor([3.0]), False))),
])
### END HIDDEN TESTS

# %% [tests] id=test_version_counts_leaves_callers_tensor_alone points=1
from grading.students.kernel import grade, student

grade("ex09_inplace", "test_version_counts_leaves_callers_tensor_alone")
### BEGIN HIDDEN TESTS
import torch

from grading.checking import strategies
from grading.checking.references import ex09_inplace as ref

grid = torch.linspace(-1, 1, 6).reshape(3, 2)
ref.check_version_counts_callers(student("ex09_inplace").version_counts, [
    strategies.with_grad(grid, torch.full_like(grid, 2.0)), grid.double()])
### END HIDDEN TESTS

# %% [markdown]
# ## 4. Seeing every saved tensor: `saved_tensors_hooks`
#
# Inside `with torch.autograd.graph.saved_tensors_hooks(pack_hook, unpack_hook):`, each time an
# operation saves a tensor, autograd calls `pack_hook(tensor)` and keeps whatever it returns in
# place of the tensor; when `backward` needs the tensor, it calls `unpack_hook(kept)`, which must
# give back a tensor with the same values. The saving happens during the forward, so a pack hook
# that only looks sees everything, without any backward:

# %%
def announce(saved):
    print("   saving", tuple(saved.shape), str(saved.dtype).replace("torch.", ""))
    return saved


x = torch.randn(4, 3, requires_grad=True)
w = torch.randn(3, 2, requires_grad=True)
with torch.autograd.graph.saved_tensors_hooks(announce, lambda kept: kept):
    print("x * x")
    y = x * x
    print("torch.tanh(x @ w)")
    z = torch.tanh(x @ w)
    print("x.exp() ** 2")
    e = x.exp() ** 2
    print("torch.tanh(x.detach() @ w)")
    z0 = torch.tanh(x.detach() @ w)

# %% [markdown]
# `x * x` saves `x` twice, once as each operand. The matrix product saves `w` (for the gradient
# of `x`) and `x` (for the gradient of `w`), and `tanh` its output. `exp` saves its output and
# `** 2` saves that same tensor again as its input. And what is saved depends on what requires
# grad: with `x` detached, nobody needs the gradient of `x`, so `w` is not saved.
#
# Since the pack hook can return anything, it can also move the saved tensor somewhere else. On
# a GPU, activations are what fills the memory during training; a pack hook that copies each one
# to the CPU and an unpack hook that brings it back free that memory until backward, at the price
# of two copies each (`torch.autograd.graph.save_on_cpu()` does exactly this). The gradients are
# the same; on this machine the "device" is already the CPU, but the round trip is the same:

# %%
def to_cpu(saved):
    return saved.device, saved.to("cpu", copy=True)


def from_cpu(kept):
    device, copy = kept
    return copy.to(device)


with torch.autograd.graph.saved_tensors_hooks(to_cpu, from_cpu):
    offloaded = torch.autograd.grad(torch.tanh(x @ w).sum(), [x, w])
kept_in_place = torch.autograd.grad(torch.tanh(x @ w).sum(), [x, w])
[torch.equal(g, h) for g, h in zip(offloaded, kept_in_place)]

# %% [markdown]
# **Exercise 3.** Write `saved_tensor_shapes(fn, *inputs)`: run `fn(*inputs)` on the inputs as
# given (not on copies: what is saved depends on which inputs require grad), and return the shape
# of every tensor autograd saves meanwhile, as a list of tuples of ints (`tuple(t.shape)`, not a
# `torch.Size`), in the order they are saved. A tensor saved twice counts twice. Leave the
# caller's tensors as they were: no backward is needed.
#
# **Exercise 4.** Write `saved_bytes(fn, *inputs)`: the total size in bytes of those saved tensors,
# `numel() * element_size()` each, as a Python int. (Not the size of a tensor's whole storage: a
# saved view may use a small part of the memory it lives in.)

# %% [solution] id=saved_tensor_shapes from=saved_tensor_shapes

# %% [solution] id=saved_bytes from=saved_bytes

# %%
def one_layer(x, w):
    return torch.tanh(x @ w)


saved_tensor_shapes(one_layer, x, w), saved_bytes(one_layer, x, w), saved_tensor_shapes(one_layer, x.detach(), w)

# %% [tests] id=test_saved_tensor_shapes_match_what_autograd_saves points=3
from grading.students.kernel import grade, student

grade("ex09_inplace", "test_saved_tensor_shapes_match_what_autograd_saves")
### BEGIN HIDDEN TESTS
from grading.checking.references import ex09_inplace as ref
from grading.checking.strategies import hidden_seed

ref.check_saved(student("ex09_inplace").saved_tensor_shapes, ref.saved_cases(seed=hidden_seed(901)))
### END HIDDEN TESTS

# %% [tests] id=test_saved_tensor_shapes_leaves_callers_tensors_alone points=1
from grading.students.kernel import grade, student

grade("ex09_inplace", "test_saved_tensor_shapes_leaves_callers_tensors_alone")
### BEGIN HIDDEN TESTS
from grading.checking.strategies import hidden_seed
import torch

from grading.checking import strategies
from grading.checking.references import ex09_inplace as ref

(p, q), = strategies.tensors(2, seed=hidden_seed(902), shapes=((3, 3),), dtypes=(torch.float64,))
ref.check_saved_callers(student("ex09_inplace").saved_tensor_shapes, [
    (ref.layer, strategies.with_grad(p, torch.ones_like(p)), q.detach()), (ref.rows_product, p)])
### END HIDDEN TESTS

# %% [tests] id=test_saved_bytes_totals_the_saved_tensors points=2
from grading.students.kernel import grade, student

grade("ex09_inplace", "test_saved_bytes_totals_the_saved_tensors")
### BEGIN HIDDEN TESTS
from grading.checking.references import ex09_inplace as ref
from grading.checking.strategies import hidden_seed

ref.check_saved(student("ex09_inplace").saved_bytes, ref.saved_cases(seed=hidden_seed(903)))
### END HIDDEN TESTS

# %% [tests] id=test_saved_bytes_leaves_callers_tensors_alone points=1
from grading.students.kernel import grade, student

grade("ex09_inplace", "test_saved_bytes_leaves_callers_tensors_alone")
### BEGIN HIDDEN TESTS
from grading.checking.strategies import hidden_seed
import torch

from grading.checking import strategies
from grading.checking.references import ex09_inplace as ref

(p, q), = strategies.tensors(2, seed=hidden_seed(904), shapes=((2, 2),), dtypes=(torch.float32,))
ref.check_saved_callers(student("ex09_inplace").saved_bytes, [
    (ref.square, strategies.with_grad(p, torch.zeros_like(p))), (ref.layer, p.detach(), q)])
### END HIDDEN TESTS

# %% [markdown]
# ## 5. Checkpointing: memory for compute
#
# In a deep network, what is saved is mostly activations: each layer keeps its input and its
# output until backward, for every example of the batch. **Activation checkpointing** keeps fewer:
# `torch.utils.checkpoint.checkpoint(fn, *args, use_reentrant=False)` runs `fn` while keeping only
# its inputs, and during backward runs `fn` once more to get back what its operations saved. Here
# is a block of two layers, first as it is, then checkpointed:

# %%
def block(h, w1, w2):
    return torch.relu(torch.relu(h @ w1) @ w2)


def checkpointed_block(h, w1, w2):
    return checkpoint(block, h, w1, w2, use_reentrant=False)


h = torch.randn(8, 16, requires_grad=True)
w1 = torch.randn(16, 32, requires_grad=True)
w2 = torch.randn(32, 4, requires_grad=True)
print("plain:       ", saved_tensor_shapes(block, h, w1, w2))
print("checkpointed:", saved_tensor_shapes(checkpointed_block, h, w1, w2))
same = [torch.allclose(g, k) for g, k in zip(torch.autograd.grad(block(h, w1, w2).sum(), [h, w1, w2]),
                                             torch.autograd.grad(checkpointed_block(h, w1, w2).sum(), [h, w1, w2]))]
print("same gradients:", same)

# %% [markdown]
# Only the block's three inputs are kept; the two intermediate activations are recomputed during
# backward. (`use_reentrant=True`, which torch 2.13 still picks, with a warning, when the argument
# is left out, is the older implementation: a custom Function, `CheckpointFunctionBackward`, that
# only `.backward()` can go through, not `torch.autograd.grad`. Always pass `use_reentrant=False`.)

# %%
import warnings

reentrant = checkpoint(block, h, w1, w2, use_reentrant=True)
print("nodes:", type(checkpointed_block(h, w1, w2).grad_fn).__name__, "and", type(reentrant.grad_fn).__name__)
try:
    torch.autograd.grad(reentrant.sum(), [h, w1, w2])
except RuntimeError as error:
    print("torch.autograd.grad:", str(error)[:95], "...")
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    left_out = checkpoint(block, h, w1, w2)
print("left out:", type(left_out.grad_fn).__name__, "with the warning:", str(caught[0].message)[:70], "...")

# %% [markdown]
# **Exercise 5.** Write `checkpointed_mlp(x, weights)`: `h = x`, then `h = torch.tanh(h @ w)` for
# each `w` in `weights`, with each layer wrapped in `checkpoint(..., use_reentrant=False)`. It has
# the same value and the same gradients as without checkpointing, and it saves fewer bytes. The
# grader measures the bytes itself, with hooks of its own around your function.

# %% [solution] id=checkpointed_mlp from=checkpointed_mlp

# %% [tests] id=test_checkpointed_mlp_matches_the_plain_mlp points=3
from grading.students.kernel import grade, student

grade("ex09_inplace", "test_checkpointed_mlp_matches_the_plain_mlp")
### BEGIN HIDDEN TESTS
import torch

from grading.checking.references import ex09_inplace as ref

ref.check_mlp_matches_plain(student("ex09_inplace").checkpointed_mlp,
                            [((7, 7, 7), 5, torch.float64, 905, True), ((3, 1), None, torch.float32, 906, True),
                             ((4, 9, 2), 1, torch.float32, 907, False)])
### END HIDDEN TESTS

# %% [tests] id=test_checkpointed_mlp_saves_fewer_bytes_than_the_plain_mlp points=2
from grading.students.kernel import grade, student

grade("ex09_inplace", "test_checkpointed_mlp_saves_fewer_bytes_than_the_plain_mlp")
### BEGIN HIDDEN TESTS
import torch

from grading.checking.references import ex09_inplace as ref

ref.check_mlp_saves_less(student("ex09_inplace").checkpointed_mlp,
                         [((6, 12, 12, 3), 4, torch.float32, 908), ((2, 2), None, torch.float64, 909)])
### END HIDDEN TESTS

# %% [markdown]
# ## 6. Measuring the trade
#
# A deeper network, with and without checkpointing: the bytes saved for backward, measured with
# your `saved_bytes`, and the time of a forward and backward pass, the best of a few runs.

# %%
def plain_mlp(x, weights):
    h = x
    for weight in weights:
        h = torch.tanh(h @ weight)
    return h


torch.manual_seed(0)
widths = [64, 256, 256, 256, 256, 256, 32]
batch = torch.randn(256, widths[0])
layers = [(torch.randn(m, n) / m ** 0.5).requires_grad_(True) for m, n in zip(widths, widths[1:])]


def seconds(mlp, runs=3):
    """The shortest of a few forward and backward passes, in seconds."""
    times = []
    for _run in range(runs):
        began = time.perf_counter()
        torch.autograd.grad(mlp(batch, layers).sum(), layers)
        times.append(time.perf_counter() - began)
    return min(times)


measured = {}
for name, mlp in [("plain", plain_mlp), ("checkpointed", checkpointed_mlp)]:
    measured[name] = saved_bytes(mlp, batch, layers), seconds(mlp)
    print(f"{name:13} {measured[name][0] / 1024:7.0f} KiB saved, forward + backward {1000 * measured[name][1]:6.1f} ms")
print(f"checkpointed / plain: {measured['checkpointed'][0] / measured['plain'][0]:.2f} of the memory, "
      f"{measured['checkpointed'][1] / measured['plain'][1]:.1f} times the time")

# %% [markdown]
# Checkpointing pays in time: during backward, the forward of every layer runs once more, and each
# `checkpoint` call has bookkeeping of its own, which weighs most for layers as small as these
# (and timings on a shared machine vary from run to run). In exchange, each layer keeps only its
# input. The saved bytes above also count the weights, which are in memory anyway (they are the
# parameters); what checkpointing really frees is the activations. Layer by layer:

# %%
inputs, h = [], batch
with torch.no_grad():
    for weight in layers:
        inputs.append(h.clone().requires_grad_(True))  # as in the network: an activation that requires grad
        h = torch.tanh(h @ weight)
per_layer = {name: [saved_bytes(mlp, h_in, [weight]) / 1024 for h_in, weight in zip(inputs, layers)]
             for name, mlp in [("plain", plain_mlp), ("checkpointed", checkpointed_mlp)]}
positions = torch.arange(len(layers)).tolist()
fig, ax = plt.subplots(figsize=(6, 3))
ax.bar([p - 0.2 for p in positions], per_layer["plain"], width=0.4, label="without checkpointing")
ax.bar([p + 0.2 for p in positions], per_layer["checkpointed"], width=0.4, label="with checkpointing")
ax.set_xticks(positions, [f"{m}→{n}" for m, n in zip(widths, widths[1:])])
ax.set_xlabel("layer (input → output width)")
ax.set_ylabel("KiB saved for backward")
ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False);

# %% [markdown]
# Without checkpointing, every layer keeps its input, its weight and its output (`batch × width`
# numbers, for `tanh`); with it, only the input and the weight. Checkpointing a block of several
# layers at once, as `checkpointed_block` did, keeps only the block's input: fewer bytes still, for
# the same single recomputation.
#
# ## Summary
#
# - Every operation saves what its backward needs: `sigmoid`, `exp`, `tanh` and `relu` their
#   output, `** 2` and `sin` their input, multiplication by a number nothing. An in-place edit of
#   a saved tensor makes `backward` raise; an edit of anything else is fine.
# - A leaf that requires grad, and any view of it, refuses in-place operations at once.
# - Every tensor has a version counter, `_version`, bumped by each in-place edit. Views and
#   `.detach()` share it with their base; `.data` does not, which is why an edit through `.data`
#   gives a silently wrong gradient.
# - `saved_tensors_hooks(pack, unpack)` sees every saved tensor as the forward saves it (a tensor
#   saved twice, twice); the pack hook may also store it elsewhere, on the CPU for instance.
# - Checkpointing keeps only the inputs of each checkpointed block and recomputes the rest during
#   backward: much less memory for one more forward pass. Use `use_reentrant=False`.
#
# Next, **ex10_higher_order**: gradients of gradients, vector-Jacobian and Jacobian-vector
# products, and `torch.func`.
