"""ag.compile: a traced function's replay gives the normal path's numbers bit for bit, and any
function a replay would not reproduce runs as written, with the reason kept."""

from __future__ import annotations

import re
import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd as ag
import nn
import nn.functional as F

rng = np.random.default_rng(0)


def leaf(*shape, dtype=np.float64):
    return ag.tensor(rng.standard_normal(shape).astype(dtype), requires_grad=True)


def grads_of(fn, *args):
    """fn's value and the gradients of its tensor arguments that require grad."""
    for a in args:
        if isinstance(a, ag.Tensor):
            a.grad = None
    out = fn(*args)
    out.backward()
    return out.data.copy(), [a.grad.data.copy() for a in args
                             if isinstance(a, ag.Tensor) and a.requires_grad]


def assert_same(a, b):
    (va, ga), (vb, gb) = a, b
    np.testing.assert_array_equal(va, vb)
    assert len(ga) == len(gb)
    for x, y in zip(ga, gb):
        np.testing.assert_array_equal(x, y)


def chain(x, w):
    y = x
    for _ in range(20):
        y = ag.tanh(y * w + x) - 0.5 * y
    return (y / 3.0).sum()


def test_a_chain_replays_bit_for_bit_on_new_values():
    f = ag.compile(chain)
    for _ in range(4):
        x, w = leaf(8, 8, dtype=np.float32), leaf(8, dtype=np.float32)
        assert_same(grads_of(f, x, w), grads_of(chain, x, w))
    assert f.reasons == {}
    assert f(x, w).grad_fn.name == "CompiledBackward"


def test_new_shapes_trace_again_and_each_replays():
    f = ag.compile(chain)
    for shape in [(3, 4), (5, 4), (3, 4), (5, 4)]:
        x, w = leaf(*shape), leaf(shape[-1])
        assert_same(grads_of(f, x, w), grads_of(chain, x, w))
    assert len([p for p in f._programs.values()]) == 2


def test_broadcasting_and_reductions_over_each_axis():
    def fn(a, b, axis, keepdims):
        return ((a * b).sum(axis=axis, keepdims=keepdims) * 2.0).mean()

    f = ag.compile(fn)
    for axis in (None, 0, 1, (0, 1)):
        for keepdims in (False, True):
            for _ in range(2):
                a, b = leaf(3, 1), leaf(1, 4)  # broadcast both ways: gradients summed back
                assert_same(grads_of(lambda *t, ax=axis, k=keepdims: f(*t, ax, k), a, b),
                            grads_of(lambda *t, ax=axis, k=keepdims: fn(*t, ax, k), a, b))


def _digits():
    from sklearn.datasets import load_digits

    d = load_digits()
    return (d.data / 16.0).astype(np.float32), d.target.astype(np.int64)


def _both_ways(build, batches, clip: bool = False) -> list:
    """Train the ``(model, optimizer, loss_fn)`` that ``build()`` makes on ``batches`` (tuples
    of ``loss_fn``'s arguments) three times from the same seed: as written, with ``loss_fn``
    through ``ag.compile``, and with the whole step (the loss, ``zero_grad``, ``backward``,
    clipping, ``step``) through it; assert the same losses, final parameters, buffers and
    optimizer state, bit for bit, and that every compiled call was replayed. Returns the final
    tensors."""
    runs = []
    for how in ("as written", "loss compiled", "step compiled"):
        ag.manual_seed(0)
        model, opt, loss_fn = build()
        inner = ag.compile(loss_fn) if how == "loss compiled" else loss_fn

        def train_step(*args, inner=inner, model=model, opt=opt):
            loss = inner(*args)
            opt.zero_grad()
            loss.backward()
            if clip:
                nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            return loss

        step = ag.compile(train_step) if how == "step compiled" else train_step
        losses = [step(*args).item() for args in batches]
        compiled = step if how == "step compiled" else inner
        if how != "as written":
            assert compiled.reasons == {}, compiled.reasons
            assert any(p.checked for p in compiled._programs.values())  # replayed
        state = [v.copy() for s in opt.state.values() for v in s.values()
                 if isinstance(v, np.ndarray)]
        runs.append((losses, [t.data.copy() for t in (*model.parameters(), *model.buffers())]
                     + state))
    (la, ta), *others = runs
    for lb, tb in others:
        assert la == lb
        assert len(ta) == len(tb)
        for a, b in zip(ta, tb):
            np.testing.assert_array_equal(a, b)
    return runs[-1][1][:len(runs[-1][1]) - len(state)]


