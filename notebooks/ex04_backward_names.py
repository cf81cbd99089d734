# %% [markdown]
# # ex04 · What `grad_fn` names mean
#
# **By the end of this notebook you will be able to**
# - read a node's name (`MulBackward0`, `RsubBackward1`, `AccumulateGrad`) and say which
#   operation recorded it, and predict the names of common expressions;
# - explain what the digit at the end means: which *overload* of the operation ran. It is
#   **not** the number of layers between the node and the output, whatever you may have read;
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
# Every grey box of a torchviz drawing is an object, and its name is the name of its class:

# %%
a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
b = torch.tensor([0.5, 1.5, 2.5], requires_grad=True)
M = torch.tensor([[1.0, 0.0, 2.0], [0.5, 1.0, 0.0], [0.0, 3.0, 1.0]], requires_grad=True)

node = (a * b).grad_fn
node, type(node).__name__

# %% [markdown]
# The name has three parts: the **operation** that ran, in CamelCase (`mul` gives `Mul`,
# `_to_copy` gives `ToCopy`), the word **`Backward`**, because the node computes that
# operation's backward step, and a **digit**. PyTorch generates these classes when it is built,
# from its table of derivative formulas, one class per formula. So the names are a detail of
# the installed version: they may change between releases, and everything in this notebook is
# checked against the torch you are running (printed above).
#
# (`node.name()` gives another spelling, with a C++ namespace. `type(node).__name__` is the one
# torchviz shows and the one we use.)

# %%
node.name()

# %% [markdown]
# For most expressions the name is what you would guess:

# %%
for text in ["a + b", "a * b", "a.sin()", "a.sum()", "a.view(3, 1)"]:
    print(f"{text:14} {type(eval(text).grad_fn).__name__}")

# %% [markdown]
# But the name is that of the operation autograd **recorded**, which is not always the one you
# wrote:
#
# - `2 - a`: Python cannot subtract a tensor from the number 2, so it calls `a.__rsub__(2)`,
#   "reflected subtraction", and PyTorch records `rsub`.
# - `@` is `matmul`, which is not recorded itself: it looks at the shapes and calls `mv`
#   (matrix times vector), `mm` (matrix times matrix) or `dot` (vector times vector).
# - `M.T` reverses every dimension, which is recorded as a `permute`; `M.t()` is its own operation.
# - `a.to(torch.float64)` makes a copy in another dtype: `_to_copy`.

# %%
for text in ["2 - a", "M @ a", "M @ M", "a @ b", "M.T", "M.t()", "a.to(torch.float64)"]:
    print(f"{text:22} {type(eval(text).grad_fn).__name__}")

# %% [markdown]
# ## 2. The digit numbers the overload, not the depth
#
# A popular explanation says the digit counts the layers between a node and the output ("0
# next to the root, growing towards the leaves"). Easy to test: a chain of six `sin`, walked
# from the output down with `next_functions`, as in ex01:

# %%
t = a
for _ in range(6):
    t = t.sin()

chain, node = [], t.grad_fn
while node is not None:
    chain.append(node)
    node = node.next_functions[0][0] if node.next_functions else None
[type(n).__name__ for n in chain]

# %%
make_dot(t, params={"a": a})

# %% [markdown]
# Six levels, six `SinBackward0`. The depth does not change the digit.
#
# What does change it is **which version** of an operation ran. Many operations have several
# *overloads*: the same name with different kinds of arguments. `pow` has one for
# tensor ** number, one for tensor ** tensor and one for number ** tensor, each with its own
# derivative formula and so its own node class, numbered in the order PyTorch's derivative table
# lists them:

# %%
for text in ["a ** 2", "a ** b", "2 ** a"]:
    print(f"{text:8} {type(eval(text).grad_fn).__name__}")

# %% [markdown]
# We can call each overload by its full name through `torch.ops.aten` and watch which node each
# one records:

# %%
aten = torch.ops.aten
for op, args in [(aten.pow.Tensor_Scalar, (a, 2)), (aten.pow.Tensor_Tensor, (a, b)), (aten.pow.Scalar, (2, a)),
                 (aten.sum.default, (a,)), (aten.sum.dim_IntList, (a, [0])),
                 (aten.rsub.Tensor, (a, b)), (aten.rsub.Scalar, (a, 2))]:
    print(f"{str(op):24} {type(op(*args).grad_fn).__name__}")

