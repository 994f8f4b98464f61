"""The benchmark harness: how it names numpy's BLAS, warns of kernels beneath the CPU, and
interleaves the digits contenders epoch by epoch."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks import _timing
from benchmarks import bench_digits as digits

HASWELL = {"user_api": "blas", "internal_api": "openblas", "version": "0.3.31.188.0",
           "architecture": "Haswell"}


def test_blas_names_the_library_its_version_and_its_kernels(monkeypatch):
    monkeypatch.setattr(_timing, "numpy_blas", lambda: HASWELL)
    assert _timing.blas() == "OpenBLAS 0.3.31, Haswell kernels"
    monkeypatch.setattr(_timing, "numpy_blas", lambda: None)
    assert _timing.blas() == "BLAS unknown (no threadpoolctl)"


@pytest.mark.parametrize("arch, flags, warned", [
    ("Haswell", {"avx2", "avx512f"}, True),      # kernels beneath the CPU (Zen 5's case)
    ("SkylakeX", {"avx2", "avx512f"}, False),    # the AVX-512 kernels
    ("Cooperlake", {"avx512f"}, False),
    ("Haswell", {"avx2"}, False),                # a CPU without AVX-512: the right kernels
    ("", {"avx512f"}, False),                    # nothing known
])
def test_blas_warning_only_for_kernels_without_avx512_on_a_cpu_with_it(monkeypatch, arch,
                                                                        flags, warned):
    monkeypatch.setattr(_timing, "numpy_blas", lambda: dict(HASWELL, architecture=arch))
    monkeypatch.setattr(_timing, "_cpu_flags", lambda: flags)
    note = _timing.blas_warning()
    assert (note is not None) == warned
    if warned:
        assert "Haswell kernels" in note and "OPENBLAS_CORETYPE=SkylakeX" in note


def test_blas_warning_is_silent_for_other_blas_libraries(monkeypatch):
    monkeypatch.setattr(_timing, "numpy_blas", lambda: dict(HASWELL, internal_api="mkl"))
    monkeypatch.setattr(_timing, "_cpu_flags", lambda: {"avx512f"})
    assert _timing.blas_warning() is None


def test_by_epoch_takes_turns_per_epoch_with_a_fresh_trainer_per_repetition(monkeypatch):
    monkeypatch.setattr(digits.time, "sleep", lambda s: None)
    calls: list = []
    made: list = []

    def maker(name):
        def make():
            made.append(name)
            return lambda x, y, batches: calls.append((name, batches)) or len(calls)
        return make

    times, finals = digits.by_epoch({"a": maker("a"), "b": maker("b")}, None, None,
                                    ["e1", "e2", "e3"], repeats=2)
    assert made == ["a", "b"] * 3  # the warm-up's and two kept repetitions' trainers
    assert calls[:6] == [("a", "e1"), ("b", "e1"), ("a", "e2"), ("b", "e2"), ("a", "e3"),
                         ("b", "e3")]
    assert len(times.runs["a"]) == len(times.runs["b"]) == 2  # the warm-up not kept
    assert finals == {"a": 17, "b": 18}  # each one's last result


def test_digits_trainers_keep_their_model_from_call_to_call():
    x, y, batches = digits.load_data()
    init = digits.initial_weights()
    few = batches[:6]
    whole = digits.train_numpy(x, y, few, init)
    for make in (lambda: digits.numpy_trainer(init),
                 lambda: digits.nn_trainer(init, compiled=True)):
        train = make()
        train(x, y, few[:3])
        assert np.isclose(train(x, y, few[3:]), whole, rtol=1e-5)


def test_chain_0d_times_each_engine_as_a_script_of_its_own(monkeypatch):
    from benchmarks import bench_engine

    monkeypatch.setattr(bench_engine, "CHAIN_0D", 300)
    printed = bench_engine.chain_0d(repeats=1)
    assert "each engine a script of its own" in printed
    row = next(line for line in printed.splitlines() if line.strip().startswith("autograd "))
    assert float(row.split()[1]) >= 0  # the seconds the script itself printed
