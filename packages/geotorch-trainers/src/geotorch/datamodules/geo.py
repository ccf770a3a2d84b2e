"""GeoDataModule: random patches for training, a grid for validation, testing and prediction, split by rank."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from itertools import pairwise
from numbers import Real
from typing import Any

from torch.utils.data import DataLoader, Dataset, DistributedSampler, Sampler

from geotorch.core import BoundingBox, GeoDataset, Sample, stack_samples
from geotorch.datamodules.base import BaseDataModule
from geotorch.datamodules.finite_images import FiniteImageStack
from geotorch.samplers import (
    BatchGeoSampler,
    GeoSampler,
    GridGeoSampler,
    RandomBatchGeoSampler,
    as_count,
    as_count_pair,
    roi_split,
    series_places,
)

#: Share of a pixel under which a strip's width counts as a whole number of pixels (float noise of the cuts).
PIXEL_TOLERANCE = 1e-6


class ShardedSampler(DistributedSampler[Any]):
    """A geo sampler, which splits its work by rank itself, shown to Lightning as a DistributedSampler.

    Under DDP Lightning wraps every sampler that is not a ``DistributedSampler`` in
    one, which would split the geo sampler's share of a pass a second time. This
    adapter only delegates: iteration, length and ``set_epoch`` are the geo sampler's.
    """

    def __init__(self, sampler: GeoSampler | BatchGeoSampler, dataset: Dataset[Any], spare: Any = None) -> None:
        """Wrap ``sampler``, which draws from ``dataset``.

        Args:
            sampler: the geo sampler, which splits its work by rank.
            dataset: the dataset it draws from.
            spare: the query this rank runs when ``sampler`` gives it none (None: none).
        """
        super().__init__(dataset, num_replicas=sampler.world_size, rank=sampler.rank, shuffle=False)
        self.sampler = sampler
        self.spare = spare

    def __iter__(self) -> Iterator[Any]:
        """The geo sampler's queries for this rank, or the spare alone when it gives none."""
        if self.spare is not None and len(self.sampler) == 0:
            return iter([self.spare])
        return iter(self.sampler)

    def __len__(self) -> int:
        """Queries per pass on this rank."""
        return len(self.sampler) or int(self.spare is not None)

    def set_epoch(self, epoch: int) -> None:
        """Start epoch ``epoch`` of the geo sampler."""
        self.sampler.set_epoch(epoch)


class BatchReader(Dataset[Sample]):
    """Reads a whole batch for one list of boxes, so a batch sampler can run as a plain sampler."""

    def __init__(self, dataset: GeoDataset) -> None:
        """Read from ``dataset``."""
        self.dataset = dataset

    def __getitem__(self, boxes: list[BoundingBox]) -> Sample:
        """The samples of ``boxes``, stacked."""
        return stack_samples(self.dataset[box] for box in boxes)

    def __len__(self) -> int:
        """The dataset's number of index entries."""
        return len(self.dataset)


def _unchanged(batch: Any) -> Any:
    return batch


