"""microgpt, twice: the algorithm on scalars, and the same model on Tensors.

Karpathy's microgpt is a whole GPT in plain Python on a micrograd-style scalar ``Value``: a
1-layer, 16-wide, 4-head transformer with RMSNorm and a ReLU MLP, a context of 16 characters,
trained with Adam on one name per step. Here it is written twice:

- on ``ag.Value`` scalars, exactly in the original's style (lists of Values, ``linear`` as sums
  of products, attention over a growing key/value cache, a hand-written Adam loop);
- on ``ag.Tensor`` (float64), the same model with matrices: ``F.embedding``, ``F.rms_norm``,
  ``F.scaled_dot_product_attention(is_causal=True)``, ``F.cross_entropy``, ``nn.optim.Adam``
  with a linearly decaying learning rate (``LambdaLR``).

From the same initial weights, on the same names, the two losses agree to 1e-9 step after step
(the script checks it); the step times show what the matrices buy. The Tensor model then
trains on and samples new names (the loss curve goes to ``microgpt.png`` in the output folder).
The names are Faker's first names (see makemore.py).

Run: ``python demos/microgpt.py [--compare 5] [--steps 1000]``
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import sys
import time
from pathlib import Path

import numpy as np

try:
    import autograd as ag
except ImportError:  # running from a checkout without installing: use the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import autograd as ag
import nn
import nn.functional as F
from autograd import Value

OUT = Path(__file__).resolve().parent / "out"
N_LAYER, N_EMBD, N_HEAD, BLOCK = 1, 16, 4, 16
HEAD_DIM = N_EMBD // N_HEAD
LR, BETA1, BETA2, EPS = 0.01, 0.85, 0.99, 1e-8


def load_docs(seed: int = 42) -> list[str]:
    """Faker's first names (makemore.py's list), shuffled."""
    spec = importlib.util.spec_from_file_location(
        "makemore_names", Path(__file__).resolve().parent / "makemore.py")
    makemore = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(makemore)
    docs = makemore.load_names()
    random.Random(seed).shuffle(docs)
    return docs


def initial_weights(vocab: int, seed: int = 42, std: float = 0.08) -> dict:
    """The original's parameters as float64 arrays, drawn from N(0, std²)."""
    rng = random.Random(seed)

    def matrix(nout, nin):
        return np.array([[rng.gauss(0, std) for _ in range(nin)] for _ in range(nout)])

    w = {"wte": matrix(vocab, N_EMBD), "wpe": matrix(BLOCK, N_EMBD),
         "lm_head": matrix(vocab, N_EMBD)}
    for i in range(N_LAYER):
        for name in ("attn_wq", "attn_wk", "attn_wv", "attn_wo"):
            w[f"layer{i}.{name}"] = matrix(N_EMBD, N_EMBD)
        w[f"layer{i}.mlp_fc1"] = matrix(4 * N_EMBD, N_EMBD)
        w[f"layer{i}.mlp_fc2"] = matrix(N_EMBD, 4 * N_EMBD)
    return w


# ---------------------------------------------------------------------------- on scalars


def linear(x, w):
    return [sum(wi * xi for wi, xi in zip(wo, x)) for wo in w]


def softmax(logits):
    max_val = max(val.data for val in logits)
    exps = [(val - max_val).exp() for val in logits]
    total = sum(exps)
    return [e / total for e in exps]


def rmsnorm(x):
    ms = sum(xi * xi for xi in x) / len(x)
    scale = (ms + 1e-5) ** -0.5
    return [xi * scale for xi in x]


def gpt(state, token_id, pos_id, keys, values):
    """One position of the scalar GPT: the logits of the next token."""
    x = [t + p for t, p in zip(state["wte"][token_id], state["wpe"][pos_id])]
    x = rmsnorm(x)
    for li in range(N_LAYER):
        x_residual = x
        x = rmsnorm(x)
        q = linear(x, state[f"layer{li}.attn_wq"])
        k = linear(x, state[f"layer{li}.attn_wk"])
        v = linear(x, state[f"layer{li}.attn_wv"])
        keys[li].append(k)
        values[li].append(v)
        x_attn = []
        for h in range(N_HEAD):
            hs = h * HEAD_DIM
            q_h = q[hs:hs + HEAD_DIM]
            k_h = [ki[hs:hs + HEAD_DIM] for ki in keys[li]]
            v_h = [vi[hs:hs + HEAD_DIM] for vi in values[li]]
            attn_logits = [sum(q_h[j] * k_h[t][j] for j in range(HEAD_DIM)) / HEAD_DIM ** 0.5
                           for t in range(len(k_h))]
            attn_weights = softmax(attn_logits)
            x_attn.extend(sum(attn_weights[t] * v_h[t][j] for t in range(len(v_h)))
                          for j in range(HEAD_DIM))
        x = linear(x_attn, state[f"layer{li}.attn_wo"])
        x = [a + b for a, b in zip(x, x_residual)]
        x_residual = x
        x = rmsnorm(x)
        x = linear(x, state[f"layer{li}.mlp_fc1"])
        x = [xi.relu() for xi in x]
        x = linear(x, state[f"layer{li}.mlp_fc2"])
        x = [a + b for a, b in zip(x, x_residual)]
    return linear(x, state["lm_head"])


