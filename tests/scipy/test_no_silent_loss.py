"""scipy's own functions never silently drop a gradient: given a Tensor that requires grad they
raise, naming the differentiable ag.scipy function (or saying there is none); without
requires_grad, or under no_grad, they compute as before. And the packaging: autograd imports
(and erf works) without scipy, autograd.scipy then says which extra to install, and
``import autograd`` never imports scipy itself."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.integrate as si
import scipy.linalg as sl
import scipy.optimize as so
import scipy.signal as ss
import scipy.special as sc
import scipy.stats as st

import autograd as ag

ROOT = Path(__file__).resolve().parents[2]


def leaf(x):
    return ag.tensor(np.asarray(x, dtype=np.float64), requires_grad=True)


X = leaf([0.3, 0.6])
M = leaf([[2.0, 0.5], [0.5, 1.0]])

OURS = [
    ("stats.norm.logpdf", lambda: st.norm.logpdf(X)),
    ("stats.norm.ppf", lambda: st.norm.ppf(X)),
    ("stats.norm.cdf", lambda: st.norm(0.0, 2.0).cdf(X)),  # a frozen distribution
    ("stats.norm.logpdf", lambda: st.norm.logpdf(1.0, loc=X)),  # a parameter
    ("stats.t.pdf", lambda: st.t.pdf(X, 3.0)),
    ("stats.gamma.logpdf", lambda: st.gamma.logpdf(X, 2.0)),
    ("stats.beta.cdf", lambda: st.beta.cdf(X, 2.0, 3.0)),
    ("stats.chi2.pdf", lambda: st.chi2.pdf(X, 3.0)),
    ("stats.poisson.logpmf", lambda: st.poisson.logpmf(3, X)),
    ("stats.multivariate_normal.logpdf", lambda: st.multivariate_normal.logpdf(X, [0, 0], M)),
    ("stats.dirichlet.logpdf", lambda: st.dirichlet.logpdf(np.array([0.4, 0.6]), X + 1)),
    ("special.logsumexp", lambda: sc.logsumexp(X)),
    ("special.softmax", lambda: sc.softmax(X)),
    ("special.log_softmax", lambda: sc.log_softmax(X)),
    ("special.multigammaln", lambda: sc.multigammaln(X + 3, 2)),
    ("special.polygamma", lambda: sc.polygamma(1, X)),
    ("linalg.cholesky", lambda: sl.cholesky(M)),
    ("linalg.cho_factor", lambda: sl.cho_factor(M)),
    ("linalg.cho_solve", lambda: sl.cho_solve((M.detach(), False), X)),
    ("linalg.solve_triangular", lambda: sl.solve_triangular(M, X)),
    ("linalg.solve_sylvester", lambda: sl.solve_sylvester(M, M, M)),
    ("linalg.solve_banded", lambda: sl.solve_banded((0, 0), M[:1], X)),
    ("linalg.sqrtm", lambda: sl.sqrtm(M)),
    ("signal.convolve", lambda: ss.convolve(X, X)),
    ("integrate.odeint", lambda: si.odeint(lambda y, t: -y, X, [0.0, 1.0])),
]
NONE = [
    ("stats.logistic.ppf", lambda: st.logistic.ppf(X)),
    ("stats.t.ppf", lambda: st.t.ppf(X, 3.0)),
    ("stats.entropy", lambda: st.entropy(X)),
    ("stats.pearsonr", lambda: st.pearsonr(X, X)),
    ("linalg.expm", lambda: sl.expm(M)),
    ("linalg.det", lambda: sl.det(M)),
    ("signal.fftconvolve", lambda: ss.fftconvolve(X, X)),
    ("integrate.solve_ivp", lambda: si.solve_ivp(lambda t, y: -y, (0.0, 1.0), X)),
    ("special.zeta", lambda: sc.zeta(X + 1, 2.0)),
]


@pytest.mark.parametrize("path,call", OURS, ids=[p for p, _ in OURS])
def test_scipy_refuses_and_names_the_differentiable_version(path, call):
    with pytest.raises(TypeError, match=rf"scipy\.{path} was given a Tensor that requires grad"
                       rf".* Use ag\.scipy\.{path}, its differentiable version"):
        call()


@pytest.mark.parametrize("path,call", NONE, ids=[p for p, _ in NONE])
def test_scipy_refuses_and_says_when_there_is_no_differentiable_version(path, call):
    with pytest.raises(TypeError, match=rf"autograd has no differentiable scipy\.{path}; pass "
                                        r"t\.detach\(\)"):
        call()


def test_freezing_a_distribution_on_a_parameter_that_requires_grad():
    with pytest.raises(TypeError, match=r"Use the functions of ag\.scipy\.stats\."
                                        r"multivariate_normal, which take the parameters"):
        st.multivariate_normal(X, M.detach())


def test_without_requires_grad_or_under_no_grad_scipy_computes_as_before():
    t = X.detach()
    np.testing.assert_array_equal(st.norm.logpdf(t), st.norm.logpdf(t.data))
    np.testing.assert_array_equal(sl.cholesky(M.detach()), sl.cholesky(M.data))
    with ag.no_grad():
        np.testing.assert_array_equal(st.norm.logpdf(X), st.norm.logpdf(X.data))
        np.testing.assert_array_equal(sc.logsumexp(X), sc.logsumexp(X.data))


def test_scipy_optimize_takes_tensors_as_the_values_they_are():
    # minimize converts x0 and the loss it is given: that is what the user means
    res = so.minimize(lambda p: float(((p - 1.0) ** 2).sum()), X)
    np.testing.assert_allclose(res.x, [1.0, 1.0], atol=1e-6)


def test_user_code_converting_a_tensor_is_not_refused_by_this_guard():
    # the guard only speaks for scipy; numpy's own conversions are the engine's business
    assert np.asarray(X.detach()).shape == (2,)


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


BLOCK_SCIPY = """
import sys
class NoScipy:
    def find_spec(self, name, path=None, target=None):
        if name == "scipy" or name.startswith("scipy."):
            raise ImportError("No module named " + repr(name))
