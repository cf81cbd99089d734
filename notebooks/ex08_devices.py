# %% [markdown]
# # ex08 · Devices: the CPU, the GPU, and moving work between them
#
# **By the end of this notebook you will be able to**
# - say where a tensor or a model lives, and choose the best device a machine has;
# - move tensors, whole nested batches and models to a device, and keep parameters leaves while doing it;
# - read the device-mismatch error and fix what it points at;
# - run ex07's curve fit on any device and get the same answer back on the CPU;
# - time GPU code correctly: warm up first, and wait for the GPU before reading the clock;
# - compare the CPU with a GPU, when you have one.
#
# This is the last module. In ex07 you fitted $y = a\,x + b\sin x + c\cos(x/4)$ with autograd and
# SGD, on the CPU. Everything autograd did there works the same on a GPU; what changes is *where*
# the tensors live, and that a GPU works *asynchronously*.
#
# You do not need a GPU. Every cell runs on a machine with only a CPU: where a GPU would show
# something different, the cell says so, or uses the `meta` device (below), or a simulated GPU. The
# graders check your functions on the CPU, on a simulated GPU, and on each real GPU the machine has.
#
# Fill in every cell that says `YOUR CODE HERE`, then run the test cell below it.
# You can also work in `exercises/ex08_devices.py` and run `pytest tests/graders -k ex08`.

# %%
import collections
import statistics
import time
from typing import Any

import torch
from torch import nn

torch.__version__

# %% [markdown]
# ## 1. Every tensor lives on a device
#
# A tensor's numbers are stored in the memory of one **device**: the CPU's memory, a CUDA GPU's
# memory (`cuda:0`, `cuda:1`, ... one per card) or, on an Apple-silicon Mac, the MPS device.
# `t.device` says which, and an operation runs on the device its inputs are on.

# %%
t = torch.ones(3)
t.device, (t * 2).device

# %% [markdown]
# Which GPUs this machine has, as torch sees them:

# %%
torch.cuda.is_available(), torch.cuda.device_count(), torch.backends.mps.is_available()

# %% [markdown]
# A `torch.device` is a type and an optional index. `"cuda"` without an index means the current
# CUDA device (normally `cuda:0`); creating a `torch.device` never touches the hardware, so you can
# write down a device this machine does not have:

# %%
d = torch.device("cuda:1")
d.type, d.index, torch.device("cuda").index, torch.device("cpu")

# %% [markdown]
# Every machine has one more device, **`meta`**: a meta tensor has a shape and a dtype but no
# numbers at all. It is useful here because it is a second device that even a CPU-only machine
# has, so we can watch tensors change device:

# %%
m = torch.ones(2, 3, device="meta")
m, m.shape, m.device

# %% [markdown]
# ## 2. Choosing a device
#
# Code that should run anywhere starts by choosing the best device there is: a CUDA GPU if there is
# one, else an Apple GPU (MPS), else the CPU. Sometimes you want a particular one instead ("run this
# on the second GPU"), and then it is better to fail loudly than to run, slowly, somewhere else.
#
# **Exercise 1.** Write `pick_device(prefer=None)`:
# - with no preference: `torch.device("cuda")` if `torch.cuda.is_available()`, else
#   `torch.device("mps")` if `torch.backends.mps.is_available()`, else `torch.device("cpu")`;
# - with a preference (`"cpu"`, `"cuda"`, `"cuda:1"`, `"mps"`): that device, as a `torch.device`,
#   when it is available (`cuda:1` needs at least two GPUs: `torch.cuda.device_count()`);
# - otherwise raise `ValueError` with a message that names the device asked for **and** the devices
#   that are available, such as `device 'cuda:1' is not available here; available devices: cpu, cuda:0`.
#
# The grader asks your function on simulated machines: a CPU-only laptop, one and two CUDA GPUs, a Mac.

# %% [solution] id=pick_device from=pick_device

# %%
device = pick_device()
device

# %%
try:
    pick_device("cuda:7")
