"""Name clashes: this distribution installs two top-level packages, ``autograd`` and ``nn``.

PyPI has other distributions with those top-level names (HIPS ``autograd``, ``nn``). Installed
in one environment, the last one wins silently and ``pip check`` sees nothing: its files
replace ours, or its folder shadows ours on ``sys.path``. Each of our packages checks, when
imported, that its sibling is ours, and raises an ImportError naming the distribution that owns
the other one and how to fix the environment. Stdlib only: nothing here may import ``nn``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

DISTRIBUTION = "autograd-engine"
# Both of our __init__.py files carry this line; a foreign package of the same name does not.
MARKER = f'__distribution__ = "{DISTRIBUTION}"'


def owners(name: str) -> list[str]:
    """Installed distributions other than ours that declare top-level ``name``, with versions."""
    from importlib import metadata  # only on the error path: it costs tens of ms to import

    found = []
    for dist in metadata.packages_distributions().get(name, []):
        if dist.lower().replace("_", "-") != DISTRIBUTION:
            try:
                found.append(f"{dist} {metadata.version(dist)}")
            except metadata.PackageNotFoundError:  # pragma: no cover - metadata without version
                found.append(dist)
    return sorted(set(found))


def clash_message(name: str, where: str, found: list[str]) -> str:
    """The ImportError text: who owns ``name``, and how to get ours back."""
    if found:
        who = f"belongs to the distribution {' and '.join(repr(f) for f in found)}"
        uninstall = f"`pip uninstall {' '.join(f.split()[0] for f in found)}`, then "
    else:
        who = "belongs to no installed distribution (a file or folder shadows ours on sys.path)"
        uninstall = "remove or rename it, or "
    return (
        f"the top-level package {name!r} found at {where} {who}, not to {DISTRIBUTION}, which "
        f"installs both 'autograd' and 'nn'; the two cannot share one environment. To fix it: "
        f"{uninstall}reinstall {DISTRIBUTION} (`pip install --force-reinstall --no-deps "
        f"{DISTRIBUTION}`, or `pip install --force-reinstall --no-deps -e .` in a checkout), "
        f"or keep the other distribution in a separate virtual environment."
    )


def check_sibling(name: str) -> None:
    """Raise ImportError when top-level ``name`` is another distribution's package.

    A module of that name that no distribution installed (a user's own ``nn.py``) is left
    alone: importing ``autograd`` does not need it.
    """
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None or not spec.has_location:
        return
    origin = Path(spec.origin)
    try:
        if MARKER in origin.read_text(encoding="utf-8"):
            return
    except OSError:  # pragma: no cover - unreadable file: let the import itself complain
        return
    found = owners(name)
    if found:
        raise ImportError(clash_message(name, str(origin.parent if origin.name == "__init__.py"
                                                  else origin), found))