@pytest.mark.parametrize("which", ["digits MLP, SGD", "seed network, Adam"])
def test_training_is_bit_identical_to_the_normal_path(which):
    if which.startswith("digits"):
        x, y = _digits()
        sizes, batch, make_opt = (64, 256, 256, 10), 64, lambda ps: nn.optim.SGD(ps, lr=0.05)
    else:  # the tutorial's 3-feature, 3-class network (demos/quickstart.py)
        x = rng.standard_normal((12, 3)).astype(np.float32)
        y = rng.integers(0, 3, 12)
        sizes, batch, make_opt = (3, 3, 3, 3), 4, lambda ps: nn.optim.Adam(ps, lr=0.01)
    order = np.random.default_rng(1).permutation(len(x))
    idx = [order[i:i + batch] for i in range(0, len(x) - batch + 1, batch)]

    def build():
        layers = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            layers += [nn.Linear(a, b), nn.ReLU()]
        model = nn.Sequential(*layers[:-1])
        return model, make_opt(model.parameters()), \
            lambda xb, yb: F.cross_entropy(model(xb), yb)

    _both_ways(build, [(ag.Tensor(x[i]), y[i]) for i in (idx * 20)[:20]])


def _reason(fn, *args, same=True):
    f = ag.compile(fn)
    first = f(*args)
    second = f(*args)  # runs as written: the same values as the function
    for a, b in zip(*((r,) if isinstance(r, ag.Tensor) else r for r in (first, second))):
        assert a.shape == b.shape
        if same:
            np.testing.assert_array_equal(a.data, b.data)
    (why,) = f.reasons.values()
    return why


@pytest.mark.parametrize("fn, why", [
    (lambda x: x * x.sum().item(), r"reads a tensor's value \(\.item\(\)\)"),
    (lambda x: x * float(x.sum()), r"float\(\)"),
    (lambda x: x * 2.0 if x.sum() > 0 else x * 3.0, "truth value"),
    (lambda x: x * ag.tensor(x.data.max()), r"\.data"),
    (lambda x: ag.exp(x).sum(), "op 'exp' has no replay kernel"),
    (lambda x: (x * 1.0, x * 2.0), "returns a tuple"),
    (lambda x: x, "returns one of its inputs"),
    (lambda x: F.dropout(x * 1.0, 0.5), "random numbers"),
])
def test_what_a_replay_would_not_reproduce_runs_as_written(fn, why):
    x = ag.tensor(rng.standard_normal(5))
    assert re.search(why, _reason(fn, x, same=why != "random numbers"))


def test_in_place_writes_backward_and_hooks_inside_are_not_replayed():
    def writes(x):
        y = x * 1.0
        y += 1.0
        return y.sum()

    def backward_inside(w):
        y = w * 1.0
        (w * w).sum().backward()
        return y

    def grad_inside(w):
        (g,) = ag.grad((w * w).sum(), w)
        return (w * g).sum()

    def hooked(w):
        y = w * 2.0
        y.retain_grad()
        return y.sum()

    w = leaf(3)
    assert "in place" in _reason(writes, w)
    assert "backward() on a tensor it does not return" in _reason(backward_inside, w)
    assert "ag.grad" in _reason(grad_inside, w)
    assert "retain_grad" in _reason(hooked, w)


