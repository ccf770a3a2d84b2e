"""``geotorch predict``'s writer: window predictions blended a band of rows at a time into COGs, one per index entry."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch.distributed as dist
from affine import Affine
from lightning.pytorch import LightningModule, Trainer
from lightning.pytorch.callbacks import BasePredictionWriter
from rasterio.crs import CRS
from torch import Tensor

from geotorch.core import GeoDataset, redacted
from geotorch.trainers.outputs import output_folder, refuse_unwritable_folders, source_tag, temporary_of
from geotorch.trainers.predict_arguments import check_classes, check_output_for
from geotorch.trainers.predict_blend import blend_weights
from geotorch.trainers.predict_cog import CLASS_NODATA, OutputKind, OutputSpec, publish_cog
from geotorch.trainers.predict_grid import Chunk
from geotorch.trainers.predict_layout import check_inputs_kept, check_inputs_outside, check_targets_free
from geotorch.trainers.predict_logits import described
from geotorch.trainers.predict_mask import InputMask, PlaceMask
from geotorch.trainers.predict_model import class_names_of
from geotorch.trainers.predict_sampler import StreamingGridSampler
from geotorch.trainers.predict_stream import ChunkStream, RowMask
from geotorch.trainers.predict_vector import polygon_paths

__all__ = ["CLASS_NODATA", "GeoTIFFPredictionWriter", "blend_weights", "data_mask"]

#: How far, in pixels, a batch's window may lie from the one the grid expects.
WINDOW_TOLERANCE = 1e-3

#: What the writer writes, and what a task's ``prediction_output`` may say.
_OUTPUT_KINDS: tuple[OutputKind, ...] = ("classes", "probabilities", "scores")
#: What the writer's ``output`` may be.
WRITER_OUTPUTS = ("auto", *_OUTPUT_KINDS)


def data_mask(
    source: str, nodata: float | None, crs: CRS, transform: Affine, shape: tuple[int, int]
) -> np.ndarray | None:
    """Which pixels of a grid hold data of the raster ``source`` (see :class:`.predict_mask.InputMask`).

    Returns:
        ``(height, width)`` booleans, or None when ``source`` is not a raster GDAL can open.
    """
    mask = InputMask.of(source, nodata, crs, transform, shape)
    if mask is None:
        return None
    try:
        return mask.rows(0, shape[0], (0, shape[1]))
    finally:
        mask.close()


def _grid_sampler(loader: Any) -> StreamingGridSampler | None:
    """The StreamingGridSampler inside a dataloader's samplers (Lightning wraps them in a batch sampler)."""
    found: list[Any] = [loader]
    while found:
        candidate = found.pop()
        if isinstance(candidate, StreamingGridSampler):
            return candidate
        found.extend(
            inner
            for name in ("batch_sampler", "_batch_sampler", "sampler")
            if (inner := getattr(candidate, name, None)) is not None and inner is not candidate
        )
    return None


def _gathered(trainer: Trainer, items: list[Any]) -> list[Any]:
    """``items`` of every rank, rank 0's first (this rank's alone outside DDP)."""
    if trainer.world_size == 1 or not (dist.is_available() and dist.is_initialized()):
        return items
    gathered: list[Any] = [None] * trainer.world_size
    dist.all_gather_object(gathered, items)
    return [item for rank_items in gathered for item in rank_items]