except ValueError as error:
    print(error)

# %% [tests] id=test_pick_device_prefers_cuda_then_mps_then_cpu points=2
from grading.students.kernel import grade, student

grade("ex08_devices", "test_pick_device_prefers_cuda_then_mps_then_cpu")
### BEGIN HIDDEN TESTS
from grading.checking.references import ex08_devices as ref

ref.check_pick_device(student("ex08_devices").pick_device,
                      [("a machine with CUDA and MPS", None), ("a machine with two CUDA GPUs", None)])
### END HIDDEN TESTS

# %% [tests] id=test_pick_device_returns_an_available_preference points=2
from grading.students.kernel import grade, student

grade("ex08_devices", "test_pick_device_returns_an_available_preference")
### BEGIN HIDDEN TESTS
from grading.checking.references import ex08_devices as ref

ref.check_pick_device(student("ex08_devices").pick_device, [
    ("a machine with two CUDA GPUs", "cuda:0"), ("a machine with CUDA and MPS", "mps"),
    ("a machine with CUDA and MPS", "cuda"), ("a Mac with MPS", "cpu")])
### END HIDDEN TESTS

# %% [tests] id=test_pick_device_rejects_an_unavailable_preference points=2
from grading.students.kernel import grade, student

grade("ex08_devices", "test_pick_device_rejects_an_unavailable_preference")
### BEGIN HIDDEN TESTS
from grading.checking.references import ex08_devices as ref

ref.check_pick_device_rejects(student("ex08_devices").pick_device, [
    ("a machine with two CUDA GPUs", "cuda:2"), ("a machine with CUDA and MPS", "cuda:1"),
    ("a Mac with MPS", "cuda:0")])
### END HIDDEN TESTS

# %% [tests] id=test_pick_device_on_this_machine points=1
from grading.students.kernel import grade, student

grade("ex08_devices", "test_pick_device_on_this_machine")
### BEGIN HIDDEN TESTS
from grading.checking.references import ex08_devices as ref

ref.check_pick_device(student("ex08_devices").pick_device, [("a machine with only a CPU", None)])
### END HIDDEN TESTS

# %% [markdown]
# ## 3. Moving a tensor: `.to(device)`
#
# `t.to(device)` gives `t` on `device`. When `t` is already there it returns **`t` itself**, no
# copy; otherwise it returns a new tensor, a copy on the other device. The same holds for a dtype:

# %%
t = torch.ones(3)
t.to("cpu") is t, t.to(device) is t, t.to("meta") is t, t.to(torch.float64) is t

# %% [markdown]
# `t.cuda()` is `t.to("cuda")`, and `t.cpu()` is `t.to("cpu")`. Moving is an ordinary operation,
# so on a tensor that requires grad it is **recorded**: the copy has a `grad_fn` and is *not a leaf*.
# That is the `.to()` / `.cuda()` trap of ex02 (`make_leaf`): backward fills the `.grad` of the
# original, not of the copy you go on to use.

# %%
w = torch.ones(3, requires_grad=True)
for moved in (w.to(torch.float64), w.to("meta")):
    print(moved.device, moved.dtype, "leaf:", moved.is_leaf, "grad_fn:", type(moved.grad_fn).__name__)

# %% [markdown]
# On a GPU, `w.to("cuda")` behaves like `w.to("meta")` above. On the device it is already on,
# `.to` returns `w` itself, still a leaf:

# %%
w.to("cpu") is w, w.to("cpu").is_leaf

# %% [markdown]
# So make a parameter on its device first and switch on `requires_grad` afterwards, as ex02 did:

# %%
w = torch.ones(3).to("meta").requires_grad_(True)
w.device, w.is_leaf

