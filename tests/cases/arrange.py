"""Cases of rearranging, joining and splitting (``autograd/ops/arrange.py`` and ``join.py``):
every axis form each takes, numpy's promotions of 0-d and 1-D inputs, and each pad mode."""

import numpy as np

import autograd as ag
from tests.op_cases import T, distinct


def pieces(fn):
    """A splitting function's parts, squared (so the second derivative is not zero)."""
    return lambda *a: tuple(p * p for p in fn(*a))


CASES = {
    "flip": [
        (ag.flip, lambda r: (T(r, 2, 3),)),
        (lambda x: ag.flip(x * x, 0), lambda r: (T(r, 3, 2),)),
        (lambda x: x.flip((0, 2)) * x, lambda r: (T(r, 2, 3, 2),)),
        (lambda x: np.flip(x, -1), lambda r: (T(r, 4),)),
    ],
    "fliplr": [(lambda x: ag.fliplr(x) * x, lambda r: (T(r, 2, 3),)),
               (np.fliplr, lambda r: (T(r, 2, 3, 2),))],
    "flipud": [(lambda x: ag.flipud(x) * x, lambda r: (T(r, 3, 2),)),
               (np.flipud, lambda r: (T(r, 4),))],
    "rot90": [
        (lambda x, k=k: ag.rot90(x, k) * 1.5, lambda r: (T(r, 2, 3),)) for k in (1, 2, 3, -1)
    ] + [
        (lambda x: ag.rot90(x, 1, axes=(1, 2)), lambda r: (T(r, 2, 3, 4),)),
        (lambda x: x.rot90(0) * x, lambda r: (T(r, 2, 2),)),
    ],
    "roll": [
        (lambda x: ag.roll(x, 2), lambda r: (T(r, 2, 3),)),
        (lambda x: ag.roll(x * x, -1, axis=1), lambda r: (T(r, 2, 3),)),
        (lambda x: x.roll((1, 2), (0, 2)), lambda r: (T(r, 3, 2, 3),)),
    ],
    "moveaxis": [
        (lambda x: ag.moveaxis(x, 0, -1), lambda r: (T(r, 2, 3, 4),)),
        (lambda x: np.moveaxis(x * x, (0, 1), (2, 0)), lambda r: (T(r, 2, 3, 4),)),
    ],
    "rollaxis": [
        (lambda x: ag.rollaxis(x, 2), lambda r: (T(r, 2, 3, 4),)),
        (lambda x: ag.rollaxis(x * x, 0, 3), lambda r: (T(r, 2, 3, 4),)),
        (lambda x: np.rollaxis(x, -1, 1), lambda r: (T(r, 2, 3, 4),)),
    ],
    "repeat": [
        (lambda x: ag.repeat(x, 2), lambda r: (T(r, 2, 3),)),
        (lambda x: x.repeat(3, axis=0) * 2, lambda r: (T(r, 2, 3),)),
        (lambda x: np.repeat(x, [1, 0, 2], axis=1), lambda r: (T(r, 2, 3),)),
        (lambda x: ag.repeat(x * x, 2), lambda r: (T(r),)),
    ],
    "tile": [
        (lambda x: ag.tile(x, 2), lambda r: (T(r, 3),)),
        (lambda x: ag.tile(x * x, (2, 1, 2)), lambda r: (T(r, 2, 3),)),
        (lambda x: x.tile((2,)), lambda r: (T(r, 2, 2),)),
    ],
    "ravel": [
        (lambda x: ag.ravel(x) * 2, lambda r: (T(r, 2, 3),)),
        (lambda x: x.ravel("F") * x.ravel(), lambda r: (T(r, 2, 3),)),
    ],
    "pad": [
        (lambda x: ag.pad(x, 1), lambda r: (T(r, 2, 3),)),
        (lambda x: np.pad(x * x, ((1, 0), (0, 2)), constant_values=0.5), lambda r: (T(r, 2, 3),)),
    ] + [
        (lambda x, m=m: ag.pad(x, (2, 3), mode=m) * 1.5, lambda r: (T(r, 2, 4),))
        for m in ("edge", "reflect", "symmetric", "wrap")
    ],
    "tril": [
        (ag.tril, lambda r: (T(r, 3, 3),)),
        (lambda x: ag.tril(x * x, 1), lambda r: (T(r, 3, 4),)),
        (lambda x: x.tril(diagonal=-1), lambda r: (T(r, 2, 3, 3),)),
        (lambda x: np.tril(x, k=0), lambda r: (T(r, 3),)),  # 1-D: numpy makes a matrix
    ],
    "triu": [
        (ag.triu, lambda r: (T(r, 3, 3),)),
        (lambda x: ag.triu(x * x, -1), lambda r: (T(r, 4, 3),)),
        (lambda x: x.triu(diagonal=1), lambda r: (T(r, 2, 3, 3),)),
        (lambda x: np.triu(x, 1), lambda r: (T(r, 3),)),
    ],
    "take_along_axis": [
        (lambda x: ag.take_along_axis(x, np.array([[0, 2, 2], [1, 0, 1]]), 1),
         lambda r: (T(r, 2, 3),)),
        (lambda x: np.take_along_axis(x, np.array([[1], [0]]), axis=0), lambda r: (T(r, 2, 3),)),
        (lambda x: ag.take_along_axis(x, np.array([3, 0, 3]), None), lambda r: (T(r, 2, 2),)),
    ],
    "take_along_axis_backward": [  # repeats accumulate; its own backward is take_along_axis
        (lambda g: ag.ops.take_along_axis_backward(g * g, np.array([[0, 2, 2], [1, 0, 1]]), 1,
                                                   (2, 4)), lambda r: (T(r, 2, 3),)),
        (lambda g: ag.ops.take_along_axis_backward(g, np.array([[1], [1]]), 0, (3, 1)),
         lambda r: (T(r, 2, 1),)),
    ],
    "select": [
        (lambda a, b: ag.select([np.array([True, False, False]), np.array([True, True, False])],
                                [a, b], 0.5), lambda r: (T(r, 3), T(r, 2, 3))),
        (lambda a: np.select([a.data > 0], [a * a], default=a), lambda r: (T(r, 2, 3),)),
    ],
    "linspace": [
        (lambda a, b: ag.linspace(a, b, 5), lambda r: (T(r), T(r))),
        (lambda a, b: ag.linspace(a, b, 4, endpoint=False, axis=1), lambda r: (T(r, 3), T(r, 3))),
        (lambda a: np.linspace(a, 2.0, 3, retstep=True), lambda r: (T(r, 2),)),
    ],
    # joining and splitting
    "atleast_1d": [
        (lambda x: ag.atleast_1d(x * x), lambda r: (T(r),)),
        (lambda x, y: np.atleast_1d(x, y), lambda r: (T(r), T(r, 2))),
    ],
    "atleast_2d": [
        (lambda x: ag.atleast_2d(x * x), lambda r: (T(r, 3),)),
        (lambda x, y: np.atleast_2d(x, y), lambda r: (T(r), T(r, 2, 2))),
    ],
    "atleast_3d": [
        (lambda x: ag.atleast_3d(x) * 2, lambda r: (T(r, 3),)),
        (lambda x, y, z: np.atleast_3d(x, y, z), lambda r: (T(r), T(r, 2, 3), T(r, 1, 2, 1, 2))),
    ],
    "vstack": [
        (lambda a, b: ag.vstack([a, b * b]), lambda r: (T(r, 3), T(r, 3))),
        (lambda a, b: np.vstack((a, b)), lambda r: (T(r, 2, 3), T(r, 3))),
        (lambda a, b: ag.row_stack([a, b]), lambda r: (T(r, 1, 2), T(r, 2, 2))),
    ],
    "hstack": [
        (lambda a, b: ag.hstack([a, b * b]), lambda r: (T(r, 3), T(r, 2))),
        (lambda a, b: np.hstack((a, b)), lambda r: (T(r, 2, 3), T(r, 2, 1))),
        (lambda a, b: ag.hstack([a, b]), lambda r: (T(r), T(r, 2))),
    ],
    "dstack": [
        (lambda a, b: ag.dstack([a, b * b]), lambda r: (T(r, 2, 3), T(r, 2, 3))),
        (lambda a, b: np.dstack((a, b)), lambda r: (T(r, 3), T(r, 3))),
    ],
    "column_stack": [
        (lambda a, b: ag.column_stack([a, b * b]), lambda r: (T(r, 3), T(r, 3))),
        (lambda a, b: np.column_stack((a, b)), lambda r: (T(r, 3), T(r, 3, 2))),
    ],
    "append": [
        (lambda a, b: ag.append(a, b), lambda r: (T(r, 2, 2), T(r, 3))),
        (lambda a, b: np.append(a * a, b, axis=0), lambda r: (T(r, 2, 3), T(r, 1, 3))),
        (lambda a: ag.append(a, [1.0, 2.0]), lambda r: (T(r, 2),)),
    ],
    "array_split": [
        (pieces(lambda x: ag.array_split(x, 3)), lambda r: (T(r, 7),)),
        (pieces(lambda x: np.array_split(x, [1, 3], axis=1)), lambda r: (T(r, 2, 5),)),
        (pieces(lambda x: ag.array_split(x, 4, axis=-1)), lambda r: (T(r, 2, 3),)),
    ],
    "vsplit": [(pieces(lambda x: ag.vsplit(x, 2)), lambda r: (T(r, 4, 2),)),
               (pieces(lambda x: np.vsplit(x, [1])), lambda r: (T(r, 3, 2, 2),))],
    "hsplit": [(pieces(lambda x: ag.hsplit(x, 2)), lambda r: (T(r, 2, 4),)),
               (pieces(lambda x: np.hsplit(x, [2])), lambda r: (T(r, 5),))],
    "dsplit": [(pieces(lambda x: ag.dsplit(x, 2)), lambda r: (T(r, 2, 1, 4),)),
               (pieces(lambda x: x.dsplit([1, 2])), lambda r: (T(r, 1, 2, 3),))],
}

CASES["take_along_axis"].append((lambda x: ag.take_along_axis(x, np.argsort(x.data, axis=0), 0),
                                 lambda r: (distinct(r, 3, 2),)))
