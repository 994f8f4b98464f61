"""Running Graphviz without a system install: find a ``dot`` and hand it to ``graphviz``.

The ``graphviz`` Python package renders by running an executable called ``dot``. We look for
one in this order: the system ``dot`` on ``PATH``, then the binary of the ``graphviz-pure``
wheel (a declared dependency: a pure-Rust Graphviz that installs a ``graphviz-pure`` command,
never a ``dot``). ``Digraph`` is a ``graphviz.Digraph`` whose rendering methods (``pipe``,
``render``, ``view`` and the Jupyter display, which goes through ``pipe``) use that executable.
"""

from __future__ import annotations

import os
import shutil
import sysconfig
import threading
from contextlib import contextmanager
from typing import Any

import graphviz
from graphviz.backend import dot_command

_INSTALL_HINT = ("install one of them: `pip install graphviz-pure` (no system packages needed) "
                 "or the system Graphviz package (`apt install graphviz`, `brew install "
                 "graphviz`, `conda install graphviz`)")


class GraphvizNotFoundError(graphviz.ExecutableNotFound):
    """Neither a system ``dot`` nor the ``graphviz-pure`` binary could be found."""

    def __init__(self, message: str) -> None:
        RuntimeError.__init__(self, message)

    def __str__(self) -> str:
        return self.args[0]


def _graphviz_pure_binary() -> str | None:
    """The ``graphviz-pure`` executable installed by the wheel, if any."""
    name = "graphviz-pure.exe" if os.name == "nt" else "graphviz-pure"
    try:  # the wheel records where it put the binary (venv, user site, system)
        from importlib.metadata import PackageNotFoundError, distribution
        try:
            dist = distribution("graphviz-pure")
        except PackageNotFoundError:
            dist = None
        for f in (dist.files or ()) if dist is not None else ():
            if f.name == name:
                path = str(f.locate())
                if os.access(path, os.X_OK):
                    return os.path.abspath(path)
    except Exception:  # a broken metadata install should not hide a binary on PATH
        pass
    for directory in (sysconfig.get_path("scripts"), sysconfig.get_path("scripts", "posix_user")):
        path = os.path.join(directory or "", name)
        if directory and os.access(path, os.X_OK):
            return path
    return shutil.which("graphviz-pure")


def dot_executable() -> str:
    """The Graphviz ``dot`` executable rendering will use.

    The system ``dot`` on ``PATH`` when there is one, else the ``graphviz-pure`` wheel's
    binary.

    Raises
    ------
    GraphvizNotFoundError
        When neither exists; the message says what to install.

    Examples
    --------
    >>> ag.viz.dot_executable()  # e.g. '/usr/bin/dot', or graphviz-pure's in a virtualenv
    '/...'
    """
    found = shutil.which("dot") or _graphviz_pure_binary()
    if found is None:
        raise GraphvizNotFoundError(
            "rendering a graph needs Graphviz, but neither a `dot` executable on PATH nor the "
            "`graphviz-pure` binary was found; " + _INSTALL_HINT)
    return found


_lock = threading.RLock()


@contextmanager
def _using_dot():
    """Point the ``graphviz`` package at our ``dot`` for the duration of one call."""
    exe = dot_executable()
    with _lock:
        saved = dot_command.DOT_BINARY
        dot_command.DOT_BINARY = exe
        try:
            yield
        except graphviz.ExecutableNotFound:
            raise GraphvizNotFoundError(
                f"could not run the Graphviz executable {exe!r}; " + _INSTALL_HINT) from None
        finally:
            dot_command.DOT_BINARY = saved


class Digraph(graphviz.Digraph):
    """A ``graphviz.Digraph`` that renders without a system Graphviz install.

    ``pipe()``, ``render()``, ``view()`` and the inline Jupyter display run the system ``dot``
    when it is on ``PATH`` and the ``graphviz-pure`` binary otherwise (see ``dot_executable``).
    """

    def pipe(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        with _using_dot():
            return super().pipe(*args, **kwargs)

    def render(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        with _using_dot():
            return super().render(*args, **kwargs)

    def view(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        with _using_dot():
            return super().view(*args, **kwargs)

    def _repr_svg_(self) -> str:
        """Inline SVG for front ends that ask for ``_repr_svg_`` (Jupyter asks for the bundle)."""
        return self.pipe(format="svg", encoding="utf-8")

    def svg(self) -> str:
        """The rendered SVG document as a string."""
        return self.pipe(format="svg", encoding="utf-8")
