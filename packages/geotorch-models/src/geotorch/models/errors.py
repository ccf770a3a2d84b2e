"""The exceptions and warnings of geotorch-models.

A checkpoint that does not fit its model raises :class:`geotorch.core.WeightsMismatchError` (core's, so that
tasks and plugins can catch it without importing this package).
"""

from __future__ import annotations


class UnsafeCheckpointError(ValueError):
    """A checkpoint holds something other than tensors and plain containers, so loading it could run code."""


class BandAdaptationWarning(UserWarning):
    """Pretrained first-layer weights were adapted to a different set of input bands."""


class SkippedWeightsWarning(UserWarning):
    """``strict=False`` loaded weights that did not all fit: the message lists what was left out."""
