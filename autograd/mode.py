"""Modes: gradient recording on/off and anomaly detection, each thread its own.

Tiny on purpose: every other module reads these flags on its hot path. As in PyTorch, the
flags are per thread: ``no_grad()`` in one thread, or the switch ``backward()`` flips while it
runs, never changes what another thread records.
"""

from __future__ import annotations

import functools
import inspect
import threading


class _State(threading.local):
    """This thread's flags; a new thread starts with recording on and anomaly mode off.

    ``on_node`` and ``skip_checks`` belong to anomaly mode (see ``autograd.anomaly``).
    """

    def __init__(self) -> None:
        self.grad_enabled = True
        self.anomaly = False
        self.on_node = None
        self.skip_checks = False


state = _State()


def is_grad_enabled() -> bool:
    """Return True when operations on tensors are being recorded for backward (this thread)."""
    return state.grad_enabled


def _wrap_generator(mode_factory, gen_fn):
    """``gen_fn`` with its body run under ``mode_factory()`` each time it resumes, and the
    caller's mode back in between (PyTorch's ``_DecoratorContextManager`` for generators)."""

    @functools.wraps(gen_fn)
    def wrapper(*args, **kwargs):
        gen = gen_fn(*args, **kwargs)
        try:
            with mode_factory():
                response = gen.send(None)
            while True:
                try:
                    request = yield response
                except GeneratorExit:
                    with mode_factory():
                        gen.close()
                    raise
                except BaseException as exc:
                    with mode_factory():
                        response = gen.throw(exc)
                else:
                    with mode_factory():
                        response = gen.send(request)
        except StopIteration as stop:
            return stop.value

    return wrapper


def _decorate(mode_factory, fn):
    """``fn`` run under ``mode_factory()``; generator functions get ``_wrap_generator``."""
    if inspect.isgeneratorfunction(fn):
        return _wrap_generator(mode_factory, fn)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with mode_factory():
            return fn(*args, **kwargs)

    return wrapper


class _GradMode:
    """Context manager and decorator that sets gradient recording to a fixed value."""

    enabled: bool

    def __new__(cls, fn=None):
        # ``@ag.no_grad`` (without parentheses) decorates ``fn`` directly.
        self = super().__new__(cls)
        return _decorate(cls, fn) if callable(fn) else self

    def __init__(self, fn=None) -> None:
        self._prev = []

    def __enter__(self):
        self._prev.append(state.grad_enabled)
        state.grad_enabled = self.enabled
        return self

    def __exit__(self, *exc):
        state.grad_enabled = self._prev.pop()
        return False

    def __call__(self, fn):
        return _decorate(type(self), fn)


class no_grad(_GradMode):
    """Record nothing inside: results have no ``grad_fn`` and ``requires_grad=False``.

    Also a decorator (``@ag.no_grad`` or ``@ag.no_grad()``), generator functions included:
    their body runs without recording. Affects only the calling thread.

    Examples
    --------
    >>> with ag.no_grad():
    ...     y = x * 2          # y.requires_grad is False
    """

    enabled = False


class enable_grad(_GradMode):
    """Re-enable recording, e.g. inside a ``no_grad`` block; also a decorator.

    Examples
    --------
    >>> with ag.no_grad(), ag.enable_grad():
    ...     y = x * 2          # recorded
    """

    enabled = True


class set_grad_enabled:
    """Turn recording on or off in this thread: at once as a call, or for a block.

    As in PyTorch, ``ag.set_grad_enabled(False)`` switches recording off immediately;
    used with ``with``, the previous mode comes back at the end of the block. Also a decorator.

    Examples
    --------
    >>> ag.set_grad_enabled(False)       # off from here on
    >>> with ag.set_grad_enabled(True):  # on inside the block only
    ...     y = x * 2
    """

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self._prev = state.grad_enabled
        state.grad_enabled = self.mode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        state.grad_enabled = self._prev
        return False

    def __call__(self, fn):
        state.grad_enabled = self._prev  # undo __init__: as a decorator, only calls switch
        mode = self.mode
        return _decorate(lambda: set_grad_enabled(mode), fn)