def test_tensors_from_outside_are_read_at_each_call_arrays_made_inside_are_not_replayed():
    outside = ag.tensor(np.arange(3.0))  # made before: read by reference, afresh each call
    computed = leaf(3) * 2.0
    w = leaf(3)
    f = ag.compile(lambda v: (v * outside).sum())
    f(w), f(w)
    outside.data = np.array([5.0, -1.0, 2.0])
    assert_same(grads_of(f, w), grads_of(lambda v: (v * outside).sum(), w))
    assert f.reasons == {}
    assert "computed outside the function" in _reason(lambda v: (v * computed).sum(), w)
    inside = np.arange(3.0)
    assert "makes a tensor of shape (3,) from an array" in \
        _reason(lambda v: (v * ag.tensor(inside)).sum(), w)
    # as an argument, the same function replays, with each call's array
    f = ag.compile(lambda v, c: (v * c).sum())
    for _ in range(3):
        c = ag.tensor(rng.standard_normal(3))
        assert_same(grads_of(f, w, c), grads_of(lambda v, c: (v * c).sum(), w, c))
    assert f.reasons == {}


def test_parameters_are_read_at_each_call_and_a_new_shape_traces_again():
    lin = nn.Linear(4, 3)
    f = ag.compile(lambda x: lin(x).sum())
    x = ag.tensor(rng.standard_normal((2, 4)).astype(np.float32))
    f(x), f(x)
    lin.weight.data = lin.weight.data * 2  # a new value: read by the replay
    np.testing.assert_array_equal(f(x).data, lin(x).sum().data)
    lin.bias.requires_grad_(False)  # no longer a parameter: the replay's guard traces again
    np.testing.assert_array_equal(f(x).data, lin(x).sum().data)
    lin.weight.grad = None
    f(x).backward()
    assert lin.bias.grad is None and lin.weight.grad is not None
    assert f.reasons == {}  # (the bias, no longer trained, is read as a constant)


def test_gradients_reach_arguments_and_parameters_and_accumulate():
    lin = nn.Linear(3, 2)
    f = ag.compile(lambda x: (lin(x) * lin(x)).mean())
    x = leaf(4, 3, dtype=np.float32)
    for _ in range(2):
        f(x)
    lin.zero_grad()
    x.grad = None
    (lin(x) * lin(x)).mean().backward()
    (lin(x) * lin(x)).mean().backward()
    eager = [x.grad.data.copy()] + [p.grad.data.copy() for p in lin.parameters()]
    lin.zero_grad()
    x.grad = None
    f(x).backward()
    f(x).backward()
    compiled = [x.grad.data] + [p.grad.data for p in lin.parameters()]
    for a, b in zip(eager, compiled):
        np.testing.assert_array_equal(a, b)


def test_retain_graph_and_create_graph():
    f = ag.compile(chain)
    x, w = leaf(3, 3), leaf(3)
    f(x, w)
    out = f(x, w)
    out.backward(retain_graph=True)
    first = x.grad.data.copy()
    out.backward()
    np.testing.assert_array_equal(x.grad.data, 2 * first)
    with pytest.raises(RuntimeError, match="create_graph"):
        ag.grad(f(x, w), x, create_graph=True)
    with pytest.raises(RuntimeError, match="second time"):
        out.backward()


def test_without_grad_the_result_is_a_plain_tensor():
    f = ag.compile(chain)
    x, w = leaf(3, 3), leaf(3)
    with ag.no_grad():
        a, b = f(x, w), f(x, w)
    assert not a.requires_grad and not b.requires_grad
    np.testing.assert_array_equal(a.data, chain(x, w).data)
    np.testing.assert_array_equal(b.data, a.data)


def test_the_same_tensor_twice_is_a_signature_of_its_own():
    f = ag.compile(lambda a, b: (a * b).sum())
    a, b = leaf(3), leaf(3)
    f(a, a), f(a, a)
    assert_same(grads_of(f, a, b), grads_of(lambda a, b: (a * b).sum(), a, b))
    f(a, a).backward()
    assert len(f._programs) == 2


