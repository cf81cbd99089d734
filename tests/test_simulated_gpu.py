"""The simulated machine of the ex08 graders (grading/checking/simulated_gpu.py), and the thin
references package in front of the record-and-replay engine (grading/checking/record_replay.py)."""
from __future__ import annotations

import time
import timeit

import pytest
import torch

from grading.checking import record_replay, references, simulated_gpu
from grading.checking.references import ex08_devices

MISSING = object()
# Everything machine() may patch.
PATCHED = [(time, n) for n in ("perf_counter", "monotonic", "time", "perf_counter_ns", "monotonic_ns", "time_ns")] + \
    [(timeit, "default_timer")] + \
    [(torch.cuda, n) for n in ("is_available", "device_count", "current_device", "get_device_name", "synchronize",
                               "current_stream")] + \
    [(torch.backends.mps, n) for n in ("is_available", "is_built")] + \
    [(torch.mps, n) for n in ("device_count", "is_available", "synchronize")] + \
    [(torch.accelerator, n) for n in ("is_available", "device_count", "current_accelerator", "synchronize")] + \
    [(torch.cuda.Stream, "synchronize"), (torch.cuda.Event, "synchronize")]


def snapshot() -> list:
    return [vars(owner).get(name, MISSING) for owner, name in PATCHED]


MACHINES = [{"gpu": True, "fake_clock": True}, {"cuda": 0, "mps": False, "fake_clock": True},
            {"cuda": 2, "mps": True}, {"cuda": 1, "mps": False}, {}]


@pytest.mark.parametrize("setup", MACHINES, ids=[str(m) for m in MACHINES])
def test_the_undo_puts_back_every_patch_and_removes_what_it_added(setup):
    before = snapshot()
    undo = simulated_gpu.machine(**setup)
    assert snapshot() != before
    undo()
    assert all(a is b for a, b in zip(snapshot(), before))
    assert simulated_gpu._LOG["thread"] is None
    assert torch.randn(2, device="cpu").device.type == "cpu"  # no mode is left on


def test_the_machines_say_which_gpus_exist():
    undo = simulated_gpu.machine(cuda=2, mps=True)
    try:
        assert torch.cuda.is_available() and torch.cuda.device_count() == 2 and torch.backends.mps.is_available()
        assert torch.accelerator.current_accelerator() == torch.device("cuda")
    finally:
        undo()
    undo = simulated_gpu.machine(cuda=0, mps=False)
    try:
        assert not torch.cuda.is_available() and torch.accelerator.current_accelerator() is None
        with pytest.raises(AssertionError, match="not compiled with CUDA"):
            torch.cuda.synchronize()
    finally:
        undo()


def test_the_simulated_gpu_is_asynchronous_on_the_fake_clock():
    undo = simulated_gpu.machine(gpu=True, fake_clock=True)
    try:
        a = torch.ones(4, 4, device="cuda")
        assert a.device == torch.device("cuda", 0) and isinstance(a, simulated_gpu.SimulatedCudaTensor)
        start = time.perf_counter()
        product = a @ a
        queued = time.perf_counter() - start
        torch.cuda.synchronize()
        waited = time.perf_counter() - start
        assert queued == 0 and waited == simulated_gpu.fake_duration(0)
        assert product.cpu()[0, 0].item() == 4.0
        with pytest.raises(RuntimeError, match="same device"):
            a + torch.ones(4, 4)
        assert simulated_gpu.recording(None)["events"].startswith("cMcsc")  # clock, matmul, clock, wait, clock
    finally:
        undo()


def test_a_setup_that_fails_half_way_undoes_what_it_did(monkeypatch):
    before = snapshot()

    def broken(*args, **kwargs):
        raise RuntimeError("no such mode")

    monkeypatch.setattr(simulated_gpu, "_PlaceOnSimulatedGpu", broken)
    with pytest.raises(RuntimeError, match="no such mode"):
        simulated_gpu.machine(gpu=True)
    assert all(a is b for a, b in zip(snapshot(), before))


def test_the_ex08_reference_holds_no_simulated_gpu():
    assert not hasattr(ex08_devices, "SimulatedCudaTensor") and not hasattr(ex08_devices, "_Patches")
    assert ex08_devices.machine is simulated_gpu.machine and ex08_devices.recording is simulated_gpu.recording


def test_the_references_package_is_the_engine():
    for name in references.__all__:
        assert getattr(references, name) is getattr(record_replay, name), name
    assert record_replay.RECORDED.parent.name == "references"


def test_the_engine_replays_what_it_recorded_and_a_miss_is_unavailable(monkeypatch):
    monkeypatch.setattr(record_replay, "_LOADED", {("m", "f", record_replay.key((1,), {})): 7})
    assert references.replay("m", "f", (1,), {}) == 7
    with pytest.raises(references.ReferenceUnavailable):
        references.replay("m", "f", (2,), {})
    with references.recording() as recorded:
        assert record_replay.RECORDING is recorded
    assert record_replay.RECORDING is None
