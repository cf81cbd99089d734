# %% [markdown]
# # ex04 · What `grad_fn` names mean
#
# **By the end of this notebook you will be able to**
# - read a node's name (`MulBackward0`, `ProdBackward1`, `AccumulateGrad`) and say which
#   operation recorded it, and predict the names of common expressions;
# - explain what the digit at the end means: which *overload* of the operation ran. It is
#   **not** the number of layers between the node and the output;
# - follow `next_functions` from any node to the `AccumulateGrad` nodes of the leaves;
# - write your own operation as a `torch.autograd.Function` with a hand-written backward, and
#   prove it right with `gradcheck` and `gradgradcheck`.
#
# From ex01–ex03 we use: every recorded operation leaves a node, `t.grad_fn` is the last one,
# `next_functions` links a node to the nodes of its inputs, torchviz draws those nodes as grey
# boxes, and `.detach()` takes a tensor out of the graph.
#
# Fill in every cell that says `YOUR CODE HERE`, then run the test cell below it.
# You can also work in `exercises/ex04_backward_names.py` and run `pytest tests/graders -k ex04`.

# %%
import warnings

import torch
from torchviz import make_dot

torch.__version__

# %% [markdown]
# ## 1. Where a name comes from
#
# Every grey box of a torchviz drawing is an object, and its name is the name of its class. We
# use three leaves throughout, the ones the exercise uses too: two vectors `a`, `b` and a matrix
# `M`:

# %%
a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
b = torch.tensor([0.5, 1.5, 2.5], requires_grad=True)
M = torch.tensor([[1.0, 0.0, 2.0], [0.5, 1.0, 0.0], [0.0, 3.0, 1.0]], requires_grad=True)

node = a.exp().grad_fn
node, type(node).__name__

# %% [markdown]
# The name has three parts: the **operation** that ran, in CamelCase (`exp` gives `Exp`,
# `_to_copy` would give `ToCopy`), the word **`Backward`**, because the node computes that
# operation's backward step, and a **digit**. PyTorch generates these classes when it is built,
# from its table of derivative formulas, one class per formula. So the names are a detail of
# the installed version: they may change between releases, and everything in this notebook is
# checked against the torch you are running (printed above).
#
# Nodes also have a `name()` method. For these generated nodes it gives the same spelling as
# the class; only the few nodes written by hand in PyTorch's C++ code, such as `AccumulateGrad`
# (section 3), answer with a C++ namespace. `type(node).__name__` is the one torchviz shows and
# the one we use:

# %%
accumulate = (a * b).grad_fn.next_functions[0][0]
for n in ((a * b).grad_fn, node, accumulate):
    print(f"{type(n).__name__:16} name(): {n.name()}")

# %% [markdown]
# For most expressions the name is what you would guess:

# %%
for text in ["a.cos()", "a.exp()", "a.tanh()", "a.prod()", "a.unsqueeze(0)", "a.flip(0)"]:
    print(f"{text:16} {type(eval(text).grad_fn).__name__}")

# %% [markdown]
# But the name is that of the operation autograd **recorded**, which is not always the one you
# wrote. Four reasons, each shown on an expression the exercise below does *not* ask about:
#
# - **Reflected operators.** Python cannot divide the number 2 by a tensor, so `2 / a` calls
#   `a.__rtruediv__(2)`, and PyTorch computes it as `a.reciprocal() * 2`: two nodes, and the last
#   one is a multiplication. In the same way `2 - a` calls `a.__rsub__(2)`, "reflected
#   subtraction", and PyTorch records `rsub`.
# - **Dispatching.** `@` is `matmul`, which is not recorded itself: it looks at the shapes and
#   calls another operation, such as `mv` (matrix times vector), `mm` (matrix times matrix) or
#   `dot` (vector times vector). A vector times a matrix becomes an `mm` between an `unsqueeze`
#   and a `squeeze`. Likewise `reshape` is recorded as a `view` when the memory allows it.
# - **Spellings of one operation.** `M.mT` (the transpose of the last two dimensions) is recorded
#   as `transpose`. `M.T` reverses *every* dimension, which for any number of dimensions is a
#   `permute`; `M.t()` is an operation of its own, for at most two dimensions.
# - **Conversions.** `a.to(torch.float64)` makes a copy in another dtype with the operation
#   `_to_copy` (ex02 met its node).