def test_labels_a_kernel_does_not_cover_run_as_written():
    lin = nn.Linear(3, 4)
    fn = lambda x, y: F.cross_entropy(lin(x), y)  # noqa: E731
    f = ag.compile(fn)
    x = ag.tensor(rng.standard_normal((2, 3)).astype(np.float32))
    f(x, np.array([0, 3])), f(x, np.array([1, 2]))
    with pytest.raises(IndexError, match="target 4 is out of bounds for 4 classes"):
        f(x, np.array([4, 0]))
    with pytest.raises(IndexError, match="target -1"):
        f(x, np.array([-1, 0]))
    ignored = np.array([-100, 1])  # PyTorch's ignore_index: counts for nothing, as written
    np.testing.assert_array_equal(f(x, ignored).data, fn(x, ignored).data)
    assert f(x, np.array([1, 2])).grad_fn.name == "CompiledBackward" and f.reasons == {}


def test_plain_arguments_are_part_of_the_signature():
    f = ag.compile(lambda x, k: (x * k).sum())
    x = leaf(3)
    for k in (2.0, 3.0, 2.0, 3.0):
        assert_same(grads_of(lambda x, k=k: f(x, k), x),
                    grads_of(lambda x, k=k: (x * k).sum(), x))
    assert len(f._programs) == 2


def test_replays_in_threads_give_each_their_own_gradients():
    f = ag.compile(chain)
    w = leaf(4)
    f(leaf(2, 4), w)
    xs = [leaf(2, 4) for _ in range(8)]
    expected = [grads_of(chain, x, w)[1][0] for x in xs]
    results: list = [None] * len(xs)

    def run(i):
        out = f(xs[i], w)
        (gx,) = ag.grad(out, xs[i])
        results[i] = gx.data

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(xs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r, e in zip(results, expected):
        np.testing.assert_array_equal(r, e)


UNARY = [ag.tanh, ag.relu, lambda t: -t, lambda t: t.reshape(-1).reshape(t.shape)]
BINARY = [lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b,
          lambda a, b: a / (b * b + 1.0)]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(UNARY) - 1), st.integers(0, len(BINARY) - 1),
                          st.booleans()), min_size=1, max_size=8),
       st.sampled_from([((3, 4), (4,)), ((2, 1, 3), (2, 3)), ((5,), ())]))
def test_random_compositions_replay_bit_for_bit(program, shapes):
    def fn(x, w):
        y = x
        for u, b, swap in program:
            y = UNARY[u](BINARY[b](w, y) if swap else BINARY[b](y, w))
        return y.sum()

    f = ag.compile(fn)
    for _ in range(3):
        x, w = leaf(*shapes[0]), leaf(*shapes[1])
        assert_same(grads_of(f, x, w), grads_of(fn, x, w))
    assert f.reasons == {}
    # every op here has a backward kernel: the backward ran as one function of arrays; the
    # ops' own backward functions on the program's tensors give the same numbers
    (replay,) = f._programs.values()
    assert replay.array_backward is not None
    replay.array_backward = None
    x, w = leaf(*shapes[0]), leaf(*shapes[1])
    assert_same(grads_of(f, x, w), grads_of(fn, x, w))


