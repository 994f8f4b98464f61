"""Backpropagation by hand through makemore's MLP + BatchNorm, checked against the engine.

Karpathy's lecture 5 ("becoming a backprop ninja"): one training step of the makemore MLP
(block 3, embedding 10, hidden 64 here, BatchNorm, tanh, cross-entropy) is written out as some
twenty intermediate tensors. The engine computes every gradient (``retain_grad()`` keeps those
of the intermediates); the same gradients are then derived by hand in numpy, one line of
chain rule per intermediate, backwards from the loss. A table shows the largest difference of
each: all at float64 rounding. Finally the whole BatchNorm backward as one formula (the
lecture's exercise 3) is checked too, and so is the cross-entropy's (exercise 2).

Run: ``python demos/backprop_by_hand.py [--batch 32] [--seed 42]``
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

try:
    import autograd as ag
except ImportError:  # running from a checkout without installing: use the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import autograd as ag
import nn.functional as F

VOCAB, BLOCK, EMBED, HIDDEN = 27, 3, 10, 64


def parameters(seed: int) -> dict:
    """The lecture's initialisation (small random values everywhere, so no gradient hides)."""
    r = np.random.default_rng(seed)
    fan_in = BLOCK * EMBED
    return {
        "C": r.standard_normal((VOCAB, EMBED)),
        "W1": r.standard_normal((fan_in, HIDDEN)) * (5 / 3) / fan_in ** 0.5,
        "b1": r.standard_normal(HIDDEN) * 0.1,
        "W2": r.standard_normal((HIDDEN, VOCAB)) * 0.1,
        "b2": r.standard_normal(VOCAB) * 0.1,
        "bngain": r.standard_normal((1, HIDDEN)) * 0.1 + 1.0,
        "bnbias": r.standard_normal((1, HIDDEN)) * 0.1,
    }