# %% [markdown]
# A **model** moves differently: `model.to(device)` moves every parameter without recording
# anything and returns the model itself, and the parameters it holds afterwards are still leaves
# (still `nn.Parameter`s), ready for an optimizer. ex02 (section 5) showed the rule for *which*
# objects they are, with torch's default settings: the same `Parameter` objects, with their
# `.data` replaced, when the converted tensor is of a compatible kind
# (`torch._has_compatible_shallow_copy_type(old, new)`), as for a change of dtype; new `Parameter`
# objects otherwise, as for the `meta` device here. So build the optimizer from
# `model.parameters()` *after* moving the model: it then holds the parameters the model uses,
# whichever case applies.

# %%
model = nn.Linear(3, 1)
weight = model.weight
moved = model.to("meta")
(moved is model, model.weight is weight, id(model.weight) == id(weight), model.weight.device, model.weight.is_leaf,
 torch._has_compatible_shallow_copy_type(weight, model.weight))

# %% [markdown]
# The same check on this machine's best device, when it is not the CPU (on a CPU-only machine the
# cell prints nothing):

# %%
if device.type != "cpu":
    model = nn.Linear(3, 1)
    weight = model.weight
    compatible = torch._has_compatible_shallow_copy_type(weight, weight.detach().to(device))
    model.to(device)
    print(f"to({device}): same object: {model.weight is weight}, leaf: {model.weight.is_leaf}, "
          f"compatible kind: {compatible}")

# %% [markdown]
# ## 4. The device-mismatch error, and how to read it
#
# An operation needs all its tensors on one device. Forget to move the input of a model that you
# moved, and you get a `RuntimeError`. On a GPU machine we provoke it with the GPU; on a CPU-only
# machine, with `meta`:

# %%
other = device if device.type != "cpu" else torch.device("meta")
model = nn.Linear(3, 1).to(other)
x = torch.ones(2, 3)
try:
    model(x)
except RuntimeError as error:
    print(error)

# %% [markdown]
# Read it for the two devices it names: one is where the model's weights are, the other is where
# your input is. (On a CUDA GPU the wording differs, for example *Expected all tensors to be on the
# same device, but found at least two devices, cuda:0 and cpu!*, but it names the same two things.)
# The fix is to move the data to where the model is, and a model's device is the device of its
# parameters:

# %%
where = next(model.parameters()).device
model(x.to(where)).device

# %% [markdown]
# One exception: a **zero-dimensional** CPU tensor, a single number such as `torch.tensor(2.0)`, may
# join an operation on another device (it is passed along as a plain number):

# %%
(torch.ones(2, device=other) * torch.tensor(2.0)).device

# %% [markdown]
# ## 5. Moving a whole batch
#
# Real code moves more than one tensor: a batch from a data loader is often a dict, a tuple, or a
# **named tuple** of tensors, with labels, lengths or file names next to them. One function that
# walks such a structure saves writing `.to(device)` ten times, and forgetting it once.

# %%
Batch = collections.namedtuple("Batch", ["inputs", "targets", "info"])
batch = {"train": Batch(inputs=torch.randn(4, 3), targets=torch.arange(4), info={"epoch": 1}),
         "extra": [torch.zeros(2), "notes", 0.5]}
batch["train"].inputs.device, batch["train"]._fields

# %% [markdown]
# A named tuple is a `tuple`, but `tuple(...)` of it is a plain tuple that forgot its fields, and
# its constructor takes the fields one by one (`Batch(*items)`), not an iterable:

# %%
rebuilt = type(batch["train"])(*batch["train"])
isinstance(batch["train"], tuple), type(tuple(batch["train"])).__name__, type(rebuilt).__name__, rebuilt._fields

# %% [markdown]
# **Exercise 2.** Write `move_to(obj, device)`: the same structure with every tensor moved to
# `device`, through nested dicts, lists, tuples and named tuples, each container keeping its type;
# any other value (numbers, strings, `None`, ...) comes back unchanged; and a tensor that is already
# on `device` comes back **as it is**, not copied (`.to` already does that for you). Build new
# containers: do not change the caller's dicts and lists.

# %% [solution] id=move_to from=move_to

