"""The outputs of a prediction over a GeoDataset: one grid per index entry, its windows, and their queries."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import rasterio
from affine import Affine
from rasterio.errors import RasterioIOError

from geotorch.core import BoundingBox, GeoDataset, IntersectionDataset, UnionDataset
from geotorch.trainers.outputs import output_names, refuse_blocked_targets, refuse_overwriting_inputs
from geotorch.trainers.predict_cog import Grid
from geotorch.trainers.predict_grid import pixels_covering, window_starts
from geotorch.trainers.predict_stream import OutputLayout


@dataclass(frozen=True)
class EntryOutput:
    """The output of one index entry of a GeoDataset: its layout and what the queries of its windows need.

    Attributes:
        layout: name, grid and windows (in the dataset's CRS, at its resolution, anchored at the
            entry's top-left corner).
        bounds: the box of the output's pixels; its time span is every window's.
        nodata: the nodata of the dataset reading the entry's file (beside the file's own), or None.
        files: the files of a place of a time series read from several (its layout has no ``source``), each
            with the nodata of the dataset reading it: the output is written wherever one of them has data.
    """

    layout: OutputLayout
    bounds: BoundingBox
    nodata: float | None
    files: tuple[tuple[str, float | None], ...] = ()

    def query(self, top: int, left: int) -> BoundingBox:
        """The box of the window at ``(top, left)`` pixels from the grid's corner."""
        transform = self.layout.grid.transform
        height, width = self.layout.size
        minx = transform.c + left * transform.a
        maxy = transform.f + top * transform.e
        return BoundingBox(
            minx, minx + width * transform.a, maxy + height * transform.e, maxy, self.bounds.mint, self.bounds.maxt
        )


def entry_outputs(dataset: GeoDataset, size: tuple[int, int], stride: tuple[int, int]) -> list[EntryOutput]:
    """One output per index entry of ``dataset``, named after the entry's file (see :func:`output_names`).

    A place of :func:`~geotorch.samplers.series_places` read from several files is named after the words their
    names share (:attr:`~geotorch.samplers.SeriesPlace.name`: ``T31TGL_B02_10m.tif`` for a Sentinel-2 tile's
    dates), and written wherever one of its files has data (see :class:`.predict_mask.PlaceMask`).

    An output holds the pixels of the entry's box whose centres lie inside it, counted from its
    top-left corner (see :func:`.predict_grid.pixels_covering`): a file warped onto the dataset's
    CRS gets GDAL's grid for the warp, the last row or column of its footprint included where the
    footprint holds its centre (whole pixels alone dropped up to a row and a column of its data),
    and an entry cut mid-pixel (a split) keeps a last column or row more than half its own. The entry
    of a composite carries the file of the operand it comes from (an intersection's, its
    first operand's: the imagery of ``images & labels``), whose data, as that operand reads it
    (with its ``nodata``), decides which pixels are written. Windows of an entry smaller than
    a window are moved back inside the dataset's bounds where they fit, so they read data.
    """
    from geotorch.samplers import SeriesPlace, index_entries

    entries = index_entries(dataset)
    sources = [os.fspath(item) if isinstance(item, (str, os.PathLike)) else None for _, item in entries]
    # A place of a time series read from several files is named after what their names share, written whole.
    named = [item.name if isinstance(item, SeriesPlace) else source
             for (_, item), source in zip(entries, sources, strict=True)]
    nodata = _nodata_of_sources(dataset)
    outputs: list[EntryOutput] = []
    res = dataset.res
    for (box, item), source, name in zip(entries, sources, output_names(named), strict=True):
        height = pixels_covering(box.maxy - box.miny, res[1])
        width = pixels_covering(box.maxx - box.minx, res[0])
        if height < 1 or width < 1:
            continue
        whole = BoundingBox(
            box.minx, box.minx + width * res[0], box.maxy - height * res[1], box.maxy, box.mint, box.maxt
        )
        limits = dataset.bounds
        rows = (
            math.floor((whole.maxy - limits.maxy) / res[1] + 1e-6),
            math.ceil((whole.maxy - limits.miny) / res[1] - 1e-6),
        )
        columns = (
            math.floor((limits.minx - whole.minx) / res[0] + 1e-6),
            math.ceil((limits.maxx - whole.minx) / res[0] - 1e-6),
        )
        grid = Grid(dataset.crs, Affine(res[0], 0, whole.minx, 0, -res[1], whole.maxy), height, width)
        layout = OutputLayout(
            name,
            grid,
            tuple(window_starts(height, size[0], stride[0], rows)),
            tuple(window_starts(width, size[1], stride[1], columns)),
            size,
            source,
        )
        files = tuple((path, nodata.get(path)) for path in item.files) if isinstance(item, SeriesPlace) else ()
        outputs.append(EntryOutput(layout, whole, None if source is None else nodata.get(source), files))
    return outputs