def batch(seed: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    r = np.random.default_rng(seed + 1)
    return r.integers(0, VOCAB, (n, BLOCK)), r.integers(0, VOCAB, n)


def engine_step(p: dict, xb: np.ndarray, yb: np.ndarray) -> tuple[dict, dict]:
    """The forward pass, exploded into the lecture's intermediates; the engine's backward."""
    n = len(xb)
    t = {k: ag.tensor(v, requires_grad=True) for k, v in p.items()}
    v = {}
    v["emb"] = t["C"][xb]
    v["embcat"] = v["emb"].reshape(n, -1)
    v["hprebn"] = v["embcat"] @ t["W1"] + t["b1"]
    v["bnmeani"] = v["hprebn"].sum(0, keepdims=True) * (1 / n)
    v["bndiff"] = v["hprebn"] - v["bnmeani"]
    v["bndiff2"] = v["bndiff"] ** 2
    v["bnvar"] = v["bndiff2"].sum(0, keepdims=True) * (1 / (n - 1))  # Bessel, as the lecture
    v["bnvar_inv"] = (v["bnvar"] + 1e-5) ** -0.5
    v["bnraw"] = v["bndiff"] * v["bnvar_inv"]
    v["hpreact"] = t["bngain"] * v["bnraw"] + t["bnbias"]
    v["h"] = v["hpreact"].tanh()
    v["logits"] = v["h"] @ t["W2"] + t["b2"]
    v["logit_maxes"] = v["logits"].max(1, keepdim=True).values  # PyTorch's spelling
    v["norm_logits"] = v["logits"] - v["logit_maxes"]
    v["counts"] = v["norm_logits"].exp()
    v["counts_sum"] = v["counts"].sum(1, keepdims=True)
    v["counts_sum_inv"] = v["counts_sum"] ** -1
    v["probs"] = v["counts"] * v["counts_sum_inv"]
    v["logprobs"] = v["probs"].log()
    loss = -v["logprobs"][np.arange(n), yb].mean()
    for x in v.values():
        x.retain_grad()
    loss.backward()
    grads = {k: x.grad.data for k, x in {**v, **t}.items()}
    values = {k: x.data for k, x in v.items()}
    values["loss"] = loss.item()
    return values, grads


def by_hand(p: dict, v: dict, xb: np.ndarray, yb: np.ndarray) -> dict:
    """Every gradient again, one chain-rule line per intermediate, in numpy."""
    n = len(xb)
    d = {}
    d["logprobs"] = np.zeros_like(v["logprobs"])
    d["logprobs"][np.arange(n), yb] = -1.0 / n
    d["probs"] = d["logprobs"] / v["probs"]
    d["counts_sum_inv"] = (v["counts"] * d["probs"]).sum(1, keepdims=True)
    d["counts_sum"] = -v["counts_sum"] ** -2 * d["counts_sum_inv"]
    d["counts"] = v["counts_sum_inv"] * d["probs"] + d["counts_sum"]  # both uses
    d["norm_logits"] = v["counts"] * d["counts"]
    d["logit_maxes"] = -d["norm_logits"].sum(1, keepdims=True)
    d["logits"] = d["norm_logits"] + np.eye(VOCAB)[v["logits"].argmax(1)] * d["logit_maxes"]
    d["h"] = d["logits"] @ p["W2"].T
    d["W2"] = v["h"].T @ d["logits"]
    d["b2"] = d["logits"].sum(0)
    d["hpreact"] = (1 - v["h"] ** 2) * d["h"]
    d["bngain"] = (v["bnraw"] * d["hpreact"]).sum(0, keepdims=True)
    d["bnbias"] = d["hpreact"].sum(0, keepdims=True)
    d["bnraw"] = p["bngain"] * d["hpreact"]
    d["bnvar_inv"] = (v["bndiff"] * d["bnraw"]).sum(0, keepdims=True)
    d["bnvar"] = -0.5 * (v["bnvar"] + 1e-5) ** -1.5 * d["bnvar_inv"]
    d["bndiff2"] = np.ones_like(v["bndiff2"]) / (n - 1) * d["bnvar"]
    d["bndiff"] = v["bnvar_inv"] * d["bnraw"] + 2 * v["bndiff"] * d["bndiff2"]
    d["bnmeani"] = -d["bndiff"].sum(0, keepdims=True)
    d["hprebn"] = d["bndiff"] + d["bnmeani"] / n
    d["embcat"] = d["hprebn"] @ p["W1"].T
    d["W1"] = v["embcat"].T @ d["hprebn"]
    d["b1"] = d["hprebn"].sum(0)
    d["emb"] = d["embcat"].reshape(v["emb"].shape)
    d["C"] = np.zeros_like(p["C"])
    np.add.at(d["C"], xb, d["emb"])
    return d


def fused(p: dict, v: dict, yb: np.ndarray) -> dict:
    """Exercises 2 and 3: the cross-entropy's and BatchNorm's backward as single formulas."""
    n = len(yb)
    dlogits = v["probs"].copy()
    dlogits[np.arange(n), yb] -= 1
    dlogits /= n
    dhpreact = (1 - v["h"] ** 2) * (dlogits @ p["W2"].T)
    # hpreact = γ·(x − μ)/sqrt(var + ε) + β with the (n − 1) variance
    dhprebn = p["bngain"] * v["bnvar_inv"] / n * (
        n * dhpreact - dhpreact.sum(0) - n / (n - 1) * v["bnraw"] * (dhpreact * v["bnraw"]).sum(0))
    return {"logits": dlogits, "hprebn": dhprebn}


def library_check(p: dict, xb: np.ndarray, yb: np.ndarray) -> float:
    """The same step through nn's fused ops (F.embedding, F.linear, F.batch_norm with the
    biased variance PyTorch normalizes with, F.cross_entropy) against the exploded graph
    with the biased variance: the largest difference over all parameter gradients."""
    n = len(xb)
    t = {k: ag.tensor(v, requires_grad=True) for k, v in p.items()}
    h = F.embedding(xb, t["C"]).reshape(n, -1) @ t["W1"] + t["b1"]
    h = F.batch_norm(h, None, None, t["bngain"].reshape(-1), t["bnbias"].reshape(-1),
                     training=True)
    loss = F.cross_entropy(h.tanh() @ t["W2"] + t["b2"], yb)
    loss.backward()
    u = {k: ag.tensor(v, requires_grad=True) for k, v in p.items()}
    h = u["C"][xb].reshape(n, -1) @ u["W1"] + u["b1"]
    hn = (h - h.mean(0, keepdims=True)) / (h.var(0, keepdims=True) + 1e-5).sqrt()
    logits = (u["bngain"] * hn + u["bnbias"]).tanh() @ u["W2"] + u["b2"]
    (-ag.log_softmax(logits, axis=1)[np.arange(n), yb].mean()).backward()
    return max(float(np.abs(t[k].grad.data - u[k].grad.data).max()) for k in p)


def run(batch_size: int = 32, seed: int = 42, verbose: bool = True) -> dict:
    p = parameters(seed)
    xb, yb = batch(seed, batch_size)
    values, engine = engine_step(p, xb, yb)
    hand = by_hand(p, values, xb, yb)
    rows = [(k, hand[k].shape, float(np.abs(hand[k] - engine[k]).max()),
             float(np.abs(engine[k]).max())) for k in hand]
    fusedg = fused(p, values, yb)
    rows += [(f"{k} (one formula)", g.shape, float(np.abs(g - engine[k]).max()),
              float(np.abs(engine[k]).max())) for k, g in fusedg.items()]
    lib = library_check(p, xb, yb)
    if verbose:
        print(f"loss {values['loss']:.6f}; {len(hand)} gradients derived by hand, each against "
              "the engine's .grad (retain_grad on the intermediates)\n")
        print(f"  {'tensor':<26} {'shape':<12} {'max |hand − engine|':>20} {'max |grad|':>12}")
        for name, shape, diff, scale in rows:
            print(f"  {name:<26} {str(shape):<12} {diff:>20.2e} {scale:>12.2e}")
        print(f"\nnn's fused ops (embedding, linear, batch_norm, cross_entropy) against the "
              f"exploded graph: largest parameter-gradient difference {lib:.2e}")
    return {"rows": rows, "library": lib, "loss": values["loss"]}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--batch", type=int, default=32, help="batch size (32)")
    p.add_argument("--seed", type=int, default=42, help="random seed (42)")
    a = p.parse_args(argv)
    r = run(a.batch, a.seed)
    worst = max(d for _, _, d, _ in r["rows"])
    if worst > 1e-10 or r["library"] > 1e-10:
        raise SystemExit(f"hand-derived gradients differ by {worst:.1e}")


if __name__ == "__main__":
    main()
