"""Which image types hold a raster's pixel values exactly: reads straight into float32, a warning where values round."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np

from geotorch.core.remote import Location
from geotorch.core.url_secrets import redacted

#: Pixel types whose every value float32 holds exactly: images of these are read straight into float32.
EXACT_IN_FLOAT32 = frozenset(np.dtype(name) for name in ("uint8", "int8", "uint16", "int16", "float32"))


def holds_exactly(target: np.dtype[Any], dtype: np.dtype[Any]) -> bool:
    """Whether every value of ``dtype`` is a value of ``target`` (numpy calls int64 -> float64 safe; it is not)."""
    if dtype.kind in "iu" and target.kind == "f":
        limits, exact = np.iinfo(dtype), 2 ** (int(np.finfo(target).nmant) + 1)
        return bool(-exact <= int(limits.min) and int(limits.max) <= exact)
    return bool(np.can_cast(dtype, target, casting="safe"))


def warn_of_rounding(
    owner: str, target: np.dtype[Any], dtypes: Mapping[np.dtype[Any], Location | str], is_image: bool = True
) -> None:
    """Say which file's values samples of type ``target`` cannot hold exactly: they are rounded, never silently.

    Args:
        owner: the dataset's class name, for the message.
        target: the type of the dataset's images, or of its masks of a float type.
        dtypes: each pixel type of the files, with a file of that type.
        is_image: the samples are images (else masks holding values as read).
    """
    for dtype, path in dtypes.items():
        if not holds_exactly(target, dtype):
            keep = "override the dtype property (e.g. torch.float64) to keep them, or " if target.itemsize < 8 else ""
            classes = (
                "set is_image=False for integer classes" if is_image else "give masks of class ids an integer dtype"
            )
            warnings.warn(
                f"{owner}: {redacted(str(path))} holds {dtype} pixels, which {target} "
                f"{'images' if is_image else 'masks'} cannot all hold exactly (integers beyond "
                f"2**{np.finfo(target).nmant + 1}, or finer fractions): they are rounded to the nearest {target}; "
                f"{keep}{classes}",
                stacklevel=4,
            )
            return