# %%
for text in ["2 / a", "a @ M", "a.reshape(3, 1)", "M.mT", "M.permute(1, 0)", "M.transpose(0, 1)"]:
    node = eval(text).grad_fn
    print(f"{text:18} {type(node).__name__:20} its inputs: {[type(n).__name__ for n, _ in node.next_functions if n]}")

# %% [markdown]
# ## 2. The digit numbers the overload, not the depth
#
# One might guess that the digit counts the layers between a node and the output ("0 next to
# the root, growing towards the leaves"). Easy to test: a chain of six `cos`, walked from the
# output down with `next_functions`, as in ex01:

# %%
t = a
for _ in range(6):
    t = t.cos()

chain, node = [], t.grad_fn
while node is not None:
    chain.append(node)
    node = node.next_functions[0][0] if node.next_functions else None
[type(n).__name__ for n in chain]

# %%
make_dot(t, params={"a": a})

# %% [markdown]
# Six levels, six `CosBackward0`. The depth does not change the digit.
#
# What does change it is **which version** of an operation ran. Many operations have several
# *overloads*: the same name with different kinds of arguments, each with its own derivative
# formula and so its own node class, numbered in the order PyTorch's derivative table lists
# them. `prod` has one for the product of all elements and one along a dimension; `max` the
# same; `clamp` has one whose bounds are numbers and one whose bounds are tensors:

# %%
for text in ["a.prod()", "a.prod(0)", "a.max()", "a.max(0).values", "a.clamp(min=0)", "a.clamp(min=b)"]:
    print(f"{text:16} {type(eval(text).grad_fn).__name__}")

# %% [markdown]
# The numbering follows the table, not simplicity: `max` of all elements is `MaxBackward1`.
# `torch.ops.aten.<name>.overloads()` lists an operation's overloads (with variants, such as
# `out`, that autograd never records), and each one can be called by its full name, so we can
# watch which node each records:

# %%
aten = torch.ops.aten
for op, args in [(aten.prod.default, (a,)), (aten.prod.dim_int, (a, 0)),
                 (aten.max.default, (a,)), (aten.max.dim, (a, 0)),
                 (aten.clamp.default, (a, 0.0)), (aten.clamp.Tensor, (a, b))]:
    result = op(*args)
    result = result[0] if isinstance(result, tuple) else result  # max.dim returns (values, indices)
    print(f"{str(op):20} {type(result.grad_fn).__name__}")
aten.prod.overloads()

# %% [markdown]
# In one graph, nodes at the same depth carry different digits, and the digit says what each node
# saved and how it will compute its gradient:

# %%
y = a.prod(0) + a.clamp(min=0).prod() + a.clamp(min=b).prod()
make_dot(y, params={"a": a, "b": b})

# %% [markdown]
# To predict a name, then: find the operation that is recorded (mind reflected operators,
# dispatching and other spellings), write it in CamelCase with `Backward`, and work out which
# overload ran. `aten.<op>.overloads()` lists the candidates; when you are unsure of the
# digit, run the overload by its full name, as above.
#
# **Exercise 1.** Below is `EXPRESSIONS`, the expressions to predict (keep it as it is; they are
# evaluated with `a`, `b` as vectors of 3 and `M` as a 3 x 3 matrix, all requiring grad). Write
# `predict_grad_fn_names()` returning `{expression: name}` for each of them, as a dictionary you
# write out yourself: predict first, then run the check cell after it. The grader evaluates every
# expression with the installed torch and compares.

# %%
EXPRESSIONS = (
    "a + b",
    "a - b",
    "2 - a",
    "a * b",
    "a / b",
    "M @ a",
    "M @ M",
    "a @ b",
    "a.sum()",
    "a.sum(0)",
    "a.mean()",
    "a ** 2",
    "a ** b",
    "2 ** a",
    "a.sin()",
    "a.relu()",
    "a.sigmoid()",
    "a.view(3, 1)",
    "M.t()",
    "M.T",
    "a[0]",
    "a.to(torch.float64)",
)

