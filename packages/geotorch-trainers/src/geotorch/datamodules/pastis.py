"""Datamodules of PASTIS: its time series split at random, padded to a common length in every batch."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from functools import partial
from numbers import Integral
from typing import Any

import torch
from torch import Tensor

from geotorch.core import Sample, pad_time_steps
from geotorch.datamodules.nongeo import NonGeoDataModule, split_share
from geotorch.transforms import AugmentationSequential, Normalize

#: Keys whose tensors run along the series' time axis, and the value of their padded steps (None: the
#: ``padding_value`` asked).
_SERIES_KEYS: dict[str, float | None] = {"image": None, "time": float("nan")}

#: The largest magnitude up to which every integer is a float64 exactly.
_EXACT_IN_FLOAT64 = 2**53


def pad_time_series(
    samples: Sequence[Sample], padding_length: int | None = None, padding_value: float = 0.0
) -> Sample:
    """Collate time-series samples of different lengths into a batch, padding their steps at the end.

    ``image`` ``(T, C, H, W)`` becomes ``(B, L, C, H, W)`` whose steps past a sample's own ``T`` hold
    ``padding_value``; ``time`` ``(T,)`` becomes float64 ``(B, L)`` padded with NaN, whatever the dtype of
    each sample's (an integer time, a transform's, is converted: the batch's dtype does not depend on which
    samples it drew, and its padding is no time rather than a number). ``L`` is ``padding_length``,
    or the longest ``T`` of the batch when None; a longer series keeps its first ``padding_length`` steps,
    with a warning (TorchGeo 0.10.1's ``pad_across_batches`` rule). The batch gets ``length``, int64
    ``(B,)``, each sample's number of real steps: what the spatiotemporal tasks pass to their models.
    Other tensors are stacked when they have one shape, else listed (instance masks, boxes and labels,
    whose count differs from patch to patch); other values are listed.

    Args:
        samples: the samples, each with an ``image`` ``(T, C, H, W)``.
        padding_length: the number of steps of the batch (None: the longest series').
        padding_value: the value of the image's padded steps.

    Returns:
        The batch.

    Raises:
        ValueError: if the samples' images differ in anything but their number of steps, naming the shapes,
            or a ``time`` is bool or holds an integer that float64 cannot hold exactly (beyond 2**53, such as
            nanoseconds), naming it.
    """
    lengths = [int(sample["image"].shape[0]) for sample in samples]
    steps = max(lengths) if padding_length is None else padding_length
    truncated = sum(length > steps for length in lengths)
    if truncated:
        warnings.warn(f"pad_time_series: truncated {truncated} series to padding_length={steps} steps", stacklevel=2)
    batch: Sample = {}
    for key in samples[0]:
        values = [sample[key] for sample in samples]
        if key in _SERIES_KEYS and isinstance(values[0], Tensor):
            fill = _SERIES_KEYS[key]
            if key == "time":
                values = [_float64_time(value) for value in values]
            batch[key] = torch.stack(pad_time_steps(values, steps, padding_value if fill is None else fill, key=key))
        elif isinstance(values[0], Tensor) and len({tuple(value.shape) for value in values}) == 1:
            batch[key] = torch.stack(values)
        else:
            batch[key] = values
    batch["length"] = torch.tensor([min(length, steps) for length in lengths], dtype=torch.int64)
    return batch


class PASTISDataModule(NonGeoDataModule):
    """PASTIS (Sentinel-2 series of 38 to 61 dates, 20 classes with void 19) split at random.

    As TorchGeo 0.10.1's: the dataset (``folds`` 1-5 unless ``folds=`` says otherwise, in ``kwargs``) is
    built once and ``val_split_pct`` and ``test_split_pct`` of its patches validate and test, drawn with
    seed 0; the rest trains. Batches are padded to ``padding_length`` steps by :func:`pad_time_series`
    (default 61, the longest PASTIS series; None pads each batch to its longest series) and carry
    ``length``, int64 ``(B,)``. On the device images are normalised with TorchGeo's ``mean`` 0 and
    ``std`` 255, the same at every step; there is no random augmentation.
    """

    #: The registered name of the dataset.
    dataset_name = "PASTIS"
    split_names = None
    mean = (0.0,)
    std = (255.0,)

    def __init__(
        self,
        batch_size: int = 32,
        num_workers: int = 0,
        val_split_pct: float = 0.2,
        test_split_pct: float = 0.2,
        padding_length: int | None = 61,
        **kwargs: Any,
    ) -> None:
        """Keep the settings; ``kwargs`` (``root``, ``folds``, ``bands``, ``mode``, ``download``) go to the dataset.

        Args:
            batch_size: series per batch.
            num_workers: DataLoader worker processes.
            val_split_pct: share of the patches held out for validation.
            test_split_pct: share of the patches held out for testing.
            padding_length: steps of every batch (longer series are cut, with a warning); None: the
                longest series of each batch.
            **kwargs: passed to the dataset registered as :attr:`dataset_name`.

        Raises:
            TypeError: if a held-out share is not a number (a string, a bool, None).
            ValueError: if a held-out share is NaN, negative or 1 or more, the two leave no patch to train on, or
                ``padding_length`` is not a whole number of at least 1 (nor None).
        """
        for name, share in (("val_split_pct", val_split_pct), ("test_split_pct", test_split_pct)):
            # split_share lets None through (NonGeoDataModule's default share); PASTIS's shares are numbers.
            if share is None:
                raise TypeError(f"{type(self).__name__}: {name}=None must be a number from 0 to below 1, the share "
                                "to hold out")
            split_share(share, name, type(self).__name__)
        if not val_split_pct + test_split_pct < 1:
            raise ValueError(f"{type(self).__name__}: val_split_pct={val_split_pct} and test_split_pct="
                             f"{test_split_pct} must be at least 0 and add up to less than 1")
        if padding_length is not None and (
            isinstance(padding_length, bool) or not isinstance(padding_length, Integral) or padding_length < 1
        ):
            raise ValueError(f"{type(self).__name__}: padding_length must be a whole number of steps, at least 1, "
                             f"or None, got {padding_length!r}")
        bands = kwargs.get("bands")
        self.num_channels = 10 if bands is None else len(bands)
        super().__init__(self.dataset_name, batch_size, num_workers, val_split_pct=val_split_pct,
                         test_split_pct=test_split_pct, **kwargs)
        self.padding_length = padding_length
        self.collate_fn = partial(pad_time_series, padding_length=padding_length)
        # Only the image is normalised: instance masks, boxes and labels pass through, listed per sample
        # when their parcel counts differ.
        self.aug = AugmentationSequential(Normalize(mean=self.mean, std=self.std), data_keys=["image"])
        self.train_aug = None

    def transfer_batch_to_device(self, batch: Any, device: torch.device, dataloader_idx: int) -> Any:
        """Move a batch's tensors, listed ones (instance targets) included, to ``device``."""
        if isinstance(batch, dict):
            return {key: [item.to(device) for item in value] if _tensors(value) else value
                    for key, value in super().transfer_batch_to_device(batch, device, dataloader_idx).items()}
        return super().transfer_batch_to_device(batch, device, dataloader_idx)


def _float64_time(time: Tensor) -> Tensor:
    """A sample's ``time`` as float64, the dtype of a batch's times, whose NaN can mark padded steps.

    Raises:
        ValueError: if ``time`` is bool, or an integer tensor holding a value float64 would round.
    """
    if time.dtype == torch.bool:
        raise ValueError("pad_time_series: a sample's 'time' is a bool tensor; give acquisition times as numbers")
    if not time.dtype.is_floating_point:
        rounded = (time < -_EXACT_IN_FLOAT64) | (time > _EXACT_IN_FLOAT64)
        if bool(rounded.any()):
            raise ValueError(
                f"pad_time_series: a sample's {time.dtype} 'time' holds {int(time[rounded][0])}, beyond 2**53, "
                "which float64 (the batch's times) would round; give times in seconds, as float64 POSIX seconds"
            )
    return time.to(torch.float64)


def _tensors(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, Tensor) for item in value)


class PASTIS100DataModule(PASTISDataModule):
    """PASTIS100: 100 PASTIS patches, for tutorials and tests, split and batched as :class:`PASTISDataModule`."""

    dataset_name = "PASTIS100"