def test_makemore_with_batchnorm_replays_bit_for_bit_running_statistics_too():
    # embedding, flatten, linear, batch_norm in training (its running statistics and batch
    # count updated by the replay, as the op updates them), tanh, linear, cross_entropy
    xs = rng.integers(0, 27, (12, 8, 3))
    ys = rng.integers(0, 27, (12, 8))
    made = []

    def build():
        model = nn.Sequential(nn.Embedding(27, 5), nn.Flatten(), nn.Linear(15, 20, bias=False),
                              nn.BatchNorm1d(20), nn.Tanh(), nn.Linear(20, 27))
        made.append(model)
        return model, nn.optim.SGD(model.parameters(), lr=0.1), \
            lambda xb, yb: F.cross_entropy(model(xb), yb)

    final = _both_ways(build, list(zip(xs, ys)))
    assert len(final) == 9  # six parameters; the running mean, variance and batch count
    assert int(final[-1]) == len(xs)
    model = made[-1]
    model.eval()  # eval mode (fixed statistics) is not replayed: it runs as written
    f = ag.compile(lambda xb: model(xb).sum())
    f(xs[0]), f(xs[0])
    assert "not replayed for these arguments" in next(iter(f.reasons.values()))


def test_an_in_place_write_that_no_kernel_makes_is_not_replayed():
    buf = ag.tensor(np.zeros(3))

    def fn(x):
        buf.add_(1.0)  # a side effect of the function's own
        return (x * 2.0).sum()

    assert "in place" in _reason(fn, leaf(3))


def _gpt_module():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "demos" / "gpt.py"
    spec = importlib.util.spec_from_file_location("gpt_demo_for_compile", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_gpt_demos_model_replays_bit_for_bit():
    # embeddings (positions from ag.arange: a constant of the trace), layer_norm, linear,
    # split, transpose, causal attention, GELU, residual adds, the tied output layer and
    # cross_entropy on targets.reshape(-1) (a view of an argument), with AdamW and clipping
    gpt = _gpt_module()

    def build():
        model = gpt.GPT(11, block_size=8, n_layer=1, n_head=2, n_embd=8)
        return model, model.optimizer(1e-2), lambda xb, yb: model(xb, yb)[1]

    batches = list(zip(rng.integers(0, 11, (4, 2, 8)), rng.integers(0, 11, (4, 2, 8))))
    _both_ways(build, batches, clip=True)


def test_an_array_made_inside_from_an_argument_is_not_replayed():
    lin = nn.Linear(3, 4)

    def fn(x, y):
        return F.cross_entropy(lin(x), y + 0)  # a new array computed from the argument

    x = ag.tensor(rng.standard_normal((2, 3)).astype(np.float32))
    assert "not an argument" in _reason(fn, x, np.array([0, 1]))


def test_a_small_cnn_replays_bit_for_bit():
    # conv2d (padding), relu, max_pool2d, flatten, linear, cross_entropy, with Adam
    def build():
        model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Conv2d(4, 6, 3), nn.ReLU(), nn.Flatten(), nn.Linear(24, 10))
        return model, nn.optim.Adam(model.parameters(), lr=1e-2), \
            lambda xb, yb: F.cross_entropy(model(xb), yb)

    xs = rng.standard_normal((4, 6, 1, 8, 8)).astype(np.float32)
    _both_ways(build, list(zip(xs, rng.integers(0, 10, (4, 6)))))


def test_train_and_eval_trace_again():
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))
    f = ag.compile(lambda x: model(x).sum())
    x = ag.tensor(rng.standard_normal((5, 3)).astype(np.float32))
    f(x), f(x)
    model.eval()  # eval mode normalizes with the running statistics: not the trace's path
    np.testing.assert_array_equal(f(x).data, model(x).sum().data)
    model.train()
    before = model[1].running_mean.data.copy()
    f(x), f(x)  # traced again in training mode: replayed, and updating the statistics
    assert not np.array_equal(model[1].running_mean.data, before)


def test_a_tensor_that_requires_grad_made_inside_is_not_replayed():
    def fn(x):
        w = ag.tensor(np.ones(3), requires_grad=True)
        return (x * w).sum()

    assert "makes a tensor that requires grad" in _reason(fn, leaf(3))


