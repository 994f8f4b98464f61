"""The types the public signatures are written in (as ``numpy.typing`` is numpy's).

``TensorLike`` is what every op accepts where it takes a tensor: a Tensor, a numpy array or
scalar, a Python number or a (nested) list of numbers. ``Axis`` is numpy's ``axis``: None (all
axes), an int or a tuple of ints, negatives counting from the end.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence, Union

import numpy as np
from numpy.typing import DTypeLike

if TYPE_CHECKING:
    from ._tensor import Tensor

TensorLike = Union["Tensor", np.ndarray, np.generic, float, int, bool, Sequence[Any]]
Axis = Union[int, tuple[int, ...], None]
ShapeLike = Union[int, Sequence[int]]
# what numpy's indexing takes: ints, slices, None, Ellipsis, masks, integer arrays, tuples of them
Index = Any

__all__ = ["TensorLike", "Axis", "ShapeLike", "Index", "DTypeLike"]
