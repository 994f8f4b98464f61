"""The lessons after micrograd, timed per training step against their baselines (one process,
cases interleaved, medians): ``python -m benchmarks lessons``.

- makemore's MLP + BatchNorm step (vocab 27, block 3, embedding 10, hidden 200, batch 32, SGD)
  against the same step backpropagated by hand in numpy (lecture 5's manual backward);
- a tiny GPT step (vocab 65, block 32, 64 wide, 2 layers, 4 heads, batch 16, AdamW and
  ``clip_grad_norm_``) against PyTorch on CPU;
- the digits CNN step (demos/cnn_digits.py's model, batch 64, Adam) against PyTorch;
- exact GELU against tanh GELU (forward and backward of one (512, 256) float32 activation, and
  the GPT step with each).

numpy's BLAS and PyTorch both run on one thread (PyTorch's fastest setting at these sizes).
The makemore case runs before PyTorch is imported (as in a makemore script: the cyclic
collector then has no torch objects to walk); the others run with PyTorch loaded.
"""

from __future__ import annotations

import contextlib
import importlib.util
import time
from pathlib import Path

import numpy as np

import autograd as ag
import nn
import nn.functional as F

from ._timing import Timings, have, interleaved, settle, table

DEMOS = Path(__file__).resolve().parents[1] / "demos"
STEPS = 10  # steps per timed call


