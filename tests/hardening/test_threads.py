"""Grad mode is per thread, as in PyTorch: one thread's ``no_grad()``, or the recording switch
``backward()`` flips while it runs, never changes what another thread records."""

import sys
import threading

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F


def _in_thread(fn):
    """Run ``fn`` in a new thread and return its result (re-raising its exception)."""
    box = {}

    def target():
        try:
            box["value"] = fn()
        except BaseException as e:  # noqa: BLE001 - handed back to the caller
            box["error"] = e

    t = threading.Thread(target=target)
    t.start()
    t.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


def test_no_grad_in_one_thread_does_not_reach_another():
    entered, checked = threading.Event(), threading.Event()
    seen = {}

    def quiet():
        with ag.no_grad():
            entered.set()
            checked.wait(5)

    def busy():
        entered.wait(5)
        x = ag.ones(3, requires_grad=True)
        seen["enabled"] = ag.is_grad_enabled()
        seen["recorded"] = (x * 2).requires_grad
        checked.set()

    threads = [threading.Thread(target=quiet), threading.Thread(target=busy)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == {"enabled": True, "recorded": True}


def test_a_new_thread_starts_with_recording_on_and_anomaly_off():
    with ag.no_grad(), ag.detect_anomaly():
        assert _in_thread(lambda: (ag.is_grad_enabled(), ag.is_anomaly_enabled())) == (True,
                                                                                      False)
        assert not ag.is_grad_enabled() and ag.is_anomaly_enabled()


def test_set_grad_enabled_in_a_thread_stays_there():
    _in_thread(lambda: ag.set_grad_enabled(False))
    assert ag.is_grad_enabled()


def test_a_thread_that_ends_in_anomaly_mode_gives_back_its_count():
    import gc

    from autograd.mode import anywhere

    before = anywhere.anomaly

    def leave_anomaly_on():
        ag.set_detect_anomaly(True)
        return anywhere.anomaly

    assert _in_thread(leave_anomaly_on) == before + 1
    gc.collect()
    assert anywhere.anomaly == before


def test_asyncio_tasks_each_keep_their_own_grad_mode():
    import asyncio

    async def quiet(started, done):
        with ag.no_grad():
            started.set()
            await done.wait()

    async def busy(started, done):
        await started.wait()
        x = ag.ones(2, requires_grad=True)
        recorded = (x * 2).requires_grad
        done.set()
        return recorded

    async def main():
        started, done = asyncio.Event(), asyncio.Event()
        _, recorded = await asyncio.gather(quiet(started, done), busy(started, done))
        return recorded

    assert asyncio.run(main())


def _train(seed: int, steps: int, barrier=None):
    """An MLP trained on its own data; returns its final weights."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((32, 4)).astype(np.float32)
    y = rng.integers(0, 3, 32)
    layers = [nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 3)]
    model = nn.Sequential(*layers)
    for k, p in enumerate(model.parameters()):  # weights from this run's own seed
        p.data[...] = np.random.default_rng((seed, k)).uniform(-0.5, 0.5, p.shape)
    opt = nn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    if barrier is not None:
        barrier.wait()
    for _ in range(steps):
        opt.zero_grad()
        loss = F.cross_entropy(model(ag.tensor(x)), y)
        loss.backward()
        opt.step()
        with ag.no_grad():  # an evaluation between steps, as a training loop does
            model(ag.tensor(x))
    return [p.data.copy() for p in model.parameters()]


def test_two_threads_training_give_the_weights_of_sequential_runs():
    steps = 150
    expected = [_train(seed, steps) for seed in (1, 2)]
    barrier = threading.Barrier(2)
    results, errors = {}, []

    def run(seed):
        try:
            results[seed] = _train(seed, steps, barrier)
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        threads = [threading.Thread(target=run, args=(s,)) for s in (1, 2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(old)
    assert not errors, errors
    for seed, want in zip((1, 2), expected):
        for got, w in zip(results[seed], want):
            np.testing.assert_array_equal(got, w)


def test_backward_in_one_thread_does_not_stop_recording_in_another():
    # the engine switches recording off while it walks the graph: only in its own thread.
    # A hook holds the walk still while another thread records an op.
    inside, checked = threading.Event(), threading.Event()
    seen = {}

    def probe():
        inside.wait(5)
        x = ag.ones(3, requires_grad=True)
        seen["recorded"] = (x * 2).requires_grad
        checked.set()

    def hold(g):
        seen["walk records"] = ag.is_grad_enabled()
        inside.set()
        checked.wait(5)

    t = threading.Thread(target=probe)
    t.start()
    a = ag.ones(3, requires_grad=True)
    y = a * 2
    y.register_hook(hold)
    y.sum().backward()
    t.join()
    assert seen == {"walk records": False, "recorded": True}


def test_set_grad_enabled_as_a_call_and_as_a_context():
    x = ag.ones(2, requires_grad=True)
    try:
        ag.set_grad_enabled(False)
        assert not ag.is_grad_enabled() and not (x * 2).requires_grad
        with ag.set_grad_enabled(True):
            assert (x * 2).requires_grad
        assert not ag.is_grad_enabled()
    finally:
        ag.set_grad_enabled(True)
    with ag.set_grad_enabled(False):
        assert not ag.is_grad_enabled()
    assert ag.is_grad_enabled()


def test_set_grad_enabled_as_a_decorator_switches_only_inside():
    @ag.set_grad_enabled(False)
    def f(t):
        return t * 2

    assert ag.is_grad_enabled()  # decorating switched nothing
    x = ag.ones(2, requires_grad=True)
    assert not f(x).requires_grad
    assert ag.is_grad_enabled()


@pytest.mark.parametrize("decorator", [ag.no_grad, ag.no_grad()], ids=["bare", "called"])
def test_no_grad_on_a_generator_function_runs_its_body_without_recording(decorator):
    x = ag.ones(2, requires_grad=True)

    @decorator
    def gen():
        for _ in range(2):
            received = yield (x * 2).requires_grad, ag.is_grad_enabled()
            assert received == "sent"

    it = gen()
    assert next(it) == (False, False)
    assert ag.is_grad_enabled()  # the caller's mode in between
    assert (x * 2).requires_grad
    assert it.send("sent") == (False, False)
    with pytest.raises(StopIteration):
        it.send("sent")
    assert ag.is_grad_enabled()


def test_enable_grad_on_a_generator_inside_no_grad():
    x = ag.ones(2, requires_grad=True)

    @ag.enable_grad()
    def gen():
        yield (x * 2).requires_grad

    with ag.no_grad():
        assert list(gen()) == [True]
        assert not ag.is_grad_enabled()


def test_a_generator_under_no_grad_sees_exceptions_and_close():
    log = []

    @ag.no_grad()
    def gen():
        try:
            yield 1
        except KeyError:
            log.append(("caught", ag.is_grad_enabled()))
            yield 2
        finally:
            log.append(("closed", ag.is_grad_enabled()))

    it = gen()
    assert next(it) == 1
    assert it.throw(KeyError("k")) == 2
    it.close()
    assert log == [("caught", False), ("closed", False)]
    assert ag.is_grad_enabled()