# %% [markdown]
# So `a.sum()` and `a.sum(0)` are two overloads of `sum` (all elements, or along dimensions),
# and `2 - a` is `rsub`'s overload for a number: `RsubBackward1`. In one graph, nodes at the same
# depth carry different digits, and the digit says what each node saved and how it will compute
# its gradient:

# %%
y = (a ** 2 + a ** b + 2 ** a).sum()
make_dot(y, params={"a": a, "b": b})

# %% [markdown]
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
# Check your prediction against the installed torch.
predicted = predict_grad_fn_names()
for text in EXPRESSIONS:
    actual = type(eval(text).grad_fn).__name__
    print(f"{text:22} {actual:18} {'ok' if predicted.get(text) == actual else 'predicted ' + str(predicted.get(text))}")

# %% [tests] id=test_predict_grad_fn_names_matches_installed_torch points=3
from grading.kernel import grade, student

grade("ex04_backward_names", "test_predict_grad_fn_names_matches_installed_torch")
### BEGIN HIDDEN TESTS
from grading.references import ex04_backward_names as ref

ref.check_expressions(student("ex04_backward_names").EXPRESSIONS)
ref.check_predictions(student("ex04_backward_names").predict_grad_fn_names, seed=404)
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 2.** Write `pow_variants(a, b)`: three tensors built from `a` and `b` whose `grad_fn`
# names are `PowBackward0`, `PowBackward1` and `PowBackward2`, in that order. (Chaining powers
# will not do it, as section 2 showed.)

# %% [solution] id=pow_variants from=pow_variants

# %%
[type(t.grad_fn).__name__ for t in pow_variants(a, b)]

# %% [tests] id=test_pow_variants_records_the_three_overloads points=2
from grading.kernel import grade, student

grade("ex04_backward_names", "test_pow_variants_records_the_three_overloads")
### BEGIN HIDDEN TESTS
import torch

from grading.references import ex04_backward_names as ref

ref.check_pow_variants(student("ex04_backward_names").pow_variants,
                       [((5,), torch.float64, 401), ((2, 1, 3), torch.float32, 402)])
### END HIDDEN TESTS

# %% [markdown]
# ## 3. `next_functions` and `AccumulateGrad`
#
# A node's `next_functions` holds one `(node, input_number)` pair per input of the operation,
# pointing at the node that produced that input. `a ** b` has two inputs that require grad, so
# two edges; `2 ** a` has one, because the number 2 is no tensor at all; and an input that does
# not require grad gets `None`:

# %%
c = torch.tensor([1.0, 1.0, 1.0])  # requires_grad=False
(a ** b).grad_fn.next_functions, (2 ** a).grad_fn.next_functions, (a * c).grad_fn.next_functions

# %% [markdown]
# The walk ends at `AccumulateGrad` nodes, one per leaf that requires grad. It is the only node
# named after what it does rather than after an operation: it adds the gradient that arrives
# into its leaf's `.grad` (ex05 is about that "adds"). It holds the leaf itself in `.variable`:

# %%
y = (a ** 2).sum()
pow_node = y.grad_fn.next_functions[0][0]
accumulate = pow_node.next_functions[0][0]
[type(n).__name__ for n in (y.grad_fn, pow_node, accumulate)], accumulate.variable is a

# %% [markdown]
# A node also keeps what its backward formula needs. These saved values differ from overload to
# overload: `PowBackward0` saved the base and the number 2; `PowBackward1` also kept the
# result, since $\partial (a^b)/\partial b = a^b \ln a$:

# %%
p0, p1 = (a ** 2).grad_fn, (a ** b).grad_fn
p0._saved_exponent, p0._saved_self, p1._saved_result

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
# Why `ctx.save_for_backward(y)` and not simply `ctx.y = y`? Saved tensors get the same guard as
# the ones PyTorch's own nodes save: the version check of ex03, so an in-place edit between
# forward and backward raises instead of giving a wrong gradient, and they are freed with the
# graph.
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
# **Exercise 3.** Write `Cube`, a `torch.autograd.Function` with `forward(ctx, x) = x ** 3` and a
# hand-written `backward` returning `3 * x ** 2 * grad_output`, keeping `x` with
# `ctx.save_for_backward`. `cube(x) = Cube.apply(x)` is given. The grader checks your values, first
# and second derivatives against autograd's on `x ** 3`, runs `gradcheck` and `gradgradcheck` in
# float64, looks into the node's saved tensors, and reads its name.