# %%
moved = move_to(batch, "meta")
moved["train"].inputs.device, type(moved["train"]).__name__, moved["extra"][1:], moved["train"].info

# %%
same = move_to(batch, "cpu")
same["train"].inputs is batch["train"].inputs, same is batch

# %% [tests] id=test_move_to_keeps_the_structure_and_its_types points=2
from grading.students.kernel import grade, student

grade("ex08_devices", "test_move_to_keeps_the_structure_and_its_types")
### BEGIN HIDDEN TESTS
from grading.checking.references import ex08_devices as ref

ref.check_move_to(student("ex08_devices").move_to, "cpu", identity=False, build=ref.other_structure)
### END HIDDEN TESTS

# %% [tests] id=test_move_to_returns_a_tensor_already_there_as_it_is points=2
from grading.students.kernel import grade, student

grade("ex08_devices", "test_move_to_returns_a_tensor_already_there_as_it_is")
### BEGIN HIDDEN TESTS
import torch

from grading.checking.references import ex08_devices as ref

ref.check_move_to(student("ex08_devices").move_to, torch.device("cpu"), structure_ok=False,
                  build=ref.other_structure)
### END HIDDEN TESTS

# %% [tests] id=test_move_to_moves_every_tensor_to_a_simulated_gpu points=2
from grading.students.kernel import grade, student

grade("ex08_devices", "test_move_to_moves_every_tensor_to_a_simulated_gpu")
### BEGIN HIDDEN TESTS
from grading.checking.references import ex08_devices as ref

ref.check_move_to(student("ex08_devices").move_to, "cuda", simulated_gpu=True, build=ref.other_structure)
### END HIDDEN TESTS

# %% [tests] id=test_move_to_on_each_gpu_here points=1
from grading.students.kernel import grade, student

grade("ex08_devices", "test_move_to_on_each_gpu_here")
### BEGIN HIDDEN TESTS
from grading.checking.references import ex08_devices as ref

for gpu in ref.gpus_or_none():
    ref.check_move_to(student("ex08_devices").move_to, gpu or "cuda", simulated_gpu=gpu is None,
                      build=ref.other_structure)
### END HIDDEN TESTS

# %% [markdown]
# ## 6. ex07's fit, on any device
#
# Here is ex07's `fit` once more, written so that it runs on whatever device `X` is on (it is
# repeated here so that this notebook runs on its own; working in `exercises/`,
# `from ex07_curve_fitting import fit` gives you yours). theta is drawn on the CPU with the
# generator, so that the same seed gives the same start on every device, and then moved next to
# the data *before* `requires_grad_`, so that it stays a leaf:

# %%
def fit(X, yt, epochs=500, lr=0.01, generator=None):
    """ex07's fit: SGD on the mean squared error of a x + b sin(x) + c cos(x / 4) against yt."""
    theta = torch.randn(3, generator=generator)  # drawn on the CPU ...
    theta = theta.to(X.device).requires_grad_(True)  # ... then moved, and a leaf
    optimizer = torch.optim.SGD([theta], lr=lr)
    history = []
    for step in range(epochs):
        prediction = theta[0] * X + theta[1] * X.sin() + theta[2] * (X / 4).cos()
        loss = nn.functional.mse_loss(prediction, yt)
        theta.grad = None
        loss.backward()
        optimizer.step()
        history.append(loss.item())
    return theta.detach(), history


X = torch.linspace(-10, 10, 1000)
yt = 1.5 * torch.sin(X) + 1.2 * torch.cos(X / 4) + torch.randn(1000, generator=torch.Generator().manual_seed(0))