class ScalarGPT:
    """The original: every weight a Value, Adam written out."""

    def __init__(self, weights: dict, num_steps: int) -> None:
        self.state = {k: [[Value(float(v)) for v in row] for row in w]
                      for k, w in weights.items()}
        self.params = [p for mat in self.state.values() for row in mat for p in row]
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)
        self.num_steps = num_steps

    def step(self, tokens: list[int], step: int) -> float:
        n = min(BLOCK, len(tokens) - 1)
        keys, values = [[] for _ in range(N_LAYER)], [[] for _ in range(N_LAYER)]
        losses = []
        for pos in range(n):
            probs = softmax(gpt(self.state, tokens[pos], pos, keys, values))
            losses.append(-probs[tokens[pos + 1]].log())
        loss = (1 / n) * sum(losses)
        loss.backward()
        lr_t = LR * (1 - step / self.num_steps)
        for i, p in enumerate(self.params):
            self.m[i] = BETA1 * self.m[i] + (1 - BETA1) * p.grad
            self.v[i] = BETA2 * self.v[i] + (1 - BETA2) * p.grad ** 2
            m_hat = self.m[i] / (1 - BETA1 ** (step + 1))
            v_hat = self.v[i] / (1 - BETA2 ** (step + 1))
            p.data -= lr_t * m_hat / (v_hat ** 0.5 + EPS)
            p.grad = 0
        return loss.data


# ---------------------------------------------------------------------------- on Tensors


class TensorGPT(nn.Module):
    """The same model on float64 Tensors: all positions of a name at once (a causal mask
    instead of the growing cache), the weights as (out, in) matrices as in the original."""

    def __init__(self, weights: dict) -> None:
        self.w = {k.replace(".", "_"): nn.Parameter(v.copy()) for k, v in weights.items()}

    def forward(self, tokens: np.ndarray) -> ag.Tensor:
        w, t = self.w, len(tokens)
        x = F.embedding(tokens, w["wte"]) + w["wpe"][:t]
        x = F.rms_norm(x, (N_EMBD,), eps=1e-5)
        for li in range(N_LAYER):
            def lin(a, name, li=li):
                return F.linear(a, w[f"layer{li}_{name}"])

            h = F.rms_norm(x, (N_EMBD,), eps=1e-5)
            q, k, v = (lin(h, n).reshape(t, N_HEAD, HEAD_DIM).transpose(0, 1)
                       for n in ("attn_wq", "attn_wk", "attn_wv"))
            a = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            x = x + lin(a.transpose(0, 1).reshape(t, N_EMBD), "attn_wo")
            h = F.rms_norm(x, (N_EMBD,), eps=1e-5)
            x = x + lin(F.relu(lin(h, "mlp_fc1")), "mlp_fc2")
        return F.linear(x, w["lm_head"])

    def loss(self, tokens: list[int]) -> ag.Tensor:
        n = min(BLOCK, len(tokens) - 1)
        ids = np.array(tokens[:n + 1])
        return F.cross_entropy(self(ids[:-1]), ids[1:])


def tensor_trainer(model: TensorGPT, num_steps: int):
    opt = nn.optim.Adam(model.parameters(), lr=LR, betas=(BETA1, BETA2), eps=EPS)
    sched = nn.optim.lr_scheduler.LambdaLR(opt, lambda s: 1 - s / num_steps)

    def step(tokens: list[int]) -> float:
        loss = model.loss(tokens)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        return loss.item()

    return step


def sample(model: TensorGPT, itos: dict, bos: int, n: int, generator: ag.Generator,
           temperature: float = 0.5) -> list[str]:
    names = []
    with ag.no_grad():
        for _ in range(n):
            tokens = [bos]
            while len(tokens) <= BLOCK:
                logits = model(np.array(tokens))[-1] / temperature
                nxt = int(ag.multinomial(F.softmax(logits, dim=-1), 1,
                                         generator=generator).item())
                if nxt == bos:
                    break
                tokens.append(nxt)
            names.append("".join(itos[i] for i in tokens[1:]))
    return names