def _nodata_of_sources(dataset: GeoDataset) -> dict[str, float | None]:
    """The ``nodata`` of the dataset reading each file that names an index entry of ``dataset``.

    A file found in two operands of a union takes the first's value, as the union's pixels do.

    Returns:
        Each file's path (as :func:`os.fspath` gives it) and that dataset's ``nodata`` (or None).
    """
    from geotorch.samplers import index_entries

    found: dict[str, float | None] = {}
    for reader in _readers_of_entries(dataset):
        nodata = getattr(reader, "nodata", None)
        for _, item in index_entries(reader):
            if isinstance(item, (str, os.PathLike)):
                found.setdefault(os.fspath(item), nodata)
    return found


def _readers_of_entries(dataset: GeoDataset) -> list[GeoDataset]:
    """The datasets, not composites, whose items the entries of ``dataset`` carry, in operand order."""
    if isinstance(dataset, IntersectionDataset):
        return _readers_of_entries(dataset.datasets[0])
    if isinstance(dataset, UnionDataset):
        return [reader for operand in dataset.datasets for reader in _readers_of_entries(operand)]
    return [dataset]


def check_inputs_kept(outputs: Sequence[EntryOutput], folder: Path) -> None:
    """Make sure no output would replace an input file, its own or another's.

    See :func:`~geotorch.trainers.outputs.refuse_overwriting_inputs`.

    Raises:
        ValueError: if an output path is the input file of an entry, naming both.
    """
    refuse_overwriting_inputs(
        [folder / output.layout.name for output in outputs],
        [source for output in outputs for source in (output.layout.source, *(path for path, _ in output.files))],
        "GeoTIFFPredictionWriter",
    )


def check_targets_free(outputs: Sequence[EntryOutput], folder: Path) -> None:
    """Make sure no folder stands where an output goes, and no file where an output's folder goes.

    See :func:`~geotorch.trainers.outputs.refuse_blocked_targets`.

    Raises:
        IsADirectoryError: if an output's path is a folder, naming it.
        NotADirectoryError: if a folder an output needs is a file, naming both.
    """
    refuse_blocked_targets([folder / output.layout.name for output in outputs], "GeoTIFFPredictionWriter")


def check_inputs_outside(sources: Sequence[str], folder: Path) -> None:
    """Make sure no input file is a prediction written in the output folder by an earlier run.

    A dataset over a folder holding ``folder`` reads the outputs of the previous run beside the
    inputs: rasters of another band count than the inputs', or inputs their own outputs would
    replace. An input in ``folder`` is one when it carries the ``output`` and ``source`` tags that
    every prediction file carries; other files there are left alone.

    Raises:
        ValueError: if an input is such a prediction, naming it and ``folder``.
    """
    outputs = os.path.realpath(folder)
    for source in sources:
        if "://" in source or source.startswith("/vsi") or not os.path.isfile(source):
            continue
        if os.path.commonpath([outputs, os.path.realpath(source)]) != outputs:
            continue
        try:
            with rasterio.open(source) as reader:
                tags = reader.tags()
        except RasterioIOError:
            continue  # no raster (a vector file, say): no prediction
        if "output" in tags and "source" in tags:
            raise ValueError(
                f"GeoTIFFPredictionWriter: the input {source} is a prediction written in output_dir="
                f"{str(folder)!r} by an earlier run (of {tags['source']}); choose an output_dir outside the "
                "inputs' folders"
            )