# %% [markdown]
# Everything the loop touches must be on one device: `X`, `yt` and `theta`. `fit` already puts
# `theta` next to `X`, so moving the data is enough. `loss.item()` copies one number back to the
# CPU (on a GPU that waits for the GPU: see section 7), and the caller wants theta back on the CPU
# too, where it can be printed, plotted or compared with other runs.
#
# **Exercise 3.** Write `fit_on(device, X, yt, epochs=500, lr=0.01, generator=None)`: ex07's `fit`
# with `X` and `yt` on `device`, passing `epochs`, `lr` and `generator` on; return `(theta, losses)`
# with theta on the CPU. Results must agree across devices.
#
# fit_on is graded on its own: in `exercises/`, where your ex07 `fit` is unfinished or wrong, the
# grader gives fit_on a correct one instead, so a mistake in ex07 costs ex07's points only (and a
# message says so when fit_on goes wrong with it).

# %% [solution] id=fit_on from=fit_on

# %%
theta_cpu, losses_cpu = fit_on("cpu", X, yt, epochs=300, generator=torch.Generator().manual_seed(1))
theta_here, losses_here = fit_on(device, X, yt, epochs=300, generator=torch.Generator().manual_seed(1))
theta_cpu, theta_here.device, (theta_here - theta_cpu).abs().max().item()

# %% [markdown]
# On a GPU the difference is tiny but need not be zero: a GPU adds up the loss's terms in another
# order than the CPU, and floating-point addition depends on the order. That is why the grader
# compares devices with a tolerance.

# %% [tests] id=test_fit_on_the_cpu_agrees_with_ex07_fit points=2
from grading.students.kernel import grade, student

grade("ex08_devices", "test_fit_on_the_cpu_agrees_with_ex07_fit")
### BEGIN HIDDEN TESTS
from grading.checking.references import ex08_devices as ref

ref.check_fit_on(student("ex08_devices").fit_on, "cpu", [(150, 7, 8, 25, 0.02)])
### END HIDDEN TESTS

# %% [tests] id=test_fit_on_each_gpu_here_agrees_with_the_cpu points=2
from grading.students.kernel import grade, student

grade("ex08_devices", "test_fit_on_each_gpu_here_agrees_with_the_cpu")
### BEGIN HIDDEN TESTS
from grading.checking.references import ex08_devices as ref

for gpu in ref.gpus_or_none():
    ref.check_fit_on(student("ex08_devices").fit_on, gpu or "cpu", [(150, 7, 8, 25, 0.02)])
### END HIDDEN TESTS

# %% [markdown]
# ## 7. Timing GPU code
#
# A GPU works **asynchronously**: `a @ b` on a GPU puts the work in a queue and returns at once,
# while the GPU computes. Python goes on with the next line. A clock read right after `a @ b`
# measures how long it took to *queue* the matmul, not to compute it. To time the work, wait for the
# GPU before each clock reading: `torch.cuda.synchronize(device)` (on a Mac, `torch.mps.synchronize()`).
#
# With a GPU, the next cell shows the difference; on the CPU, which finishes each operation before
# returning, the matmul is over by the first reading, and the second comes later only by the few
# lines of Python between the two.
#
# CPU timings also depend on how many threads torch uses (by default about one per core) and on
# what else the machine is doing: threads that wait for a busy core make a matmul slower, by an
# amount that changes from run to run. So for the timings of this notebook we fix the number of
# threads to one (and restore it at the end of section 8):

# %%
threads_before = torch.get_num_threads()
torch.set_num_threads(1)
threads_before, torch.get_num_threads()


# %%
def wait_for(device):
    """Block until the GPU has done what was queued on it; the CPU has nothing queued."""
    if device.type != "cpu":
        torch.accelerator.synchronize(device)  # the same as torch.cuda.synchronize on CUDA


n = 2048 if device.type != "cpu" else 256
a = torch.randn(n, n, device=device)
a @ a  # warm-up (see below)
wait_for(device)
t0 = time.perf_counter()
c = a @ a
queued = time.perf_counter() - t0
wait_for(device)
finished = time.perf_counter() - t0
print(f"{device}: returned after {queued * 1e3:.3f} ms, finished after {finished * 1e3:.3f} ms")

