"""makemore: a character-level language model of first names, as in Karpathy's lectures.

The names are the first-name lists bundled inside Faker (offline: every locale's ASCII names,
lowercased; the ``demos`` extra installs Faker). Two models, as the lectures build them:

1. the **bigram counts** model: count which letter follows which (``.`` marks start and end),
   normalize the counts (plus one) into probabilities, and read off the loss;
2. the **MLP** of lecture 3/4: the previous 3 characters, each embedded in 10 dimensions,
   through a 200-wide hidden layer with BatchNorm and tanh, to the next character's logits;
   trained with SGD on minibatches of 32 (learning rate 0.1, then 0.01 for the last quarter).

Prints train/val losses of both and names sampled from each; the MLP's loss curve goes to
``makemore.png`` in the output folder.

Run: ``python demos/makemore.py [--steps 30000] [--out demos/out]``
"""

from __future__ import annotations

import argparse
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

OUT = Path(__file__).resolve().parent / "out"
BLOCK, EMBED, HIDDEN = 3, 10, 200


def load_names() -> list[str]:
    """Every ASCII-letter first name in Faker's person providers, lowercased, deduplicated and
    sorted (so the list is the same on every machine with this Faker)."""
    import importlib
    import pkgutil

    import faker.providers.person as person

    names: set[str] = set()
    for m in pkgutil.iter_modules(person.__path__):
        provider = getattr(importlib.import_module(f"{person.__name__}.{m.name}"), "Provider",
                           None)
        first = getattr(provider, "first_names", ())
        for n in first if isinstance(first, (dict, list, tuple)) else ():
            if n.isascii() and n.isalpha() and len(n) > 1:
                names.add(n.lower())
    return sorted(names)


def vocabulary(names: list[str]) -> tuple[dict, dict]:
    chars = sorted(set("".join(names)))
    stoi = {c: i + 1 for i, c in enumerate(chars)}
    stoi["."] = 0
    return stoi, {i: c for c, i in stoi.items()}


def split(names: list[str], seed: int = 42) -> tuple[list, list, list]:
    """80% train, 10% validation, 10% test, shuffled with ``seed``."""
    order = np.random.default_rng(seed).permutation(len(names))
    shuffled = [names[i] for i in order]
    n1, n2 = int(0.8 * len(names)), int(0.9 * len(names))
    return shuffled[:n1], shuffled[n1:n2], shuffled[n2:]


def dataset(names: list[str], stoi: dict, block: int = BLOCK) -> tuple[np.ndarray, np.ndarray]:
    """Every (previous ``block`` characters, next character) pair of every name."""
    xs, ys = [], []
    for name in names:
        context = [0] * block
        for ch in name + ".":
            xs.append(context)
            ys.append(stoi[ch])
            context = context[1:] + [stoi[ch]]
    return np.array(xs, dtype=np.int64), np.array(ys, dtype=np.int64)


# ---------------------------------------------------------------------------- bigram counts


def bigram_counts(names: list[str], stoi: dict) -> np.ndarray:
    n = np.zeros((len(stoi), len(stoi)), dtype=np.int64)
    for name in names:
        chs = [0] + [stoi[c] for c in name] + [0]
        for a, b in zip(chs, chs[1:]):
            n[a, b] += 1
    return n


def bigram_loss(probs: np.ndarray, names: list[str], stoi: dict) -> float:
    """Mean negative log-likelihood of every bigram in ``names``."""
    total, count = 0.0, 0
    for name in names:
        chs = [0] + [stoi[c] for c in name] + [0]
        for a, b in zip(chs, chs[1:]):
            total -= np.log(probs[a, b])
            count += 1
    return total / count


def sample_bigram(probs: np.ndarray, itos: dict, n: int, generator: ag.Generator) -> list[str]:
    out = []
    p = ag.tensor(probs)
    for _ in range(n):
        ix, name = 0, []
        while True:
            ix = int(ag.multinomial(p[ix], 1, replacement=True, generator=generator).item())
            if ix == 0:
                break
            name.append(itos[ix])
        out.append("".join(name))
    return out


# ---------------------------------------------------------------------------- the MLP


def build(vocab: int) -> nn.Sequential:
    """Embedding (vocab, 10) -> flatten the 3 characters -> Linear(30, 200, no bias, as
    BatchNorm follows) -> BatchNorm1d(200) -> tanh -> Linear(200, vocab)."""
    model = nn.Sequential(nn.Embedding(vocab, EMBED), nn.Flatten(),
                          nn.Linear(BLOCK * EMBED, HIDDEN, bias=False), nn.BatchNorm1d(HIDDEN),
                          nn.Tanh(), nn.Linear(HIDDEN, vocab))
    with ag.no_grad():
        model[-1].weight *= 0.1  # a less confident start (lecture 4): loss near log(vocab)
    return model


