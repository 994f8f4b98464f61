"""No silent gradient loss when numpy turns Tensors into a plain array.

``np.asarray(t)`` gives the data of ``t`` (plotting and other numpy code rely on it). But
``np.array([x, 2 * x])`` or ``np.mean([x, x + 2])``, with ``x`` requiring grad, would build a
plain array out of values that carry a gradient, and the gradient would be silently lost:
PyTorch raises there, and so do we, pointing to ``ag.stack``.

numpy converts both through ``Tensor.__array__``, called in the same way for a Tensor inside a
list as for a bare one. What tells them apart is the call that asked for the conversion, so
``__array__`` looks at it, for Tensors that require grad and with grad mode on only: the frame
of the Python code that called into numpy, and in its bytecode the call being evaluated (the
instructions inside that call's source span, which Python 3.11+ records for every instruction,
with or without the source file; on 3.10, the instructions of its line). The conversion is one
of a sequence when

- an argument of the call is a list, tuple or set display, or a comprehension, that reads a
  Tensor requiring grad or a list holding one (``np.array([x, 2 * x])``), or
- an argument is a name (or ``a.b``) bound to a list or tuple that holds this Tensor
  (``np.asarray(xs)``; numpy's own ``np.mean([...])`` converts its parameter ``a`` that way).

Elements computed by calls that read no Tensor (``np.array([f(a), f(b)])``) are not seen.
The analysis of a call site is cached; autograd's own code is trusted.

numpy's own Python code converting a Tensor is refused too: numpy hands every function it
dispatches to ``__array_function__`` before running it, so its code meets a Tensor only in a
function that never dispatches (``np.full(shape, x)``, whose result would not carry the
gradient). ``numpy.testing`` is left alone: comparing values is what it is for.
"""

from __future__ import annotations

import builtins
import dis
from typing import Any

from .._tensor import Tensor

_SITES: dict = {}  # (code, instruction offset) -> (names read in displays, names passed)
_DISPLAYS = {"BUILD_LIST", "BUILD_TUPLE", "BUILD_SET", "LIST_EXTEND", "SET_UPDATE"}
_COMPREHENSIONS = {"<listcomp>", "<genexpr>", "<setcomp>"}
_CALLS = {"CALL", "PRECALL", "CALL_KW", "CALL_FUNCTION_EX", "CALL_FUNCTION",
          "CALL_FUNCTION_KW", "CALL_METHOD"}
_ATTRS = {"LOAD_ATTR", "LOAD_METHOD"}


def conversion_refusal(t: Any, frame) -> str | None:
    """Why numpy, called from ``frame``, may not turn ``t`` (which requires grad) into an
    array; None when it may (``np.asarray(t)``: the data)."""
    if frame is None:
        return None
    module = frame.f_globals.get("__name__") or ""
    if module == "autograd" or module.startswith("autograd."):
        return None
    if converted_in_a_sequence(t, frame):
        return refusal()
    if (module == "numpy" or module.startswith("numpy.")) and \
            not module.startswith("numpy.testing"):
        return (f"numpy's {frame.f_code.co_name} turns a Tensor that requires grad into a plain "
                "array and its result would not carry the gradient. Use autograd's ops (for "
                "np.full(shape, x): ag.broadcast_to(x, shape)), or pass x.detach() if no "
                "gradient is wanted.")
    return None


def converted_in_a_sequence(t: Any, frame) -> bool:
    """Whether numpy, called from ``frame``, is converting ``t`` as an element of a list."""
    key = (frame.f_code, frame.f_lasti)
    site = _SITES.get(key)
    if site is None:
        if len(_SITES) > 4096:
            _SITES.clear()
        site = _SITES[key] = _call_site(frame.f_code, frame.f_lasti)
    in_displays, passed = site
    if any(_holds_grad(_lookup(frame, name)) for name in in_displays):
        return True
    return any(_holds(_lookup(frame, name), t) for name in passed)


def _span(ins) -> tuple | None:
    p = getattr(ins, "positions", None)
    if p is None or None in (p.lineno, p.end_lineno, p.col_offset, p.end_col_offset):
        return None
    return (p.lineno, p.col_offset), (p.end_lineno, p.end_col_offset)


def _inside(inner, outer) -> bool:
    return outer[0] <= inner[0] and inner[1] <= outer[1]


def _call_site(code, lasti: int) -> tuple[tuple, tuple]:
    """The names read inside the display arguments of the call at ``lasti``, and the names
    (dotted) passed to it directly."""
    instructions = [i for i in dis.get_instructions(code) if i.offset <= lasti]
    if not instructions or instructions[-1].offset != lasti:
        return (), ()
    parts = _by_span(instructions) if _span(instructions[-1]) else _by_stack(instructions)
    if parts is None:
        return (), ()
    body, in_display = parts
    in_displays, passed = [], []
    for name, k in _names(body):
        (in_displays if k in in_display else passed).append(name)
    return tuple(in_displays), tuple(passed)


