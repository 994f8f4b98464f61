"""MkDocs hook: the ops table of the reference, generated from the op registry at build time, so
it lists exactly the ops that exist and the names each is bound to (``autograd.OPS``)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

MARKER = "<!-- ops-table -->"
INDEX = "<!-- autograd-index -->"


def _code(names: Any) -> str:
    return " ".join(f"`{n}`" for n in names) if names else ""


def ops_table() -> str:
    import autograd
    import nn  # noqa: F401  (nn's fused ops register too)

    rows = ["| op | Tensor | numpy | in place | derivative | node |",
            "| --- | --- | --- | --- | --- | --- |"]
    for name, d in sorted(autograd.OPS.items()):
        bound = [*d.methods, *(x for x in (d.operator, d.reflected) if x)]
        inplace = (d.inplace,) if isinstance(d.inplace, str) else tuple(d.inplace or ())
        numpy = list(dict.fromkeys(f"np.{getattr(f, '__name__', f)}"
                                   for f in (*d.ufuncs, *d.functions)))
        where = f"`ag.{name}`" if d.export else f"`{d.fn.__module__}.{d.fn.__name__}`"
        formula = "; ".join(d.formula) if d.formula else ("composite" if d.composite else "")
        if not d.differentiable:
            formula = "no gradient"
        rows.append(f"| {where} | {_code(bound)} | {_code(numpy)} | {_code(inplace)} | "
                    f"{formula.replace('|', '&#124;')} | `{d.node}` |")
    return "\n".join(rows)


def autograd_index() -> str:
    """``ag.NAME`` for every name in ``autograd.__all__``, linked to where it is documented."""
    import autograd

    items = []
    for name in sorted(autograd.__all__, key=str.lower):
        obj = getattr(autograd, name)
        module = getattr(obj, "__module__", None)
        qualname = getattr(obj, "__qualname__", None)
        code = getattr(obj, "__code__", None)
        made = code is not None and code.co_name != getattr(obj, "__name__", None)  # by a factory
        if module and qualname and module.startswith("autograd.") and "." not in qualname \
                and not made:
            public = module.replace("autograd._tensor", "autograd")
            items.append(f"[`{name}`][{public}.{qualname}]")
        else:
            items.append(f"`{name}`")
    return " · ".join(items)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    if MARKER in markdown:
        markdown = markdown.replace(MARKER, ops_table())
    if INDEX in markdown:
        markdown = markdown.replace(INDEX, autograd_index())
    return markdown
