"""In-place ops and version counters, PyTorch's way, and the guard that they feed."""

import sys
from pathlib import Path

import numpy as np
import pytest

import autograd as ag
import nn


def leaf(*values, requires_grad=True):
    return ag.Tensor(np.array(values, dtype=np.float64), requires_grad=requires_grad)


# ---------------------------------------------------------------------------- in-place ops

INPLACE = [
    ("+=", lambda t: t.__iadd__(2.0), lambda a: a + 2.0),
    ("-=", lambda t: t.__isub__(ag.tensor([1.0, 2.0, 3.0], dtype=np.float64)),
     lambda a: a - [1.0, 2.0, 3.0]),
    ("*=", lambda t: t.__imul__(3.0), lambda a: a * 3.0),
    ("/=", lambda t: t.__itruediv__(4.0), lambda a: a / 4.0),
    ("add_", lambda t: t.add_(1.5), lambda a: a + 1.5),
    ("sub_", lambda t: t.sub_(0.5), lambda a: a - 0.5),
    ("mul_", lambda t: t.mul_(-2.0), lambda a: a * -2.0),
    ("div_", lambda t: t.div_(2.0), lambda a: a / 2.0),
    ("zero_", lambda t: t.zero_(), lambda a: a * 0.0),
    ("fill_", lambda t: t.fill_(7.0), lambda a: np.full_like(a, 7.0)),
    ("copy_", lambda t: t.copy_(np.array([9.0, 8.0, 7.0])), lambda a: np.array([9.0, 8.0, 7.0])),
    ("clamp_", lambda t: t.clamp_(-0.5, 0.5), lambda a: np.clip(a, -0.5, 0.5)),
    ("setitem", lambda t: t.__setitem__(1, 5.0), lambda a: np.where(np.arange(3) == 1, 5.0, a)),
]


@pytest.mark.parametrize("name,apply,expect", INPLACE, ids=[c[0] for c in INPLACE])
def test_in_place_op_writes_the_same_memory_and_bumps_the_version(name, apply, expect):
    t = ag.tensor([0.25, -1.0, 2.0], dtype=np.float64)
    before, memory, v0 = t.data.copy(), t.data, t._version
    result = apply(t)
    assert result is t and t.data is memory  # same object, same memory
    np.testing.assert_allclose(t.data, expect(before))
    assert t._version == v0 + 1


def test_python_augmented_assignment_keeps_the_object():
    t = ag.tensor([1.0, 2.0])
    alias = t
    t += 1
    t *= 2
    assert alias is t and t.tolist() == [4.0, 6.0] and t._version == 2


def test_versions_are_shared_by_views_of_the_same_memory():
    t = ag.tensor(np.arange(6.0))
    v = t.reshape(2, 3)
    d = t.detach()
    t += 1
    assert t._version == v._version == d._version == 1
    v[0, 0] = 10.0
    assert t.data[0] == 10.0 and t._version == 2


def test_in_place_on_a_leaf_that_requires_grad_is_refused_outside_no_grad():
    w = leaf(1.0, 2.0)
    for op in (lambda: w.__iadd__(1.0), lambda: w.mul_(2.0), lambda: w.__setitem__(0, 1.0),
               lambda: w.zero_()):
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being "
                                               "used in an in-place operation"):
            op()
    assert w.tolist() == [1.0, 2.0] and w._version == 0  # nothing half-applied


def test_sgd_by_hand_with_no_grad_trains_the_seed_network():
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "demos"))
    import quickstart

    x, y = quickstart.data()
    loss_fn = nn.CrossEntropyLoss()

    def train(update) -> tuple[list, nn.Module]:
        model = quickstart.build(seed=1)
        opt = nn.optim.SGD(model.parameters(), lr=0.1)
        losses = []
        for _ in range(150):
            loss = loss_fn(model(x), y)
            losses.append(loss.item())
            model.zero_grad()
            loss.backward()
            update(model, opt)
        return losses, model

    def by_hand(model, opt):
        with ag.no_grad():
            for p in model.parameters():
                p -= 0.1 * p.grad  # rebinding would be a silent no-op: this trains

    losses, model = train(by_hand)
    assert losses[-1] < 0.6 * losses[0]
    ref_losses, ref = train(lambda model, opt: opt.step())
    assert losses == ref_losses  # exactly what the optimizer does
    for p, q in zip(model.parameters(), ref.parameters()):
        np.testing.assert_array_equal(p.data, q.data)


def test_in_place_dtype_and_shape_errors_are_named():
    i = ag.tensor([1, 2, 3])
    with pytest.raises(RuntimeError, match="result type float.* can't be cast to the desired "
                                           "output type int64"):
        i += 1.5
    f = ag.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"output with shape \(2,\) doesn't match the "
                                           r"broadcast shape \(3, 2\)"):
        f += np.ones((3, 2))
    assert f.tolist() == [1.0, 2.0] and f._version == 0


# ---------------------------------------------------------------------------- the guard


def test_backward_after_a_saved_input_changed_names_the_op_and_both_versions():
    x = leaf(1.0, 2.0, requires_grad=False)
    w = leaf(3.0, 4.0)
    y = (x * w).sum()
    x += 1.0
    x += 1.0
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation: the input 0 of "
                                           r"MulBackward.* is at version 2; expected version 0"):
        y.backward()