# %% [markdown]
# Without a GPU you can still watch this happen on the simulated GPU the grader uses: its
# tensors report `cuda:0` (their numbers stay on the CPU), a matmul is queued and takes its time
# only when something waits for it, and its clock is simulated, so the numbers are the same on
# every machine. (Its first matmul is slow on purpose: it plays the part of a first call that pays
# one-time costs, described below.)

# %%
from grading.checking.references.ex08_devices import machine

undo = machine(gpu=True, fake_clock=True)
try:
    g = torch.randn(64, 64, device="cuda")
    t0 = time.perf_counter()
    g @ g
    queued = time.perf_counter() - t0
    torch.cuda.synchronize()
    finished = time.perf_counter() - t0
finally:
    undo()
print(f"simulated {g.device}: returned after {queued:.3f} s, finished after {finished:.3f} s")

# %% [markdown]
# The **first** call on a device may also pay one-time costs: memory is allocated, and on a GPU
# the library may load kernels and pick an algorithm for this size. How much that costs depends
# on the machine, and on a CPU it can be smaller than the ordinary jitter between two calls. So a
# timing starts with an untimed **warm-up** call, which makes the result the same whether or not
# there was such a cost. The next cell compares, for a few new sizes, the first call with the
# median and the range of the five calls after it. Whether the first call stands out here, and
# by how much, is for your machine to say; with the range next to it, you can see whether the
# difference is more than the jitter:

# %%
def first_and_rest(n, calls=6):
    """Seconds of the first matmul on a new n x n matrix, and of the calls after it."""
    b = torch.randn(n, n, device=device)
    times = []
    for _ in range(calls):
        t0 = time.perf_counter()
        b @ b
        wait_for(device)
        times.append(time.perf_counter() - t0)
    return times[0], times[1:]


for n in (320, 352, 384):
    first, rest = first_and_rest(n)
    verdict = "above" if first > max(rest) else "within"
    print(f"n={n}: first {first * 1e3:.3f} ms; then median {statistics.median(rest) * 1e3:.3f} ms, "
          f"range {min(rest) * 1e3:.3f} to {max(rest) * 1e3:.3f} ms: the first is {verdict} that range")

# %% [markdown]
# Single timings also jump around (another program runs, the clock ticks): time several calls
# and take the **median**, which one slow call does not pull up the way it pulls up the mean. And
# report the **spread** with it (here the range from the fastest to the slowest call), because a
# median alone does not say how far to trust it:

# %%
samples = [1.0, 1.2, 0.9, 30.0, 1.1]  # milliseconds, one of them a hiccup
statistics.mean(samples), statistics.median(samples), (min(samples), max(samples))

# %% [markdown]
# **Exercise 4.** Write `time_matmul(n, device, repeats=10)`: the median time, in seconds (a
# float), of one `n x n` float32 matmul on `device`. Create the two matrices on `device`, run one
# untimed warm-up matmul, then time `repeats` matmuls one by one with `time.perf_counter()`. When
# the device is a GPU, synchronise it after the warm-up and after each timed matmul, before
# reading the clock; when it is the CPU, do not call a GPU's `synchronize` (on a machine without
# CUDA, `torch.cuda.synchronize()` raises).
#
# The grader does not judge your code by how long it takes. It simulates a GPU whose matmuls take
# known (simulated) times, logs each matmul, wait and clock reading, and checks that no clock
# reading happens while a matmul is still running, and that you return the median.

# %% [solution] id=time_matmul from=time_matmul

# %% [tests] id=test_time_matmul_returns_the_median_after_a_warm_up points=2
from grading.students.kernel import grade, student

grade("ex08_devices", "test_time_matmul_returns_the_median_after_a_warm_up")
### BEGIN HIDDEN TESTS
from grading.checking.references import ex08_devices as ref

ref.check_time_matmul_median(student("ex08_devices").time_matmul, [(4, "cpu", 9), (4, "cpu", 2)])
### END HIDDEN TESTS

# %% [tests] id=test_time_matmul_synchronises_a_simulated_gpu points=2
from grading.students.kernel import grade, student

