"""Modes: gradient recording on/off and anomaly detection, each thread its own.

As in PyTorch, the flags are per thread: ``no_grad()`` in one thread, or the switch
``backward()`` flips while it runs, never changes what another thread records.

Every op reads the recording flag, so the read must stay cheap. It lives in a context
variable (each thread has its own context, and a new thread starts with recording on):
``recording()`` costs about as much as a function call, where a ``threading.local``
attribute costs three times that. (asyncio tasks each get a copy of their creator's flag, so
``no_grad`` in one task does not reach the others either.) The anomaly flag, read only when
an op is recorded, is a ``threading.local``, behind a count of the threads that set it::

    if recording(): ...                          # the op is recorded in this thread
    if anywhere.anomaly and state.anomaly: ...   # this thread is in anomaly mode
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import threading

_recording = contextvars.ContextVar("autograd_grad_enabled", default=True)
recording = _recording.get  # the hot-path read: ``if recording():``
set_recording = _recording.set


class _Anywhere:
    """How many threads have anomaly mode on (read without a lock)."""

    __slots__ = ("anomaly",)

    def __init__(self) -> None:
        self.anomaly = 0


class _ThreadShare:
    """One thread's part of ``anywhere``'s count, given back when the thread ends (its
    thread-local values are dropped then, and this with them)."""

    __slots__ = ("anomaly",)

    def __init__(self) -> None:
        self.anomaly = False

    def __del__(self) -> None:
        try:
            with _lock:
                anywhere.anomaly -= self.anomaly
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass


class _State(threading.local):
    """This thread's flags: ``grad_enabled`` (the context variable above) and the anomaly
    mode's (``anomaly``, and ``on_node``, ``skip_checks``: see ``autograd.anomaly``)."""

    def __init__(self) -> None:
        self._anomaly = False
        self.on_node = None
        self.skip_checks = False
        self._share = _ThreadShare()

    @property
    def grad_enabled(self) -> bool:
        """Whether this thread records ops."""
        return _recording.get()

    @grad_enabled.setter
    def grad_enabled(self, flag: bool) -> None:
        _recording.set(bool(flag))

    @property
    def anomaly(self) -> bool:
        """Whether this thread is in anomaly mode."""
        return self._anomaly

    @anomaly.setter
    def anomaly(self, flag: bool) -> None:
        flag = bool(flag)
        if flag != self._anomaly:
            with _lock:
                anywhere.anomaly += 1 if flag else -1
                self._share.anomaly = flag
            self._anomaly = flag


_lock = threading.Lock()
anywhere = _Anywhere()
state = _State()


def is_grad_enabled() -> bool:
    """Return True when operations on tensors are being recorded for backward (this thread)."""
    return _recording.get()


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
        self._prev.append(_recording.get())
        _recording.set(self.enabled)
        return self

    def __exit__(self, *exc):
        _recording.set(self._prev.pop())
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
        self._prev = _recording.get()
        _recording.set(self.mode)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _recording.set(self._prev)
        return False

    def __call__(self, fn):
        _recording.set(self._prev)  # undo __init__: as a decorator, only calls switch
        mode = self.mode
        return _decorate(lambda: set_grad_enabled(mode), fn)
