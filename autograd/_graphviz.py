"""Running Graphviz without a system install: find a renderer and hand it to ``graphviz``.

The ``graphviz`` Python package renders by running an executable called ``dot``. We use, in
this order: the binary of the ``graphviz-pure`` wheel (a declared dependency: a pure-Rust port
of Graphviz that installs a ``graphviz-pure`` command, never a ``dot``), then the system ``dot``
on ``PATH``. The bundled one comes first because its output is the same on every machine and
its text measurements are the ones the font choice below was made for; the system ``dot``
renders the formats the wheel lacks (PDF, PostScript, ...).

Fonts: labels are laid out in DejaVu Sans, whose widths Graphviz knows, and the SVG asks for
``DejaVu Sans, Verdana, sans-serif``: DejaVu Sans is on nearly every Linux (and ships with
matplotlib), Verdana on every Mac and Windows machine has the same advance widths, and any
other sans-serif face is narrower, so a label never spills out of its box.

``Digraph`` is a ``graphviz.Digraph`` whose rendering methods (``pipe``, ``render``, ``view``
and the Jupyter display, which goes through ``pipe``) use that executable and SVG by default.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sysconfig
import threading
from contextlib import contextmanager
from functools import lru_cache

import graphviz
from graphviz.backend import dot_command

FONT = "DejaVu Sans"
FONT_FAMILY = "DejaVu Sans,Verdana,sans-serif"
_FONT_ATTR = re.compile(rb'font-family="DejaVu Sans"')

_INSTALL_HINT = ("install one of them: `pip install graphviz-pure` (no system packages needed) "
                 "or the system Graphviz package (`apt install graphviz`, `brew install "
                 "graphviz`, `conda install graphviz`)")

# what graphviz-pure 0.2 writes; asked from the binary itself when it runs (see _pure_formats)
_PURE_FORMATS = ("canon", "dot", "dot_json", "gv", "jpe", "jpeg", "jpg", "json", "json0",
                 "plain", "plain-ext", "png", "svg", "xdot", "xdot1.2", "xdot1.4", "xdot_json")


class GraphvizNotFoundError(graphviz.ExecutableNotFound):
    """No Graphviz executable that can render the requested format could be found."""

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
                path = os.fspath(dist.locate_file(f))
                if os.access(path, os.X_OK):
                    return os.path.abspath(path)
    except Exception:  # a broken metadata install should not hide a binary on PATH
        pass
    for directory in (sysconfig.get_path("scripts"), sysconfig.get_path("scripts", "posix_user")):
        path = os.path.join(directory or "", name)
        if directory and os.access(path, os.X_OK):
            return path
    return shutil.which("graphviz-pure")


@lru_cache(maxsize=8)
def _pure_formats(binary: str) -> frozenset:
    """The output formats a graphviz-pure binary writes (it lists them when asked for `-T?`)."""
    try:
        out = subprocess.run([binary, "-T?"], capture_output=True, text=True, timeout=30)
        listed = (out.stderr + out.stdout).split("Use one of:", 1)[1].split()
    except Exception:
        listed = _PURE_FORMATS
    return frozenset(listed)


def _base_format(format: str) -> str:
    return format.split(":", 1)[0].lower()  # "png:cairo" -> "png"


def dot_executable(format: str = "svg") -> str:
    """The Graphviz executable that renders ``format`` (SVG unless told).

    The ``graphviz-pure`` wheel's binary when it writes that format (SVG, PNG, JPEG, DOT,
    JSON, ...), else the system ``dot`` on ``PATH``.

    Raises
    ------
    GraphvizNotFoundError
        When neither can render ``format``; the message names the format and what to install.

    Examples
    --------
    >>> ag.viz.dot_executable()
    '/home/me/.venv/bin/graphviz-pure'
    >>> ag.viz.dot_executable("pdf")
    '/usr/bin/dot'
    """
    pure = _graphviz_pure_binary()
    if pure is not None and _base_format(format) in _pure_formats(pure):
        return pure
    system = shutil.which("dot")
    if system is not None:
        return system
    if pure is not None:
        writes = ", ".join(sorted(f for f in _pure_formats(pure) if "." not in f))
        raise GraphvizNotFoundError(
            f"rendering to {format!r} needs the system Graphviz (a `dot` executable on PATH), "
            f"which was not found; the bundled graphviz-pure renders {writes}. Use "
            f"format='svg' (or 'png'), or install Graphviz (`apt install graphviz`, `brew "
            f"install graphviz`, `conda install graphviz`)")
    raise GraphvizNotFoundError(
        f"rendering a graph (format {format!r}) needs Graphviz, but neither the "
        "`graphviz-pure` binary nor a `dot` executable on PATH was found; " + _INSTALL_HINT)


def svg_fonts(svg: bytes | str) -> bytes | str:
    """Give the SVG's labels their fallback fonts (see the module docstring)."""
    if isinstance(svg, str):
        return svg.replace('font-family="DejaVu Sans"', f'font-family="{FONT_FAMILY}"')
    return _FONT_ATTR.sub(f'font-family="{FONT_FAMILY}"'.encode(), svg)