# %% [solution] id=predict_grad_fn_names from=predict_grad_fn_names

# %%
# Check your prediction against the installed torch (it says which are wrong, not the answer).
predicted = predict_grad_fn_names()
right = 0
for text in EXPRESSIONS:
    correct = predicted.get(text) == type(eval(text).grad_fn).__name__
    right += correct
    print(f"{text:22} {predicted.get(text)!s:18} {'ok' if correct else 'wrong: which rule of sections 1-2 applies?'}")
print(f"{right} of {len(EXPRESSIONS)} right")

# %% [tests] id=test_predict_grad_fn_names_matches_installed_torch points=3
from grading.students.kernel import grade, student

grade("ex04_backward_names", "test_predict_grad_fn_names_matches_installed_torch")
### BEGIN HIDDEN TESTS
from grading.checking.references import ex04_backward_names as ref
from grading.checking.strategies import hidden_seed

ref.check_predictions(student("ex04_backward_names").predict_grad_fn_names, seed=hidden_seed(404))
### END HIDDEN TESTS

# %% [tests] id=test_EXPRESSIONS_holds_the_contract_expressions_and_each_is_predicted points=1
from grading.students.kernel import grade, student

grade("ex04_backward_names", "test_EXPRESSIONS_holds_the_contract_expressions_and_each_is_predicted")
### BEGIN HIDDEN TESTS
from grading.checking.references import ex04_backward_names as ref

submission_ = student("ex04_backward_names")
ref.check_expressions(submission_.EXPRESSIONS, submission_.predict_grad_fn_names)
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 2.** Write `pow_variants(a, b)`: three tensors built from `a` and `b` whose `grad_fn`
# names are `PowBackward0`, `PowBackward1` and `PowBackward2`, in that order. (Chaining powers
# will not do it: section 2 showed that the digit is not a depth. `pow` has three overloads
# with a derivative formula, for a tensor to a number, a tensor to a tensor, and a number to a
# tensor; find out which is which.)

# %% [solution] id=pow_variants from=pow_variants

# %%
[type(t.grad_fn).__name__ for t in pow_variants(a, b)]

# %% [tests] id=test_pow_variants_records_the_three_overloads points=2
from grading.students.kernel import grade, student

grade("ex04_backward_names", "test_pow_variants_records_the_three_overloads")
### BEGIN HIDDEN TESTS
import torch

from grading.checking.references import ex04_backward_names as ref

ref.check_pow_variants(student("ex04_backward_names").pow_variants,
                       [((5,), torch.float64, 401), ((2, 1, 3), torch.float32, 402)])
### END HIDDEN TESTS

# %% [markdown]
# ## 3. `next_functions` and `AccumulateGrad`
#
# A node's `next_functions` holds one `(node, input_number)` pair per input of the operation,
# pointing at the node that produced that input. `torch.maximum(a, b)` has two inputs that
# require grad, so two edges; `a.clamp(min=0)` has one, because the number 0 is no tensor at
# all; and an input that does not require grad gets `None`:

# %%
c = torch.tensor([1.0, 1.0, 1.0])  # requires_grad=False
(torch.maximum(a, b).grad_fn.next_functions, a.clamp(min=0).grad_fn.next_functions,
 (a * c).grad_fn.next_functions)

# %% [markdown]
# The walk ends at `AccumulateGrad` nodes, one per leaf that requires grad. It is named after
# what it does rather than after an operation: it adds the gradient that arrives into its
# leaf's `.grad` (ex05 is about that "adds"). It holds the leaf itself in `.variable`:

# %%
y = a.exp().prod()
exp_node = y.grad_fn.next_functions[0][0]
accumulate = exp_node.next_functions[0][0]
[type(n).__name__ for n in (y.grad_fn, exp_node, accumulate)], accumulate.variable is a

