# %% [markdown]
# # ex02 · Leaves, `.grad`, `retain_grad` and hooks
#
# **By the end of this notebook you will be able to**
# - tell a leaf from an intermediate tensor, and predict which tensors `backward` gives a `.grad`;
# - read the warning PyTorch gives when you ask a non-leaf for its `.grad`, and act on it;
# - keep the gradient of an intermediate tensor with `retain_grad`, or watch (and change) it with a hook;
# - create a parameter with any dtype and device that stays a leaf: the `.to()` / `.cuda()` trap.
#
# We keep ex01's function, $y = (x + w)(w + 1)$ with $a = w + x$ and $b = w + 1$, and its graph.
#
# Fill in every cell that says `YOUR CODE HERE`, then run the test cell below it.
# You can also work in `exercises/ex02_leaves.py` and run `pytest tests/graders -k ex02`.

# %%
import warnings

import torch
from torchviz import make_dot

torch.__version__

# %% [markdown]
# ## 1. What a leaf is
#
# In ex01 the light-blue boxes of the rendering were `w` and `x`, the tensors we made
# ourselves. Those are the graph's **leaves**. PyTorch's rule, exactly:
#
# - a tensor that requires grad is a leaf when *you* created it (it has no `grad_fn`);
# - a tensor computed from a tensor that requires grad, by an operation that autograd records,
#   is *not* a leaf: it has a `grad_fn`, and requires grad itself;
# - a tensor that does not require grad is a leaf too, by convention: it has no history at all.

# %%
w = torch.tensor([1.0], requires_grad=True)
x = torch.tensor([2.0], requires_grad=True)
a = w + x
b = w + 1
y = a * b
{name: (t.is_leaf, t.grad_fn) for name, t in dict(w=w, x=x, a=a, b=b, y=y).items()}

# %%
constant = torch.tensor([3.0])
constant.is_leaf, (constant * 2).is_leaf, (constant * 2).requires_grad

# %% [markdown]
# "An operation that autograd records" matters in the second rule: some results computed from `w`
# are not recorded, and so come out as leaves that do not require grad. That happens for anything
# computed under `torch.no_grad()` (recording is switched off), for `.detach()` (which exists to
# give a tensor without history; ex03 is about it), and for results with integer or boolean
# values, such as the index that `argmax` returns or a comparison: they can have no gradient, so
# nothing is recorded for them.

# %%
with torch.no_grad():
    under_no_grad = w * 2
exceptions = dict(under_no_grad=under_no_grad, detached=(w * 2).detach(), argmax=w.argmax(), compared=w > 0)
{name: (t.is_leaf, t.requires_grad, t.grad_fn, t.dtype) for name, t in exceptions.items()}

# %% [markdown]
# A common misreading is that PyTorch records operations only on leaves. It records every
# operation whose input requires grad, wherever that input sits in the graph. `a` is not a
# leaf, yet an operation on `a` is recorded too, and its node points back into the graph:

# %%
c = a * 3
c.grad_fn, c.grad_fn.next_functions[0][0] is a.grad_fn

# %% [markdown]
# ## 2. After `backward`, only leaves have `.grad`
#
# `y.backward()` computes $\partial y/\partial t$ for every tensor `t` on the way from `y` to the
# leaves: it has to, since $\partial y/\partial w$ is built from $\partial y/\partial a$ and
# $\partial y/\partial b$. But it *stores* a gradient in `.grad` only for leaves that require
# grad. The leaves are what you train (the parameters); the intermediate gradients are freed as
# soon as they have been passed on, which saves memory on a large network.

# %%
y.backward()
w.grad, x.grad

# %% [markdown]
# Asking a non-leaf for its `.grad` gives `None`, and PyTorch warns you, because it is nearly
# always a mistake. Here we catch the warning to print its text (in a plain cell it would be
# printed on stderr, in red):

# %%
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    print("a.grad is", a.grad)
print(caught[0].category.__name__, ":", str(caught[0].message)[:240], "...")

# %% [markdown]
# A leaf that does not require grad gets no `.grad` either, and reading it does not warn
# (nothing is wrong: you never asked for its gradient):

# %%
(constant * w).sum().backward()
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    print("constant.grad is", constant.grad, "| warnings:", len(caught))

# %% [markdown]
# ## 3. Keeping an intermediate gradient: `retain_grad`
#
# `a.retain_grad()` asks autograd to store $\partial y/\partial a$ in `a.grad` each time a backward
# passes through `a`. It must be called **before** the `backward` whose gradient you want: once
# a backward has gone by, its gradient of `a` is gone. By the chain rule, $\partial y/\partial a = b$
# and $\partial y/\partial b = a$.

