"""Differentiate numpy code as it is already written.

    python demos/numpy_code.py [--n 500] [--steps 300] [--atoms 5] [--seed 0]

Two functions written for plain numpy arrays, with nothing of autograd in them:

- the average log-likelihood of data under a multivariate Gaussian, with
  ``np.linalg.slogdet`` and ``np.linalg.solve`` (the covariance is ``L Lᵀ + εI``);
- the Lennard-Jones energy of a cluster of atoms, with ``np.linalg.norm`` over pairwise
  differences and ``np.triu_indices``.

Called on Tensors, numpy dispatches every call to autograd, so ``ag.grad`` differentiates them
unchanged. The demo prints each gradient beside its closed form, checks it with
``ag.gradcheck``, then fits the Gaussian by gradient ascent on the likelihood (it recovers
the sample mean and covariance) and relaxes the cluster along its forces.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

try:
    import autograd as ag
except ImportError:  # run from a source checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import autograd as ag


# ---------------------------------------------------------------------------- plain numpy code


def gaussian_log_likelihood(X, mu, L):
    """Mean log-density of the rows of X under N(mu, L Lᵀ + 1e-3 I)."""
    n, d = X.shape
    sigma = L @ L.T + 1e-3 * np.eye(d)
    diff = X - mu
    sign, logdet = np.linalg.slogdet(sigma)
    mahalanobis = np.sum(diff * np.linalg.solve(sigma, diff.T).T, axis=1)
    return -0.5 * np.mean(mahalanobis) - 0.5 * logdet - 0.5 * d * np.log(2 * np.pi)


def lennard_jones(positions, epsilon=1.0, sigma=1.0):
    """Total Lennard-Jones energy of atoms at ``positions`` (n, 3)."""
    i, j = np.triu_indices(len(positions), k=1)
    r = np.linalg.norm(positions[i] - positions[j], axis=-1)
    s6 = (sigma / r) ** 6
    return np.sum(4 * epsilon * (s6 ** 2 - s6))


# ---------------------------------------------------------------------------- closed forms


def gaussian_gradients(X, mu, L):
    """∂ℓ/∂mu = Σ⁻¹(x̄ − mu); ∂ℓ/∂L = 2 G L with G = ½ Σ⁻¹ (S − Σ) Σ⁻¹, S the scatter."""
    sigma = L @ L.T + 1e-3 * np.eye(len(mu))
    inv = np.linalg.inv(sigma)
    diff = X - mu
    scatter = diff.T @ diff / len(X)
    g = 0.5 * inv @ (scatter - sigma) @ inv
    return inv @ (X.mean(axis=0) - mu), 2 * g @ L


def lennard_jones_forces(positions, epsilon=1.0, sigma=1.0):
    """F_k = −∂E/∂x_k = Σ_j 24ε (2 (σ/r)¹² − (σ/r)⁶) (x_k − x_j) / r²."""
    diff = positions[:, None, :] - positions[None, :, :]
    r2 = np.sum(diff ** 2, axis=-1) + np.eye(len(positions))  # no self-interaction
    s6 = (sigma ** 2 / r2) ** 3
    coef = 24 * epsilon * (2 * s6 ** 2 - s6) / r2 * (1 - np.eye(len(positions)))
    return np.sum(coef[:, :, None] * diff, axis=1)


# ---------------------------------------------------------------------------- the demo


def gaussian_part(n: int, steps: int, rng: np.random.Generator) -> dict:
    true_cov = np.array([[2.0, 0.6, 0.0], [0.6, 1.0, -0.3], [0.0, -0.3, 0.5]])
    X = rng.multivariate_normal([1.0, -2.0, 0.5], true_cov, size=n)
    mu0, L0 = np.zeros(3), np.eye(3)
    print(f"log-likelihood on numpy arrays : {gaussian_log_likelihood(X, mu0, L0):.6f}")

    mu, L = ag.tensor(mu0, requires_grad=True), ag.tensor(L0, requires_grad=True)
    value = gaussian_log_likelihood(X, mu, L)
    d_mu, d_L = ag.grad(value, (mu, L))
    exact_mu, exact_L = gaussian_gradients(X, mu0, L0)
    err = max(np.abs(d_mu.data - exact_mu).max(), np.abs(d_L.data - exact_L).max())
    print(f"log-likelihood on Tensors      : {value.item():.6f}")
    print(f"ag.grad vs the closed form     : max |difference| = {err:.2e}")
    small = X[:20]
    ok = ag.gradcheck(lambda m, lo: gaussian_log_likelihood(small, m, lo),
                      (ag.tensor(mu0, requires_grad=True), ag.tensor(L0, requires_grad=True)))
    print(f"ag.gradcheck                   : {'passed' if ok else 'FAILED'}")

    lr = 0.1
    for _ in range(steps):  # gradient ascent: the maximum likelihood estimate
        d_mu, d_L = ag.grad(gaussian_log_likelihood(X, mu, L), (mu, L))
        with ag.no_grad():
            mu += lr * d_mu
            L += lr * d_L
    fitted_cov = L.data @ L.data.T + 1e-3 * np.eye(3)
    sample_cov = np.cov(X.T, bias=True)
    mean_err = np.abs(mu.data - X.mean(axis=0)).max()
    cov_err = np.abs(fitted_cov - sample_cov).max()
    print(f"{f'after {steps} ascent steps':<31}: |mu - sample mean| = {mean_err:.1e}, "
          f"|Sigma - sample covariance| = {cov_err:.1e}")
    return {"grad_error": err, "gradcheck": ok, "mean_error": mean_err, "cov_error": cov_err}


def cluster_part(atoms: int, steps: int, rng: np.random.Generator) -> dict:
    grid = np.array([[i, j, k] for i in range(2) for j in range(2) for k in range(2)], float)
    x0 = grid[:atoms] * 1.15 + 0.05 * rng.standard_normal((atoms, 3))
    print(f"LJ energy on numpy arrays      : {lennard_jones(x0):.6f}")
    x = ag.tensor(x0, requires_grad=True)
    energy = lennard_jones(x)
    (g,) = ag.grad(energy, x)
    err = np.abs(-g.data - lennard_jones_forces(x0)).max()
    print(f"LJ energy on Tensors           : {energy.item():.6f}")
    print(f"-ag.grad vs the closed forces  : max |difference| = {err:.2e}")
    ok = ag.gradcheck(lennard_jones, (ag.tensor(x0, requires_grad=True),))
    print(f"ag.gradcheck                   : {'passed' if ok else 'FAILED'}")
    start = energy.item()
    for _ in range(steps):  # steepest descent, a step capped at 0.05
        (g,) = ag.grad(lennard_jones(x), x)
        with ag.no_grad():
            x -= 0.05 * g / max(1.0, float(np.abs(g.data).max()))
    end = lennard_jones(x.detach()).item()
    print(f"{f'after {steps} relaxation steps':<31}: energy {start:.4f} -> {end:.4f}")
    return {"force_error": err, "gradcheck": ok, "start": start, "end": end}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=500, help="data points (default 500)")
    parser.add_argument("--steps", type=int, default=300, help="optimisation steps (300)")
    parser.add_argument("--atoms", type=int, default=5, help="atoms in the cluster, 2-8 (5)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (0)")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    print("== a Gaussian log-likelihood (np.linalg.slogdet, np.linalg.solve) ==")
    gaussian = gaussian_part(args.n, args.steps, rng)
    print("\n== a Lennard-Jones cluster (np.linalg.norm, np.triu_indices) ==")
    cluster = cluster_part(args.atoms, args.steps, rng)
    return {"gaussian": gaussian, "cluster": cluster}


if __name__ == "__main__":
    main()
