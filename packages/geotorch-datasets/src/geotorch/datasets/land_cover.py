"""Class rasters (land cover, crop types): downloadable, with a chosen class subset mapped to 0..k and a colour map."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch
from torch import Tensor

from geotorch.core import (
    CRSLike,
    DatasetLifecycle,
    DatasetNotFoundError,
    RasterDataset,
    Resource,
    Sample,
    Transform,
    add_legend,
    class_legend,
    new_figure,
)
from geotorch.datasets.integer_choices import integer_choices
from geotorch.datasets.product_paths import (
    ProductPaths,
    download_folder,
    matching_files,
    product_paths,
)

RGBA = tuple[int, int, int, int]


class LandCoverRaster(RasterDataset, DatasetLifecycle):
    """A class raster whose chosen classes become the labels ``1..k`` of ``mask``; every other value is 0.

    Subclasses declare the product: ``filename_glob``/``filename_regex``,
    ``class_names`` (raw value to name, 0 being the background), ``cmap`` (raw
    value to RGBA) and either ``url``/``archive``/``md5`` or an override of
    :meth:`resources` (and of :meth:`product_files` where the rasters are not every
    file matching ``filename_glob``). The data is present when :meth:`product_files`
    finds any; raw values become labels in :meth:`labels_of`.

    Attributes:
        class_names: every raw class value of the product and its name.
        cmap: the publisher's colour for each raw class value.
        url: where the single archive of the product is published.
        archive: the archive's file name in ``root`` (the first folder of ``paths``).
        md5: the archive's published MD5.
        classes: the raw values kept, in label order (instance attribute).
        ordinal_map: lookup from raw value to label (instance attribute).
    """

    is_image = False
    class_names: ClassVar[Mapping[int, str]] = {}
    cmap: ClassVar[Mapping[int, RGBA]] = {}
    url: ClassVar[str] = ""
    archive: ClassVar[str] = ""
    #: The product's folders and files: always local (downloads go there).
    paths: list[Path]
    md5: ClassVar[str | None] = None

    def __init__(
        self,
        paths: ProductPaths | None = None,
        crs: CRSLike | None = None,
        res: float | tuple[float, float] | None = None,
        transforms: Transform | None = None,
        cache: bool = True,
        download: bool = False,
        checksum: bool = False,
        time_series: bool = False,
        *,
        root: ProductPaths | None = None,
        classes: Sequence[int] | None = None,
    ) -> None:
        """Find (extracting or downloading when needed) and index the product in ``paths``.

        Args:
            paths: a folder holding the product (searched recursively), a raster, or a list of both;
                archives are extracted, and downloads go, into its first folder (default: ``"data"``).
            crs: CRS of samples (default: the product's).
            res: pixel size in ``crs`` units (default: the product's).
            transforms: a function applied to every sample.
            cache: keep files open between samples in the process-wide, bounded cache of open files
                (False: open each sample's files for its read, then close them).
            download: fetch the archive(s) when missing.
            checksum: verify archives against their published MD5.
            time_series: stack the acquisitions a query meets along time, ``(T, C, H, W)`` (see
                :class:`geotorch.core.RasterDataset`); needs dated file names.
            root: keyword alias of ``paths``.
            classes: raw class values to keep, labelled 1, 2, ... in this
                order; the background 0 stays 0 and every other value becomes
                0 (default: every class).

        Raises:
            DatasetNotFoundError: if the data is missing and ``download`` is False.
            ChecksumError: if ``checksum`` and an archive does not match.
            TypeError: if ``paths`` is not a path or a list of paths, or ``classes`` not a list of whole numbers.
            ValueError: if a class is not one of ``class_names`` or is named twice, ``classes`` keeps no class but
                the background, both ``paths`` and ``root`` are given, or ``paths`` names an archive (pass its
                folder).
        """
        self.paths = product_paths(paths, root, type(self).__name__)
        self.root = download_folder(self.paths)
        self.classes = self._select_classes(classes)
        self.ordinal_map = _ordinal_map(self.classes, max(self.class_names, default=0))
        self.prepare(download, checksum)
        super().__init__(paths=self.product_files(), crs=crs, res=res, transforms=transforms, cache=cache,
                         time_series=time_series)

    def resources(self) -> list[Resource]:
        """The archives to download: the product's single ``url`` by default."""
        return [Resource(self.url, self.archive, md5=self.md5)] if self.url else []

    def product_files(self) -> list[Path]:
        """The product's rasters in ``paths`` (in its folders, and the files it names that match the glob)."""
        return matching_files(self.paths, self.filename_glob)

    def is_present(self) -> bool:
        """Whether :meth:`product_files` finds the product's rasters in ``paths``."""
        return bool(self.product_files())

    def _select_classes(self, classes: Sequence[int] | None) -> tuple[int, ...]:
        owner = type(self).__name__
        if classes is None:
            return (0, *(value for value in self.class_names if value != 0))
        given = integer_choices(classes, "classes", owner)
        chosen = [value for value in given if value != 0]
        unknown = [value for value in chosen if value not in self.class_names]
        if unknown:
            raise ValueError(f"{owner}: unknown class value(s) {unknown}; valid values are {sorted(self.class_names)}")
        if not chosen:
            raise ValueError(
                f"{owner}: classes={list(given)} keeps no class but the background 0, so every pixel would be 0; "
                f"name the class values to keep, or pass classes=None for every class"
            )
        return (0, *chosen)

    def labels_of(self, mask: Tensor) -> Tensor:
        """The label of each raw value: ``1..k`` for the chosen classes, 0 for every other value."""
        return self.ordinal_map[mask.clamp(0, len(self.ordinal_map) - 1)]

    @property
    def ordinal_cmap(self) -> np.ndarray:
        """``(k + 1, 4)`` uint8 RGBA colour of each label."""
        return np.array([self.cmap.get(value, (0, 0, 0, 0)) for value in self.classes], dtype=np.uint8)

    def plot(self, sample: Sample, show_titles: bool = True, suptitle: str | None = None) -> Any:
        """Draw ``mask`` (and ``prediction`` when present) in the publisher's colours, with a class legend.

        Returns:
            A matplotlib Figure made by pyplot (its current figure).
        """
        names = [self.class_names.get(value, "Background") for value in self.classes]
        return plot_labels(sample, self.ordinal_cmap, show_titles=show_titles, suptitle=suptitle, names=names)


class YearlyLandCover(LandCoverRaster):
    """A class raster published once a year, one archive per year (CDL, NLCD).

    Attributes:
        url: archive URL with a ``{year}`` placeholder.
        archive: archive file name with a ``{year}`` placeholder.
        year_glob: glob of one year's raster, with a ``{year}`` placeholder.
        md5s: published MD5 of each year's archive; its keys are the years available.
        default_years: years read when ``years`` is not given.
        years: the years read (instance attribute).
    """

    year_glob: ClassVar[str]
    md5s: ClassVar[Mapping[int, str]]
    default_years: ClassVar[tuple[int, ...]]

    def __init__(
        self,
        paths: ProductPaths | None = None,
        crs: CRSLike | None = None,
        res: float | tuple[float, float] | None = None,
        years: Sequence[int] | None = None,
        classes: Sequence[int] | None = None,
        transforms: Transform | None = None,
        cache: bool = True,
        download: bool = False,
        checksum: bool = False,
        time_series: bool = False,
        *,
        root: ProductPaths | None = None,
    ) -> None:
        """Find (extracting or downloading when needed) and index the chosen years in ``paths``.

        Args:
            paths: a folder holding the rasters (searched recursively), a raster, or a list of both;
                archives are extracted, and downloads go, into its first folder (default: ``"data"``).
            crs: CRS of samples (default: the product's).
            res: pixel size in ``crs`` units (default: the product's).
            years: years to read (default: ``default_years``).
            classes: raw class values to keep, labelled 1, 2, ... in this order;
                every other value becomes 0 (default: every class).
            transforms: a function applied to every sample.
            cache: keep files open between samples in the process-wide, bounded cache of open files
                (False: open each sample's files for its read, then close them).
            download: fetch the missing years' archives.
            checksum: verify archives against their published MD5.
            time_series: stack the acquisitions a query meets along time, ``(T, C, H, W)`` (see
                :class:`geotorch.core.RasterDataset`); needs dated file names.
            root: keyword alias of ``paths``.

        Raises:
            DatasetNotFoundError: if a year is missing and ``download`` is False.
            ChecksumError: if ``checksum`` and an archive does not match.
            TypeError: if ``paths`` is not a path or a list of paths, or ``years`` or ``classes`` is not a list
                of whole numbers.
            ValueError: if a year or a class is unknown or named twice, ``classes`` keeps no class but the
                background, or ``paths`` names an archive (pass its folder).
        """
        self.years = self.default_years if years is None else integer_choices(years, "years", type(self).__name__)
        unknown = [year for year in self.years if year not in self.md5s]
        if unknown or not self.years:
            raise ValueError(
                f"{type(self).__name__}: no product for year(s) {unknown or list(self.years)}; "
                f"available years are {sorted(self.md5s)}"
            )
        super().__init__(paths, crs, res, transforms, cache, download, checksum, time_series, root=root,
                         classes=classes)

    def resources(self) -> list[Resource]:
        """One archive per chosen year."""
        return [
            Resource(self.url.format(year=year), self.archive.format(year=year), md5=self.md5s[year])
            for year in self.years
        ]

    def product_files(self) -> list[Path]:
        """The chosen years' rasters in ``paths``; empty unless every year is there."""
        found = [matching_files(self.paths, self.year_glob.format(year=year))[:1] for year in self.years]
        return [paths[0] for paths in found] if all(found) else []

    def prepare(self, download: bool, checksum: bool) -> None:
        """Make the chosen years' rasters present (see :meth:`DatasetLifecycle.prepare`).

        Raises:
            DatasetNotFoundError: if a chosen year is missing and ``download`` is False, naming the
                missing years and the years ``paths`` holds.
            ChecksumError: if ``checksum`` and an archive does not match.
        """
        try:
            super().prepare(download, checksum)
        except DatasetNotFoundError as error:
            missing = [year for year in self.years if not matching_files(self.paths, self.year_glob.format(year=year))]
            if download or not missing:
                raise
            pattern = re.compile(self.filename_regex, re.VERBOSE)
            held = sorted({int(match.group("date")[:4]) for path in matching_files(self.paths, self.filename_glob)
                           if (match := pattern.match(path.name))})
            advice = f"it holds year(s) {held}: pass years={held}, or " if held else ""
            searched: list[str | Path] = [*error.where]
            raise DatasetNotFoundError(
                type(self).__name__,
                searched,
                f"no raster of year(s) {missing} ({self.year_glob.format(year=missing[0])}); {advice}pass "
                f"download=True to fetch the missing year(s)",
            ) from error


def _ordinal_map(classes: Sequence[int], largest: int) -> Tensor:
    """Lookup from raw value to label; values past ``largest`` (clamped onto the last entry) map to 0."""
    lookup = torch.zeros(max(largest, 255) + 2, dtype=torch.long)
    for label, value in enumerate(classes):
        lookup[value] = label
    return lookup


def plot_labels(
    sample: Sample,
    colors: np.ndarray,
    show_titles: bool = True,
    suptitle: str | None = None,
    names: Sequence[str] | None = None,
) -> Any:
    """Draw a sample's ``mask`` and ``prediction`` with one RGBA colour per label.

    Args:
        sample: a sample with ``mask`` and optionally ``prediction`` (labels ``0..len(colors)-1``).
        colors: ``(K, 4)`` uint8 RGBA colours, indexed by label.
        show_titles: label each panel.
        suptitle: a title over the figure.
        names: the class name of each label: the figure gets a legend of the classes present in
            ``mask`` and ``prediction``, in their colours.

    Returns:
        A matplotlib Figure made by pyplot (its current figure).

    Raises:
        ValueError: if the sample has neither ``mask`` nor ``prediction``, or either is not one layer of
            labels ``0..len(colors)-1`` (see :func:`label_layer`).
    """
    keys = [key for key in ("mask", "prediction") if key in sample]
    if not keys:
        raise ValueError(f"plot_labels: the sample has no mask or prediction (keys: {sorted(sample)})")
    layers = [label_layer(sample[key], key, len(colors), "plot_labels") for key in keys]
    figure = new_figure(4 * len(keys), 4)
    axes = figure.subplots(1, len(keys), squeeze=False)[0]
    for axis, key, labels in zip(axes, keys, layers, strict=True):
        axis.imshow(colors[labels], interpolation="nearest")
        axis.set_axis_off()
        if show_titles:
            axis.set_title(key.capitalize())
    if suptitle:
        figure.suptitle(suptitle)
    if names is not None:
        add_legend(figure, class_legend(layers, names, colors))
    return figure


def label_layer(values: Any, key: str, count: int, owner: str) -> np.ndarray:
    """``values`` (a sample's ``key``) as one ``(H, W)`` layer of labels ``0..count-1``, to draw.

    Args:
        values: a tensor or array of labels, ``(H, W)`` or ``(1, H, W)``.
        key: the sample's key, used in messages.
        count: how many labels there are (colours to draw them in).
        owner: what draws them (a function or a dataset's plot), used in messages.

    Returns:
        The labels as int64.

    Raises:
        ValueError: if ``values`` is not one layer (scores of several classes, a batch or a time series), holds
            fractions (probabilities), or holds labels outside ``0..count-1`` (which would be drawn, and named in
            the legend, as another class).
    """
    layer = torch.as_tensor(values).detach().cpu()
    if layer.ndim == 3 and layer.shape[0] == 1:
        layer = layer[0]
    if layer.ndim != 2:
        raise ValueError(
            f"{owner}: {key!r} has shape {tuple(layer.shape)}; give one layer of labels, (H, W) or (1, H, W): "
            f"the argmax of scores over their classes, one sample of a batch or one step of a series"
        )
    if layer.is_floating_point() and not torch.equal(layer, layer.round()):
        raise ValueError(
            f"{owner}: {key!r} holds fractions ({float(layer.min()):g} to {float(layer.max()):g}), not labels: "
            f"give the argmax of scores over their classes"
        )
    labels = layer.numpy().astype(np.int64)
    outside = sorted(set(np.unique(labels[(labels < 0) | (labels >= count)]).tolist()))
    if outside:
        raise ValueError(
            f"{owner}: {key!r} holds labels {outside[:10]}, outside 0 to {count - 1}, the labels of the classes "
            f"chosen: a prediction of a model with other classes?"
        )
    return labels