def _demo(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_demo_{name}", DEMOS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pause() -> None:
    time.sleep(0.02)  # let torch's OpenMP threads stop spinning before the next timed call


# ---------------------------------------------------------------------------- makemore


class MakemoreByHand:
    """The makemore MLP + BatchNorm step in numpy with the backward pass written by hand
    (Karpathy's lecture 5), PyTorch's BatchNorm (biased variance to normalize, unbiased in the
    running estimate), SGD."""

    def __init__(self, params: dict, lr: float = 0.1, eps: float = 1e-5) -> None:
        self.p = {k: v.copy() for k, v in params.items()}
        self.lr, self.eps = lr, eps
        self.running_mean = np.zeros(params["W1"].shape[1], np.float32)
        self.running_var = np.ones(params["W1"].shape[1], np.float32)

    def step(self, xb: np.ndarray, yb: np.ndarray) -> float:
        p, n = self.p, len(xb)
        emb = p["C"][xb]
        embcat = emb.reshape(n, -1)
        hprebn = embcat @ p["W1"]
        bnmean = hprebn.mean(0, keepdims=True)
        bndiff = hprebn - bnmean
        bnvar = (bndiff * bndiff).mean(0, keepdims=True)
        bnvar_inv = (bnvar + self.eps) ** -0.5
        bnraw = bndiff * bnvar_inv
        hpreact = p["gamma"] * bnraw + p["beta"]
        h = np.tanh(hpreact)
        logits = h @ p["W2"] + p["b2"]
        shifted = logits - logits.max(1, keepdims=True)
        counts = np.exp(shifted)
        probs = counts / counts.sum(1, keepdims=True)
        loss = -np.log(probs[np.arange(n), yb]).mean()
        # backward, by hand
        dlogits = probs
        dlogits[np.arange(n), yb] -= 1
        dlogits /= n
        dh = dlogits @ p["W2"].T
        g = {"W2": h.T @ dlogits, "b2": dlogits.sum(0)}
        dhpreact = (1 - h * h) * dh
        g["gamma"] = (bnraw * dhpreact).sum(0, keepdims=True)
        g["beta"] = dhpreact.sum(0, keepdims=True)
        dhprebn = p["gamma"] * bnvar_inv / n * (n * dhpreact - dhpreact.sum(0) -
                                                bnraw * (dhpreact * bnraw).sum(0))
        g["W1"] = embcat.T @ dhprebn
        demb = (dhprebn @ p["W1"].T).reshape(emb.shape)
        dC = np.zeros_like(p["C"])
        np.add.at(dC, xb, demb)
        g["C"] = dC
        for k, v in g.items():
            p[k] -= self.lr * v
        self.running_mean = 0.9 * self.running_mean + 0.1 * bnmean[0]
        self.running_var = 0.9 * self.running_var + 0.1 * bnvar[0] * n / (n - 1)
        return float(loss)


def makemore_case(steps: int = STEPS) -> dict:
    mm = _demo("makemore")
    ag.manual_seed(0)
    model = mm.build(27)
    opt = nn.optim.SGD(model.parameters(), lr=0.1)
    ag.manual_seed(0)
    twin = mm.build(27)  # the same model and weights again, trained through ag.compile
    twin_opt = nn.optim.SGD(twin.parameters(), lr=0.1)
    params = {"C": model[0].weight.data, "W1": model[2].weight.data.T,
              "gamma": model[3].weight.data[None], "beta": model[3].bias.data[None],
              "W2": model[5].weight.data.T, "b2": model[5].bias.data}
    by_hand = MakemoreByHand(params)
    rng = np.random.default_rng(0)
    xs = rng.integers(0, 27, (steps, 32, 3))
    ys = rng.integers(0, 27, (steps, 32))
    # the same first step from the same weights: the engine and the hand-written numpy agree
    first = F.cross_entropy(model(xs[0]), ys[0]).item()
    assert abs(first - MakemoreByHand(params).step(xs[0], ys[0])) < 1e-5

    def numpy_by_hand():
        for xb, yb in zip(xs, ys):
            by_hand.step(xb, yb)

    return {"autograd": _loop(lambda xb, yb: F.cross_entropy(model(xb), yb), model, opt, xs,
                              ys),
            "autograd, ag.compile": _loop(lambda xb, yb: F.cross_entropy(twin(xb), yb), twin,
                                          twin_opt, xs, ys, compiled=True),
            "numpy by hand": numpy_by_hand}


def _loop(loss_of, model, opt, xs, ys, clip: bool = False, compiled: bool = False):
    """The training loop a script writes, over the batches ``xs``, ``ys``: the loss, a
    backward pass, gradient clipping (optional) and the optimizer's step; with ``compiled``,
    that whole step through ``ag.compile``, which must have replayed every step."""
    def train_step(xb, yb):
        loss = loss_of(xb, yb)
        opt.zero_grad()
        loss.backward()
        if clip:
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss

    step = ag.compile(train_step) if compiled else train_step

    def run():
        for xb, yb in zip(xs, ys):
            step(xb, yb)
        reasons = getattr(step, "reasons", None)
        assert not reasons, reasons  # replayed, not run as written

    return run


# ---------------------------------------------------------------------------- tiny GPT


def _torch_gpt(vocab: int, block: int, n_layer: int, n_head: int, n_embd: int,
               approximate: str = "none"):
    import torch
    from torch import nn as tnn
    from torch.nn import functional as tF

    class Attention(tnn.Module):
        def __init__(self):
            super().__init__()
            self.c_attn = tnn.Linear(n_embd, 3 * n_embd)
            self.c_proj = tnn.Linear(n_embd, n_embd)

        def forward(self, x):
            b, t, c = x.shape
            q, k, v = self.c_attn(x).split(c, dim=2)
            q, k, v = (z.view(b, t, n_head, c // n_head).transpose(1, 2) for z in (q, k, v))
            y = tF.scaled_dot_product_attention(q, k, v, is_causal=True)
            return self.c_proj(y.transpose(1, 2).contiguous().view(b, t, c))

    class Block(tnn.Module):
        def __init__(self):
            super().__init__()
            self.ln_1, self.attn = tnn.LayerNorm(n_embd), Attention()
            self.ln_2 = tnn.LayerNorm(n_embd)
            self.mlp = tnn.Sequential(tnn.Linear(n_embd, 4 * n_embd),
                                      tnn.GELU(approximate=approximate),
                                      tnn.Linear(4 * n_embd, n_embd))

        def forward(self, x):
            x = x + self.attn(self.ln_1(x))
            return x + self.mlp(self.ln_2(x))

    class GPT(tnn.Module):
        def __init__(self):
            super().__init__()
            self.wte, self.wpe = tnn.Embedding(vocab, n_embd), tnn.Embedding(block, n_embd)
            self.h = tnn.ModuleList([Block() for _ in range(n_layer)])
            self.ln_f = tnn.LayerNorm(n_embd)
            self.lm_head = tnn.Linear(n_embd, vocab, bias=False)
            self.lm_head.weight = self.wte.weight

        def forward(self, idx, targets):
            t = idx.shape[1]
            x = self.wte(idx) + self.wpe(torch.arange(t))
            for blk in self.h:
                x = blk(x)
            logits = self.lm_head(self.ln_f(x))
            return tF.cross_entropy(logits.view(-1, logits.shape[-1]), targets.view(-1))

    return GPT()


def _gpt_optimizer_torch(model):
    import torch

    params = list(model.parameters())
    return torch.optim.AdamW([{"params": [p for p in params if p.dim() >= 2],
                               "weight_decay": 0.1},
                              {"params": [p for p in params if p.dim() < 2],
                               "weight_decay": 0.0}], lr=1e-3, betas=(0.9, 0.99))


def gpt_case(steps: int = STEPS, torch_too: bool = True, approximate: str = "none",
             compiled: bool = True) -> dict:
    gpt = _demo("gpt")
    vocab, block, n_layer, n_head, n_embd, batch = 65, 32, 2, 4, 64, 16
    ag.manual_seed(0)
    model = gpt.GPT(vocab, block, n_layer, n_head, n_embd)
    if approximate != "none":
        for b in model.h:
            b.mlp[1].approximate = approximate
    opt = model.optimizer(1e-3)
    rng = np.random.default_rng(0)
    xs = rng.integers(0, vocab, (steps, batch, block))
    ys = rng.integers(0, vocab, (steps, batch, block))

    cases = {"autograd": _loop(lambda xb, yb: model(xb, yb)[1], model, opt, xs, ys, clip=True)}
    if compiled:  # a twin of the model (the same weights) trained through ag.compile
        ag.manual_seed(0)
        twin = gpt.GPT(vocab, block, n_layer, n_head, n_embd)
        if approximate != "none":
            for b in twin.h:
                b.mlp[1].approximate = approximate
        cases["autograd, ag.compile"] = _loop(lambda xb, yb: twin(xb, yb)[1], twin,
                                              twin.optimizer(1e-3), xs, ys, clip=True,
                                              compiled=True)
    if torch_too and _torch_one_thread():
        import torch

        torch.manual_seed(0)
        tmodel = _torch_gpt(vocab, block, n_layer, n_head, n_embd, approximate)
        topt = _gpt_optimizer_torch(tmodel)
        txs, tys = torch.from_numpy(xs), torch.from_numpy(ys)

        def pytorch():
            for xb, yb in zip(txs, tys):
                loss = tmodel(xb, yb)
                topt.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(tmodel.parameters(), 1.0)
                topt.step()

        cases["PyTorch CPU"] = pytorch
    return cases


# ---------------------------------------------------------------------------- digits CNN


def cnn_case(steps: int = STEPS) -> dict:
    cnn = _demo("cnn_digits")
    ag.manual_seed(0)
    model = cnn.build()
    opt = nn.optim.Adam(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(0)
    xs = rng.standard_normal((steps, 64, 1, 8, 8)).astype(np.float32)
    ys = rng.integers(0, 10, (steps, 64))

    ag.manual_seed(0)
    twin = cnn.build()  # the same model and weights, trained through ag.compile
    cases = {"autograd": _loop(lambda xb, yb: F.cross_entropy(model(xb), yb), model, opt, xs,
                               ys),
             "autograd, ag.compile": _loop(lambda xb, yb: F.cross_entropy(twin(xb), yb), twin,
                                           nn.optim.Adam(twin.parameters(), lr=1e-3), xs, ys,
                                           compiled=True)}
    if _torch_one_thread():
        import torch
        from torch import nn as tnn

        torch.manual_seed(0)
        tmodel = tnn.Sequential(
            tnn.Conv2d(1, 16, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(2),
            tnn.Conv2d(16, 32, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(2),
            tnn.Flatten(), tnn.Linear(128, 10))
        topt = torch.optim.Adam(tmodel.parameters(), lr=1e-3)
        txs, tys = torch.from_numpy(xs), torch.from_numpy(ys)

        def pytorch():
            for xb, yb in zip(txs, tys):
                loss = torch.nn.functional.cross_entropy(tmodel(xb), yb)
                topt.zero_grad()
                loss.backward()
                topt.step()

        cases["PyTorch CPU"] = pytorch
    return cases


# ---------------------------------------------------------------------------- GELU


def gelu_case(reps: int = 20) -> dict:
    x = ag.tensor(np.random.default_rng(0).standard_normal((512, 256)).astype(np.float32),
                  requires_grad=True)
    g = ag.ones(512, 256)

    def run(approximate):
        def fn():
            for _ in range(reps):
                F.gelu(x, approximate=approximate).backward(g)
                x.grad = None
        return fn

    return {"exact (erf)": run("none"), "tanh": run("tanh")}


# ---------------------------------------------------------------------------- main


def _one_thread():
    """numpy's BLAS on one thread (PyTorch is set to one thread where its cases import it)."""
    stack = contextlib.ExitStack()
    if have("threadpoolctl"):
        from threadpoolctl import threadpool_limits

        stack.enter_context(threadpool_limits(limits=1, user_api="blas"))
    return stack


def _torch_one_thread() -> bool:
    if not have("torch"):
        return False
    import torch

    torch.set_num_threads(1)
    return True


def _rows(times: Timings, base: str, per: int, unit: str = "step") -> list:
    """A row per case: its median time, and its ratio to ``base`` with the spread of the
    repetitions' paired ratios in brackets."""
    return [(name, f"{t / per * 1e3:8.3f} ms/{unit}",
             f"{times.shown(name, base)} {base}" if name != base else f" 1.00x {base}")
            for name, t in times.items()]


def main(repeats: int = 15) -> dict:
    results = {}
    with _one_thread():
        settle()  # makemore first: a makemore script has no torch in its heap
        t = interleaved(makemore_case(), repeats=repeats, between=_pause)
        results["makemore"] = t
        print(table("makemore MLP + BatchNorm step (vocab 27, block 3, embedding 10, hidden 200,"
                    " batch 32, SGD; target <= 1.5x numpy by hand)",
                    _rows(t, "numpy by hand", STEPS)))
        t = interleaved(gpt_case(), repeats=repeats, between=_pause)
        results["gpt"] = t
        if "PyTorch CPU" in t:
            print(table("tiny GPT step (vocab 65, block 32, 64 wide, 2 layers, 4 heads, batch 16,"
                        " AdamW + clip_grad_norm_, exact GELU; target <= 1.0x PyTorch, 1 thread)",
                        _rows(t, "PyTorch CPU", STEPS)))
        t = interleaved(cnn_case(), repeats=repeats, between=_pause)
        results["cnn"] = t
        if "PyTorch CPU" in t:
            print(table("digits CNN step (conv-relu-pool x2 + linear, batch 64, Adam; target <= "
                        "1.0x PyTorch, 1 thread)", _rows(t, "PyTorch CPU", STEPS)))
        t = interleaved(gelu_case(), repeats=repeats)
        results["gelu"] = t
        steps = {f"GPT step, {k} GELU": gpt_case(torch_too=False, approximate=a,
                                                   compiled=False)["autograd"]
                 for k, a in (("exact", "none"), ("tanh", "tanh"))}
        ts = interleaved(steps, repeats=repeats)
        results["gelu_gpt"] = ts
        rows = _rows(t, "tanh", 20, "call") + _rows(ts, "GPT step, tanh GELU", STEPS)
        print(table("exact GELU vs tanh GELU: forward + backward of (512, 256) float32, and the "
                    "GPT step with each (target <= 1.3x)", rows))
    return results


if __name__ == "__main__":
    main()