_lock = threading.RLock()


@contextmanager
def _using_dot(format: str):
    """Point the ``graphviz`` package at the executable for ``format`` for one call."""
    exe = dot_executable(format)
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
    """A ``graphviz.Digraph`` that renders SVG by default, without a system Graphviz install.

    ``pipe()``, ``render()``, ``view()`` and the inline Jupyter display run the bundled
    ``graphviz-pure`` binary, or the system ``dot`` for formats it lacks (see
    ``dot_executable``). Labels use DejaVu Sans unless a ``fontname`` is given.

    Examples
    --------
    >>> g = ag.draw(loss)
    >>> g.render("graph")          # writes graph (the DOT source) and graph.svg
    'graph.svg'
    """

    def __init__(self, *args, **kwargs) -> None:
        if len(args) < 5:  # name, comment, filename, directory, format
            kwargs.setdefault("format", "svg")
        super().__init__(*args, **kwargs)
        for attrs in (self.graph_attr, self.node_attr, self.edge_attr):
            attrs.setdefault("fontname", FONT)

    def _format_of(self, format: str | None, outfile=None) -> str:
        if format is None and outfile is not None:
            suffix = os.path.splitext(os.fspath(outfile))[1].lstrip(".")
            if suffix:
                return suffix.lower()
        return format or self.format

    def pipe(self, format: str | None = None, *args, **kwargs):  # noqa: D102 (graphviz's doc)
        fmt = self._format_of(format)
        if len(args) < 4:  # renderer, formatter, neato_no_op, quiet: metric warnings stay quiet
            kwargs.setdefault("quiet", True)
        with _using_dot(fmt):
            out = super().pipe(fmt, *args, **kwargs)
        return svg_fonts(out) if _base_format(fmt) == "svg" else out

    def render(self, filename=None, directory=None, view: bool = False,  # noqa: D102
               cleanup: bool = False, format: str | None = None, renderer: str | None = None,
               formatter: str | None = None, neato_no_op=None, quiet: bool = True,
               quiet_view: bool = False, **kwargs) -> str:
        fmt = self._format_of(format, kwargs.get("outfile"))
        with _using_dot(fmt):
            path = super().render(filename, directory=directory, cleanup=cleanup, format=fmt,
                                  renderer=renderer, formatter=formatter,
                                  neato_no_op=neato_no_op, quiet=quiet, **kwargs)
        if _base_format(fmt) == "svg":
            with open(path, "rb") as f:
                svg = f.read()
            with open(path, "wb") as f:
                f.write(svg_fonts(svg))
        if view or quiet_view:
            self._view(path, format=_base_format(fmt), quiet=quiet_view)
        return path

    def view(self, filename=None, directory=None, cleanup: bool = False,  # noqa: D102
             quiet: bool = False, quiet_view: bool = False) -> str:
        return self.render(filename, directory, view=True, cleanup=cleanup, quiet=quiet,
                           quiet_view=quiet_view)

    def _repr_svg_(self) -> str:
        """Inline SVG for front ends that ask for ``_repr_svg_`` (Jupyter asks for the bundle)."""
        return self.pipe(format="svg", encoding="utf-8")

    def svg(self) -> str:
        """The rendered SVG document as a string."""
        return self.pipe(format="svg", encoding="utf-8")
