"""The scipy vocabulary (issue 18): each special function's forward on Tensors against scipy on
the raw array (target: within 1.2x), the gradient of odeint in function evaluations against
the forward solve (target: at most three solves), and a few distributions against
scipy.stats for information.

    OPENBLAS_NUM_THREADS=1 python -m benchmarks scipy

On a loaded machine, BLAS threads waiting for one another make small linear-algebra calls
(the triangular solves of multivariate_normal) swing by milliseconds: one thread is fairer.
The forward of each special function is timed in CPU time of this thread (what the call
costs, not how long the scheduler kept it waiting), best of n interleaved runs.
"""

from __future__ import annotations

import time

import numpy as np
import scipy.special as sc
import scipy.stats as st

import autograd as ag
import autograd.scipy.special as S
from autograd.scipy import stats as AS
from autograd.scipy.integrate import odeint
from benchmarks._timing import settle, table

N = 100_000
_R = np.random.default_rng(0)
_POS = _R.uniform(0.2, 5.0, N)
_REAL = _R.standard_normal(N)
_UNIT = _R.uniform(0.02, 0.98, N)
# name -> its arguments (an ndarray argument is the one given as a Tensor)
FUNCS = {
    "gamma": (_POS,), "gammaln": (_POS,), "gammasgn": (_REAL,), "rgamma": (_REAL,),
    "digamma": (_POS,), "polygamma": (1, _POS), "beta": (_POS, _POS[::-1].copy()),
    "betaln": (_POS, _POS[::-1].copy()), "betainc": (2.0, 3.0, _UNIT),
    "gammainc": (2.0, _POS), "gammaincc": (2.0, _POS), "erf": (_REAL,), "erfc": (_REAL,),
    "erfinv": (_UNIT * 2 - 1,), "erfcinv": (_UNIT * 2,), "ndtr": (_REAL,), "log_ndtr": (_REAL,),
    "expit": (_REAL,), "logit": (_UNIT,), "xlogy": (_REAL, _POS), "xlog1py": (_REAL, _UNIT),
    "j0": (_POS,), "j1": (_POS,), "y0": (_POS,), "y1": (_POS,), "jv": (1.5, _POS),
    "yn": (2, _POS), "i0": (_REAL,), "i1": (_REAL,), "iv": (1.0, _REAL), "ive": (1.0, _REAL),
    "stdtr": (3.0, _REAL),
}


def best(cases: dict, repeats: int = 21, clock=time.thread_time) -> dict[str, float]:
    """The fastest of ``repeats`` interleaved runs of each case, in seconds of ``clock``."""
    for fn in cases.values():
        fn()
    times = {name: float("inf") for name in cases}
    for _ in range(repeats):
        for name, fn in cases.items():
            t0 = clock()
            fn()
            times[name] = min(times[name], clock() - t0)
    return times


def _tensors(args):
    return tuple(ag.tensor(a, requires_grad=True) if isinstance(a, np.ndarray) else a
                 for a in args)


def special_forward() -> str:
    rows = []
    worst = 0.0
    for name, args in FUNCS.items():
        targs = _tensors(args)
        raw = getattr(sc, name)
        ours = getattr(S, name)
        cases = {"scipy": lambda raw=raw, a=args: raw(*a),
                 "ag": lambda ours=ours, a=targs: ours(*a)}
        if isinstance(raw, np.ufunc):  # scipy's own ufunc on Tensors: numpy's dispatch
            cases["dispatch"] = lambda raw=raw, a=targs: raw(*a)
        t = best(cases)
        ratio = max(t["ag"], t.get("dispatch", 0.0)) / t["scipy"]
        worst = max(worst, ratio)
        disp = f"dispatch {t['dispatch'] / t['scipy']:.3f}x" if "dispatch" in t else "(no ufunc)"
        rows.append((name, f"{t['scipy'] * 1e3:.3f} ms", f"ag {t['ag'] / t['scipy']:.3f}x, "
                     f"{disp}"))
    rows.append(("worst", "", f"{worst:.3f}x scipy on the raw array (target 1.2x)"))
    return table(f"special functions, forward on {N:,} float64 (recorded, requires_grad): "
                 "scipy on the array vs ag.scipy.special / scipy's ufunc on the Tensor", rows)