class GeoTIFFPredictionWriter(BasePredictionWriter):
    """Writes ``geotorch predict``'s output on a GeoDataset as Cloud-Optimized GeoTIFFs on the input's grid.

    Every index entry of the prediction dataset (usually one input file, or its part inside
    the prediction area; for ``images & labels``, an image file's part over the labels) gets
    one COG with the dataset's CRS and resolution and the entry's top-left corner, at the
    input's path relative to the inputs' common folder (``sub/a.jp2`` -> ``output_dir/sub/a.tif``;
    see :func:`~geotorch.trainers.outputs.output_names`). The windows must come from a
    :class:`~geotorch.trainers.StreamingGridSampler` (``GeoDataModule.predict_dataloader``'s):
    where they overlap, predictions are averaged with :func:`blend_weights`, and rows are written
    to disk as soon as the grid has passed them, so memory holds a band of rows per rank, never
    a whole output. Pixels without input data are the outputs' nodata, and so are those any band of
    which is NaN or infinite, which ``GeoDataModule.predict_dataloader`` gives the model as the
    dataset's fill, else 0 (as :func:`~geotorch.trainers.predict_raster` does; warned of once per
    file, with their count). Each file is written
    under a hidden temporary name and renamed into place; the polygons that
    :func:`~geotorch.trainers.predict_raster` wrote beside an output it replaces (``.gpkg``,
    ``.parquet``) are removed with it.

    Under DDP every rank blends and writes its own chunks of rows; once all are done, each
    output is joined from its chunks and written by one rank. The files are the same as one
    process writes, bit for bit.

    Args:
        output_dir: folder of the outputs.
        output: ``classes`` (argmax of blended probabilities, ``uint8`` with nodata 255 and a
            colour table), ``probabilities`` (the blended probabilities as ``uint8`` ``round(p *
            254)``), ``scores`` (the blended values of ``predict_step``, float32, one band per channel:
            a segmentation task's probabilities, where :func:`~geotorch.trainers.predict_raster` writes
            the logits its model gives), or ``auto``:
            what the task's ``prediction_output`` says (``classes`` for multiclass segmentation,
            ``scores`` for regression, ``probabilities`` where a task declares them; ``scores`` for a
            module that declares nothing).

    Attributes:
        written: the files written by the last prediction (on every rank, all of them).

    Warns:
        UserWarning: once per input file holding pixels of NaN or infinite values that are not its nodata,
            naming the file and their count.

    Raises:
        TypeError: if ``output_dir`` is no path.
        ValueError: if ``output_dir`` is empty (not taken for the working folder) or ``output`` is none of
            the choices; when prediction starts, if ``output`` is ``auto`` and the task's
            ``prediction_output`` is none of ``classes``, ``probabilities`` and ``scores``.
    """

    def __init__(
        self,
        output_dir: str | Path = "predictions",
        output: Literal["auto", "classes", "probabilities", "scores"] = "auto",
    ) -> None:
        owner = type(self).__name__
        folder = output_folder(output_dir, owner)
        if output not in WRITER_OUTPUTS:
            raise ValueError(f"{owner}: output={output!r} must be one of {', '.join(WRITER_OUTPUTS)}")
        super().__init__(write_interval="batch")
        self.output_dir = folder
        self.output = output
        self.written: list[Path] = []
        self.sampler: StreamingGridSampler | None = None
        self.streams: dict[Chunk, ChunkStream] = {}
        self.parts: list[tuple[Chunk, Path, int]] = []
        self.incomplete = 0
        #: This rank's count, per input file, of its pixels of NaN or infinite values that are not nodata.
        self.non_finite: dict[str, int] = {}

    def setup(self, trainer: Trainer, pl_module: LightningModule, stage: str) -> None:
        """Refuse inputs that are earlier predictions in ``output_dir``, before the task checks their bands.

        Raises:
            ValueError: if an input file of the datamodule's prediction dataset is a prediction written in
                ``output_dir`` (see :func:`.predict_layout.check_inputs_outside`).
        """
        dataset = getattr(getattr(trainer, "datamodule", None), "predict_dataset", None)
        if stage == "predict" and isinstance(dataset, GeoDataset):
            check_inputs_outside(dataset.files, self.output_dir)

    def on_predict_start(self, trainer: Trainer, pl_module: LightningModule) -> None:
        """Find the prediction grid.

        Raises:
            TypeError: if the prediction data is not a GeoDataset read by a StreamingGridSampler.
            ValueError: if an output would overwrite an input file, ``output='auto'`` meets a task whose
                ``prediction_output`` is no output kind, or ``output`` is one the task cannot give (classes or
                probabilities of a regression task's values, classes of a ``multilabel`` task's labels).
            NotADirectoryError: if ``output_dir``, or a folder an output goes in, is a file.
            IsADirectoryError: if a folder stands where an output goes.
            PermissionError: if no file can be made where an output goes (a read-only folder or disk).
        """
        if self.output_dir.exists() and not self.output_dir.is_dir():
            raise NotADirectoryError(
                f"{type(self).__name__}: output_dir={str(self.output_dir)!r} is a file, not a folder"
            )
        loaders: Any = trainer.predict_dataloaders
        loader = loaders[0] if isinstance(loaders, Sequence) else loaders
        dataset = getattr(loader, "dataset", None)
        if not isinstance(dataset, GeoDataset):
            raise TypeError(
                f"{type(self).__name__} writes GeoTIFFs of a GeoDataset's predictions; the prediction data is "
                f"{type(dataset).__name__}: use a GeoDataModule, or leave this callback out"
            )
        sampler = _grid_sampler(loader)
        if sampler is None:
            raise TypeError(
                f"{type(self).__name__} needs the windows of a StreamingGridSampler (GeoDataModule's "
                f"predict_dataloader); the prediction dataloader has none"
            )
        check_inputs_kept(sampler.outputs, self.output_dir)
        check_targets_free(sampler.outputs, self.output_dir)
        targets = [self.output_dir / output.layout.name for output in sampler.outputs]
        refuse_unwritable_folders(targets, type(self).__name__)
        self.sampler = sampler
        self.expected = sampler.windows()
        self.streams, self.parts, self.written, self.incomplete, self.non_finite = {}, [], [], 0, {}
        self.kind = self._kind(pl_module)
        check_output_for(pl_module, self.kind, type(self).__name__)
        self.class_names = class_names_of(pl_module)

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
        """Add each window's prediction to its chunk, writing the rows it makes final.

        Raises:
            ValueError: if the batch has no ``bounds``, the prediction is not ``(B, C, H, W)`` or
                ``(B, H, W)`` real floating-point values, one per window of the batch (classes already
                chosen would be blended as numbers), ``probabilities`` (or a single channel's ``classes``)
                are asked of values outside 0..1 (logits), the windows are not the grid's next ones, the task's
                ``labels`` are not one per class of a class or probability output (two for a single binary
                channel), or ``classes`` are asked of more than 65535 channels.
        """
        if not isinstance(batch, dict) or "bounds" not in batch:
            raise ValueError(f"{type(self).__name__}: batches must carry 'bounds' (GeoDataset samples)")
        windows = len(batch["bounds"])
        if not (
            isinstance(prediction, Tensor)
            and prediction.is_floating_point()
            and prediction.ndim in (3, 4)
            and prediction.shape[0] == windows
        ):
            raise ValueError(
                f"{type(self).__name__}: predict_step gave {described(prediction)} for a batch of {windows} windows; "
                "it must give (B, C, H, W) or (B, H, W) real floating-point values (probabilities, logits or "
                f"scores), B={windows}"
            )
        assert self.sampler is not None
        values = prediction.detach().float().cpu()
        if values.ndim == 3:
            values = values.unsqueeze(1)
        self._check_probabilities(values)
        for window, window_values in zip(batch["bounds"], values, strict=True):
            chunk, top, left = self._next(window)
            if chunk == self.sampler.spare:
                continue  # another rank's window, run so that this rank has a batch
            stream = self.streams.get(chunk)
            if stream is None:
                stream = self._open(chunk, window_values.shape[0])
            stream.add(top, left, window_values)
            if (top, left) == self._last_window(chunk):
                self._close(chunk)

    def on_predict_epoch_end(self, trainer: Trainer, pl_module: LightningModule) -> None:
        """Finish this rank's chunks, then write the outputs whose turn is this rank's, each from all its chunks.

        A prediction stopped early (``limit_predict_batches``, ``fast_dev_run``) writes every output
        that any window reached, its rows without predictions as nodata, and warns.
        """
        assert self.sampler is not None
        for chunk in list(self.streams):
            self._close(chunk)
        # Outputs that some rank predicted get all their chunks, the ones that no window reached empty.
        channels = dict(_gathered(trainer, [(chunk.output, count) for chunk, _, count in self.parts]))
        closed = {chunk for chunk, _, _ in self.parts}
        for chunk in self.sampler.mine:
            if chunk not in closed and chunk.output in channels:
                self._open(chunk, channels[chunk.output])
                self._close(chunk)
        parts = _gathered(trainer, self.parts)
        incomplete = sum(_gathered(trainer, [self.incomplete]))
        non_finite: dict[str, int] = {}
        for source, count in _gathered(trainer, list(self.non_finite.items())):
            non_finite[source] = non_finite.get(source, 0) + count
        outputs = self.sampler.outputs
        for number in sorted(channels):
            if number % trainer.world_size == trainer.global_rank:
                layout = outputs[number].layout
                ordered = sorted((chunk.part, path) for chunk, path, _ in parts if chunk.output == number)
                publish_cog(
                    [path for _, path in ordered],
                    self.output_dir / layout.name,
                    layout.grid,
                    self._spec(channels[number], layout.source),
                    replacing=polygon_paths(self.output_dir / layout.name),
                )
        if trainer.world_size > 1:
            trainer.strategy.barrier("GeoTIFFPredictionWriter")
        self.written = [self.output_dir / outputs[number].layout.name for number in sorted(channels)]
        if trainer.is_global_zero:
            for source, count in non_finite.items():
                warnings.warn(
                    f"{type(self).__name__}: {redacted(source)} holds {count} pixels of NaN or infinite values that "
                    "are not its nodata; they reach the model as pixels without data (the dataset's fill, else 0) "
                    "and are nodata in the output",
                    stacklevel=2,
                )
            if incomplete:
                warnings.warn(
                    f"{type(self).__name__}: the prediction stopped before the grid's end "
                    f"(limit_predict_batches?): {incomplete} chunks of rows were not predicted whole "
                    "and are nodata where no window reached",
                    stacklevel=2,
                )
            # Through the progress bar, whose line is still drawn: a plain print was glued to its end.
            bar = trainer.progress_bar_callback
            for path in self.written:
                (bar.print if bar is not None else print)(f"wrote {path}")

    def on_exception(self, trainer: Trainer, pl_module: LightningModule, exception: BaseException) -> None:
        """Remove this rank's part files, open or finished: a prediction that fails leaves no file behind."""
        streams, self.streams = list(self.streams.values()), {}
        parts, self.parts = self.parts, []
        for stream in streams:
            stream.abort()
        for _, path, _ in parts:
            path.unlink(missing_ok=True)

    def _next(self, window: Any) -> tuple[Chunk, int, int]:
        """The grid's next window of this rank, checked against the batch's ``window``."""
        assert self.sampler is not None
        found = next(self.expected, None)
        if found is not None:
            chunk, top, left = found
            output = self.sampler.outputs[chunk.output]
            expected = output.query(top, left)
            res = output.layout.grid.transform.a
            if all(
                abs(a - b) <= WINDOW_TOLERANCE * res
                for a, b in zip(tuple(window)[:4], tuple(expected)[:4], strict=True)
            ):
                return found
        raise ValueError(
            f"{type(self).__name__}: the window {tuple(window)[:4]} is not the next one of the "
            "prediction grid; the windows must come from the StreamingGridSampler, in order"
        )

    def _check_probabilities(self, values: Tensor) -> None:
        """Refuse values outside 0..1 where they are read as probabilities: logits would be written as such.

        ``probabilities`` are written as they come (clamped to 0..1), and a single channel's ``classes``
        are 1 where the value passes 0.5: a logit of 0.3 (probability 0.57) was class 0.

        Raises:
            ValueError: naming a value outside 0..1 (NaN is let through: it is nodata).
        """
        if self.kind != "probabilities" and not (self.kind == "classes" and values.shape[1] == 1):
            return
        outside = values[(values < 0) | (values > 1)]
        if outside.numel():
            reading = "as probabilities" if self.kind == "probabilities" else "as a probability, class 1 above 0.5"
            raise ValueError(
                f"{type(self).__name__}: output={self.kind!r} reads predict_step's values {reading}, and it gave "
                f"{outside[0].item():.4g}, outside 0..1 (logits?): make predict_step return probabilities (sigmoid "
                "or softmax), or write output='scores'"
            )

    def _last_window(self, chunk: Chunk) -> tuple[int, int]:
        assert self.sampler is not None
        layout = self.sampler.outputs[chunk.output].layout
        return layout.tops[chunk.window_rows[1] - 1], layout.lefts[chunk.window_columns[1] - 1]

    def _open(self, chunk: Chunk, channels: int) -> ChunkStream:
        assert self.sampler is not None
        output = self.sampler.outputs[chunk.output]
        layout = output.layout
        grid = layout.grid
        shape = (grid.height, grid.width)
        mask: RowMask | None = (
            PlaceMask.of(output.files, grid.crs, grid.transform, shape) if output.files
            else InputMask.of(layout.source, output.nodata, grid.crs, grid.transform, shape)
        )
        path = self.output_dir / layout.name
        path.parent.mkdir(parents=True, exist_ok=True)
        stream = ChunkStream(layout, chunk, temporary_of(path), self._spec(channels, layout.source), mask)
        self.streams[chunk] = stream
        return stream

    def _close(self, chunk: Chunk) -> None:
        stream = self.streams.pop(chunk)
        self.parts.append((chunk, stream.finish(), stream.spec.channels))
        self.incomplete += not stream.complete
        if isinstance(stream.mask, (InputMask, PlaceMask)):
            # Each pixel of the output is in one chunk, whose rows the mask read once.
            for source, count in stream.mask.non_finite_pixels().items():
                self.non_finite[source] = self.non_finite.get(source, 0) + count

    def _spec(self, channels: int, source: str | None) -> OutputSpec:
        # As predict_raster tags its outputs: a local file's absolute path, a URL without its query (a signature).
        tag = source_tag(source) if source is not None else ""
        spec = OutputSpec(self.kind, channels, self.class_names, tags={"source": tag}, logits=False)
        check_classes(spec, self.class_names, True, None, type(self).__name__)
        return spec

    def _kind(self, pl_module: LightningModule) -> OutputKind:
        """``output``, or for ``auto`` the task's ``prediction_output`` (``scores`` for a module without one).

        Raises:
            ValueError: for ``auto`` and a ``prediction_output`` that is no output kind, naming the task and it.
        """
        if self.output != "auto":
            return self.output
        declared = getattr(pl_module, "prediction_output", "scores")
        for kind in _OUTPUT_KINDS:
            if declared == kind:
                return kind
        raise ValueError(
            f"{type(self).__name__}: output='auto' writes the task's prediction_output, and "
            f"{type(pl_module).__name__}.prediction_output={declared!r} is none of {', '.join(_OUTPUT_KINDS)}; "
            "correct it, or give the writer's output"
        )
