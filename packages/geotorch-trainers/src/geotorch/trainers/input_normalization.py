"""The normalisation of a task's input when it was fit, read from its datamodule and kept in its checkpoints."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import kornia.augmentation as K
import torch
from torch import Tensor, nn

from geotorch.transforms import AugmentationSequential, MinMaxNormalize, Normalize, PercentileNormalize

#: The key of the record in a Lightning checkpoint.
CHECKPOINT_KEY = "geotorch_input_normalization"

#: Modules that only apply others: an augmentation of nothing but these and normalisations is repeatable.
_CONTAINERS = (nn.ModuleList, nn.ModuleDict, nn.Sequential, nn.Identity, AugmentationSequential)



@dataclass(frozen=True)
class Stretch:
    """A stretch of fixed ranges to [0, 1], as MinMaxNormalize's: ``(x - min) / (max - min)``.

    Attributes:
        mins: the minimum of every band, or one for all bands.
        maxs: the maximum of every band, or one for all bands.
        clip: whether values outside the range are clipped to 0 and 1.
    """

    mins: tuple[float, ...]
    maxs: tuple[float, ...]
    clip: bool

    def __call__(self, images: Tensor) -> Tensor:
        """Stretch a ``(B, C, H, W)`` batch, in its dtype, as MinMaxNormalize does (the range taken in that dtype)."""
        low = _band_values(self.mins, images)
        stretched = (images - low) / (_band_values(self.maxs, images) - low)
        return stretched.clamp(0, 1) if self.clip else stretched


#: One normalisation: ``(mean, std)`` of a standardisation ``(x - mean) / std`` (one value per band, or one for all
#: bands), or a :class:`Stretch` of fixed ranges.
Step = tuple[tuple[float, ...], tuple[float, ...]] | Stretch


@dataclass(frozen=True)
class InputNormalization:
    """How raw pixel values became a task's input when it was fit, which ``predict_raster`` repeats.

    Attributes:
        steps: each normalisation, in the order applied: the ``(mean, std)`` of a standardisation
            ``(x - mean) / std``, each one value per band or one for all bands, or a :class:`Stretch` of fixed
            ranges (a ``MinMaxNormalize``).
        unrepeatable: what else changed the input, which cannot be repeated from this record (an augmentation
            other than a normalisation, the training dataset's ``transforms``); None when the steps are all.
        bands: the band numbers (from 1) the training dataset read of its files, in order, where it selected
            them by name (``bands=`` among ``all_bands`` of multi-band files); None for every band in file order.
    """

    steps: tuple[Step, ...] = ()
    unrepeatable: str | None = None
    bands: tuple[int, ...] | None = None

    def __call__(self, images: Tensor) -> Tensor:
        """Normalise a ``(B, C, H, W)`` batch of raw pixel values as the datamodule's augmentation did.

        The arithmetic is :class:`geotorch.transforms.Normalize`'s, in the batch's dtype, so the values are the
        same bit for bit as the datamodule's.

        Raises:
            ValueError: if a step has neither one value nor one per band of ``images``.
        """
        for step in self.steps:
            if isinstance(step, Stretch):
                images = step(images)
            else:
                mean, std = step
                images = (images - _band_values(mean, images)) / _band_values(std, images)
        return images

    def __str__(self) -> str:
        """The steps as formulas: ``(x - [0.0]) / [10000.0]``, ``clip((x - [0.0]) / ([3e3] - [0.0]), 0, 1)``, ``x``."""
        text = "x"
        for step in self.steps:
            if isinstance(step, Stretch):
                text = f"({text} - {list(step.mins)}) / ({list(step.maxs)} - {list(step.mins)})"
                text = f"clip({text}, 0, 1)" if step.clip else text
            else:
                text = f"({text} - {list(step[0])}) / {list(step[1])}"
        return text

    def same_as(self, other: InputNormalization) -> bool:
        """Whether both normalise every value alike (one value for all bands or one per band, steps joined or not).

        Compared on probe values in every band (float64): 0 and, from 0.001 to 500,000, 1, 2, 2.5, 5 and 7.5
        times each power of ten, either sign, so that stretches clipped to [0, 1] differing in their ranges are
        told apart, not only affine maps (which two values settle); an unrepeatable part is not compared.
        """
        bands = max((len(values) for step in (*self.steps, *other.steps) for values in _lists(step)), default=1)
        magnitudes = [factor * 10.0**power for power in range(-3, 6) for factor in (1, 2, 2.5, 5, 7.5)]
        values = torch.tensor([0.0, *magnitudes, *(-value for value in magnitudes)], dtype=torch.float64)
        probe = values.expand(1, bands, 1, len(values))
        try:
            return torch.allclose(self(probe), other(probe))
        except ValueError:
            return False

    def to_checkpoint(self) -> dict[str, Any]:
        """The record as plain lists, strings and None (what ``torch.load(weights_only=True)`` reads)."""
        return {
            "steps": [_step_record(step) for step in self.steps],
            "unrepeatable": self.unrepeatable,
            "bands": None if self.bands is None else list(self.bands),
        }

    @classmethod
    def from_checkpoint(cls, record: object) -> InputNormalization | None:
        """The record :meth:`to_checkpoint` made, or None where a checkpoint holds none (made before it was kept).

        Raises:
            ValueError: if ``record`` is not such a record (a checkpoint edited by hand, say): a step not of
                lists of finite numbers, one or as many each, with a std of 0, or a stretch whose maximum is not
                above its minimum.
        """
        if record is None:
            return None
        steps = record.get("steps") if isinstance(record, dict) else None
        unrepeatable = record.get("unrepeatable") if isinstance(record, dict) else None
        bands = record.get("bands") if isinstance(record, dict) else None
        if (
            not isinstance(steps, list)
            or not all(_is_step(step) for step in steps)
            or not (unrepeatable is None or isinstance(unrepeatable, str))
            or not (bands is None or (isinstance(bands, list) and bands and all(_is_band(band) for band in bands)))
        ):
            raise ValueError(f"the checkpoint's {CHECKPOINT_KEY!r} is not a record of input normalisation: {record!r}")
        selected = None if bands is None else tuple(bands)
        return cls(tuple(_step_of(step) for step in steps), unrepeatable, selected)


def fitted_normalization(datamodule: object) -> InputNormalization | None:
    """The normalisation a GeoTorch datamodule gives images at prediction (``predict_aug``, else ``aug``).

    That is what ``geotorch predict`` applies with this datamodule, and what the task was validated on.
    Normalisations of fixed statistics (GeoTorch's ``Normalize`` and ``MinMaxNormalize``, kornia's ``Normalize``)
    always applied are recorded as steps; any other augmentation (a normalisation at random, one of each image's
    own statistics such as ``PercentileNormalize``, a module of the user's holding one), and ``transforms`` of
    the training dataset (applied to each sample before), make the record unrepeatable.

    Args:
        datamodule: the trainer's datamodule, or None.

    Returns:
        The record, or None for no datamodule or one that is not GeoTorch's (without ``aug``): unknown.
    """
    augmentation = getattr(datamodule, "predict_aug", None) or getattr(datamodule, "aug", None)
    if not isinstance(augmentation, nn.Module):
        return None
    steps: list[Step] = []
    others: list[str] = []
    _walk(augmentation, steps, others, set())
    unrepeatable = []
    if others:
        unrepeatable.append(f"{', '.join(dict.fromkeys(others))} in {type(datamodule).__name__}'s augmentation")
    dataset = getattr(datamodule, "train_dataset", None)
    if any(getattr(found, "transforms", None) is not None for found in _image_datasets(dataset)):
        unrepeatable.append(f"the transforms of {type(datamodule).__name__}'s training dataset")
    return InputNormalization(tuple(steps), " and ".join(unrepeatable) or None, _selected_bands(dataset))


def _walk(module: nn.Module, steps: list[Step], others: list[str], seen: set[int]) -> None:
    """Add the normalisations ``module`` applies to ``steps``, in order, and the name of anything else to ``others``.

    A normalisation counts only where it is always applied (``p=1``). Containers (``nn.Sequential`` and its
    kornia kin, GeoTorch's ``AugmentationSequential``, holders of modules with no ``forward`` of their own)
    apply their children; any other module (a user's wrapper of a ``Normalize`` that scales its output too)
    is something else. A module held twice (GeoTorch's containers hold each for images and for series) counts once.
    """
    if id(module) in seen:
        return
    seen.add(id(module))
    if isinstance(module, (Normalize, K.Normalize)):
        chance = float(module.p) * float(module.p_batch)
        if chance == 1:
            steps.append((_values(module.flags["mean"]), _values(module.flags["std"])))
        else:
            others.append(f"{type(module).__name__} applied at random (p={chance:g})")
    elif isinstance(module, MinMaxNormalize):
        chance = float(module.p) * float(module.p_batch)
        if chance == 1:
            flags = module.flags
            steps.append(Stretch(_values(flags["mins"]), _values(flags["maxs"]), bool(flags["clip"])))
        else:
            others.append(f"{type(module).__name__} applied at random (p={chance:g})")
    elif isinstance(module, PercentileNormalize):
        others.append(f"{type(module).__name__} (the percentiles of each image, not statistics it could record)")
    elif isinstance(module, _CONTAINERS) or type(module).forward is nn.Module.forward:
        for child in module.children():
            _walk(child, steps, others, seen)
    else:
        others.append(type(module).__name__)


def _selected_bands(dataset: object) -> tuple[int, ...] | None:
    """The band numbers the image datasets of ``dataset`` read of their multi-band files, if they select bands.

    None where they read every band in file order, read one file per band (``separate_files``: the files
    predicted are stacks of the user's making), or select differently from one another.
    """
    selections: set[tuple[int, ...] | None] = set()
    for found in _image_datasets(dataset):
        names, every = getattr(found, "bands", None), getattr(found, "all_bands", None)
        if getattr(found, "datasets", None) or getattr(found, "dataset", None) is not None or not every or not names:
            continue
        if getattr(found, "separate_files", False) or not set(names) <= set(every):
            return None
        # (Every band in file order is no selection.)
        selections.add(None if tuple(names) == tuple(every) else tuple(list(every).index(name) + 1 for name in names))
    return next(iter(selections)) if len(selections) == 1 else None


def _image_datasets(dataset: object) -> Iterator[object]:
    """``dataset`` and the datasets it is made of (operands, a subset's dataset) that give images.

    A GeoDataset gives images where its ``channels`` name an ``image`` (not a raster of labels, nor a
    VectorDataset, whose ``transforms`` change masks only); another dataset unless its ``is_image`` is False.
    """
    if dataset is None:
        return
    channels = getattr(dataset, "channels", None)
    if not ("image" in channels if isinstance(channels, Mapping) else getattr(dataset, "is_image", True)):
        return
    yield dataset
    for inner in (*getattr(dataset, "datasets", ()), getattr(dataset, "dataset", None)):
        yield from _image_datasets(inner)


def _step_record(step: Step) -> list[list[float]] | dict[str, Any]:
    """A step as the checkpoint keeps it: ``[mean, std]``, or ``{"mins": ..., "maxs": ..., "clip": ...}``."""
    if isinstance(step, Stretch):
        return {"mins": list(step.mins), "maxs": list(step.maxs), "clip": step.clip}
    return [list(step[0]), list(step[1])]


def _step_of(record: Any) -> Step:
    """The step a checkpoint's ``record`` (checked by :func:`_is_step`) keeps."""
    if isinstance(record, dict):
        return Stretch(_values(record["mins"]), _values(record["maxs"]), record["clip"])
    return _values(record[0]), _values(record[1])


def _lists(step: Step) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The per-band values of a step: ``(mean, std)`` or ``(mins, maxs)``."""
    return (step.mins, step.maxs) if isinstance(step, Stretch) else step


def _is_step(step: object) -> bool:
    """Whether ``step`` is a recorded step (see :func:`_step_record`).

    That is two lists of finite numbers, one or as many each, with no std of 0; or a stretch's, whose every
    maximum is above its minimum and whose ``clip`` is a bool.
    """
    if isinstance(step, dict):
        if set(step) != {"mins", "maxs", "clip"} or not isinstance(step["clip"], bool):
            return False
        low, high = step["mins"], step["maxs"]
        if not _are_band_values(low, high):
            return False
        bands = max(len(low), len(high))
        return all(top > bottom for bottom, top in zip(_spread(low, bands), _spread(high, bands), strict=True))
    if not (isinstance(step, list) and len(step) == 2):
        return False
    mean, std = step
    return _are_band_values(mean, std) and 0 not in std


def _are_band_values(first: object, second: object) -> bool:
    """Whether both are non-empty lists of finite numbers (no bools), one or as many each."""
    if not (isinstance(first, list) and isinstance(second, list) and first and second):
        return False
    numbers = [*first, *second]
    return (
        all(isinstance(value, (int, float)) and not isinstance(value, bool) for value in numbers)
        and all(math.isfinite(value) for value in numbers)
        and (len(first) == len(second) or 1 in (len(first), len(second)))
    )


def _spread(values: list[float], bands: int) -> list[float]:
    """``values`` one per band: a single value repeated ``bands`` times."""
    return values * bands if len(values) == 1 else values


def _is_band(value: object) -> bool:
    """Whether ``value`` is a band number (an int from 1; not a bool)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _values(values: object) -> tuple[float, ...]:
    """A normalisation's mean or std as floats (exactly: float32 and float64 values are floats)."""
    return tuple(float(value) for value in torch.as_tensor(values, dtype=torch.float64).flatten().tolist())


def _band_values(values: tuple[float, ...], images: Tensor) -> Tensor:
    """``values`` shaped to broadcast over ``images``' bands, in their dtype and on their device.

    Raises:
        ValueError: if there is neither one value nor one per band.
    """
    bands = images.shape[1]
    if len(values) not in (1, bands):
        raise ValueError(
            f"the task was fit on images normalised with {len(values)} band values ({list(values)}), and these "
            f"images of shape {tuple(images.shape)} have {bands} bands: predict images of the bands it was fit on"
        )
    tensor = torch.tensor(values, dtype=torch.float64)
    return tensor.to(device=images.device, dtype=images.dtype).view(1, -1, 1, 1)