def run(compare: int = 5, steps: int = 1000, samples: int = 10, seed: int = 42,
        verbose: bool = True, out_dir: Path | None = OUT) -> dict:
    """Train both models on the first ``compare`` names, checking the losses agree; then the
    Tensor model alone up to ``steps`` steps; return losses, times and samples."""
    say = print if verbose else (lambda *a, **k: None)
    docs = load_docs(seed)
    chars = sorted(set("".join(docs)))
    stoi = {c: i for i, c in enumerate(chars)}
    bos = len(chars)
    vocab = bos + 1
    itos = {i: c for c, i in stoi.items()}
    encode = lambda doc: [bos] + [stoi[c] for c in doc] + [bos]  # noqa: E731
    weights = initial_weights(vocab, seed)
    total = max(steps, compare)
    scalar = ScalarGPT(weights, total)
    model = TensorGPT(weights)
    say(f"{len(docs)} names, vocabulary {vocab}, "
        f"{sum(p.size for p in model.parameters())} parameters")
    train_step = tensor_trainer(model, total)
    rows, t_value, t_tensor = [], 0.0, 0.0
    for step in range(compare):
        tokens = encode(docs[step % len(docs)])
        t0 = time.perf_counter()
        lv = scalar.step(tokens, step)
        t1 = time.perf_counter()
        lt = train_step(tokens)
        t2 = time.perf_counter()
        t_value += t1 - t0
        t_tensor += t2 - t1
        rows.append((step, lv, lt))
        say(f"step {step:3d}  Value {lv:.12f}  Tensor {lt:.12f}  |diff| {abs(lv - lt):.1e}")
    worst = max((abs(a - b) for _, a, b in rows), default=0.0)
    if compare:
        say(f"largest difference {worst:.1e}; per step: Value {1e3 * t_value / compare:.1f} ms,"
            f" Tensor {1e3 * t_tensor / compare:.2f} ms "
            f"({t_value / max(t_tensor, 1e-12):.0f}x faster on matrices)")
    losses = [lt for _, _, lt in rows]
    t0 = time.perf_counter()
    for step in range(compare, steps):
        losses.append(train_step(encode(docs[step % len(docs)])))
        if verbose and (step + 1) % max(1, steps // 5) == 0:
            say(f"step {step + 1:5d}: loss (mean of the last 100) "
                f"{np.mean(losses[-100:]):.4f}")
    if steps > compare:
        say(f"{steps - compare} more Tensor steps in {time.perf_counter() - t0:.1f} s")
    names = sample(model, itos, bos, samples, ag.Generator().manual_seed(seed))
    say("samples: " + " ".join(names))
    if out_dir is not None:
        plot(rows, losses, Path(out_dir) / "microgpt.png")
        say(f"loss curve: {Path(out_dir) / 'microgpt.png'}")
    return {"rows": rows, "worst": worst, "value_ms": 1e3 * t_value / max(compare, 1),
            "tensor_ms": 1e3 * t_tensor / max(compare, 1), "losses": losses,
            "samples": names}


def plot(rows: list, losses: list, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(losses, alpha=0.3, lw=0.5, label="Tensor model, one name per step")
    k = 50
    if len(losses) >= k:
        ax.plot(np.arange(k - 1, len(losses)), np.convolve(losses, np.ones(k) / k, "valid"),
                label=f"mean of {k}")
    if rows:
        ax.plot([r[0] for r in rows], [r[1] for r in rows], "x", label="Value model")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.set_title("microgpt: the scalar original and the Tensor model")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--compare", type=int, default=5,
                   help="steps trained on both Value and Tensor, losses compared (5)")
    p.add_argument("--steps", type=int, default=1000, help="total Tensor steps (1000)")
    p.add_argument("--samples", type=int, default=10, help="names to sample (10)")
    p.add_argument("--seed", type=int, default=42, help="random seed (42)")
    p.add_argument("--out", type=Path, default=OUT, help="folder for microgpt.png")
    a = p.parse_args(argv)
    r = run(a.compare, a.steps, a.samples, a.seed, out_dir=a.out)
    if r["worst"] > 1e-9:
        raise SystemExit(f"the two models disagree by {r['worst']:.1e} (more than 1e-9)")


if __name__ == "__main__":
    main()