def test_switching_modes_every_epoch_keeps_replaying():
    model = nn.Sequential(nn.Linear(3, 2))
    f = ag.compile(lambda x: model(x).sum())
    x = ag.tensor(rng.standard_normal((4, 3)).astype(np.float32))
    for _ in range(20):  # more switches than a function keeps signatures
        model.train()
        f(x), f(x)
        model.eval()
    model.train()
    f(x), f(x)  # traced, then checked beside the function
    assert f(x).grad_fn.name == "CompiledBackward" and f.reasons == {}


def test_a_kernel_bailing_out_after_an_update_leaves_the_statistics_as_written():
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 3))
    twin = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 3))
    twin.load_state_dict(model.state_dict())
    f = ag.compile(lambda x, y: F.cross_entropy(model(x), y))
    g = lambda x, y: F.cross_entropy(twin(x), y)  # noqa: E731
    x = ag.tensor(rng.standard_normal((5, 3)).astype(np.float32))
    for y in (np.array([0, 1, 2, 0, 1]), np.array([0, 1, 2, 0, 1]),
              np.array([0, 1, -100, 0, 1])):  # the last: ignore_index, not the kernel's case
        np.testing.assert_array_equal(f(x, y).data, g(x, y).data)
    for a, b in zip(model.buffers(), twin.buffers()):  # updated once per call, as written
        np.testing.assert_array_equal(a.data, b.data)
    assert f.reasons == {}


def test_an_argument_that_cannot_be_keyed_runs_as_written():
    f = ag.compile(lambda xs: (xs[0] * xs[1]).sum())
    a, b = leaf(3), leaf(3)
    np.testing.assert_array_equal(f([a, b]).data, (a * b).sum().data)
    assert "neither a Tensor" in f.reasons[None]


def test_embedding_indices_out_of_range_are_named_on_replay_too():
    emb = nn.Embedding(5, 2)
    f = ag.compile(lambda idx: emb(idx).sum())
    f(np.array([0, 4])), f(np.array([1, 2]))
    with pytest.raises(IndexError, match="index 5 is out of range for num_embeddings=5"):
        f(np.array([5, 0]))
    assert f(np.array([3, 3])).grad_fn.name == "CompiledBackward" and f.reasons == {}


def test_the_backward_kernels_and_the_ops_backward_functions_agree_bit_for_bit():
    # the digits MLP, makemore's model, a CNN, an attention block and a 1-D convolution: the
    # backward as one function of arrays (each op's replay_backward), then forced onto the
    # ops' backward functions: the same gradients
    x, y = _digits()
    mlp = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    emb = nn.Sequential(nn.Embedding(27, 5), nn.Flatten(), nn.Linear(15, 20, bias=False),
                        nn.BatchNorm1d(20), nn.Tanh(), nn.Linear(20, 27))
    cnn = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Flatten(), nn.Linear(64, 10))

    class Block(nn.Module):  # attention, GELU both ways, the normalizations
        def __init__(self):
            super().__init__()
            self.qkv, self.ln, self.rms = nn.Linear(8, 24), nn.LayerNorm(8), nn.RMSNorm(8)
            self.head = nn.Linear(8, 5)

        def forward(self, t):
            q, k, v = self.qkv(self.ln(t)).split(8, dim=2)
            h = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            h = F.gelu(h) + F.gelu(h, approximate="tanh")
            return self.head(self.rms(h)).reshape(-1, 5)

    seq = nn.Sequential(nn.Conv1d(3, 6, 3, padding=1), nn.ReLU(), nn.Flatten(),
                        nn.Linear(24, 4))
    for model, args in ((mlp, (ag.Tensor(x[:16]), y[:16])),
                        (emb, (rng.integers(0, 27, (8, 3)), rng.integers(0, 27, 8))),
                        (cnn, (ag.Tensor(x[:8].reshape(8, 1, 8, 8)), y[:8])),
                        (Block(), (ag.Tensor(x[:3, :48].reshape(3, 6, 8)), y[:18] % 5)),
                        (seq, (ag.Tensor(x[:5, :12].reshape(5, 3, 4)), y[:5] % 4))):
        f = ag.compile(lambda a, b, m=model: F.cross_entropy(m(a), b))
        f(*args), f(*args)
        (program,) = f._programs.values()
        assert program.array_backward is not None
        found = []
        for arrays in (True, False):
            if not arrays:
                program.array_backward = None
            for p in model.parameters():
                p.grad = None
            f(*args).backward()
            found.append([p.grad.data.copy() for p in model.parameters()])
        for a, b in zip(*found):
            np.testing.assert_array_equal(a, b)


