"""``scipy.stats`` on Tensors: the distributions HIPS autograd differentiates, each a module
of functions with scipy's signatures (``norm.logpdf(x, loc=0, scale=1)``), differentiable in
``x`` and in every parameter (the cdfs of t, gamma, beta and chi2 in their shape parameters
to first order: that derivative is computed numerically, and a second one through it raises).

``norm``: pdf, logpdf, cdf, logcdf, sf, logsf; ``t``, ``gamma``, ``beta``, ``chi2``: pdf,
logpdf, cdf; ``poisson``: pmf, logpmf, cdf; ``multivariate_normal``: pdf, logpdf, entropy;
``dirichlet``: pdf, logpdf.

They run on the backend of their arguments: the special functions where it has them (numpy,
dask, CuPy; see ``autograd.ops.special``). On a lazy one (dask) nothing is computed to check
the arguments: where numpy's path raises on invalid values (``dirichlet``'s simplex), the
result is NaN there instead; only ``multivariate_normal`` with a singular ``cov``
(``allow_singular=True``, and ``entropy``), whose rank sets the shapes, is refused.

Examples
--------
>>> from autograd.scipy.stats import norm
>>> mu = ag.tensor(0.5, requires_grad=True)
>>> norm.logpdf(ag.tensor([0.0, 1.0]), loc=mu).sum().backward(); mu.grad
Tensor(0.)
"""

from . import beta, chi2, dirichlet, gamma, multivariate_normal, norm, poisson, t

__all__ = ["norm", "t", "gamma", "beta", "chi2", "poisson", "multivariate_normal", "dirichlet"]