# %% [markdown]
# `AccumulateGrad` is one of a few nodes that PyTorch writes by hand in C++ instead of generating
# them from the derivative table (the ones whose `name()` has the `torch::autograd::` namespace,
# section 1). Two others are named after what they do, too: **`CopySlices`**, recorded when an
# in-place operation writes into part of a tensor that has history (here `h[0] = 5` on a
# non-leaf), and **`CopyBackwards`**, recorded by `copy_` when it copies a tensor that requires
# grad into one that does not. (`a.to(...)` copies too, but it is the generated operation
# `_to_copy` of section 1.)

# %%
h = a * 1
h[0] = 5.0  # an in-place write into a slice of a non-leaf
target = torch.zeros(3, dtype=torch.float64)
target.copy_(a)  # copies a into a tensor that did not require grad
for n in (h.grad_fn, target.grad_fn):
    print(f"{type(n).__name__:16} name(): {n.name()}")

# %% [markdown]
# A node also keeps what its backward formula needs. These saved values differ from overload to
# overload: both nodes of `prod` save the input and the result, since
# $\partial \prod_j a_j / \partial a_i = \prod_j a_j / a_i$ (where $a_i \ne 0$), and the one along a
# dimension also saves which dimension it was, and whether it was kept:

# %%
p0, p1 = a.prod().grad_fn, a.prod(0).grad_fn
[n for n in dir(p0) if n.startswith("_saved")], [n for n in dir(p1) if n.startswith("_saved")], p1._saved_dim

# %% [markdown]
# ## 4. A node of your own: `torch.autograd.Function`
#
# When an operation has no derivative formula in PyTorch, or you want a better one, you write
# it yourself as a subclass of `torch.autograd.Function` with two static methods:
#
# - `forward(ctx, x)` computes the result. It runs with recording switched off, and keeps what
#   backward will need with `ctx.save_for_backward(...)`.
# - `backward(ctx, grad_output)` receives $\partial L/\partial y$, the gradient that arrived at
#   the output, and returns $\partial L/\partial x$: by the chain rule, `grad_output` times the
#   local derivative $\partial y/\partial x$. It reads what was saved from `ctx.saved_tensors`.
#
# Calling `MyFunction.apply(x)` runs forward and records a node named after the class:
# `<class name>Backward`, without a digit, since your class has a single formula. Here is
# $y = e^x$, which saves its *output*, because $\partial y/\partial x = e^x = y$:

# %%
class MyExp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        y = x.exp()
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return grad_output * y


x = torch.tensor([0.0, 1.0, -1.0], requires_grad=True)
out = MyExp.apply(x)
out.grad_fn, out.grad_fn.next_functions

# %%
make_dot(out.sum(), params={"x": x})

# %% [markdown]
# The drawing has a box of a colour we have not met: the **orange** box hanging off
# `MyExpBackward`, joined by a line without an arrow, is the tensor that `forward` saved, `y`.
# torchviz draws the saved tensors of a custom Function always, because it finds them in the
# node's `saved_tensors`; those of PyTorch's own nodes only with `make_dot(..., show_saved=True)`
# (ex06 uses it). When the saved tensor is a leaf itself, as in the exercise below, the leaf's box
# is drawn a second time, in orange, and the picture shows it orange instead of light blue. The
# source of the drawing lists each tensor box with its colour, and the node gives back what it saved:

# %%
import re


def box_colours(dot):
    """(label, colour) of every tensor box in a torchviz drawing, in the order they are declared."""
    return [(" ".join(label.split()), colour)
            for label, colour in re.findall(r'label="([^"]*)" fillcolor=(\w+)', "".join(dot.body))]


box_colours(make_dot(out.sum(), params={"x": x})), out.grad_fn.saved_tensors

# %% [markdown]
# Why `ctx.save_for_backward(y)` and not simply `ctx.y = y`? Saved tensors get the same guard as
# the ones PyTorch's own nodes save: the version check of ex03, so an in-place edit between
# forward and backward raises instead of giving a wrong gradient. Here `out` is the `y` that
# `MyExp` saved, and we double it in place before `backward`:

