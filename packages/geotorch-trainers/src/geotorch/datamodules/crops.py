"""Crops and resizes of benchmark chips on the device: their size checked; crops larger than the chips refused."""

from __future__ import annotations

from typing import Any

from geotorch.samplers import as_count_pair


def patch_shape(patch_size: object, owner: str) -> tuple[int, int] | None:
    """``patch_size`` (None passes) as the ``(height, width)`` of a crop or resize: whole pixels, or a pair.

    Raises:
        TypeError: if ``patch_size`` is not a number or a pair of numbers, naming it and ``owner``.
        ValueError: if a side is not a whole number of at least 1, naming it and ``owner``.
    """
    return None if patch_size is None else as_count_pair(patch_size, "patch_size", owner)


def refuse_padding(owner: str, patch_size: object, size: tuple[int, int], batch: Any, chips: str) -> None:
    """Refuse a batch whose images are smaller than the crop ``size`` cut from them.

    kornia's crops pad such images with image 0 and mask 0, a class of these benchmarks (LandCover.ai's
    background, DeepGlobe's urban land, no change), which a task would learn or be scored on as data.

    Args:
        owner: the datamodule's name, for the message.
        patch_size: the crop size as the user gave it, for the message.
        size: the crop's ``(height, width)``.
        batch: the batch about to be cropped (a dict with ``image``; anything else passes).
        chips: what the batch holds, for the message ("training chips", "validation pairs").

    Raises:
        ValueError: if the images are lower or narrower than the crop.
    """
    if not isinstance(batch, dict) or "image" not in batch:
        return
    height, width = batch["image"].shape[-2:]
    if height < size[0] or width < size[1]:
        raise ValueError(
            f"{owner}: patch_size={patch_size!r} is larger than the {chips} ({height} x {width} px): the crop "
            f"would pad them with pixels of mask class 0 that are not in the data; give a patch_size of at most "
            f"{min(height, width)}, or None for whole chips"
        )