def _by_span(instructions):
    """Python 3.11+: the instructions inside the call's source span, but not inside a nested
    call (unless inside a display argument: ``[x.sum(), f(y)]`` reads x and y); and the
    indices of those inside display arguments."""
    here = _span(instructions[-1])
    body = [(k, i, _span(i)) for k, i in enumerate(instructions[:-1])
            if _span(i) and _inside(_span(i), here)]
    comprehensions = [s for _, i, s in body if i.opname == "LOAD_CONST" and
                      getattr(i.argval, "co_name", None) in _COMPREHENSIONS]
    nested = [s for _, i, s in body if i.opname in _CALLS and s != here and
              s not in comprehensions]

    def in_nested(s):
        return any(_inside(s, n) and s != n for n in nested)

    displays = [s for _, i, s in body if i.opname in _DISPLAYS and not in_nested(s)]
    displays += [s for s in comprehensions if not in_nested(s)]
    in_display = {k for k, _, s in body if any(_inside(s, d) for d in displays)}
    return [(k, i) for k, i, s in body if k in in_display or not in_nested(s)], in_display


def _consumed(ins) -> int | None:
    """How many stack items a Python 3.10 call or display instruction takes."""
    if ins.opname in ("CALL_FUNCTION", "CALL_METHOD", "CALL_FUNCTION_KW"):
        return ins.arg + {"CALL_FUNCTION": 1, "CALL_METHOD": 2, "CALL_FUNCTION_KW": 2}[ins.opname]
    if ins.opname == "CALL_FUNCTION_EX":
        return 2 + (ins.arg & 1)
    if ins.opname in ("BUILD_LIST", "BUILD_TUPLE", "BUILD_SET"):
        return ins.arg
    return None


def _first(instructions, k: int, need: int) -> int:
    """The index of the first instruction computing the ``need`` items instruction k takes."""
    depth, j = 0, k
    while depth < need and j > 0:
        j -= 1
        ins = instructions[j]
        depth += dis.stack_effect(ins.opcode, ins.arg if ins.opcode >= dis.HAVE_ARGUMENT
                                  else None, jump=False)
    return j


def _by_stack(instructions):
    """Python 3.10 (no spans): the instructions computing the call's operands, found by their
    stack effects; nested calls left out; the indices of those inside displays."""
    last = len(instructions) - 1
    need = _consumed(instructions[last])
    if need is None:
        return None
    start = _first(instructions, last, need)
    nested, displays, in_display = set(), [], set()
    for k in range(start, last):  # nested calls first: the displays inside them do not count
        n = _consumed(instructions[k])
        if n is None:
            continue
        members = range(_first(instructions, k, n), k + 1)
        if instructions[k].opname.startswith("BUILD") or any(  # a comprehension is a call
                getattr(instructions[j].argval, "co_name", None) in _COMPREHENSIONS
                for j in members):
            displays.append((k, members))
        else:
            nested.update(members)
    for k, members in displays:
        if k not in nested:
            in_display.update(members)
    body = [(k, instructions[k]) for k in range(start, last)
            if k not in nested or k in in_display]
    return body, in_display


def _names(instructions):
    """(dotted name, the index of its first instruction) for each name read from
    ``(index, instruction)`` pairs: ``LOAD_* a`` then ``LOAD_ATTR b`` reads ``("a",)`` and
    ``("a", "b")``."""
    chain = None
    for k, i in instructions:
        if i.opname.startswith("LOAD_") and i.opname not in _ATTRS and \
                isinstance(i.argval, (str, tuple)) and i.opname != "LOAD_CONST":
            names = (i.argval,) if isinstance(i.argval, str) else i.argval
            for name in names:
                if isinstance(name, str):
                    chain = ((name,), k)
                    yield chain
        elif i.opname in _ATTRS and chain is not None:
            chain = (chain[0] + (i.argval,), chain[1])
            yield chain
        else:
            chain = None


def _lookup(frame, dotted: tuple):
    head, *rest = dotted
    for scope in (frame.f_locals, frame.f_globals, vars(builtins)):
        if head in scope:
            value = scope[head]
            break
    else:
        return None
    for attr in rest:
        try:
            value = getattr(value, attr)
        except Exception:
            return None
    return value


def _holds(container, t) -> bool:
    """Whether the (nested) list or tuple ``container`` holds ``t`` itself."""
    if not isinstance(container, (list, tuple)):
        return False
    stack = [container]
    while stack:
        for item in stack.pop():
            if item is t:
                return True
            if isinstance(item, (list, tuple)):
                stack.append(item)
    return False


def holds_grad(seq) -> bool:
    """Whether the (nested) list or tuple ``seq`` holds a Tensor that requires grad."""
    stack = [seq]
    while stack:
        for item in stack.pop():
            if isinstance(item, Tensor):
                if item._requires_grad:
                    return True
            elif isinstance(item, (list, tuple)):
                stack.append(item)
    return False


def _holds_grad(value) -> bool:
    """Whether ``value`` is a Tensor that requires grad, or a list or tuple holding one."""
    if isinstance(value, Tensor):
        return value._requires_grad
    return isinstance(value, (list, tuple)) and holds_grad(value)


def refusal(what: str = "numpy") -> str:
    """The message refusing to turn a list of Tensors that require grad into an array."""
    return (f"{what} was asked to turn a list holding Tensors that require grad into a plain "
            "array (as in np.array([x, 2 * x]) or np.mean([x, y])): their gradient would be "
            "silently lost. Use ag.stack([...]) to build a Tensor that keeps it (and apply the "
            "numpy function to that), or .detach() the tensors if no gradient is wanted.")