# %%
out = MyExp.apply(x)
with torch.no_grad():
    out.mul_(2)  # bumps the version of the saved y
try:
    out.sum().backward()
except RuntimeError as error:
    print(str(error)[:175], "...")

# %% [markdown]
# The same Function with `ctx.y = y` has no such guard: backward computes with the doubled `y`,
# and the gradient comes out twice $e^x$, without a word (the `.data` trap of ex03 again):

# %%
class MyExpOnCtx(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        y = x.exp()
        ctx.y = y  # kept as a plain attribute: no version check
        return y

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * ctx.y


x.grad = None
out = MyExpOnCtx.apply(x)
with torch.no_grad():
    out.mul_(2)
out.sum().backward()
x.grad, x.detach().exp()

# %% [markdown]
# Saved tensors are also freed with the graph: after `backward`, the node cannot give them back.

# %%
out = MyExp.apply(x)
out.sum().backward()
try:
    out.grad_fn.saved_tensors
except RuntimeError as error:
    print(str(error)[:105], "...")
#
# A hand-written backward can be wrong without any error. `torch.autograd.gradcheck` catches
# that: it nudges each input by a small step, measures how the output moves (finite
# differences), and compares with what your backward returns. It needs **float64**: in float32
# the rounding errors of the finite differences are as large as the differences themselves, and
# even a correct backward fails:

# %%
x64 = torch.tensor([0.3, -1.2, 2.0], dtype=torch.float64, requires_grad=True)
print("float64:", torch.autograd.gradcheck(MyExp.apply, (x64,)))
x32 = x64.detach().float().requires_grad_(True)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    print("float32:", torch.autograd.gradcheck(MyExp.apply, (x32,), raise_exception=False))
print("warning:", str(caught[0].message)[:110], "...")

# %% [markdown]
# `torch.autograd.gradgradcheck` does the same for the **second** derivative, which training
# needs for some losses (gradient penalties, meta-learning). It only works when backward is
# itself recorded, that is, when it is built from torch operations on the saved tensors. A
# backward that computes on `.detach()`ed values (or on NumPy arrays) passes `gradcheck` and
# fails `gradgradcheck`:

# %%
class MyExpDetached(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        y = x.exp()
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return grad_output * y.detach()  # the right numbers, but cut out of any graph


(torch.autograd.gradcheck(MyExpDetached.apply, (x64,)),
 torch.autograd.gradgradcheck(MyExp.apply, (x64,)),
 torch.autograd.gradgradcheck(MyExpDetached.apply, (x64,), raise_exception=False))

# %% [markdown]
# **Exercise 3.** Write `Cube`, a `torch.autograd.Function` whose `forward(ctx, x)` returns
# $x^3$ and keeps its *input* `x` with `ctx.save_for_backward` (not the output, as `MyExp` did),
# and whose hand-written `backward(ctx, grad_output)` returns $\partial L/\partial x$: the
# incoming gradient times the local derivative $\mathrm d(x^3)/\mathrm dx$, computed from the saved
# `x` with torch operations, so that `gradgradcheck` passes too. `cube(x) = Cube.apply(x)` is
# given. The grader checks your values, first and second derivatives against autograd's on
# `x ** 3`, runs `gradcheck` and `gradgradcheck` in float64, looks into the node's saved tensors,
# and reads its name.

# %% [solution] id=Cube from=Cube,cube

# %%
x = torch.tensor([-1.0, 0.5, 2.0], dtype=torch.float64, requires_grad=True)
y = cube(x)
(y, type(y.grad_fn).__name__,
 torch.autograd.gradcheck(Cube.apply, (x,)), torch.autograd.gradgradcheck(Cube.apply, (x,)))

# %%
make_dot(cube(x).sum(), params={"x": x})

# %% [markdown]
# `Cube` saved its input, the leaf `x`, so the leaf's box is declared twice, light blue and then
# orange, and drawn in the last colour:

# %%
box_colours(make_dot(cube(x).sum(), params={"x": x}))

# %% [tests] id=test_Cube_values_and_derivatives_match_autograd points=3
from grading.students.kernel import grade, student

grade("ex04_backward_names", "test_Cube_values_and_derivatives_match_autograd")
### BEGIN HIDDEN TESTS
from grading.checking import strategies
from grading.checking.references import ex04_backward_names as ref
from grading.checking.strategies import hidden_seed

ref.check_cube_derivatives(student("ex04_backward_names").cube,
                           ((x_, g_.detach(), v_.detach()) for x_, g_, v_ in
                            strategies.tensors(3, seed=hidden_seed(403), shapes=((7,), (2, 2, 2)), low=-5, high=5)))
### END HIDDEN TESTS

# %% [tests] id=test_Cube_passes_gradcheck_and_gradgradcheck points=2
from grading.students.kernel import grade, student

grade("ex04_backward_names", "test_Cube_passes_gradcheck_and_gradgradcheck")
### BEGIN HIDDEN TESTS
from grading.checking.strategies import hidden_seed
import torch

from grading.checking import strategies
from grading.checking.references import ex04_backward_names as ref

ref.check_cube_gradchecks(student("ex04_backward_names").cube,
                          ((x_, g_.detach()) for x_, g_ in
                           strategies.tensors(2, seed=hidden_seed(404), shapes=((), (3, 2)), dtypes=(torch.float64,))))
### END HIDDEN TESTS

# %% [tests] id=test_Cube_saves_its_input_with_save_for_backward points=1
from grading.students.kernel import grade, student

grade("ex04_backward_names", "test_Cube_saves_its_input_with_save_for_backward")
### BEGIN HIDDEN TESTS
import torch

from grading.checking.references import ex04_backward_names as ref

ref.check_cube_saves_input(student("ex04_backward_names").cube, torch.linspace(-2, 2, 6).reshape(2, 3))
### END HIDDEN TESTS

# %% [tests] id=test_Cube_node_is_named_CubeBackward points=1
from grading.students.kernel import grade, student

grade("ex04_backward_names", "test_Cube_node_is_named_CubeBackward")
### BEGIN HIDDEN TESTS
import torch

from grading.checking.references import ex04_backward_names as ref

ref.check_cube_node_name(student("ex04_backward_names").cube, [torch.ones(2, 3), torch.zeros(4, dtype=torch.float64)])
### END HIDDEN TESTS

# %% [markdown]
# ## Summary
#
# - A node's name is the recorded operation in CamelCase, `Backward`, and a digit:
#   `ExpBackward0`. The operation is the one autograd recorded, which is not always the one you
#   wrote: reflected operators (`2 / a` records a multiplication), dispatching (`@` becomes `mv`,
#   `mm`, `dot` or an `mm` between reshapes), and other spellings (`M.mT` is a `transpose`).
# - The digit numbers the **overload** that ran, in the order of PyTorch's derivative table
#   (`a.prod()` and `a.prod(0)` give `ProdBackward0` and `ProdBackward1`, `a.max()` gives
#   `MaxBackward1`). It is not a depth: a chain of any length says `CosBackward0` all the way.
# - Names belong to the torch version: check them against the installed torch, never a table.
# - `next_functions` links each node to its inputs' nodes (`None` for an input that needs no
#   gradient); the walk ends at `AccumulateGrad`, which holds its leaf in `.variable`. It is one
#   of a few hand-written nodes, with `CopySlices` and `CopyBackwards`, whose `name()` carries
#   the `torch::autograd::` namespace.
# - A `torch.autograd.Function` records a node named `<Class>Backward`. Save what backward needs
#   with `ctx.save_for_backward` (which guards against in-place edits; a `ctx` attribute does
#   not), return `grad_output` times the local derivative, build backward from torch operations,
#   and prove it with `gradcheck` and `gradgradcheck` in float64. torchviz draws a custom
#   Function's saved tensors in orange.
#
# Next, **ex05_accumulation**: what "accumulate" in `AccumulateGrad` means for your training loop,
# `zero_grad`, `retain_graph`, and accumulating gradients over several batches on purpose.