grade("ex08_devices", "test_time_matmul_synchronises_a_simulated_gpu")
### BEGIN HIDDEN TESTS
from grading.checking.references import ex08_devices as ref

ref.check_time_matmul_synchronises(student("ex08_devices").time_matmul, [(4, "cuda:0", 9), (4, "cuda", 1)])
### END HIDDEN TESTS

# %% [tests] id=test_time_matmul_on_each_gpu_here points=1
from grading.students.kernel import grade, student

grade("ex08_devices", "test_time_matmul_on_each_gpu_here")
### BEGIN HIDDEN TESTS
from grading.checking.references import ex08_devices as ref

for gpu in ref.gpus_or_none():
    ref.check_time_matmul_real_clock(student("ex08_devices").time_matmul, 64, gpu, 3)
### END HIDDEN TESTS

# %% [markdown]
# ## 8. The CPU against a GPU
#
# A matmul of two `n x n` matrices does about $2n^3$ floating-point operations, so `2 * n**3 / seconds`
# is its speed in FLOP/s. Time a few sizes on the CPU (with the one thread of section 7) and, if
# this machine has one, on its GPU. Each size is timed five times with your `time_matmul`, which
# already takes the median of its repeats; the table shows the median of those five medians and
# their range:

# %%
def timed(n, where, runs=5):
    """The median and the range, in seconds, of `runs` calls of time_matmul(n, where, repeats=5)."""
    medians = [time_matmul(n, where, repeats=5) for _ in range(runs)]
    return statistics.median(medians), min(medians), max(medians)


sizes = (128, 256, 512)
gpu = device if device.type != "cpu" else None
columns = [("cpu", "CPU")] + ([(gpu, "GPU")] if gpu else [])
print(f"{'n':>5}" + "".join(f" {name + ' ms (range)':>26} {name + ' GFLOP/s':>12}" for _, name in columns))
for n in sizes:
    row = f"{n:>5}"
    for where, _ in columns:
        median, low, high = timed(n, where)
        row += f" {median * 1e3:>9.3f} ({low * 1e3:.3f}-{high * 1e3:.3f}) {2 * n**3 / median / 1e9:>12.1f}"
    print(row)
if gpu is None:
    print("(no GPU on this machine: CPU only)")
torch.set_num_threads(threads_before)  # back to torch's default for this machine

# %% [markdown]
# Your numbers will differ from anyone else's, and from your own next run; what carries over is
# how to read them. Two medians whose ranges overlap are not shown to differ, however the medians
# compare, and a wide range says the machine was busy while you timed: run again, or time more
# calls. Where you have a GPU, try larger sizes and read the table the same way: does the GPU's
# GFLOP/s change with `n`, and does the CPU's?
#
# ## Summary
#
# - Every tensor lives on one device (`t.device`); an operation runs where its inputs are, and they
#   must all be on the same device (a zero-dim CPU tensor excepted). A model lives where its
#   parameters are.
# - Choose the device once (`pick_device`), fail loudly on an unavailable preference, and move data
#   and models there: `t.to(device)` returns `t` itself when it is already there and a copy
#   otherwise; `model.to(device)` moves the parameters and keeps them leaves (build the optimizer
#   afterwards).
# - On a tensor that requires grad, `.to()` / `.cuda()` is a recorded operation: the copy is not a
#   leaf. Create a parameter on its device, then `requires_grad_()` (ex02).
# - The device-mismatch error names the two devices involved; move the data to the model's device.
# - Results agree across devices up to rounding (the order of additions differs).
# - A GPU runs asynchronously: warm up, synchronise before each clock reading, and report the median.
# - Timings vary with the machine and its load: fix the number of CPU threads, repeat, and report
#   the median with its spread; claim a difference only when it is larger than the spread.
#
# That completes the course: from the graph of one small function (ex01) through leaves, detach,
# `grad_fn` names, accumulation and two fits trained with autograd, to running them on any device.