def spatial_split(
    dataset: GeoDataset, fractions: Sequence[float], *, patch_size: int | tuple[int, int] | None = None
) -> list[GeoDataset]:
    """Cut ``dataset`` into strips along its longer side, west to east (or north to south).

    Args:
        dataset: the dataset to split.
        fractions: the share of each strip, in order, summing to 1.
        patch_size: the patches (whole pixels, one number or ``(height, width)``) the strips will be read in, if
            known: a strip narrower than one, but the last, is refused, since a grid window over it would reach
            into the next strip and read its pixels.

    Returns:
        One view per fraction.

    Raises:
        ValueError: if the fractions are not positive (NaN among them) or do not sum to 1, a strip holds
            no pixel of the data (a gap between files, or a strip thinner than half a pixel), or a strip but the
            last is narrower than ``patch_size``, naming it.
    """
    if not all(math.isfinite(fraction) and fraction > 0 for fraction in fractions) or abs(sum(fractions) - 1) > 1e-6:
        raise ValueError(f"spatial_split: fractions={list(fractions)} must be positive and sum to 1")
    bounds = dataset.bounds
    along_x = bounds.maxx - bounds.minx >= bounds.maxy - bounds.miny
    low, high = (bounds.minx, bounds.maxx) if along_x else (bounds.miny, bounds.maxy)
    cuts = [low + (high - low) * sum(fractions[:number]) for number in range(len(fractions))] + [high]
    if not along_x:
        # North first, as the x strips go west first: reading order.
        cuts = [high - (cut - low) for cut in cuts]
    axis, res = ("x", dataset.res[0]) if along_x else ("y", dataset.res[1])
    side = None if patch_size is None else as_count_pair(patch_size, "patch_size", "spatial_split")[along_x]
    views = []
    for number, (start, end) in enumerate(pairwise(cuts)):
        first, last = min(start, end), max(start, end)
        if along_x:
            strip = BoundingBox(first, last, bounds.miny, bounds.maxy, bounds.mint, bounds.maxt)
        else:
            strip = BoundingBox(bounds.minx, bounds.maxx, first, last, bounds.mint, bounds.maxt)
        named = (f"spatial_split: strip {number + 1} of {len(fractions)} (fraction {fractions[number]} of "
                 f"fractions={list(fractions)}: {axis} from {first:.10g} to {last:.10g}")
        # One strip at a time, so that a strip without data is named by its share, not as roi_split's "roi 2".
        try:
            (view,) = roi_split(dataset, [strip])
        except ValueError as error:
            raise ValueError(
                f"{named}, {(last - first) / res:.3g} pixels of res {res:g}) holds no pixel of the data of "
                f"{type(dataset).__name__} (bounds {bounds}): it lies in a gap between files or is thinner than "
                f"half a pixel; give larger shares, or split the files with random_bbox_assignment or roi_split"
            ) from error
        extent = view.bounds.maxx - view.bounds.minx if along_x else view.bounds.maxy - view.bounds.miny
        if side is not None and number < len(fractions) - 1 and extent / res < side - PIXEL_TOLERANCE:
            # A grid window of an area narrower than it keeps its size, reaching past the area into the next strip.
            raise ValueError(
                f"{named}) is {extent / res:.4g} pixels {'wide' if along_x else 'tall'} at res {res:g}, less than "
                f"patch_size={patch_size!r}: a window over it would reach into strip {number + 2} and read its "
                f"pixels, so one split's samples would hold another's; give a smaller patch_size or a larger share"
            )
        views.append(view)
    return views


def split_fractions(splits: object, owner: str) -> tuple[float, float, float]:
    """``splits`` checked to be the train, validation and test shares :func:`spatial_split` takes.

    Args:
        splits: the datamodule's ``splits`` argument.
        owner: the datamodule's name, for messages.

    Returns:
        The three shares, as floats.

    Raises:
        TypeError: if ``splits`` is not a sequence of three numbers (a string, a bool, one number).
        ValueError: if it has another count of shares, or they are not positive or do not sum to 1 (percentages
            summing to 100 are named as such).
    """
    shares = tuple(splits) if isinstance(splits, Sequence) and not isinstance(splits, str) else None
    if shares is None or any(isinstance(share, bool) or not isinstance(share, Real) for share in shares):
        raise TypeError(f"{owner}: splits={splits!r} must be three numbers, the train, validation and test "
                        "shares of the area, such as (0.8, 0.1, 0.1)")
    if len(shares) != 3:
        raise ValueError(f"{owner}: splits={list(shares)} must hold 3 shares (train, validation, test), "
                         f"not {len(shares)}, such as (0.8, 0.1, 0.1)")
    fractions = (float(shares[0]), float(shares[1]), float(shares[2]))
    total = math.fsum(fractions)
    if not all(math.isfinite(share) and share > 0 for share in fractions) or abs(total - 1) > 1e-6:
        hint = f" (percentages? give {tuple(share / 100 for share in fractions)})" if abs(total - 100) <= 1e-4 else ""
        raise ValueError(f"{owner}: splits={list(shares)} must be positive shares summing to 1{hint}; each "
                         "strip needs some of the area")
    return fractions


def pixel_size(value: object, name: str, owner: str) -> int | tuple[int, int]:
    """A patch size or stride in whole pixels, as ints: one number stays one, a pair (list, array...) a tuple.

    Args:
        value: the datamodule's argument.
        name: its name, for messages.
        owner: the datamodule's name, for messages.

    Returns:
        ``value`` as an int, or as a ``(height, width)`` tuple of ints.

    Raises:
        TypeError: if ``value`` is not a number or a pair of numbers.
        ValueError: if it holds other than one or two numbers, or one is NaN, infinite, not positive or not whole.
    """
    height, width = as_count_pair(value, name, owner)
    one = not isinstance(value, Iterable) or getattr(value, "ndim", 1) == 0  # a 0-d tensor or array is one number
    return height if one else (height, width)