def test_the_replayable_ops_are_listed_and_each_is_a_declared_op():
    names = ag.replayable_ops()
    for name in ("add", "mul", "tanh", "sum", "linear", "cross_entropy", "batch_norm",
                 "conv2d", "max_pool2d", "scaled_dot_product_attention", "gelu"):
        assert name in names
    assert all(ag.OPS[n].replay is not None for n in names)


def test_a_value_the_trace_fixed_is_caught_on_the_second_call():
    # np.mean of an array argument is a number in Python: no tensor read shows it, so the
    # second call runs both ways, sees the replay differ and runs the function as written
    fn = lambda x, y: (x * np.mean(y)).sum()  # noqa: E731
    f = ag.compile(fn)
    x = leaf(3)
    for y in (np.arange(3.0), np.arange(3.0) * 2, np.arange(3.0) * 5):
        assert_same(grads_of(f, x, y), grads_of(fn, x, y))
    assert "differed from the function on its second call" in next(iter(f.reasons.values()))


def _step_both_ways(make, batches) -> list:
    """Train with the whole step (``make(model, opt)`` returns it) as written and compiled;
    assert the same losses, parameters, optimizer state and rate, bit for bit."""
    x, y = _digits()
    runs = []
    for compiled in (False, True):
        ag.manual_seed(0)
        model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
        opt = nn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        sched = nn.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
        step = make(model, opt, sched)
        step = ag.compile(step) if compiled else step
        losses = [step(ag.Tensor(x[i]), y[i]).item() for i in batches]
        if compiled:
            assert step.reasons == {}, step.reasons
        momenta = [opt.state[p]["momentum_buffer"].copy() for p in model.parameters()]
        runs.append((losses, [p.data.copy() for p in model.parameters()], momenta,
                     sched.get_last_lr(), [p.grad.data.copy() for p in model.parameters()]))
    (la, *ta), (lb, *tb) = runs
    assert la == lb
    for a, b in zip(ta, tb):
        if isinstance(a, list) and a and isinstance(a[0], np.ndarray):
            for u, v in zip(a, b):
                np.testing.assert_array_equal(u, v)
        else:
            assert a == b
    return lb


def test_a_whole_training_step_compiles_bit_for_bit():
    # zero_grad, the loss, backward(), clipping, the optimizer's and the scheduler's steps:
    # the replay makes the calls again (ag.replay_call), in order, after the ops
    def make(model, opt, sched):
        def train_step(xb, yb):
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 0.5)
            opt.step()
            sched.step()
            return loss
        return train_step

    batches = [np.arange(i, i + 16) for i in range(0, 160, 16)]
    losses = _step_both_ways(make, batches)
    assert losses[-1] < losses[0]


def test_a_compiled_step_with_module_zero_grad_value_clipping_and_retain_graph():
    def make(model, opt, sched):
        def train_step(xb, yb):
            model.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward(retain_graph=True)
            nn.utils.clip_grad_value_(model.parameters(), 0.01)
            opt.step()
            return loss
        return train_step

    batches = [np.arange(i, i + 8) for i in range(0, 48, 8)]
    _step_both_ways(make, batches)
    # with retain_graph, the returned loss can go backward once more, as written
    model = nn.Linear(3, 2)
    f = ag.compile(lambda x: _backward_kept(model(x).sum()))
    for _ in range(3):
        model.weight.grad = None
        out = f(ag.ones(4, 3))
        out.backward()  # the second pass through the kept graph
        np.testing.assert_array_equal(model.weight.grad.data, np.full((2, 3), 8.0))