def small_arrays() -> str:
    """The fixed cost per call, where the array is too small to hide it."""
    rows = []
    for n in (10, 1000):
        x = _POS[:n]
        tx = ag.tensor(x, requires_grad=True)
        t = best({"scipy": lambda x=x: sc.gammaln(x), "ag": lambda tx=tx: sc.gammaln(tx)},
                 repeats=201, clock=time.perf_counter)
        rows.append((f"gammaln n={n}", f"{t['scipy'] * 1e6:.1f} µs",
                     f"{t['ag'] / t['scipy']:.2f}x (+{(t['ag'] - t['scipy']) * 1e6:.1f} µs)"))
    return table("the per-call cost on small arrays (for information)", rows)


class _Counted:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, y, t, w, b):
        self.calls += 1
        return ag.tanh(w @ y + b) - y * 0.1


def odeint_cost() -> str:
    rows = []
    r = np.random.default_rng(0)
    d = 8
    w = ag.tensor(r.standard_normal((d, d)) * 0.5, requires_grad=True)
    b = ag.tensor(r.standard_normal(d) * 0.3, requires_grad=True)
    y0 = ag.tensor(r.standard_normal(d), requires_grad=True)
    f = _Counted()
    for n_t, on in [(2, "final state"), (11, "final state"), (11, "every output"),
                    (51, "every output")]:
        ts = np.linspace(0.0, 5.0, n_t)
        f.calls = 0
        ys = odeint(f, y0, ts, args=(w, b))
        forward = f.calls
        loss = (ys[-1] ** 2).sum() if on == "final state" else (ys ** 2).sum()
        f.calls = 0
        loss.backward()
        backward = f.calls
        rows.append((f"{n_t} times, loss on the {on}", f"{forward} + {backward} calls",
                     f"gradient = {backward / forward:.2f} forward solves, total "
                     f"{(forward + backward) / forward:.2f}"))
    t = best({
        "forward": lambda: odeint(f, y0, np.array([0.0, 5.0]), args=(w, b)),
        "forward+gradient": lambda: ag.grad((odeint(f, y0, np.array([0.0, 5.0]), args=(w, b))
                                             [-1] ** 2).sum(), [y0, w, b]),
    }, repeats=7)
    rows.append(("CPU time, loss on the final state", f"{t['forward'] * 1e3:.1f} ms forward",
                 f"forward+gradient {t['forward+gradient'] / t['forward']:.2f}x the forward "
                 "(an adjoint call records func and runs a backward pass)"))
    return table("odeint (8 states, a tanh layer): calls of func, forward solve + adjoint solve "
                 "(each adjoint call = one func call + one vector-Jacobian product)", rows)


def distributions() -> str:
    rows = []
    x = _REAL
    tx = ag.tensor(x, requires_grad=True)
    cov = np.eye(5) + 0.3
    pts = _R.standard_normal((20_000, 5))
    tp = ag.tensor(pts, requires_grad=True)
    for name, ours, theirs in [
        ("norm.logpdf", lambda: AS.norm.logpdf(tx, 0.5, 2.0), lambda: st.norm.logpdf(x, 0.5, 2.0)),
        ("t.logpdf", lambda: AS.t.logpdf(tx, 3.0), lambda: st.t.logpdf(x, 3.0)),
        ("norm.logpdf + backward", lambda: AS.norm.logpdf(tx, 0.5, 2.0).sum().backward(),
         lambda: st.norm.logpdf(x, 0.5, 2.0)),
        ("mvn.logpdf 20000x5", lambda: AS.multivariate_normal.logpdf(tp, None, cov),
         lambda: st.multivariate_normal.logpdf(pts, None, cov)),
    ]:
        t = best({"ours": ours, "scipy": theirs}, repeats=9)
        rows.append((name, f"{t['scipy'] * 1e3:.2f} ms scipy", f"{t['ours'] / t['scipy']:.2f}x"))
    return table(f"ag.scipy.stats vs scipy.stats on {N:,} points (for information)", rows)


def main() -> None:
    settle()
    print(special_forward())
    print(small_arrays())
    print(odeint_cost())
    print(distributions())


if __name__ == "__main__":
    main()