# %% [solution] id=Cube from=Cube,cube

# %%
x = torch.tensor([-1.0, 0.5, 2.0], dtype=torch.float64, requires_grad=True)
y = cube(x)
(y, type(y.grad_fn).__name__,
 torch.autograd.gradcheck(Cube.apply, (x,)), torch.autograd.gradgradcheck(Cube.apply, (x,)))

# %%
make_dot(cube(x).sum(), params={"x": x})

# %% [tests] id=test_Cube_values_and_derivatives_match_autograd points=3
from grading.kernel import grade, student

grade("ex04_backward_names", "test_Cube_values_and_derivatives_match_autograd")
### BEGIN HIDDEN TESTS
from grading import strategies
from grading.references import ex04_backward_names as ref

ref.check_cube_derivatives(student("ex04_backward_names").cube,
                           ((x_, g_.detach(), v_.detach()) for x_, g_, v_ in
                            strategies.tensors(3, seed=403, shapes=((7,), (2, 2, 2)), low=-5, high=5)))
### END HIDDEN TESTS

# %% [tests] id=test_Cube_passes_gradcheck_and_gradgradcheck points=2
from grading.kernel import grade, student

grade("ex04_backward_names", "test_Cube_passes_gradcheck_and_gradgradcheck")
### BEGIN HIDDEN TESTS
import torch

from grading import strategies
from grading.references import ex04_backward_names as ref

ref.check_cube_gradchecks(student("ex04_backward_names").cube,
                          ((x_, g_.detach()) for x_, g_ in
                           strategies.tensors(2, seed=404, shapes=((), (3, 2)), dtypes=(torch.float64,))))
### END HIDDEN TESTS

# %% [tests] id=test_Cube_saves_its_input_with_save_for_backward points=1
from grading.kernel import grade, student

grade("ex04_backward_names", "test_Cube_saves_its_input_with_save_for_backward")
### BEGIN HIDDEN TESTS
import torch

from grading.references import ex04_backward_names as ref

ref.check_cube_saves_input(student("ex04_backward_names").cube, torch.linspace(-2, 2, 6).reshape(2, 3))
### END HIDDEN TESTS

# %% [tests] id=test_Cube_node_is_named_CubeBackward points=1
from grading.kernel import grade, student

grade("ex04_backward_names", "test_Cube_node_is_named_CubeBackward")
### BEGIN HIDDEN TESTS
import torch

from grading.references import ex04_backward_names as ref

ref.check_cube_node_name(student("ex04_backward_names").cube, [torch.ones(2, 3), torch.zeros(4, dtype=torch.float64)])
### END HIDDEN TESTS

# %% [markdown]
# ## Summary
#
# - A node's name is the recorded operation in CamelCase, `Backward`, and a digit:
#   `MulBackward0`. The operation is the one autograd recorded, which is not always the one you
#   wrote: `2 - a` is `RsubBackward1`, `M @ a` is `MvBackward0`, `M.T` is `PermuteBackward0`.
# - The digit numbers the **overload** that ran (`a ** 2`, `a ** b`, `2 ** a` give `PowBackward0`,
#   `PowBackward1`, `PowBackward2`; `a.sum()` and `a.sum(0)` give `SumBackward0` and
#   `SumBackward1`). It is not a depth: a chain of any length says `SinBackward0` all the way.
# - Names belong to the torch version: check them against the installed torch, never a table.
# - `next_functions` links each node to its inputs' nodes (`None` for an input that needs no
#   gradient); the walk ends at `AccumulateGrad`, which holds its leaf in `.variable`.
# - A `torch.autograd.Function` records a node named `<Class>Backward`. Save what backward needs
#   with `ctx.save_for_backward`, return `grad_output` times the local derivative, build backward
#   from torch operations, and prove it with `gradcheck` and `gradgradcheck` in float64.
#
# Next, **ex05_accumulation**: what "accumulate" in `AccumulateGrad` means for your training loop,
# `zero_grad`, `retain_graph`, and accumulating gradients over several batches on purpose.