def _backward_kept(loss):
    loss.backward(retain_graph=True)
    return loss


def test_what_a_compiled_step_cannot_replay_runs_as_written():
    model = nn.Linear(3, 2)
    opt = nn.optim.SGD(model.parameters(), lr=0.1)
    x = ag.tensor(rng.standard_normal((4, 3)).astype(np.float32))

    def op_after_step(x):
        loss = model(x).sum()
        loss.backward()
        opt.step()
        return loss * 2.0  # an op after the step: a replay makes the step after the ops

    def backward_twice(x):
        loss = model(x).sum()
        loss.backward(retain_graph=True)
        loss.backward()
        return loss

    def uses_the_norm(x):
        loss = model(x).sum()
        loss.backward()
        norm = nn.utils.clip_grad_norm_(list(model.parameters()), 1.0)
        return loss + norm

    def reads_a_gradient(x):
        loss = model(x).sum()
        loss.backward()
        return loss * float(model.weight.grad.sum())

    for fn, why in ((op_after_step, "after its backward"), (backward_twice, "twice"),
                    (uses_the_norm, "what an ag.replay_call returned"),
                    (reads_a_gradient, r"reads a tensor's value \(float\(\)\)")):
        f = ag.compile(fn)
        f(x), f(x)
        (reason,) = f.reasons.values()
        assert re.search(why, reason), reason


def test_replay_call_outside_a_trace_just_calls_and_inside_is_made_at_each_replay():
    log = []
    assert ag.replay_call(log.append, 1) is None and log == [1]
    f = ag.compile(lambda x: (ag.replay_call(log.append, 2, writes=False), x * 2.0)[1].sum())
    x = ag.ones(3)
    for _ in range(4):
        f(x)
    assert log == [1, 2, 2, 2, 2] and f.reasons == {}


def test_a_compiled_step_runs_parameter_hooks_accumulates_and_takes_a_closure():
    # a hook on a parameter runs at each replayed backward(); without zero_grad the
    # gradients accumulate; an optimizer's step with a closure runs the closure each time;
    # SequentialLR's step is made at each replay
    x, y = _digits()
    runs = []
    for compiled in (False, True):
        ag.manual_seed(0)
        model = nn.Sequential(nn.Linear(64, 16), nn.Tanh(), nn.Linear(16, 10))
        seen = []
        model[0].weight.register_hook(
            lambda g, seen=seen: seen.append(float(g.data.sum())) or g * 0.5)
        opt = nn.optim.SGD(model.parameters(), lr=0.05)
        sched = nn.optim.lr_scheduler.SequentialLR(
            opt, [nn.optim.lr_scheduler.LinearLR(opt, 0.5, total_iters=2),
                  nn.optim.lr_scheduler.ExponentialLR(opt, 0.9)], milestones=[2])

        def closure(model=model):
            return F.cross_entropy(model(x[:4]), y[:4])

        def train_step(xb, yb, model=model, opt=opt, sched=sched):
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()  # no zero_grad: gradients accumulate across steps
            opt.step(closure)
            sched.step()
            return loss

        step = ag.compile(train_step) if compiled else train_step
        losses = [step(ag.Tensor(x[i:i + 8]), y[i:i + 8]).item() for i in range(0, 48, 8)]
        if compiled:
            assert step.reasons == {} and any(p.checked for p in step._programs.values())
        runs.append((losses, seen, opt.param_groups[0]["lr"],
                     [p.data.copy() for p in model.parameters()],
                     [p.grad.data.copy() for p in model.parameters()]))
    (la, sa, ra, pa, ga), (lb, sb, rb, pb, gb) = runs
    assert la == lb and sa == sb and ra == rb and len(sa) == 6
    for a, b in zip(pa + ga, pb + gb):
        np.testing.assert_array_equal(a, b)
