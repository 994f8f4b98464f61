"""detect_anomaly names the op whose backward produced NaN/Inf and the user line creating it."""

import numpy as np
import pytest

import autograd as ag
from autograd.mode import state


def test_names_op_and_creation_line():
    x = ag.Tensor(np.array([0.0, 1.0]), requires_grad=True)
    with ag.detect_anomaly():
        h = x * 2.0
        r = h.sqrt()  # the culprit: d sqrt / dx = inf at 0
        y = (r * 0.0).sum()
        with pytest.raises(RuntimeError) as info:
            y.backward()
    msg = str(info.value)
    assert "SqrtBackward" in msg and "MulBackward" not in msg
    assert "test_anomaly.py:" in msg and "r = h.sqrt()" in msg
    assert "inf" in msg
    assert isinstance(info.value, ag.AnomalyError)


def test_nan_from_log_of_negative():
    x = ag.Tensor(np.array([0.0, 2.0]), requires_grad=True)
    with ag.detect_anomaly():
        z = x * 1.0
        w = (z * z).log()  # log'(0) * 0 = inf * 0 = nan
        with pytest.raises(ag.AnomalyError, match=r"LogBackward returned nan .*w = \(z \* z\)"):
            (w * 0.0).sum().backward()


def test_site_skips_library_frames_and_points_at_user_code():
    x = ag.Tensor(np.ones(3), requires_grad=True)
    with ag.detect_anomaly():
        y = ag.var(x)  # composite: sub, mul, sum and div recorded inside the library
    for node in (y.grad_fn, y.grad_fn.parents[0].grad_fn):  # DivBackward, SumBackward
        assert "test_anomaly.py" in node.site and "ag.var(x)" in node.site


def test_normal_mode_records_no_site_and_lets_nan_through():
    x = ag.Tensor(np.array([0.0, 1.0]), requires_grad=True)
    y = (x.sqrt() * 0.0).sum()
    assert y.grad_fn.site is None
    y.backward()
    assert np.isnan(x.grad.data[0])


def test_finite_backward_passes_and_mode_restores():
    x = ag.Tensor(np.array([0.5, 1.0]), requires_grad=True)
    assert not ag.is_anomaly_enabled()
    with ag.detect_anomaly():
        assert ag.is_anomaly_enabled()
        (x.tanh() * x).sum().backward()
    assert not state.anomaly
    np.testing.assert_allclose(x.grad.data, np.tanh(x.data) + x.data * (1 - np.tanh(x.data) ** 2))


def test_mode_restored_after_error_and_as_decorator():
    @ag.detect_anomaly()
    def run():
        x = ag.Tensor(np.array([0.0]), requires_grad=True)
        (x.sqrt() * 0.0).sum().backward()

    with pytest.raises(ag.AnomalyError):
        run()
    assert not state.anomaly


def test_nan_seed_gradient_is_reported():
    x = ag.Tensor(np.array([1.0, 2.0]), requires_grad=True)
    with ag.detect_anomaly():
        y = x * 3.0
        with pytest.raises(ag.AnomalyError, match="flowing into MulBackward"):
            y.backward(np.array([np.nan, 1.0]))


def test_create_graph_double_backward_checked():
    x = ag.Tensor(np.array([0.0, 1.0]), requires_grad=True)
    with ag.detect_anomaly():
        y = (x ** 1.5).sum()
        (g,) = ag.grad(y, x, create_graph=True)  # 1.5 x^0.5, finite
        with pytest.raises(ag.AnomalyError, match="Backward returned inf"):
            g.sum().backward()  # 0.75 x^-0.5 is inf at 0