sys.meta_path.insert(0, NoScipy())
"""


def test_without_scipy_autograd_and_erf_work_and_autograd_scipy_names_the_extra():
    code = BLOCK_SCIPY + """
import numpy as np
import autograd as ag
import nn.functional as F
x = ag.tensor(np.array([0.5, -1.0]), requires_grad=True)
y = ag.erf(x)
y.sum().backward()
print("erf", y.data.tolist(), x.grad.data.tolist())
print("gelu", F.gelu(x).data.tolist())
for attempt in ("import autograd.scipy", "ag.scipy"):
    try:
        exec(attempt)
    except ImportError as e:
        print("refused:", e)
print("scipy imported:", "scipy" in sys.modules)
"""
    out = _run(code)
    assert out.returncode == 0, out.stderr
    import math
    lines = out.stdout.splitlines()
    erf_values = [math.erf(0.5), math.erf(-1.0)]
    grads = [2 / math.sqrt(math.pi) * math.exp(-v * v) for v in (0.5, -1.0)]
    word, values, derivatives = lines[0].split(" ", 1)[0], *ast.literal_eval(
        "(" + lines[0].split(" ", 1)[1].replace("] [", "], [") + ")")
    assert word == "erf"  # the scipy-free kernel agrees with libm's erf to an ulp or two
    assert np.allclose(values, erf_values, rtol=5e-16, atol=0)
    assert np.allclose(derivatives, grads, rtol=5e-16, atol=0)
    assert lines[1].startswith("gelu")
    assert lines[2] == lines[3] == ("refused: autograd.scipy needs scipy, an optional extra: "
                                    "pip install 'autograd-engine[scipy]'")
    assert lines[4] == "scipy imported: False"


def test_import_autograd_does_not_import_scipy_and_scipys_ufuncs_bind_once_imported():
    code = """
import sys
import numpy as np
import autograd as ag
import nn
print("scipy" in sys.modules)
import scipy.special
x = ag.tensor(np.array([0.5, 2.0]), requires_grad=True)
y = scipy.special.gammaln(x)
y.sum().backward()
print(type(y).__name__, y.grad_fn.name, np.allclose(x.grad.data, scipy.special.digamma([0.5, 2.0])))
print("autograd.scipy" in sys.modules)
"""
    out = _run(code)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "Tensor", "GammalnBackward", "True", "False"]


def test_pyproject_declares_the_scipy_extra_and_dev_installs_it():
    import re

    text = (ROOT / "pyproject.toml").read_text()

    def table(name: str) -> str:  # the list following ``name = [`` (tomllib is 3.11+)
        return re.search(rf"^{name} = \[(.*?)^\]", text, re.S | re.M).group(1)

    assert '"scipy' not in table("dependencies")
    # dev installs the test extra, which pulls in the scipy extra
    assert '"scipy>=' in table("scipy") and '"autograd-engine[test]"' in table("dev")
    assert "scipy" in re.search(r'"autograd-engine\[([\w,]+)\]"', table("test")).group(1)
