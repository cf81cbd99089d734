"""Grader for ex08_devices: choosing a device, moving data, agreeing across devices, timing a GPU.

The grader runs on every device the machine has. The CPU tests always run. The tests named
``..._on_each_gpu_here`` run on each CUDA or MPS device the grader's torch sees; they carry a skip
mark, so on a machine without a GPU pytest skips them (skipped, not failed: their points leave the
total). Each test takes only ``student``, as the notebook's grade() and the mutant proofs call it,
so a GPU test loops over the GPUs present rather than being parametrised by device; called directly
on a machine without one, it checks the simulated GPU (fit_on: the CPU) instead of passing empty.

What a CPU-only machine cannot show is simulated in the student's process by a setup that runs
before their module is imported (grading/checking/simulated_gpu.py explains each):

- pick_device is asked on simulated machines: torch.cuda.is_available, torch.cuda.device_count,
  torch.backends.mps.is_available and torch.accelerator say which GPUs exist.
- move_to and time_matmul also run on a simulated CUDA GPU: tensors on "cuda" report cuda:0 and keep
  their data on the CPU. Like a real GPU it is asynchronous: a matmul returns at once, and its time
  passes on a fake clock only when the program waits for it (torch.cuda.synchronize, .item(),
  .cpu()). Whether time_matmul synchronises is read from the log of what it did (matmul, wait,
  clock reading): a clock read while a matmul is pending fails it. Nothing is judged by real time.
  The fake clock's known durations, with a slow first call and an occasional hiccup, also make the
  median exact, so the mean, or timing without a warm-up, is caught too.
- fit_on trains, and autograd cannot run on a simulated cuda tensor in a torch built without CUDA,
  so it is checked on the CPU against ex07's fit (the reference here, with torch's SGD) and on each
  real GPU here against the same CPU reference.

ex08 is graded on its own. The contract lets it import its sibling (``from ex07_curve_fitting import
fit``), so every call runs with the setup ``ref.on_its_own``: an ex07 that is missing or does not import
is replaced by the course's, and for fit_on the grader first runs the submission's ex07 fit on the same
inputs and, where it is unfinished or wrong, gives fit_on the course's fit instead. A wrong ex07 costs
ex07's points only; a fit_on failure made with the course's fit says so.
"""
import pytest
import torch

from grading.checking.references import ex08_devices as ref

MODULE = "ex08_devices"

on_a_gpu = pytest.mark.skipif(not ref.gpus_here(), reason="no CUDA or MPS device on this machine")


@pytest.mark.points(2)
def test_pick_device_prefers_cuda_then_mps_then_cpu(student):
    ref.check_pick_device(student.pick_device, [(where, None) for where in ref.MACHINES])


@pytest.mark.points(2)
def test_pick_device_returns_an_available_preference(student):
    ref.check_pick_device(student.pick_device, [
        ("a machine with only a CPU", "cpu"), ("a machine with one CUDA GPU", "cuda"),
        ("a machine with one CUDA GPU", "cuda:0"), ("a machine with two CUDA GPUs", "cuda:1"),
        ("a Mac with MPS", "mps"), ("a machine with CUDA and MPS", "cpu")])


@pytest.mark.points(2)
def test_pick_device_rejects_an_unavailable_preference(student):
    ref.check_pick_device_rejects(student.pick_device, [
        ("a machine with only a CPU", "cuda"), ("a machine with only a CPU", "mps"),
        ("a machine with one CUDA GPU", "cuda:1"), ("a machine with two CUDA GPUs", "mps"),
        ("a Mac with MPS", "cuda")])


@pytest.mark.points(1)
def test_pick_device_on_this_machine(student):
    ref.check_pick_device_here(student.pick_device)


@pytest.mark.points(2)
def test_move_to_keeps_the_structure_and_its_types(student):
    for device in ("cpu", torch.device("cpu")):
        ref.check_move_to(student.move_to, device, identity=False)


@pytest.mark.points(2)
def test_move_to_returns_a_tensor_already_there_as_it_is(student):
    ref.check_move_to(student.move_to, "cpu", structure_ok=False)


@pytest.mark.points(2)
def test_move_to_moves_every_tensor_to_a_simulated_gpu(student):
    for device in ("cuda", torch.device("cuda:0")):
        ref.check_move_to(student.move_to, device, simulated_gpu=True)


@on_a_gpu
@pytest.mark.points(1)
def test_move_to_on_each_gpu_here(student):
    for gpu in ref.gpus_or_none():
        ref.check_move_to(student.move_to, gpu or "cuda", simulated_gpu=gpu is None)


# (points, data seed, theta seed, epochs, lr)
FIT_CASES = [(100, 1, 2, 30, 0.01), (80, 3, 4, 20, 0.03)]


@pytest.mark.points(2)
def test_fit_on_the_cpu_agrees_with_ex07_fit(student):
    ref.check_fit_on(student.fit_on, "cpu", FIT_CASES[:1])
    ref.check_fit_on(student.fit_on, torch.device("cpu"), FIT_CASES[1:])


@on_a_gpu
@pytest.mark.points(2)
def test_fit_on_each_gpu_here_agrees_with_the_cpu(student):
    for gpu in ref.gpus_or_none():
        ref.check_fit_on(student.fit_on, gpu or "cpu", FIT_CASES)


@pytest.mark.points(2)
def test_time_matmul_returns_the_median_after_a_warm_up(student):
    ref.check_time_matmul_median(student.time_matmul, [(16, "cpu", 5), (8, torch.device("cpu"), 7),
                                                       (8, "cpu", None)])
    ref.check_time_matmul_real_clock(student.time_matmul, 32, "cpu", 3)


@pytest.mark.points(2)
def test_time_matmul_synchronises_a_simulated_gpu(student):
    ref.check_time_matmul_synchronises(student.time_matmul, [(16, "cuda", 5), (8, torch.device("cuda"), 4)])


@on_a_gpu
@pytest.mark.points(1)
def test_time_matmul_on_each_gpu_here(student):
    for gpu in ref.gpus_or_none():
        ref.check_time_matmul_real_clock(student.time_matmul, 256, gpu, 5)
