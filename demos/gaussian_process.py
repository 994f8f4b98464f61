"""A Gaussian process's kernel hyperparameters fitted by maximising its marginal likelihood.

The HIPS workflow in one file: the model written with numpy and scipy, its gradient from
autograd, the optimiser scipy's.

    python demos/gaussian_process.py [--quick] [--out demos/out]

The data: 40 noisy samples of a smooth curve in two clusters (generated offline from a fixed
seed, with a gap between them where the model must admit it does not know). The model: a
constant mean and a squared-exponential kernel with noise,
``K = amplitude²·exp(−(x − x′)²/(2·length²)) + noise²·I``; the log marginal likelihood of
the observations is ``scipy.stats.multivariate_normal.logpdf(y, mean, K)``, here
``ag.scipy.stats.multivariate_normal.logpdf`` so that ``ag.grad`` differentiates it. L-BFGS
(``scipy.optimize.minimize(..., jac=True)``) maximises it over the log-hyperparameters.
It prints the hyperparameters and the likelihood before and after, and saves the posterior
mean with its two-standard-deviation band as ``gaussian_process.png``.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence

import numpy as np

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import scipy.optimize  # noqa: E402

import autograd as ag  # noqa: E402
import autograd.scipy.linalg as sla  # noqa: E402
from autograd.scipy.stats import multivariate_normal  # noqa: E402

NAMES = ("mean", "amplitude", "length", "noise")
START = np.array([0.0, 0.0, 0.0, np.log(0.5)])  # mean, log amplitude, log length, log noise


def make_data(n: int = 40, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` noisy samples of ``sin(x) + 0.4·cos(2.5x)`` in [−4, −1] and [1.5, 4.5]."""
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.uniform(-4.0, -1.0, n // 2), rng.uniform(1.5, 4.5, n - n // 2)])
    y = np.sin(x) + 0.4 * np.cos(2.5 * x) + 0.1 * rng.standard_normal(n)
    return x, y


def unpack(params: ag.Tensor) -> tuple:
    """(mean, amplitude, length, noise) from the unconstrained parameters."""
    return params[0], ag.exp(params[1]), ag.exp(params[2]), ag.exp(params[3])


def kernel(a, b, amplitude, length):
    """The squared-exponential kernel matrix between the points ``a`` and ``b``."""
    d = (np.asarray(a)[:, None] - np.asarray(b)[None, :]) ** 2
    return amplitude ** 2 * ag.exp(-d / (2 * length ** 2))


def log_marginal_likelihood(params: ag.Tensor, x: np.ndarray, y: np.ndarray) -> ag.Tensor:
    """``log p(y | x, params)``: y ~ N(mean, K + noise²·I)."""
    mean, amplitude, length, noise = unpack(params)
    cov = kernel(x, x, amplitude, length) + noise ** 2 * np.eye(len(x))
    return multivariate_normal.logpdf(y, mean * np.ones(len(x)), cov)


def fit(x: np.ndarray, y: np.ndarray, start: np.ndarray = START, maxiter: int = 200):
    """Maximise the log marginal likelihood with L-BFGS; returns scipy's result."""

    def objective(p: np.ndarray) -> tuple[float, np.ndarray]:
        params = ag.tensor(p, requires_grad=True)
        nll = -log_marginal_likelihood(params, x, y)
        (g,) = ag.grad(nll, params)
        return nll.item(), g.data

    return scipy.optimize.minimize(objective, start, jac=True, method="L-BFGS-B",
                                   options={"maxiter": maxiter})


def posterior(params: np.ndarray, x: np.ndarray, y: np.ndarray, grid: np.ndarray):
    """The posterior mean and standard deviation of the latent function on ``grid``."""
    with ag.no_grad():
        mean, amplitude, length, noise = unpack(ag.tensor(params))
        cov = kernel(x, x, amplitude, length) + noise ** 2 * np.eye(len(x))
        cross = kernel(x, grid, amplitude, length)
        factor = sla.cho_factor(cov, lower=True)
        mu = mean + cross.T @ sla.cho_solve(factor, y - mean)
        var = amplitude ** 2 - (cross * sla.cho_solve(factor, cross)).sum(axis=0)
    return mu.data, np.sqrt(np.maximum(var.data, 0.0))


def describe(params: np.ndarray) -> str:
    mean, amplitude, length, noise = params[0], *np.exp(params[1:])
    return (f"mean {mean:+.3f}  amplitude {amplitude:.3f}  length {length:.3f}  "
            f"noise {noise:.3f}")


def plot(x, y, grid, mu, sd, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4))
    ax.fill_between(grid, mu - 2 * sd, mu + 2 * sd, color="tab:blue", alpha=0.2,
                    label="±2 standard deviations")
    ax.plot(grid, mu, color="tab:blue", label="posterior mean")
    ax.plot(x, y, "k.", label="observations")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title("Gaussian process, hyperparameters fitted by ag.grad + L-BFGS")
    ax.legend(loc="lower left", fontsize=8)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)


def main(argv: Sequence[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="fewer points and iterations (for a test)")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "out"),
                        help="where to save gaussian_process.png")
    parser.add_argument("--seed", type=int, default=0, help="the data set's seed")
    args = parser.parse_args(argv)

    x, y = make_data(20 if args.quick else 40, args.seed)
    before = log_marginal_likelihood(ag.tensor(START), x, y).item()
    print(f"before: {describe(START)}   log marginal likelihood {before:.3f}")
    result = fit(x, y, maxiter=30 if args.quick else 200)
    after = -result.fun
    print(f"after:  {describe(result.x)}   log marginal likelihood {after:.3f}")
    print(f"L-BFGS: {result.nit} iterations, {result.nfev} likelihood+gradient evaluations")

    grid = np.linspace(-5.5, 6.0, 100 if args.quick else 300)
    mu, sd = posterior(result.x, x, y, grid)
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "gaussian_process.png")
    plot(x, y, grid, mu, sd, path)
    print(f"saved {path}")
    return {"before": before, "after": after, "params": result.x, "x": x, "y": y,
            "grid": grid, "mu": mu, "sd": sd}


if __name__ == "__main__":
    main()
