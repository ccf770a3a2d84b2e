"""TorchGeo 0.10.1's ``torchgeo.datamodules.utils`` import path: ``collate_fn_detection``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from geotorch.core import Sample, collate_detection

#: GeoTorch's detection keys (torchvision's names) and TorchGeo 0.10.1's for the same values.
TORCHGEO_KEYS = {"boxes": "bbox_xyxy", "labels": "label", "masks": "mask"}


def collate_fn_detection(samples: Sequence[Sample]) -> dict[str, Any]:
    """Batch detection samples as lists under TorchGeo 0.10.1's keys: ``image``, ``bbox_xyxy``, ``label``, ``mask``.

    :func:`geotorch.core.collate_detection` with ``boxes``, ``labels`` and ``masks`` renamed as TorchGeo
    names them (the tasks read either name); keys already in TorchGeo's names are kept.

    Args:
        samples: sample dicts with the same keys.

    Returns:
        One dict mapping every key to the list of the samples' values.

    Raises:
        ValueError: as :func:`geotorch.core.collate_detection`.
    """
    batch = collate_detection(list(samples))
    return {TORCHGEO_KEYS.get(key, key): value for key, value in batch.items()}


__all__ = ["collate_fn_detection"]