# %%
w = torch.tensor([1.0], requires_grad=True)
x = torch.tensor([2.0], requires_grad=True)
a = w + x
b = w + 1
a.retain_grad()
y = a * b
y.backward()
b.retain_grad()  # too late for this backward, which has already passed through b
a.grad, b.grad

# %% [markdown]
# `retain_grad` treats `a` like a leaf from then on: a second backward through `a` *adds* into
# `a.grad`, exactly as it adds into `w.grad` (ex05 is about this accumulation). And `b`, asked
# too late for the first backward, gets its gradient from this one:

# %%
y = a * b
y.backward()
a.grad, b.grad

# %% [markdown]
# **Exercise 1.** Write `grads_after_backward(w, x)`: build the ex01 graph from `w` and `x`
# (leaves that require grad and hold one number each), keep the gradients of `a` and `b` (not
# of `y`), call `y.backward()`, and return a dict of the `.grad` of `"w"`, `"x"`, `"a"`, `"b"`
# and `"y"`. Since `y` is not a leaf and its gradient is not kept, `"y"` maps to `None`. This
# function is allowed to fill the caller's `w.grad` and `x.grad`.

# %% [solution] id=grads_after_backward from=grads_after_backward

# %%
grads_after_backward(torch.tensor(1.0, requires_grad=True), torch.tensor(2.0, requires_grad=True))

# %% [tests] id=test_grads_after_backward_matches_autograd points=3
from grading.students.kernel import grade, student

grade("ex02_leaves", "test_grads_after_backward_matches_autograd")
### BEGIN HIDDEN TESTS
from grading.checking import strategies
from grading.checking.references import ex02_leaves as ref
from grading.checking.strategies import hidden_seed

ref.check_grads_after_backward(student("ex02_leaves").grads_after_backward,
                               strategies.tensors(2, seed=hidden_seed(201), shapes=((1,),), low=-20, high=20))
### END HIDDEN TESTS

# %% [markdown]
# ## 4. Watching a gradient go by: tensor hooks
#
# `a.register_hook(fn)` asks autograd to call `fn(grad)` with $\partial y/\partial a$ each time
# a backward passes through `a`. Unlike `retain_grad`, nothing is stored in `a.grad`: you
# decide what to do with the gradient, and the hook stays until you remove it with the handle
# that `register_hook` returns.

# %%
w = torch.tensor([1.0], requires_grad=True)
x = torch.tensor([2.0], requires_grad=True)
a = w + x
handle = a.register_hook(lambda grad: print("dy/da seen by the hook:", grad))
y = a * (w + 1)
y.backward()  # the hook prints
handle.remove()
(a * (w + 1)).backward()  # removed: nothing printed
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # we know a is not a leaf
    print("a.grad is still", a.grad)

# %% [markdown]
# Like `retain_grad`, a hook must be in place before `backward` reaches its tensor to see that
# backward's gradient. One added afterwards misses that backward, but it is not lost: it is
# called by the next backward that passes through the tensor. Here $\partial (5a)/\partial a = 5$:

# %%
a = w + x
(a * (w + 1)).backward()  # no hook yet: nothing printed
handle = a.register_hook(lambda grad: print("called by the next backward, with", grad))
(a * 5).backward()
handle.remove()

# %% [markdown]
# A hook can do more than look: if it returns a tensor, that tensor is passed on *instead of*
# the gradient, and everything further back changes. Here the path through `a` is scaled by
# 10, so $\partial y/\partial w = 10\,b + a = 10 \cdot 2 + 3 = 23$ instead of $5$. This is how
# gradient clipping of a single activation, or debugging prints inside a network, are done.

# %%
a = w + x
a.register_hook(lambda grad: grad * 10)
w.grad = None
(a * (w + 1)).backward()
w.grad

# %% [markdown]
# | | `retain_grad()` | `register_hook(fn)` |
# |---|---|---|
# | where the gradient goes | stored in `t.grad`, added up over backward calls | passed to `fn`; nothing stored |
# | can change the gradient | no | yes, by returning a new tensor |
# | when to call | before the `backward` it should see | before the `backward` it should see |
# | undo | | `handle.remove()` |
#
# **Exercise 2.** Write `grad_of_intermediate(w, x)`: $\partial y/\partial a$ for the ex01 graph,
# captured with a tensor hook on `a` (`register_hook`): not with `retain_grad`, and not with
# `torch.autograd.grad` (the grader checks which of these you call). Like every function of
# the course that is not told otherwise, it must leave the caller's `w.grad` and `x.grad` as they
# were, so run `backward` on a fresh leaf (`w.detach().requires_grad_()`, as in ex01). The inputs
# hold one number each. Expect $\partial y/\partial a = b = w + 1$.

# %% [solution] id=grad_of_intermediate from=grad_of_intermediate

# %%
grad_of_intermediate(torch.tensor([1.0], requires_grad=True), torch.tensor([2.0], requires_grad=True))