def evaluate(model: nn.Module, x: np.ndarray, y: np.ndarray) -> float:
    model.eval()
    with ag.no_grad():
        loss = F.cross_entropy(model(x), y).item()
    model.train()
    return loss


def sample_mlp(model: nn.Module, itos: dict, n: int, generator: ag.Generator) -> list[str]:
    model.eval()
    out = []
    with ag.no_grad():
        for _ in range(n):
            context, name = [0] * BLOCK, []
            while len(name) < 30:
                probs = F.softmax(model(np.array([context])), dim=1)
                ix = int(ag.multinomial(probs, 1, generator=generator).item())
                if ix == 0:
                    break
                name.append(itos[ix])
                context = context[1:] + [ix]
            out.append("".join(name))
    model.train()
    return out


def train(steps: int = 30000, batch: int = 32, seed: int = 2147483647, samples: int = 12,
          out_dir: Path | None = OUT, log_every: int = 5000, verbose: bool = True) -> dict:
    """Fit both models; returns their losses, samples and the MLP's loss history."""
    names = load_names()
    stoi, itos = vocabulary(names)
    train_names, val_names, _ = split(names)
    g = ag.Generator().manual_seed(seed)
    say = print if verbose else (lambda *a, **k: None)
    say(f"{len(names)} names, vocabulary of {len(stoi)} ('.' and {len(stoi) - 1} letters)")

    counts = bigram_counts(train_names, stoi)
    probs = (counts + 1) / (counts + 1).sum(axis=1, keepdims=True)
    bigram = {"train": bigram_loss(probs, train_names, stoi),
              "val": bigram_loss(probs, val_names, stoi)}
    bigram_samples = sample_bigram(probs, itos, samples, g)
    say(f"bigram counts: train {bigram['train']:.4f}  val {bigram['val']:.4f}")
    say("  samples: " + " ".join(bigram_samples))

    ag.manual_seed(seed)
    x_tr, y_tr = dataset(train_names, stoi)
    x_va, y_va = dataset(val_names, stoi)
    model = build(len(stoi))
    opt = nn.optim.SGD(model.parameters(), lr=0.1)
    sched = nn.optim.lr_scheduler.MultiStepLR(opt, milestones=[int(steps * 0.75)], gamma=0.1)
    history = []

    @ag.compile  # traced at the first step, then replayed: the same numbers, less Python
    def train_step(xb: np.ndarray, yb: np.ndarray) -> ag.Tensor:
        loss = F.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        return loss

    start = time.perf_counter()
    for step in range(steps):
        ix = ag.randint(0, len(x_tr), (batch,), generator=g).data
        loss = train_step(x_tr[ix], y_tr[ix])
        history.append(loss.item())
        if log_every and (step % log_every == 0 or step == steps - 1):
            say(f"  step {step:6d}/{steps}: loss {history[-1]:.4f}")
    seconds = time.perf_counter() - start
    mlp = {"train": evaluate(model, x_tr, y_tr), "val": evaluate(model, x_va, y_va)}
    mlp_samples = sample_mlp(model, itos, samples, g)
    say(f"MLP + BatchNorm: train {mlp['train']:.4f}  val {mlp['val']:.4f}  "
        f"({steps} steps in {seconds:.1f} s, {1e3 * seconds / max(steps, 1):.2f} ms/step)")
    say("  samples: " + " ".join(mlp_samples))
    if out_dir is not None:
        plot(history, Path(out_dir) / "makemore.png")
        say(f"loss curve: {Path(out_dir) / 'makemore.png'}")
    return {"bigram": bigram, "mlp": mlp, "history": history, "bigram_samples": bigram_samples,
            "mlp_samples": mlp_samples, "model": model, "vocab": stoi}


def plot(history: list, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    h = np.array(history)
    k = max(1, len(h) // 200)
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(np.log10(h), alpha=0.3, lw=0.5, label="minibatch")
    if len(h) >= k:
        ax.plot(np.arange(len(h) // k) * k, np.log10(h[:len(h) // k * k].reshape(-1, k)
                                                   .mean(1)), label=f"mean of {k}")
    ax.set_xlabel("step")
    ax.set_ylabel("log10 loss")
    ax.set_title("makemore MLP + BatchNorm")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", type=int, default=30000, help="MLP training steps (30000)")
    p.add_argument("--batch", type=int, default=32, help="minibatch size (32)")
    p.add_argument("--seed", type=int, default=2147483647, help="random seed")
    p.add_argument("--samples", type=int, default=12, help="names to sample from each model")
    p.add_argument("--out", type=Path, default=OUT, help="folder for makemore.png")
    a = p.parse_args(argv)
    train(a.steps, a.batch, a.seed, a.samples, a.out, log_every=max(1, a.steps // 6))


if __name__ == "__main__":
    main()
