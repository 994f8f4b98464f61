"""``scipy.stats`` on Tensors: the distributions HIPS autograd differentiates, each a module
of functions with scipy's signatures (``norm.logpdf(x, loc=0, scale=1)``), differentiable in
``x`` and in every parameter (the cdfs of t, gamma, beta and chi2 in their shape parameters
to first order: that derivative is computed numerically, and a second one through it raises).

``norm``: pdf, logpdf, cdf, logcdf, sf, logsf; ``t``, ``gamma``, ``beta``, ``chi2``: pdf,
logpdf, cdf; ``poisson``: pmf, logpmf, cdf; ``multivariate_normal``: pdf, logpdf, entropy;
``dirichlet``: pdf, logpdf.

Examples
--------
>>> from autograd.scipy.stats import norm
>>> mu = ag.tensor(0.5, requires_grad=True)
>>> norm.logpdf(ag.tensor([0.0, 1.0]), loc=mu).sum().backward(); mu.grad
Tensor(0.)
"""

from . import beta, chi2, dirichlet, gamma, multivariate_normal, norm, poisson, t

__all__ = ["norm", "t", "gamma", "beta", "chi2", "poisson", "multivariate_normal", "dirichlet"]