class GeoDataModule(BaseDataModule):
    """A datamodule over a GeoDataset: patches drawn by geo samplers, split spatially.

    Training draws ``length`` random patches per epoch in batches from single index
    entries (:class:`~geotorch.samplers.RandomBatchGeoSampler`); validation and testing
    visit a grid of windows (:class:`~geotorch.samplers.GridGeoSampler`, stride ``stride``);
    prediction visits a grid with stride ``predict_stride`` so that windows overlap and
    their predictions can be blended. Over a time series (``time_series=True``) every patch and window spans all
    the dates of its split, each place once (see :func:`~geotorch.samplers.series_places`, given ``patch_size``:
    a path/row's scenes framed a few pixels apart both ways are one place): samples are the ``(T, C, H, W)``
    series a spatiotemporal task trains on, not one date each. Under DDP every sampler splits its
    work by rank (and ``set_epoch`` gives every epoch new patches), so ranks draw different patches
    and a grid pass visits every window exactly once over all ranks (with fewer windows than ranks, a rank
    without one scores another's window again: Lightning stops a DDP run in which a rank has no batch).

    By default the dataset is built as ``dataset_class(**kwargs)`` and cut into strips
    along its longer side by ``splits`` (train, validation, test; see
    :func:`spatial_split`); the test strip is also the prediction area. Subclasses
    override :meth:`build_splits`.
    """

    def __init__(
        self,
        dataset_class: type[GeoDataset] | None = None,
        batch_size: int = 1,
        patch_size: int | tuple[int, int] = 64,
        length: int | None = None,
        num_workers: int = 0,
        stride: int | tuple[int, int] | None = None,
        predict_stride: int | tuple[int, int] | None = None,
        splits: Sequence[float] = (0.8, 0.1, 0.1),
        **kwargs: Any,
    ) -> None:
        """Keep the settings; datasets are built in :meth:`setup`.

        Args:
            dataset_class: the GeoDataset to build (subclasses may leave it None).
            batch_size: patches per batch.
            patch_size: patch size in whole pixels, one number or ``(height, width)``.
            length: training patches per epoch over all ranks (default: the area over a patch's area).
            num_workers: DataLoader worker processes.
            stride: grid step of validation and test windows in pixels (default: ``patch_size``).
            predict_stride: grid step of prediction windows (default: half of ``patch_size``).
            splits: fractions of the train, validation and test strips.
            **kwargs: passed to ``dataset_class``.

        Raises:
            TypeError: if a size, stride or count is not a number (or a pair of numbers).
            ValueError: if one is NaN, infinite, zero, negative or not whole (naming the argument),
                ``predict_stride`` is larger than ``patch_size`` (pixels between windows would not be predicted),
                or ``splits`` are not three positive shares summing to 1 (see :func:`split_fractions`).
        """
        super().__init__(batch_size=batch_size, num_workers=num_workers, **kwargs)
        owner = type(self).__name__
        # Checked here, naming this module's arguments (the samplers built later would call patch_size "size").
        patch_size = pixel_size(patch_size, "patch_size", owner)
        stride = None if stride is None else pixel_size(stride, "stride", owner)
        predict_stride = None if predict_stride is None else pixel_size(predict_stride, "predict_stride", owner)
        if predict_stride is not None:
            steps, sides = as_count_pair(predict_stride, "predict_stride"), as_count_pair(patch_size, "patch_size")
            if steps[0] > sides[0] or steps[1] > sides[1]:
                raise ValueError(
                    f"{owner}: predict_stride={predict_stride!r} is larger than patch_size={patch_size!r}: the pixels "
                    "between prediction windows would get no prediction (nodata in the outputs); give a "
                    "predict_stride of at most patch_size (default: half of it, so that windows overlap and blend)"
                )
        if length is not None:
            as_count(length, "length", owner)
        self.dataset_class = dataset_class
        self.patch_size = patch_size
        self.length = length
        self.stride = stride
        self.predict_stride = predict_stride
        self.splits = split_fractions(splits, owner)
        self.train_dataset: GeoDataset | None = None
        self.val_dataset: GeoDataset | None = None
        self.test_dataset: GeoDataset | None = None
        self.predict_dataset: GeoDataset | None = None
        self.train_aug = self.flips()

    def build_splits(self) -> tuple[GeoDataset, GeoDataset, GeoDataset, GeoDataset]:
        """Build the train, validation, test and prediction datasets.

        Raises:
            ValueError: if the datamodule has no ``dataset_class``.
        """
        if self.dataset_class is None:
            raise ValueError(f"{type(self).__name__}: give dataset_class, or override build_splits")
        dataset = self.dataset_class(**self.kwargs)
        train, val, test = spatial_split(dataset, self.splits, patch_size=self.patch_size)
        return train, val, test, test

    def setup(self, stage: str) -> None:
        """Build the datasets once (every stage needs only its own, but the split is shared).

        ``num_channels`` becomes the band count of the training dataset's images where it has any: a class's
        ``num_channels`` is the default bands' count, and the dataset's ``bands`` may choose others.
        """
        if self.train_dataset is None:
            self.train_dataset, self.val_dataset, self.test_dataset, self.predict_dataset = self.build_splits()
            image_channels = self.train_dataset.channels.get("image")
            if image_channels is not None:
                self.num_channels = image_channels

    def _shard(self) -> tuple[int | None, int | None]:
        """This process's rank and world size from the trainer, when attached (else torch.distributed's)."""
        if self.trainer is None:
            return None, None
        return self.trainer.global_rank, self.trainer.world_size

    def _require(self, dataset: GeoDataset | None, stage: str) -> GeoDataset:
        if dataset is None:
            self.setup(stage)
            dataset = {"fit": self.train_dataset, "validate": self.val_dataset, "test": self.test_dataset,
                       "predict": self.predict_dataset}[stage]
        assert dataset is not None
        return dataset

    def train_dataloader(self) -> DataLoader[Sample]:
        """Random patches in batches, each batch read in one worker."""
        dataset = self._require(self.train_dataset, "fit")
        rank, world_size = self._shard()
        places = series_places(dataset, patch_size=self.patch_size)
        sampler = RandomBatchGeoSampler(places, self.patch_size, self.batch_size, self.length, rank=rank,
                                        world_size=world_size)
        reader = BatchReader(dataset)
        return DataLoader(reader, sampler=ShardedSampler(sampler, reader), batch_size=None, collate_fn=_unchanged,
                          num_workers=self.num_workers, persistent_workers=self.num_workers > 0)

    def _grid_loader(self, dataset: GeoDataset, stride: int | tuple[int, int] | None) -> DataLoader[Sample]:
        rank, world_size = self._shard()
        # Each window scored once over all ranks: evaluation, unlike training, may differ in steps between ranks.
        sampler = GridGeoSampler(series_places(dataset, patch_size=self.patch_size), self.patch_size,
                                 stride or self.patch_size, rank=rank, world_size=world_size, even=False)
        spare = None
        if len(sampler) == 0:
            # Fewer windows than ranks. Lightning stops a DDP run in which a rank has no batch ("`DataLoader` within
            # local rank has zero length"), so this rank scores a window of another rank again, as Lightning's own
            # DistributedSampler repeats samples to even out ranks.
            spare = next(sampler.grid.windows(sampler.rank % len(sampler.grid), len(sampler.grid)))
        sharded: Sampler[Any] = ShardedSampler(sampler, dataset, spare)
        return DataLoader(dataset, batch_size=self.batch_size, sampler=sharded, collate_fn=stack_samples,
                          num_workers=self.num_workers)

    def val_dataloader(self) -> DataLoader[Sample]:
        """A grid over the validation area."""
        return self._grid_loader(self._require(self.val_dataset, "validate"), self.stride)

    def test_dataloader(self) -> DataLoader[Sample]:
        """A grid over the test area."""
        return self._grid_loader(self._require(self.test_dataset, "test"), self.stride)

    def predict_dataloader(self) -> DataLoader[Sample]:
        """An overlapping grid over the prediction area, each rank's windows in whole chunks of rows, top first.

        The windows come from a :class:`~geotorch.trainers.StreamingGridSampler`, whose order lets
        :class:`~geotorch.trainers.GeoTIFFPredictionWriter` write rows as the grid passes them. Image
        pixels of NaN or infinite values reach the model as the dataset's fill, else 0 (see
        :class:`~geotorch.datamodules.finite_images.FiniteImageStack`), as
        :func:`~geotorch.trainers.predict_raster`'s do.
        """
        from geotorch.trainers.predict_sampler import StreamingGridSampler

        size = as_count_pair(self.patch_size, "patch_size")
        stride = self.predict_stride or (max(1, size[0] // 2), max(1, size[1] // 2))
        dataset = self._require(self.predict_dataset, "predict")
        rank, world_size = self._shard()
        sampler = StreamingGridSampler(series_places(dataset, patch_size=size), size, stride, rank=rank,
                                       world_size=world_size)
        return DataLoader(dataset, batch_size=self.batch_size, sampler=ShardedSampler(sampler, dataset),
                          collate_fn=FiniteImageStack(dataset.fill_of("image")), num_workers=self.num_workers)
