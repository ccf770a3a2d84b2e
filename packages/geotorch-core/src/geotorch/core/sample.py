"""The sample every dataset returns, a dict of named values, and the transform of one sample."""

from collections.abc import Callable
from typing import Any, TypeAlias

#: One sample: ``image`` (C, H, W float tensor) and/or ``mask`` (H, W or C, H, W long tensor), plus
#: ``crs``, ``bounds`` and any other key a dataset adds (``label``, ``boxes``, ``image1``, ...).
Sample: TypeAlias = dict[str, Any]

#: A transform: takes one sample and returns it transformed (``transforms=`` of every dataset).
Transform: TypeAlias = Callable[[Sample], Sample]
