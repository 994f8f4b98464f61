"""Handwritten digits: an MLP trained with ``nn`` on scikit-learn's bundled 8x8 images.

MLP 64-128-64-10 with ReLU, softmax cross-entropy, Adam, minibatches of 32, on 80% of the 1797
images; the other 20% are held out and only used to measure accuracy. A tqdm bar shows the
progress; the loss and accuracy curves go to ``digits.png`` and the trained weights to
``digits_mlp.npz`` in the output folder. Reaches about 97-98% held-out accuracy in seconds.

Run: ``python demos/digits.py [--epochs 30] [--out demos/out]``
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

import numpy as np

try:
    import autograd as ag
except ModuleNotFoundError:  # running from a checkout without installing: use the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import autograd as ag
import nn
import nn.functional as F

OUT = Path(__file__).resolve().parent / "out"


def load(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Train and held-out splits (80/20, stratified), standardised with the train statistics."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    x_tr, x_te, y_tr, y_te = train_test_split(digits.data, digits.target, test_size=0.2,
                                              stratify=digits.target, random_state=seed)
    mean, std = x_tr.mean(axis=0), x_tr.std(axis=0) + 1e-6
    x_tr, x_te = ((a - mean) / std for a in (x_tr, x_te))
    return x_tr.astype(np.float32), y_tr, x_te.astype(np.float32), y_te


def build() -> nn.Sequential:
    """MLP 64-128-64-10 with ReLU."""
    return nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                         nn.Linear(64, 10))


def accuracy(model: nn.Module, x: np.ndarray, y: np.ndarray) -> float:
    with ag.no_grad():
        return float((model(ag.Tensor(x)).data.argmax(axis=1) == y).mean())


def train(epochs: int = 30, batch: int = 32, lr: float = 1e-3, seed: int = 0,
          out_dir: Path | None = OUT, progress: bool = True) -> dict:
    """Train and evaluate; returns the history and the final held-out accuracy."""
    from tqdm import tqdm

    ag.manual_seed(seed)
    x_tr, y_tr, x_te, y_te = load(seed)
    model = build()
    opt = nn.optim.Adam(model.parameters(), lr=lr)
    order = np.random.default_rng(seed)
    history = {"loss": [], "train_acc": [], "test_acc": []}
    start = time.perf_counter()
    bar = tqdm(range(epochs), desc="digits", unit="epoch", disable=not progress)
    for _ in bar:
        model.train()
        perm = order.permutation(len(x_tr))
        total = 0.0
        for i in range(0, len(perm), batch):
            idx = perm[i:i + batch]
            loss = F.cross_entropy(model(ag.Tensor(x_tr[idx])), y_tr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        model.eval()
        history["loss"].append(total / len(perm))
        history["train_acc"].append(accuracy(model, x_tr, y_tr))
        history["test_acc"].append(accuracy(model, x_te, y_te))
        bar.set_postfix(loss=f"{history['loss'][-1]:.4f}",
                        test_acc=f"{history['test_acc'][-1]:.3f}")
    seconds = time.perf_counter() - start
    result = {"history": history, "test_acc": history["test_acc"][-1], "seconds": seconds,
              "model": model}
    if out_dir is not None:
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        result["plot"] = plot(history, out_dir / "digits.png")
        model.save(out_dir / "digits_mlp.npz")
    return result


def plot(history: dict, path: Path) -> Path:
    """Loss and accuracy curves side by side, as a PNG (matplotlib's Agg backend)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    epochs = np.arange(1, len(history["loss"]) + 1)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    ax1.plot(epochs, history["loss"], color="tab:blue")
    ax1.set(title="training loss (cross-entropy)", xlabel="epoch", ylabel="loss", yscale="log")
    ax2.plot(epochs, history["train_acc"], label="train")
    ax2.plot(epochs, history["test_acc"], label="held-out 20%")
    ax2.set(title="accuracy", xlabel="epoch", ylabel="accuracy", ylim=(0.8, 1.0))
    ax2.legend(loc="lower right")
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def require_demos_extra(*modules: str) -> None:
    """Stop with the install command when a package of the ``demos`` extra is missing."""
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        raise SystemExit(f"this demo needs {', '.join(missing)} (the 'demos' extra): "
                         f"{sys.executable} -m pip install -e '.[demos]'")


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=30,
                        help="passes over the training set (default %(default)s)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the split, the weights and the batches (default %(default)s)")
    parser.add_argument("--out", type=Path, default=OUT, help="output folder (default %(default)s)")
    args = parser.parse_args(argv)
    require_demos_extra("sklearn", "matplotlib", "tqdm")
    result = train(args.epochs, seed=args.seed, out_dir=args.out)
    print(f"held-out accuracy {result['test_acc']:.4f} after {args.epochs} epochs "
          f"in {result['seconds']:.1f} s; curves in {result['plot']}")
    return result


if __name__ == "__main__":
    main()