# %% [tests] id=test_grad_of_intermediate_uses_a_hook points=3
from grading.students.kernel import grade, student

grade("ex02_leaves", "test_grad_of_intermediate_uses_a_hook")
### BEGIN HIDDEN TESTS
from grading.checking import strategies
from grading.checking.references import ex02_leaves as ref
from grading.checking.strategies import hidden_seed

ref.check_grad_of_intermediate(student("ex02_leaves").grad_of_intermediate,
                               strategies.tensors(2, seed=hidden_seed(202), shapes=((1,), ()), low=-20, high=20))
### END HIDDEN TESTS

# %% [tests] id=test_grad_of_intermediate_leaves_callers_grads_alone points=1
from grading.students.kernel import grade, student

grade("ex02_leaves", "test_grad_of_intermediate_leaves_callers_grads_alone")
### BEGIN HIDDEN TESTS
from grading.checking import strategies
from grading.checking.references import ex02_leaves as ref
from grading.checking.strategies import hidden_seed

ref.check_callers_grads_untouched(student("ex02_leaves").grad_of_intermediate, [
    (strategies.with_grad(w_, torch.full_like(w_, 3.0)), strategies.with_grad(x_, None))
    for w_, x_ in strategies.tensors(2, seed=hidden_seed(203), shapes=((1,),), dtypes=(torch.float64,))])
### END HIDDEN TESTS

# %% [markdown]
# ## 5. The `.to()` / `.cuda()` trap
#
# You want a parameter in float64 (or on the GPU), so you write the natural thing: make it,
# ask for gradients, convert it. But `.to()` on a tensor that requires grad is an *operation*,
# recorded like any other (`ToCopyBackward0`). What you keep is its result, which is not a leaf;
# the leaf is the float32 tensor you no longer have a name for.

# %%
p = torch.tensor([1.0, 2.0], requires_grad=True).to(torch.float64)
p.is_leaf, p.grad_fn

# %% [markdown]
# The rendering shows it: the blue leaf is an unnamed float32 tensor, and `p` is just a step
# on the way from it to the loss.

# %%
loss = (p ** 2).sum()
make_dot(loss, params={"p": p})

# %% [markdown]
# After `backward`, the gradient went into that hidden leaf; `p.grad` is `None`, and an
# optimiser given `p` would never move it:

# %%
loss.backward()
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    print("p.grad is", p.grad)
print("warned:", caught[0].category.__name__)

# %% [markdown]
# `.cuda()` is `.to("cuda")`, so `torch.randn(3, requires_grad=True).cuda()` falls into exactly
# the same trap on a machine with a GPU; so do `.double()`, `.half()` and `.to("mps")`. This
# machine may have no GPU, but a move to any other device records the same node. The `meta`
# device (tensors with a shape and no data) exists everywhere, so it can stand in for the GPU:

# %%
q = torch.tensor([1.0], requires_grad=True).to("meta")
q.device, q.is_leaf, q.grad_fn

# %%
if torch.cuda.is_available():
    q = torch.randn(3, requires_grad=True).cuda()
    print(q.device, "is_leaf:", q.is_leaf, q.grad_fn)

# %% [markdown]
# When nothing needs converting, `.to()` returns the tensor itself, so the trap does not show on
# a laptop with float32 everywhere, and bites on the GPU machine:

# %%
q = torch.tensor([1.0], requires_grad=True)
q.to(torch.float32) is q, q.to("cpu") is q

# %% [markdown]
# The fix is to convert **first** and switch on gradients **last**, so that nothing is recorded
# before the tensor requires grad. Both of these give leaves:

# %%
p1 = torch.tensor([1.0, 2.0], dtype=torch.float64, device="cpu", requires_grad=True)
p2 = torch.tensor([1.0, 2.0]).to(torch.float64).requires_grad_()
p1.is_leaf, p2.is_leaf

# %% [markdown]
# ### `model.to(...)` is different
#
# Modules are safe from this trap: `model.to(...)` converts each `nn.Parameter` without recording
# anything (it works under `torch.no_grad()`), so every parameter is still a leaf afterwards.
# Whether it is still the *same* `Parameter` object depends on the conversion. PyTorch (in
# `Module._apply`, torch 2.13) keeps the object and replaces its `.data` when the converted
# tensor is of a compatible kind, as `torch._has_compatible_shallow_copy_type(old, new)` says:
# it is for a change of dtype, and it is not for the `meta` device, where the module gets new
# `Parameter` objects. The old one is left behind, unchanged. `id()` tells objects apart:

