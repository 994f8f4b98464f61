"""Global modes: gradient recording on/off and anomaly detection.

Tiny on purpose: every other module reads these flags on its hot path.
"""

from __future__ import annotations

import contextlib
import functools
from typing import Any, Callable, TypeVar, overload

_F = TypeVar("_F", bound=Callable[..., Any])
_G = TypeVar("_G", bound="_GradMode")


class _State:
    __slots__ = ("grad_enabled", "anomaly")

    def __init__(self) -> None:
        self.grad_enabled = True
        self.anomaly = False


state = _State()


def is_grad_enabled() -> bool:
    """Return True when operations on tensors are being recorded for backward."""
    return state.grad_enabled


class _GradMode(contextlib.ContextDecorator):
    """Context manager and decorator that sets gradient recording to a fixed value."""

    enabled: bool

    @overload
    def __new__(cls: type[_G], fn: None = None) -> _G: ...

    @overload
    def __new__(cls, fn: _F) -> _F: ...  # type: ignore[misc]

    def __new__(cls, fn: Any = None) -> Any:
        # ``@ag.no_grad`` (without parentheses) decorates ``fn`` directly.
        self = super().__new__(cls)
        return self(fn) if callable(fn) else self

    def __init__(self, fn: Callable[..., Any] | None = None) -> None:
        pass

    def __enter__(self) -> _GradMode:
        self._prev = state.grad_enabled
        state.grad_enabled = self.enabled
        return self

    def __exit__(self, *exc: object) -> bool:
        state.grad_enabled = self._prev
        return False

    def __call__(self, fn: _F) -> _F:  # type: ignore[override]
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.__class__():
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class no_grad(_GradMode):
    """Record nothing inside: results have no ``grad_fn`` and ``requires_grad=False``.

    Examples
    --------
    >>> x = ag.ones(2, requires_grad=True)
    >>> with ag.no_grad():
    ...     y = x * 2
    >>> y.requires_grad, y.grad_fn
    (False, None)
    """

    enabled = False


class enable_grad(_GradMode):
    """Re-enable recording, e.g. inside a ``no_grad`` block."""

    enabled = True


class set_grad_enabled(contextlib.ContextDecorator):
    """Set recording on or off for a block: ``with ag.set_grad_enabled(False): ...``."""

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)

    def __enter__(self) -> set_grad_enabled:
        self._prev = state.grad_enabled
        state.grad_enabled = self.mode
        return self

    def __exit__(self, *exc: object) -> bool:
        state.grad_enabled = self._prev
        return False
