"""Crops and resizes of benchmark chips on the device: their size checked; crops larger than the chips refused."""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from geotorch.core import Sample
from geotorch.samplers import as_count_pair


def patch_shape(patch_size: object, owner: str) -> tuple[int, int] | None:
    """``patch_size`` (None passes) as the ``(height, width)`` of a crop or resize: whole pixels, or a pair.

    Raises:
        TypeError: if ``patch_size`` is not a number or a pair of numbers, naming it and ``owner``.
        ValueError: if a side is not a whole number of at least 1, naming it and ``owner``.
    """
    return None if patch_size is None else as_count_pair(patch_size, "patch_size", owner)


def refuse_padding(owner: str, patch_size: object, size: tuple[int, int], batch: Any, chips: str) -> None:
    """Refuse a batch (or sample) whose images are smaller than the crop ``size`` cut from them.

    kornia's crops pad such images with image 0 and mask 0, a class of these benchmarks (LandCover.ai's
    background, DeepGlobe's urban land, no change), which a task would learn or be scored on as data.

    Args:
        owner: the datamodule's name, for the message.
        patch_size: the crop size as the user gave it, for the message.
        size: the crop's ``(height, width)``.
        batch: the batch or sample about to be cropped (a dict with ``image``; anything else passes).
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


class CropThenStack:
    """A collate function that cuts every sample to one size, at random or in its middle, then stacks them.

    Samples of different sizes (OSCD's cities) can then share a batch. Every tensor whose last two axes are
    the image's height and width (``image``, ``mask``) is cut alike.
    """

    def __init__(self, size: tuple[int, int], random: bool, owner: str, patch_size: object, samples: str) -> None:
        """Cut to ``size`` (height, width), at a random place when ``random``, else in the middle.

        Args:
            size: the crop's ``(height, width)``.
            random: a random crop (training) rather than a central one.
            owner: the datamodule's name, for messages.
            patch_size: the crop size as the user gave it, for messages.
            samples: what the samples are, for messages ("training pairs").
        """
        self.size = size
        self.random = random
        self.owner = owner
        self.patch_size = patch_size
        self.samples = samples

    def __call__(self, samples: list[Sample]) -> Sample:
        """The samples cut and stacked with :func:`~geotorch.core.stack_samples`.

        Raises:
            ValueError: if a sample is lower or narrower than the crop (see :func:`refuse_padding`).
        """
        from geotorch.core import stack_samples

        return stack_samples([self._cut(sample) for sample in samples])

    def _cut(self, sample: Sample) -> Sample:
        refuse_padding(self.owner, self.patch_size, self.size, sample, self.samples)
        height, width = sample["image"].shape[-2:]
        spare = (height - self.size[0], width - self.size[1])
        if self.random:
            top, left = (int(torch.randint(extra + 1, ())) for extra in spare)
        else:
            top, left = spare[0] // 2, spare[1] // 2
        rows, cols = slice(top, top + self.size[0]), slice(left, left + self.size[1])
        return {
            key: value[..., rows, cols] if isinstance(value, Tensor) and value.shape[-2:] == (height, width) else value
            for key, value in sample.items()
        }