# %%
layer = torch.nn.Linear(2, 1)
weight = layer.weight
print("id before:", id(weight))
for target in (torch.float64, "meta"):
    converted = weight.detach().to(target)
    compatible = torch._has_compatible_shallow_copy_type(weight, converted)
    layer.to(target)
    print(f"to({target}): id after {id(layer.weight)}, same object: {layer.weight is weight}, "
          f"leaf: {layer.weight.is_leaf}, {layer.weight.dtype} on {layer.weight.device}; "
          f"compatible kind: {compatible}")
print("the object from before:", weight.dtype, "on", weight.device)

# %% [markdown]
# Two switches of `torch.__future__` change this (both are off by default): with
# `torch.__future__.set_overwrite_module_params_on_conversion(True)` every conversion makes new
# `Parameter` objects, even a change of dtype; with
# `torch.__future__.set_swap_module_params_on_conversion(True)` every conversion keeps the objects,
# even a move to `meta`, by swapping their contents for the converted ones:

# %%
print("default:", torch.__future__.get_overwrite_module_params_on_conversion(),
      torch.__future__.get_swap_module_params_on_conversion())
torch.__future__.set_overwrite_module_params_on_conversion(True)
try:
    layer = torch.nn.Linear(2, 1)
    weight = layer.weight
    layer.to(torch.float64)
    print("overwrite on: same object after a dtype change:", layer.weight is weight,
          "| leaf:", layer.weight.is_leaf)
finally:
    torch.__future__.set_overwrite_module_params_on_conversion(False)
torch.__future__.set_swap_module_params_on_conversion(True)
try:
    layer = torch.nn.Linear(2, 1)
    weight = layer.weight
    layer.to("meta")
    print("swap on: same object after a move to meta:", layer.weight is weight,
          "| leaf:", layer.weight.is_leaf, "|", weight.device)
finally:
    torch.__future__.set_swap_module_params_on_conversion(False)

# %% [markdown]
# So a module's parameters are leaves after `model.to(...)`, always; the objects may be new. An
# optimizer holds the `Parameter` objects it was given, so build it from `model.parameters()`
# *after* moving the model (ex08 does this on other devices). Compare a plain tensor that requires
# grad: its `.to()` is the recorded copy of this section, a non-leaf:

# %%
p = torch.tensor([1.0, 2.0], requires_grad=True)
moved = p.to(torch.float64)
moved is p, moved.is_leaf, moved.grad_fn

# %% [markdown]
# **Exercise 3.** Write `make_leaf(values, *, dtype=torch.float32, device="cpu")`: a tensor
# holding `values` (a list, or a tensor, which must not be changed) with that dtype and device,
# that requires grad and is a leaf, so that a later `backward` fills its `.grad`. The grader
# tries several dtypes on the CPU; the same code must work for `device="cuda"`.

# %% [solution] id=make_leaf from=make_leaf

# %%
leaf = make_leaf([1.0, 2.0], dtype=torch.float64)
(leaf ** 2).sum().backward()
leaf.is_leaf, leaf.grad

# %% [tests] id=test_make_leaf_is_a_leaf_that_backward_fills points=3
from grading.students.kernel import grade, student

grade("ex02_leaves", "test_make_leaf_is_a_leaf_that_backward_fills")
### BEGIN HIDDEN TESTS
import torch

from grading.checking.references import ex02_leaves as ref

ref.check_make_leaf(student("ex02_leaves").make_leaf, [
    ([[[2.0]], [[-1.0]]], {"dtype": torch.float64, "device": "cpu"}),
    (torch.arange(4, dtype=torch.float64), {"dtype": torch.float16}),
    (torch.ones(2, 2, requires_grad=True), {"dtype": torch.float64}),
    ([7, 8], {}),
])
### END HIDDEN TESTS

# %% [markdown]
# ## Summary
#
# - A leaf is a tensor with no history: one you created, or any tensor that does not require
#   grad. Operations are recorded on *every* tensor that requires grad, leaf or not, except under
#   `torch.no_grad()`, for `.detach()`, and for integer or boolean results such as `argmax`.
# - `backward` computes the gradient of every tensor on the way, but stores `.grad` only for
#   leaves that require grad. Reading `.grad` of a non-leaf gives `None` and a warning.
# - `t.retain_grad()` stores an intermediate gradient in `t.grad`; `t.register_hook(fn)` hands
#   it to `fn`, which may also replace it. Each acts from the next backward through `t` on.
# - `.to()`, `.cuda()`, `.double()` on a tensor that requires grad are recorded operations: the
#   result is not a leaf and its `.grad` stays `None`. Convert first, then `requires_grad_()`.
# - `model.to(...)` records nothing: its parameters stay leaves. They stay the same objects for a
#   change of dtype, and are new ones for `meta`: build the optimizer after moving the model.
#
# Next, **ex03_detach**: taking tensors out of a graph with `requires_grad=False`, cutting paths
# out of one with `.detach()`, and why `.detach()` is not a copy.
