"""The in-place guard: editing saved data between forward and backward raises, naming the op."""

import pickle

import numpy as np
import pytest

import autograd as ag
from autograd.versions import TrackedArray


def leaf(*values):
    return ag.Tensor(np.array(values, dtype=np.float64), requires_grad=True)


def test_edit_of_saved_input_raises_naming_the_op():
    x, w = leaf(1.0, 2.0), leaf(3.0, 4.0)
    y = (x * w).sum()
    x.data[0] = 5.0
    with pytest.raises(RuntimeError, match=r"modified in place: its input 0 .* of MulBackward"):
        y.backward()


@pytest.mark.parametrize("edit", [
    lambda d: d.__iadd__(1.0),
    lambda d: d.__imul__(2.0),
    lambda d: d.__ipow__(2.0),
    lambda d: np.multiply(d, 2.0, out=d),
    lambda d: np.negative(np.ones(2), out=d),
    lambda d: np.add(d[:1], 1.0, out=d[1:]),
    lambda d: d.fill(0.0),
    lambda d: d.put([0], 3.0),
    lambda d: d[None][0].__setitem__(0, 7.0),
    lambda d: d.reshape(-1).__setitem__(1, 7.0),
    lambda d: d[::-1].__setitem__(slice(None), 0.0),
    lambda d: d.T.sort(),
])
def test_every_tracked_kind_of_write_is_seen(edit):
    x = leaf(1.0, 2.0)
    y = x.tanh()
    edit(x.data)
    with pytest.raises(RuntimeError, match="TanhBackward"):
        y.sum().backward()


def test_edit_of_saved_output_raises():
    x = leaf(0.5, 1.5)
    y = x.exp()          # ExpBackward reads its output
    z = y.sum()
    y.data[1] = 0.0
    with pytest.raises(RuntimeError, match="its output .* of ExpBackward"):
        z.backward()


def test_augmented_assignment_on_data_and_setter():
    x = leaf(1.0, 2.0)
    y = (x * x).sum()
    x.data += 1.0        # getter, in-place add, then the setter
    with pytest.raises(RuntimeError, match="MulBackward"):
        y.backward()
    x2 = leaf(1.0, 2.0)
    y2 = x2.sin().sum()
    x2.data = np.zeros(2)    # replacing the data is an edit too
    with pytest.raises(RuntimeError, match="SinBackward"):
        y2.backward()


def test_views_of_the_same_memory_share_the_guard():
    x = leaf(1.0, 2.0, 3.0, 4.0)
    v = x.reshape(2, 2)      # a view of x's memory
    y = (v * v).sum()
    x.data[0] = 9.0          # written through x, saved through v
    with pytest.raises(RuntimeError, match="MulBackward"):
        y.backward()
    a = leaf(1.0, 2.0)
    b = a * 1.0
    c = b.sqrt().sum()
    b.detach().data[:] = 4.0   # detach() shares memory
    with pytest.raises(RuntimeError, match="SqrtBackward"):
        c.backward()


def test_ops_that_save_nothing_do_not_complain_like_pytorch():
    x = leaf(1.0, 2.0)
    y = (x + 1.0).reshape(2, 1).sum()
    x.data[:] = 0.0
    y.backward()
    np.testing.assert_array_equal(x.grad.data, [1.0, 1.0])


def test_edits_before_recording_or_after_backward_are_fine():
    x = leaf(1.0, 2.0)
    x.data[0] = 3.0
    y = (x * x).sum()
    y.backward()
    np.testing.assert_allclose(x.grad.data, [6.0, 4.0])
    x.data -= 0.1 * x.grad.data        # an optimizer step
    x.grad = None
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.data, [2 * 2.4, 2 * 1.6])


def test_retained_graph_is_guarded_on_second_backward():
    x = leaf(1.0, 2.0)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    x.data[0] = 0.0
    with pytest.raises(RuntimeError, match="MulBackward"):
        y.backward()


def test_data_is_the_same_memory_values_and_dtype():
    arr = np.arange(6, dtype=np.float32).reshape(2, 3)
    t = ag.Tensor(arr)
    d = t.data
    assert isinstance(d, np.ndarray) and np.shares_memory(d, arr)
    assert d.dtype == np.float32 and d.shape == (2, 3)
    np.testing.assert_array_equal(d, arr)
    assert repr(d) == repr(arr)
    assert type(d + 1) is np.ndarray and type(d.sum(axis=0)) is np.ndarray
    assert type(d.copy()) is np.ndarray and type(d.astype(np.float64)) is np.ndarray
    assert type(pickle.loads(pickle.dumps(d))) is np.ndarray
    assert type(ag.Tensor(d)._data) is np.ndarray    # a Tensor made from .data is plain
    assert isinstance(d[0], TrackedArray)           # a view stays tracked
    before = t._version
    d[0, 0] = 1.0
    assert t._version > before and arr[0, 0] == 1.0


def test_copies_of_data_are_not_tracked():
    x = leaf(1.0, 2.0)
    y = (x * x).sum()
    c = x.data.copy()
    c[0] = 100.0
    e = x.data * 2
    e[0] = 100.0
    y.backward()
    np.testing.assert_allclose(x.grad.data, [2.0, 4.0])


def test_augmented_assignment_keeps_tracking_the_same_view():
    x = leaf(1.0, 2.0)
    d = x.data
    d += 1.0                  # d is still the tracked view afterwards
    y = x.tanh().sum()
    d *= 2.0
    assert type(d) is TrackedArray
    with pytest.raises(RuntimeError, match="TanhBackward"):
        y.backward()


def test_known_limit_writes_through_np_asarray_are_not_seen():
    x = leaf(1.0, 2.0)
    y = (x * x).sum()
    np.asarray(x)[0] = 3.0   # documented: bypasses the guard (like PyTorch's .numpy())
    y.backward()
    np.testing.assert_allclose(x.grad.data, [6.0, 4.0])  # the edited value was used
