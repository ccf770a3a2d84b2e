"""Stitching predictions of overlapping windows into georeferenced GeoTIFFs, one per index entry."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Literal

import numpy as np
import rasterio
import torch
from affine import Affine
from lightning.pytorch import LightningModule, Trainer
from lightning.pytorch.callbacks import BasePredictionWriter
from rasterio.crs import CRS
from rasterio.enums import ColorInterp, Resampling
from rasterio.errors import RasterioIOError
from rasterio.vrt import WarpedVRT
from rasterio.windows import Window
from torch import Tensor

from geotorch.core import BoundingBox, GeoDataset, IntersectionDataset, UnionDataset, snap_inward
from geotorch.trainers.outputs import output_names, write_raster

#: How far (in pixels) a window may sit off a canvas's pixel lattice and still be written to it.
LATTICE_TOLERANCE = 1e-3

#: The value of ``uint8`` class outputs where there is no prediction (``uint16`` outputs use 65535).
CLASS_NODATA = 255

#: Rows of an input read at a time when finding which pixels of an output hold data.
MASK_ROWS = 1024


def blend_weights(height: int, width: int) -> Tensor:
    """Weights of a window's pixels when overlapping windows are averaged: 1 at the edges, rising inwards.

    The weight of a pixel is its distance, in pixels, to the nearest edge plus one, so every
    pixel counts, and a window's edge (where its model sees least context) counts least: where
    windows overlap the result moves smoothly from one to the other, without seams.

    Returns:
        ``(height, width)`` float32 weights.
    """
    rows = torch.arange(height, dtype=torch.float32)
    columns = torch.arange(width, dtype=torch.float32)
    to_row_edge = torch.minimum(rows + 1, height - rows)
    to_column_edge = torch.minimum(columns + 1, width - columns)
    return torch.minimum(to_row_edge[:, None], to_column_edge[None, :])


def data_mask(
    source: str, nodata: float | None, crs: CRS, transform: Affine, shape: tuple[int, int]
) -> np.ndarray | None:
    """Which pixels of a grid hold data of the raster ``source``, as the dataset reading it sees them.

    A pixel holds data where it lies inside the file's footprint and the file does not mark
    it missing, as :class:`~geotorch.core.RasterDataset` reads it: missing are the pixels its
    alpha band or internal mask leaves out, and those whose every band is the file's nodata or
    the dataset's ``nodata`` (a file without either has data everywhere inside it, zeros
    included). The file is warped onto the grid (nearest neighbour) a block of rows at a time.

    Args:
        source: path (or GDAL path) of the input file.
        nodata: the dataset's nodata value, or None.
        crs: the grid's CRS.
        transform: the grid's affine transform.
        shape: the grid's ``(height, width)`` in pixels.

    Returns:
        ``(height, width)`` booleans, or None when ``source`` is not a raster GDAL can open
        (a vector file, say), whose data then cannot be told from here.
    """
    try:
        reader = rasterio.open(source)
    except RasterioIOError:
        return None
    height, width = shape
    mask = np.zeros(shape, dtype=bool)
    bands = [number for number, role in enumerate(reader.colorinterp, 1) if role != ColorInterp.alpha]
    alpha = next((number for number in range(1, reader.count + 1) if number not in bands), None)
    missing = [value for value in (reader.nodata, nodata) if value is not None]
    # The warp's alpha band (the file's, else one added last) is 0 outside the footprint and where the
    # file's nodata, alpha or mask say so. It is read as a band: GDAL's dataset mask takes an alpha band
    # into account only beside 1 or 3 other bands.
    with reader, WarpedVRT(reader, crs=crs, transform=transform, width=width, height=height,
                           resampling=Resampling.nearest, add_alpha=alpha is None) as view:
        for top in range(0, height, MASK_ROWS):
            window = Window(0, top, width, min(MASK_ROWS, height - top))
            block = view.read(alpha or view.count, window=window) > 0
            if nodata is not None:
                block &= ~np.all(_is_one_of(view.read(bands, window=window), missing), axis=0)
            mask[top:top + window.height] = block
    return mask


def _is_one_of(pixels: np.ndarray, values: list[float]) -> np.ndarray:
    """Which elements of ``pixels`` equal one of ``values`` (NaN matching NaN in float pixels)."""
    found = np.zeros(pixels.shape, dtype=bool)
    for value in values:
        if math.isnan(value):
            found |= np.isnan(pixels) if pixels.dtype.kind == "f" else False
        else:
            found |= pixels == value
    return found


@dataclass
class Canvas:
    """The weighted sum of the predictions falling on one index entry's pixel grid.

    Attributes:
        name: the output file's path relative to the output folder (see :func:`output_names`).
        bounds: the entry's box; its top-left corner anchors the grid, its time span selects
            the windows.
        res: pixel size ``(x, y)``.
        crs: the dataset's CRS.
        source: the entry's input file, whose pixels without data are written as nodata; None
            when the entry has no file.
        nodata: the dataset's nodata value, marking missing pixels beside the file's own (or None).
        total: sum of weight x prediction, ``(C, H, W)`` (allocated at the first prediction).
        weight: sum of weights, ``(H, W)``.
    """

    name: PurePosixPath
    bounds: BoundingBox
    res: tuple[float, float]
    crs: CRS
    source: str | None = None
    nodata: float | None = None
    total: Tensor | None = None
    weight: Tensor | None = None

    @property
    def shape(self) -> tuple[int, int]:
        """``(height, width)`` in pixels."""
        return (round((self.bounds.maxy - self.bounds.miny) / self.res[1]),
                round((self.bounds.maxx - self.bounds.minx) / self.res[0]))

    @property
    def transform(self) -> Affine:
        """The affine transform of the grid: the entry's top-left corner and the dataset's resolution."""
        return Affine(self.res[0], 0, self.bounds.minx, 0, -self.res[1], self.bounds.maxy)

    def add(self, window: BoundingBox, values: Tensor, weights: Tensor) -> bool:
        """Add the part on this grid of a window's prediction ``(C, h, w)``, with per-pixel ``weights``.

        A window counts when it lies on the grid's pixel lattice, overlaps the grid, and its
        time span meets the entry's (entries of one place at other dates have their own
        canvases). Its pixels beyond the grid (a window larger than a small entry, or one of a
        neighbouring entry) are left out.

        Returns:
            Whether any of the window was added.
        """
        if window.mint > self.bounds.maxt or window.maxt < self.bounds.mint:
            return False
        column = (window.minx - self.bounds.minx) / self.res[0]
        row = (self.bounds.maxy - window.maxy) / self.res[1]
        if abs(column - round(column)) > LATTICE_TOLERANCE or abs(row - round(row)) > LATTICE_TOLERANCE:
            return False
        top, left = round(row), round(column)
        height, width = self.shape
        rows = slice(max(top, 0), min(top + values.shape[-2], height))
        columns = slice(max(left, 0), min(left + values.shape[-1], width))
        if rows.start >= rows.stop or columns.start >= columns.stop:
            return False
        inside = (slice(rows.start - top, rows.stop - top), slice(columns.start - left, columns.stop - left))
        if self.total is None or self.weight is None:
            self.total = torch.zeros((values.shape[0], height, width), dtype=torch.float32)
            self.weight = torch.zeros((height, width), dtype=torch.float32)
        self.total[:, rows, columns] += values[(slice(None), *inside)].float() * weights[inside]
        self.weight[rows, columns] += weights[inside]
        return True

    def write(self, folder: Path, output: Literal["classes", "scores"]) -> Path | None:
        """Write the blended prediction as ``folder/<name>``, atomically (see :func:`write_raster`).

        Pixels that no window reached, or where the entry's file holds no data (see
        :func:`data_mask`), are the file's declared nodata, never a class or a score:
        ``classes`` are ``uint8`` with nodata 255 (``uint16`` with 65535 from 256 classes on),
        ``scores`` are ``float32`` with nodata NaN. The file's ``source`` tag names the input.

        Returns:
            The path written, or None when no window reached this grid.
        """
        if self.total is None or self.weight is None:
            return None
        height, width = self.shape
        valid = (self.weight > 0).numpy()
        if self.source is not None:
            has_data = data_mask(self.source, self.nodata, self.crs, self.transform, (height, width))
            if has_data is not None:
                valid &= has_data
        mean = self.total / self.weight.clamp_min(1e-12)
        profile: dict[str, Any] = {
            "driver": "GTiff", "width": width, "height": height, "crs": self.crs, "transform": self.transform,
            "tiled": width >= 256 and height >= 256, "compress": "deflate",
        }
        if output == "classes":
            classes = mean.argmax(dim=0).numpy()
            dtype = "uint8" if mean.shape[0] <= CLASS_NODATA else "uint16"
            nodata = CLASS_NODATA if dtype == "uint8" else 65535
            array = np.where(valid, classes, nodata).astype(dtype)[None]
            profile.update(count=1, dtype=dtype, nodata=nodata)
        else:
            array = np.where(valid[None], mean.numpy(), np.nan).astype("float32")
            profile.update(count=array.shape[0], dtype="float32", nodata=float("nan"))
        path = folder / self.name
        write_raster(path, array, profile, {"source": self.source or ""})
        return path


def canvases_of(dataset: GeoDataset) -> list[Canvas]:
    """One canvas per index entry of ``dataset``, named after the entry's file (:func:`output_names`).

    A canvas holds the entry's whole pixels, counted from its top-left corner: the pixels the
    samplers' windows can cover (an entry cut mid-pixel by a split has a last partial column
    or row that no window reaches, and that would otherwise stay empty in the output). The
    entry of a composite carries the file of the operand it comes from (an intersection's, its
    first operand's: the imagery of ``images & labels``), whose data, as that operand reads it
    (with its ``nodata``), decides which pixels are written.
    """
    from geotorch.samplers import index_entries

    entries = index_entries(dataset)
    sources = [os.fspath(item) if isinstance(item, (str, os.PathLike)) else None for _, item in entries]
    nodata = _nodata_of_sources(dataset)
    canvases: list[Canvas] = []
    for (box, _), source, name in zip(entries, sources, output_names(sources), strict=True):
        whole = snap_inward(box, box, dataset.res)
        if whole is not None:
            canvases.append(Canvas(name, whole, dataset.res, dataset.crs, source,
                                   None if source is None else nodata.get(source)))
    return canvases


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


def check_inputs_kept(canvases: Sequence[Canvas], folder: Path) -> None:
    """Make sure no output would replace an input file.

    Raises:
        ValueError: if an output path is the input file of an entry, naming both.
    """
    for canvas in canvases:
        path = folder / canvas.name
        if canvas.source is None or not path.exists() or not os.path.exists(canvas.source):
            continue
        if os.path.samefile(path, canvas.source):
            raise ValueError(
                f"GeoTIFFPredictionWriter: the prediction of {canvas.source} would overwrite that input "
                f"(output_dir={str(folder)!r}); choose an output_dir outside the inputs' folders"
            )


class GeoTIFFPredictionWriter(BasePredictionWriter):
    """Writes ``geotorch predict``'s output on a GeoDataset as GeoTIFFs on the input's grid.

    Every index entry of the prediction dataset (usually one input file, or its part inside
    the prediction area; for ``images & labels``, an image file's part over the labels) gets
    one GeoTIFF with the dataset's CRS and resolution and the entry's top-left corner, at the
    input's path relative to the inputs' common folder (``sub/a.jp2`` ->
    ``output_dir/sub/a.tif``; see :func:`output_names` for how names that would collide are
    told apart). Windows from a grid sampler land on those pixels exactly;
    where they overlap, predictions are averaged with :func:`blend_weights`, so there are no
    seams. Pixels without input data are the outputs' nodata. Each file is written under a
    hidden temporary name and renamed into place, so an interrupted run leaves the previous
    file whole. Under DDP the ranks' sums are added up before rank 0 writes.

    Args:
        output_dir: folder of the GeoTIFFs.
        output: ``classes`` (argmax of blended scores, ``uint8`` with nodata 255), ``scores``
            (the blended float values, one band per channel), or ``auto``: what the task's
            ``prediction_output`` says (``classes`` for segmentation, ``scores`` for regression).
    """

    def __init__(
        self, output_dir: str | Path = "predictions", output: Literal["auto", "classes", "scores"] = "auto"
    ) -> None:
        super().__init__(write_interval="batch")
        self.output_dir = Path(output_dir)
        self.output = output
        self.canvases: list[Canvas] = []
        self.written: list[Path] = []

    def on_predict_start(self, trainer: Trainer, pl_module: LightningModule) -> None:
        """Lay out one canvas per index entry of the prediction dataset.

        Raises:
            TypeError: if the prediction data is not a GeoDataset.
            ValueError: if an output would overwrite an input file.
        """
        datamodule = getattr(trainer, "datamodule", None)
        dataset = getattr(datamodule, "predict_dataset", None)
        if dataset is None:
            loaders: Any = trainer.predict_dataloaders
            loader = loaders[0] if isinstance(loaders, Sequence) else loaders
            dataset = getattr(loader, "dataset", None)
        if not isinstance(dataset, GeoDataset):
            raise TypeError(
                f"{type(self).__name__} writes GeoTIFFs of a GeoDataset's predictions; the prediction data is "
                f"{type(dataset).__name__}: use a GeoDataModule, or leave this callback out"
            )
        self.canvases = canvases_of(dataset)
        check_inputs_kept(self.canvases, self.output_dir)
        self.written = []

    def write_on_batch_end(
        self,
        trainer: Trainer,
        pl_module: LightningModule,
        prediction: Any,
        batch_indices: Sequence[int] | None,
        batch: Any,
        batch_idx: int,
        dataloader_idx: int,
    ) -> None:
        """Add each window's prediction to every canvas whose grid it lies on.

        Raises:
            ValueError: if the batch has no ``bounds`` or the prediction is not ``(B, C, H, W)``.
        """
        if not isinstance(batch, dict) or "bounds" not in batch:
            raise ValueError(f"{type(self).__name__}: batches must carry 'bounds' (GeoDataset samples)")
        if not isinstance(prediction, Tensor) or prediction.ndim not in (3, 4):
            raise ValueError(f"{type(self).__name__}: predict_step must return (B, C, H, W) or (B, H, W) tensors")
        values = prediction.detach().float().cpu()
        if values.ndim == 3:
            values = values.unsqueeze(1)
        weights = blend_weights(values.shape[-2], values.shape[-1])
        for window, window_values in zip(batch["bounds"], values, strict=True):
            for canvas in self.canvases:
                canvas.add(window, window_values, weights)

    def on_predict_epoch_end(self, trainer: Trainer, pl_module: LightningModule) -> None:
        """Add the ranks' sums up, then write every canvas on rank 0."""
        if trainer.world_size > 1:
            self._reduce(trainer, pl_module)
        if trainer.is_global_zero:
            output: Literal["classes", "scores"] = "scores"
            if self.output != "auto":
                output = self.output
            elif getattr(pl_module, "prediction_output", "scores") == "classes":
                output = "classes"
            for canvas in self.canvases:
                path = canvas.write(self.output_dir, output)
                if path is not None:
                    self.written.append(path)

    def _reduce(self, trainer: Trainer, pl_module: LightningModule) -> None:
        """Sum every canvas over the ranks (a rank without windows on a canvas contributes zeros)."""
        channels = max((canvas.total.shape[0] for canvas in self.canvases if canvas.total is not None), default=0)
        found = trainer.strategy.reduce(torch.tensor(float(channels), device=pl_module.device), reduce_op="max")
        channels = int(found.item()) if isinstance(found, Tensor) else channels
        for canvas in self.canvases:
            height, width = canvas.shape
            total = canvas.total if canvas.total is not None else torch.zeros((channels, height, width))
            weight = canvas.weight if canvas.weight is not None else torch.zeros((height, width))
            summed = trainer.strategy.reduce(torch.cat([total, weight[None]]).to(pl_module.device), reduce_op="sum")
            assert isinstance(summed, Tensor)
            summed = summed.cpu()
            if bool((summed[-1] > 0).any()):
                canvas.total, canvas.weight = summed[:-1], summed[-1]

