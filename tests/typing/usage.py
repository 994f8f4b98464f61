"""What a user's type checker sees. pyright checks this file (``nox -s typecheck``) and
tests/test_typing.py runs it, so the calls also work. Each ``assert_type`` fails the check when
a public signature loses or changes its type, the Tensor methods and ``ag.*`` functions bound at
import from the op registry included."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

if TYPE_CHECKING:
    from typing_extensions import assert_type
else:  # run as a script (tests/test_typing.py does): the same calls, unchecked
    def assert_type(value: Any, _type: Any) -> Any:
        return value

import autograd as ag  # noqa: E402
import nn  # noqa: E402
import nn.functional as F  # noqa: E402

x = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
assert_type(x, ag.Tensor)
assert_type(x.exp(), ag.Tensor)
assert_type(x.sum(axis=0, keepdims=True), ag.Tensor)
assert_type(x.reshape(4), ag.Tensor)
assert_type(x.T, ag.Tensor)
assert_type(x @ x, ag.Tensor)
assert_type(2.0 * x + 1, ag.Tensor)
assert_type(-x, ag.Tensor)
assert_type(x[0], ag.Tensor)
assert_type(x == 1.0, ag.Tensor)
assert_type(x.split(1), Sequence[ag.Tensor])
assert_type(ag.exp(x), ag.Tensor)
assert_type(ag.matmul(x, np.ones((2, 2))), ag.Tensor)
assert_type(ag.concatenate([x, x], axis=0), ag.Tensor)
assert_type(x.grad, "ag.Tensor | None")
assert_type(x[0, 0].item(), "int | float | bool")

with ag.no_grad():
    x.add_(1.0)


@ag.no_grad()
def evaluate(t: ag.Tensor) -> ag.Tensor:
    return t * 2


assert_type(evaluate(x), ag.Tensor)
assert_type(ag.grad(x.sum(), x), "tuple[ag.Tensor | None, ...]")

model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 3))
opt = nn.optim.Adam(model.parameters(), lr=1e-3)
loss = F.cross_entropy(model(x), np.array([0, 2]))
assert_type(loss, ag.Tensor)
loss.backward()
opt.step()

v = ag.Value(2.0)
assert_type((v * v + 1).tanh(), ag.Value)