def test_backward_after_a_saved_output_changed_raises():
    x = leaf(0.5, 1.5)
    h = x * 1.0
    y = h.exp()          # ExpBackward reads its output
    z = y.sum()
    y[1] = 0.0           # recorded, in place on a non-leaf
    with pytest.raises(RuntimeError, match="output of ExpBackward"):
        z.backward()


def test_ops_that_save_nothing_do_not_complain_like_pytorch():
    x = leaf(1.0, 2.0)
    c = ag.tensor([1.0, 1.0], dtype=np.float64)
    y = (x + c).sum()
    c += 5.0
    y.backward()
    assert x.grad.tolist() == [1.0, 1.0]


def test_optimizer_step_between_forward_and_backward_is_caught():
    layer = nn.Linear(3, 2)
    opt = nn.optim.SGD(layer.parameters(), lr=0.1)
    layer(ag.randn(4, 3)).sum().backward()
    loss = layer(ag.randn(4, 3)).sum()
    opt.step()  # writes the weights in place (ag.increment_version)
    with pytest.raises(RuntimeError, match="modified by an inplace operation.*LinearBackward"):
        loss.backward()


def test_writes_through_data_bypass_the_guard_as_in_pytorch():
    x = leaf(1.0, 2.0)
    assert type(x.data) is np.ndarray
    y = (x * x).sum()
    x.data[0] = 3.0      # not seen: the documented escape hatch
    y.backward()
    assert x.grad.tolist() == [6.0, 4.0]
    y2 = (x * x).sum()
    x.data[0] = 1.0
    ag.increment_version(x)  # ... unless reported
    with pytest.raises(RuntimeError, match="MulBackward"):
        y2.backward()


def test_a_function_named_like_a_builtin_op_is_still_guarded():
    class Add(ag.Function):  # named like an op that saves nothing; this one reads its inputs
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a * b

        @staticmethod
        def backward(ctx, g):
            a, b = ctx.saved_tensors
            return g * b, g * a

    a, b = leaf(1.0, 2.0), leaf(3.0, 4.0, requires_grad=False)
    y = Add.apply(a, b).sum()
    b += 1.0
    with pytest.raises(RuntimeError, match="modified by an inplace operation.*AddBackward"):
        y.backward()


def test_retained_graph_is_guarded_on_second_backward():
    x = leaf(1.0, 2.0)
    h = x * 1.0
    y = (h * h).sum()
    y.backward(retain_graph=True)
    with ag.no_grad():
        h += 1.0
    with pytest.raises(RuntimeError, match="MulBackward"):
        y.backward()


# ---------------------------------------------------------------------------- recorded in-place


def test_recorded_in_place_ops_give_the_out_of_place_gradients():
    def in_place(x, y):
        h = x * 2.0
        h *= y
        h += x
        h /= y + 3.0
        h.clamp_(-1.0, 1.5)
        h[0] = x[1] * 4.0
        return h.sum()

    def out_of_place(x, y):
        h = ag.clip((x * 2.0 * y + x) / (y + 3.0), -1.0, 1.5)
        return ag.concatenate([(x[1] * 4.0).reshape(1), h[1:]]).sum()

    x = ag.tensor([0.3, -0.2, 0.5], dtype=np.float64, requires_grad=True)
    y = ag.tensor([1.1, 0.7, 0.9], dtype=np.float64, requires_grad=True)
    assert ag.gradcheck(in_place, (x, y))
    ga = ag.grad(in_place(x, y), (x, y))
    gb = ag.grad(out_of_place(x, y), (x, y))
    for a, b in zip(ga, gb):
        np.testing.assert_allclose(a.data, b.data)
    h = x * 1.0
    h *= 2.0
    assert h.grad_fn.name == "MulBackward" and h.grad_fn.next_functions[0].name == "MulBackward"


def test_earlier_uses_of_a_tensor_keep_their_node_after_it_changes_in_place():
    x = leaf(1.0, 2.0)
    h = x * 2.0
    z = h + 1.0          # uses h as it was
    h *= 5.0             # h becomes a new node; z must still flow to the old one
    z.sum().backward(retain_graph=True)
    assert x.grad.tolist() == [2.0, 2.0]
    x.grad = None
    h.sum().backward()
    assert x.grad.tolist() == [10.0, 10.0]


def test_a_plain_buffer_that_takes_a_graded_value_joins_the_graph():
    x = leaf(1.0, 2.0)
    buf = ag.zeros(3, dtype=np.float64)
    buf[1:] = x * 3.0
    assert buf.grad_fn.name == "IndexPutBackward" and buf.requires_grad
    (buf * buf).sum().backward()
    assert x.grad.tolist() == [18.0, 36.0]


def test_in_place_on_a_recorded_view_is_refused_clearly():
    x = leaf(1.0, 2.0, 3.0)
    h = x * 1.0
    v = h[1:]
    with pytest.raises(RuntimeError, match="view of another tensor's memory"):
        v += 1.0
    assert h.tolist() == [1.0, 2.0, 3.0]
