"""Types: the public API is annotated, and the stub of what the op registry binds is current."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import autograd
import nn
import nn.functional
import nn.init
import nn.optim

ROOT = Path(__file__).resolve().parents[1]


def test_the_stub_of_registry_bound_names_is_up_to_date():
    # in a fresh interpreter: the registry as importing autograd and nn makes it, not as the
    # tests that declare ops of their own leave it
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "typing_stub.py"), "--check"],
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_typed_usage_example_also_runs():
    import runpy

    namespace = runpy.run_path(str(ROOT / "tests" / "typing" / "usage.py"))
    assert isinstance(namespace["loss"], autograd.Tensor)


def test_the_stub_names_every_bound_method_and_export():
    text = (ROOT / "autograd" / "_bound.pyi").read_text(encoding="utf-8")
    from autograd import bind

    for attr in bind._BOUND:
        assert f"    {attr} = " in text or f"    def {attr}(" in text, attr
    for name in bind.EXPORTS:
        assert f" as {name}\n" in text, name


def _public_callables():
    """(qualified name, callable) for every public function, class and method we define."""
    from autograd import bind

    bound = set(bind._BOUND)
    seen = set()
    for module in (autograd, *bind.NAMESPACES.values(), nn, nn.functional, nn.init, nn.optim):
        names = getattr(module, "__all__", None) or [n for n in vars(module) if n[0] != "_"]
        for name in names:
            obj = getattr(module, name)
            if id(obj) in seen or not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue
            if not getattr(obj, "__module__", "").startswith(("autograd", "nn")):
                continue
            seen.add(id(obj))
            yield f"{module.__name__}.{name}", obj
            if inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    if attr.startswith("_") and attr != "__init__" or attr in bound:
                        continue  # private, or typed by the stub of registry-bound names
                    fn = member.fget if isinstance(member, property) else member
                    fn = getattr(fn, "__func__", fn)  # staticmethod / classmethod
                    if inspect.isfunction(fn) and id(fn) not in seen:
                        seen.add(id(fn))
                        yield f"{module.__name__}.{name}.{attr}", fn


PUBLIC = sorted(_public_callables(), key=lambda item: item[0])


def test_there_is_a_public_api_to_check():
    names = {name for name, _ in PUBLIC}
    assert {"autograd.Tensor.backward", "autograd.exp", "nn.Linear.__init__",
            "nn.functional.cross_entropy", "nn.optim.Optimizer.step"} <= names, sorted(names)


@pytest.mark.parametrize("name, fn", PUBLIC, ids=[name for name, _ in PUBLIC])
def test_public_signature_is_annotated(name, fn):
    if inspect.isclass(fn):
        return  # its __init__ and methods are items of their own
    sig = inspect.signature(fn)
    missing = [p.name for i, p in enumerate(sig.parameters.values())
               if p.annotation is p.empty and not (i == 0 and p.name in ("self", "cls"))]
    assert not missing, f"{name}: parameters without a type: {missing}"
    assert sig.return_annotation is not sig.empty, f"{name}: no return type"
