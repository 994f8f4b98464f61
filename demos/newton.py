"""Minimise the Rosenbrock function with Newton's method (``ag.hessian``) and with gradient
descent (``ag.grad``), and print how many steps each needed.

    python demos/newton.py

Rosenbrock's valley is long, narrow and curved: gradient descent must take tiny steps (the
curvature across the valley is ~1000x the curvature along it), while Newton's method rescales
each step by the inverse Hessian and walks down the valley in a handful of steps.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

try:
    import autograd as ag
except ModuleNotFoundError:  # run from a source checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import autograd as ag

START = (-1.2, 1.0)
MINIMUM = np.array([1.0, 1.0])


def rosenbrock(p: ag.Tensor) -> ag.Tensor:
    """f(x, y) = (1 - x)² + 100 (y - x²)², minimal (0) at (1, 1)."""
    x, y = p[0], p[1]
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def _value(p: np.ndarray) -> float:
    with ag.no_grad():
        return float(rosenbrock(ag.Tensor(p)).item())


def _gradient(p: np.ndarray) -> np.ndarray:
    t = ag.Tensor(p, requires_grad=True)
    (g,) = ag.grad(rosenbrock(t), t)
    return g.numpy()


def newton(start=START, tol: float = 1e-3, max_steps: int = 100) -> tuple[np.ndarray, int]:
    """Newton's method: step ``-H⁻¹ ∇f`` with ``H = ag.hessian(f, p)``. Returns (point, steps).

    Where the Hessian is not positive definite the Newton step may point uphill; then a
    plain gradient step is taken instead.
    """
    p = np.array(start, dtype=np.float64)
    for step in range(1, max_steps + 1):
        g = _gradient(p)
        h = ag.hessian(rosenbrock, ag.Tensor(p)).numpy()
        direction = -np.linalg.solve(h, g)
        if g @ direction >= 0:
            direction = -1e-3 * g
        p = p + direction
        if np.linalg.norm(p - MINIMUM) < tol:
            return p, step
    return p, max_steps


def gradient_descent(start=START, lr: float = 2e-3, tol: float = 1e-3,
                     max_steps: int = 100_000) -> tuple[np.ndarray, int]:
    """Plain gradient descent with a fixed step size. Returns (point, steps)."""
    p = ag.Tensor(np.array(start, dtype=np.float64), requires_grad=True)
    for step in range(1, max_steps + 1):
        (g,) = ag.grad(rosenbrock(p), p)
        p.data -= lr * g.data
        if np.linalg.norm(p.data - MINIMUM) < tol:
            return p.numpy().copy(), step
    return p.numpy().copy(), max_steps


def main(tol: float = 1e-3, max_gd_steps: int = 100_000) -> dict[str, int]:
    """Run both methods from (-1.2, 1) to within ``tol`` of (1, 1); print and return steps."""
    steps = {}
    for name, run in (("Newton (ag.hessian)", lambda: newton(tol=tol)),
                      ("gradient descent (ag.grad)",
                       lambda: gradient_descent(tol=tol, max_steps=max_gd_steps))):
        t0 = time.perf_counter()
        p, n = run()
        dt = time.perf_counter() - t0
        steps[name] = n
        print(f"{name:<28} {n:>6} steps  -> ({p[0]:.6f}, {p[1]:.6f})  "
              f"f = {_value(p):.2e}  [{dt:.2f} s]")
    return steps


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tol", type=float, default=1e-3,
                        help="stop this close to the minimum (1, 1) (default %(default)s)")
    parser.add_argument("--max-gd-steps", type=int, default=100_000,
                        help="give gradient descent at most this many steps (default %(default)s)")
    args = parser.parse_args()
    print(f"minimising Rosenbrock from {START} to within {args.tol:g} of (1, 1)")
    main(tol=args.tol, max_gd_steps=args.max_gd_steps)
