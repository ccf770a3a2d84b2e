"""``predict_raster``: a model over whole rasters, window by window, into Cloud-Optimized GeoTIFFs, no datamodule."""

from __future__ import annotations

import contextlib
import math
import os
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

import torch
from rasterio.crs import CRS
from torch import Tensor, nn

from geotorch.core import CRSLike
from geotorch.trainers.input_normalization import InputNormalization
from geotorch.trainers.networks import input_dtype_of
from geotorch.trainers.outputs import (
    output_folder,
    output_names,
    refuse_blocked_targets,
    refuse_overwriting_inputs,
    refuse_unwritable_folders,
    source_tag,
    temporary_of,
)
from geotorch.trainers.predict_arguments import (
    channels_of,
    check_classes,
    check_image_task,
    check_output_for,
    check_polygons,
    check_whole,
    grid_crs_of,
    names_of,
    nodata_of,
    palette_of,
    window_pair,
)
from geotorch.trainers.predict_blend import blend_weights
from geotorch.trainers.predict_classes import fits, weigh_frames
from geotorch.trainers.predict_cog import OutputKind, OutputSpec, bounded_cache, publish_cog
from geotorch.trainers.predict_grid import Chunk, chunks_of
from geotorch.trainers.predict_handoff import Handoff

# Names defined here before this module was split (described, preprocessing_of, ...): importable from it as before.
from geotorch.trainers.predict_logits import described as described
from geotorch.trainers.predict_logits import is_logits, weighted_logits, writable
from geotorch.trainers.predict_logits import probabilities_of as probabilities_of
from geotorch.trainers.predict_mask import FileMask
from geotorch.trainers.predict_model import class_names_of as class_names_of
from geotorch.trainers.predict_model import input_channels_of as input_channels_of
from geotorch.trainers.predict_model import preprocessing_of as preprocessing_of
from geotorch.trainers.predict_model import warn_of_raw_values as warn_of_raw_values
from geotorch.trainers.predict_paths import raster_paths
from geotorch.trainers.predict_raster_layout import RES_RATIO_LIMIT as RES_RATIO_LIMIT
from geotorch.trainers.predict_raster_layout import raster_layout
from geotorch.trainers.predict_reading import WindowReader
from geotorch.trainers.predict_stream import ChunkStream, OutputLayout
from geotorch.trainers.predict_vector import polygon_paths, write_polygons
from geotorch.trainers.predict_views import open_view


def predict_raster(
    model: nn.Module,
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    output_dir: str | os.PathLike[str],
    *,
    patch_size: int | tuple[int, int] = 256,
    overlap: int | tuple[int, int] | None = None,
    batch_size: int = 8,
    output: OutputKind = "classes",
    vectorize: bool = False,
    simplify: float | None = None,
    num_workers: int = 0,
    device: str | torch.device | None = None,
    preprocess: Callable[[Tensor], Tensor] | None = None,
    class_names: Sequence[str] | None = None,
    colors: Sequence[Sequence[int]] | None = None,
    probability_dtype: Literal["uint8", "float16"] = "uint8",
    crs: CRSLike | None = None,
    res: float | tuple[float, float] | None = None,
    nodata: float | None = None,
) -> list[Path]:
    """Predict every pixel of rasters with a segmentation model, into one Cloud-Optimized GeoTIFF per raster.

    Each raster is cut into windows of ``patch_size`` overlapping by ``overlap`` pixels (the
    last row and column of windows moved back to end at the raster's edge; a raster smaller
    than a window is padded with each band's nodata value, else zeros, as a GeoDataset's reads
    are), read a batch at a time by ``num_workers`` threads,
    run through ``model``, and the windows' predictions are blended where they overlap (weights
    rising from the window edges, :func:`~geotorch.trainers.predict_blend.blend_weights`): their
    probabilities for ``classes`` and ``probabilities`` (each window's softmax, or sigmoid; the class
    of a pixel is the most probable one of the blend), their raw values for ``scores``. That is
    :class:`~geotorch.trainers.GeoTIFFPredictionWriter`'s rule, which blends the probabilities of a
    task's ``predict_step``: ``geotorch predict`` of the same model over the same windows and input
    values writes the same classes and probabilities. A window's probabilities are the same bits in any batch
    and at any thread count (:mod:`~geotorch.trainers.probabilities`); a model's logits may not be: oneDNN's CPU
    convolutions give others at another thread count (run the model under
    ``torch.backends.mkldnn.flags(enabled=False)`` for the same file on machines of other core counts).
    Rows are written as soon as every window over them has run, so memory holds one band of
    rows (``window height x width x channels`` float32), whatever the raster's size.

    Each output has its input's CRS and grid (or, with ``crs``/``res``, the input warped
    bilinearly onto that CRS and resolution), is tiled (512 px) with overviews, and carries
    nodata where the input has none (its nodata, alpha band or mask; outside its footprint
    when warped), where any band of an input pixel is NaN or infinite (a float product declaring
    no nodata, an NDVI's undefined ratios: warned of once per file, with their count) and where
    the model gave NaN. Pixels without data reach the model as ``nodata``, else each band's nodata
    value, else 0; as 0 where that value is NaN or infinite, which a network would spread over
    every pixel its kernels reach from them.
    ``classes`` are ``uint8`` with a colour table, the class names in the
    ``class_names`` tag (JSON) and nodata 255; ``probabilities`` are one band per class
    (softmax; a sigmoid per label of a ``multilabel`` task; one band for a single binary
    channel), ``uint8`` ``round(p * 254)`` (scale 1/254, nodata 255) or half floats (nodata
    NaN); ``scores`` are the blended values, float32. Outputs are named after the inputs'
    paths relative to their common folder (see :func:`~geotorch.trainers.outputs.output_names`),
    written under hidden temporary
    names and renamed into place (over a previous run's output of that name). An output replaced
    takes its polygons with it: the ``.gpkg`` and ``.parquet`` an earlier run wrote beside it are
    removed as the new raster is renamed into place (before its own polygons are written, with
    ``vectorize``), so polygons never lie beside a raster they were not made from; files of those
    names that are no polygons of ``vectorize`` are left alone. A run that fails
    or is interrupted leaves the outputs it finished, and neither part files nor folders it made
    for the others.

    On the CPU, a model's fresh outputs are faulted in by the kernel a 4 KiB page at a time
    unless torch was imported with ``THP_MEM_ALLOC_ENABLE=1`` (transparent huge pages for
    tensors of 2 MB and more), which ``geotorch predict`` sets: from Python, set it in the
    environment before importing torch (a 1x1 convolution's forward passes then took a third
    of the time).

    Args:
        model: a GeoTorch task, or any module mapping ``(B, C, H, W)`` float32 to ``(B, K, H, W)``
            logits (``K = 1``: a binary logit). It runs in evaluation mode, and its modules get their own
            modes back when done; it stays on ``device``. A model in another precision (``.double()``,
            ``.bfloat16()``) is given its input in the dtype of its first floating-point parameter.
        paths: a raster file, a folder (every ``.tif``, ``.tiff``, ``.jp2``, ``.vrt`` or ``.img``
            under it, but for those under ``output_dir``), a remote raster file (an ``http(s)://``,
            ``s3://``, ``gs://`` or ``az://`` URL, or a GDAL virtual path such as ``/vsicurl/...``,
            read by GDAL with core's settings for remote reads, credentials from each store's
            environment variables), or a list of these.
            Object-store prefixes ("folders" of objects) are not listed: name their files.
        output_dir: where the outputs go.
        patch_size: window ``(height, width)`` in pixels, or one number for both.
        overlap: pixels shared by neighbouring windows (default: a quarter of ``patch_size``).
        batch_size: windows per forward pass.
        output: ``classes``, ``probabilities`` or ``scores``; a regression task's values are ``scores`` only, a
            ``multilabel`` task's labels ``probabilities`` (a sigmoid per label) or ``scores``. ``scores`` are
            what the model gives: a segmentation task's logits (``geotorch predict``'s writer, which sees only
            ``predict_step``'s values, writes its probabilities as scores).
        vectorize: also write each class output's polygons, per class, as ``<name>.gpkg`` and
            ``<name>.parquet`` (GeoParquet) beside it.
        simplify: tolerance (0 or more, in the output's CRS units) to simplify the polygons by, or None: neighbouring
            polygons are simplified together (``shapely.coverage_simplify``), so they neither overlap nor leave
            gaps, and their edges along nodata and the raster's edges are kept;
            needs ``vectorize``.
        num_workers: threads reading windows ahead of the model (0: the calling one reads them). Threads, not
            processes: GDAL decodes outside Python's lock, and threads add no copy of the process's memory.
            They read at most two batches ahead, however many they are, so memory does not grow with them.
        device: where the model runs (default: CUDA when available, else the CPU); it must be
            available on this machine.
        preprocess: a function of a ``(B, C, H, W)`` float32 batch of raw pixel values (each input's
            image bands, every band but an alpha band, the pixels the alpha band hides given as nodata, else 0;
            every band, the alpha band too, for a task whose ``in_channels`` counts it, as a RasterDataset gives
            an RGBA file's four bands; for a task whose training dataset selected bands by
            name from multi-band files, ``bands=``, those bands, in its order, as the task recorded them) giving
            the model's input. By default, for a task fit on a GeoTorch datamodule, the datamodule's
            normalisation (its ``predict_aug``, else ``aug``: what ``geotorch predict`` applies), which the
            task records when fit and keeps in its checkpoints (its ``input_normalization``); else the
            task's pretrained weights' ``transforms`` when it was built with registered weights; else the
            raw values as float32. A model fit otherwise (a plain DataLoader of batches normalised
            by the user) needs its normalisation given here: a GeoTorch task holding no record (loaded from a
            checkpoint saved by TorchGeo or a plain script, or given a state dict) is warned of, naming the
            checkpoint's epoch and step, when no ``preprocess`` is given.
        class_names: one name per class (two for a single binary channel; default: the task's ``labels``,
            else ``class_<k>``).
        colors: one RGB(A) colour (0-255) per class for the colour table (of ``uint8`` classes: more than
            255 classes are ``uint16``, with nodata 65535 and no colour table; more than 65535 are refused).
        probability_dtype: ``uint8`` or ``float16`` for ``probabilities``.
        crs: predict on this CRS instead of each input's own (any form of :func:`geotorch.core.as_crs`). An
            input already in it, however spelt (OGC:CRS84 for EPSG:4326), keeps its own north-up grid
            unless ``res`` is another pixel size: it is not warped.
        res: the resolution (CRS units) of that grid; needs ``crs`` (default: what GDAL
            suggests for each input). One over 1000 times finer or coarser than an input's pixels is refused
            as a slip of units (metres for a CRS in degrees, say).
        nodata: the value of pixels without data in inputs that have no nodata value of their own (a fill their
            files do not declare: -9999, 0), as ``RasterDataset(nodata=...)`` reads them: a pixel whose every image
            band holds it is nodata in the output, a raster smaller than a window is padded with it, and a warp
            leaves it out of its bilinear kernels. An input's own nodata value still counts as well, its pixels
            reaching the model as ``nodata`` (the dataset refills them so); such an input is not warped.

    Returns:
        The files written, in the order of the inputs (each raster, then its polygons).

    Warns:
        UserWarning: once per input holding NaN or infinite values that are not its nodata, naming the file and
            how many pixels of its output they reach (its own pixels; on ``crs``, those of its warp).

    Raises:
        TypeError: if ``model`` is no :class:`torch.nn.Module`, ``paths`` or ``output_dir`` are no paths,
            ``vectorize`` is no bool, ``preprocess`` is not callable or ``nodata`` is no number.
        FileNotFoundError: if a path does not exist or a folder holds no raster.
        NotADirectoryError: if ``output_dir``, or a folder above it or an output goes in, is a file.
        IsADirectoryError: if a folder stands where an output (or, with ``vectorize``, its polygons) goes.
        PermissionError: if no file can be made where an output goes (a read-only folder or disk).
        geotorch.core.RasterReadError: if a remote raster cannot be opened, or a window of any raster cannot
            be read (a damaged tile), naming the file (and window).
        ValueError: if an argument is out of range (``device`` unknown or not available here,
            ``output_dir`` empty: not taken for the working folder), the task was fit on images changed by more
            than a normalisation (another augmentation, the dataset's ``transforms``) and no ``preprocess`` is
            given, a recorded normalisation has not one value per band of an input, an input has fewer bands
            than the task's recorded band selection names, ``model`` is a task of series (a spatiotemporal task's
            ``(B, T, C, H, W)``, ``TemporalRegressionTask``'s sequences), a URL names a prefix (ends with
            ``/``), an output would replace its input, an input has only ground control points or RPCs, an
            input to warp has no CRS, bands of different nodata values, a nodata value other than ``nodata``, no
            grid on ``crs`` or pixels over
            1000 times finer or coarser than ``res``, the model's output is not ``(B, K, H, W)`` of the
            window's size, ``class_names`` (the task's labels) or ``colors`` are not one per class,
            ``classes`` are asked of more than 65535 channels, or ``output`` is one the task cannot give
            (classes or probabilities of a regression, classes of a ``multilabel`` task).
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"predict_raster: model={model!r} must be a torch.nn.Module (a GeoTorch task or any module)")
    size = window_pair(patch_size, "patch_size")
    overlap = overlap if overlap is not None else (size[0] // 4, size[1] // 4)
    shared = window_pair(overlap, "overlap", minimum=0)
    if shared[0] >= size[0] or shared[1] >= size[1]:
        raise ValueError(f"predict_raster: overlap={overlap} must be smaller than patch_size={patch_size}")
    stride = (size[0] - shared[0], size[1] - shared[1])
    if output not in ("classes", "probabilities", "scores"):
        raise ValueError(f"predict_raster: output={output!r}; choose 'classes', 'probabilities' or 'scores'")
    if not isinstance(vectorize, bool):
        raise TypeError(f"predict_raster: vectorize={vectorize!r} must be True or False")
    if preprocess is not None and not callable(preprocess):
        raise TypeError(
            f"predict_raster: preprocess={preprocess!r} must be a function of a (B, C, H, W) float32 batch, or None"
        )
    if vectorize and output != "classes":
        raise ValueError("predict_raster: vectorize=True needs output='classes'")
    grid_crs = grid_crs_of(crs, res)
    fill = nodata_of(nodata)
    check_whole(batch_size, "batch_size", 1)
    check_whole(num_workers, "num_workers", 0)
    if probability_dtype not in ("uint8", "float16"):
        raise ValueError(f"predict_raster: probability_dtype={probability_dtype!r}; choose 'uint8' or 'float16'")
    check_polygons(vectorize, simplify)
    palette = palette_of(colors)
    names_given = names_of(class_names) if class_names is not None else None
    check_image_task(model)
    check_output_for(model, output)
    transform = preprocess if preprocess is not None else preprocessing_of(model)
    if transform is None:
        warn_of_raw_values(model)
    labels = channels_of(model) == "labels"
    folder = output_folder(output_dir, "predict_raster")
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"predict_raster: output_dir={str(folder)!r} is a file, not a folder")
    try:
        target_device = (
            torch.device(device) if device is not None else torch.device("cuda" if torch.cuda.is_available() else "cpu")
        )
    except RuntimeError as error:
        raise ValueError(f"predict_raster: device={device!r} is not a device torch knows ({error})") from None
    try:
        torch.empty(0, device=target_device)
    except (RuntimeError, AssertionError) as error:
        # ("cuda" on a machine without CUDA: torch's assertion "Torch not compiled with CUDA enabled", say.)
        raise ValueError(f"predict_raster: device={device!r} is not available here ({error})") from None
    sources = raster_paths(paths, folder)
    names = output_names(sources)
    targets = [folder / name for name in names]
    polygons = [target.with_suffix(suffix) for target in targets for suffix in (".gpkg", ".parquet")]
    refuse_overwriting_inputs(targets + (polygons if vectorize else []), sources, "predict_raster")
    refuse_blocked_targets(targets + (polygons if vectorize else []), "predict_raster")
    refuse_unwritable_folders(targets, "predict_raster")
    layouts = [
        raster_layout(source, name, size, stride, grid_crs, res, fill)
        for source, name in zip(sources, names, strict=True)
    ]
    model = model.to(target_device)
    precision = input_dtype_of(model)
    names_of_classes = names_given if names_given is not None else class_names_of(model)
    # One band of rows per output (one process), cut into column tiles; chunks of an output come one after another.
    plan = [
        (number, chunk)
        for number, layout in enumerate(layouts)
        for chunk in chunks_of(number, layout.tops, layout.lefts, size, (layout.grid.height, layout.grid.width), 1)
    ]
    recorded = getattr(model, "input_normalization", None)
    reader = WindowReader(
        layouts,
        plan,
        grid_crs,
        res,
        bands=recorded.bands if isinstance(recorded, InputNormalization) else None,
        nodata=fill,
        channels=input_channels_of(model),
    )
    # The folders this run will make (the output folder, an input's subfolder), deepest first.
    made = sorted(
        {parent for layout in layouts for parent in (folder / layout.name).parents if not parent.exists()},
        key=lambda parent: len(parent.parts),
        reverse=True,
    )
    written: list[Path] = []
    parts: list[Path] = []
    stream: ChunkStream | None = None
    current = -1

    def close(position: int, stream: ChunkStream) -> None:
        parts.append(stream.finish())
        number = plan[position][0]
        if position + 1 < len(plan) and plan[position + 1][0] == number:
            return
        target = folder / layouts[number].name
        path = publish_cog(list(parts), target, layouts[number].grid, stream.spec, replacing=polygon_paths(target))
        parts.clear()
        written.append(path)
        if vectorize:
            written.extend(write_polygons(path, stream.spec.names, simplify))

    def consume(batch: tuple[Tensor, list[int], list[int], list[int], bool]) -> None:
        """Blend a batch's windows into their chunks' streams (in the writer thread)."""
        nonlocal stream, current
        values, positions, tops, lefts, chosen = batch
        for position, top, left, window in zip(positions, tops, lefts, values, strict=True):
            if position != current:
                if stream is not None:
                    close(current, stream)
                    # Its band of rows goes before the next chunk's is made (two would be held at once).
                    stream = None
                number, chunk = plan[position]
                spec = OutputSpec(
                    output,
                    window.shape[0],
                    names_of_classes,
                    palette,
                    probability_dtype,
                    {"source": source_tag(layouts[number].source or "")},
                    logits=output == "scores",
                    labels=labels,
                )
                stream = _stream(layouts[number], chunk, folder, spec, grid_crs, res, fill, chosen)
                current = position
            assert stream is not None
            stream.add(top, left, window, weighted=True)

    weights = blend_weights(*size).to(target_device)
    # Channels of the model's output, known from its first batch.
    channels: int | None = None
    # The model's own tensors, which its output must not be multiplied in place into.
    owned = {tensor.untyped_storage().data_ptr() for tensor in (*model.parameters(), *model.buffers())}
    # The model runs in evaluation mode, and each of its modules gets its own mode back after: a model being trained
    # (predictions to watch it, say) goes on training its dropout and batch norms, a frozen part stays as it was.
    modes = [(module, module.training) for module in model.modules()]
    model.eval()
    # The model runs the next batch while a thread blends and writes the last one (no other batch waits: each holds
    # the logits of a batch); GDAL's block cache is bounded throughout (every thread's reads and writes).
    try:
        with bounded_cache(), torch.inference_mode(), Handoff(consume, depth=0) as writer:
            batches = reader.batches(batch_size, num_workers, pin_memory=target_device.type == "cuda")
            try:
                for images, unknown, positions, tops, lefts in batches:
                    batch = images.to(target_device, non_blocking=True)
                    try:
                        if transform is not None:
                            batch = transform(batch)
                        # Preprocessed in float32, then given in the model's own precision (float64, bfloat16, ...).
                        logits = model(batch.to(precision))
                    except Exception as error:
                        # The model's own error (a band count it does not take, say) says nothing of the inputs.
                        # (URLs without their query: a signed URL's signature is a credential, not for logs.)
                        files = dict.fromkeys(
                            source_tag(layouts[plan[position][0]].source or "") for position in positions
                        )
                        error.add_note(
                            f"predict_raster: raised running the model on windows {tuple(images.shape)} (B, bands, "
                            f"height, width) of {', '.join(map(str, files))}"
                        )
                        raise
                    if not is_logits(logits, len(positions), size):
                        raise ValueError(
                            f"predict_raster: the model gave {described(logits)} for windows {tuple(batch.shape)}; "
                            f"it must give (B, K, {size[0]}, {size[1]}) real floating-point logits, B={len(positions)} "
                            "and K >= 1"
                        )
                    if channels is None:
                        channels = logits.shape[1]
                        check_classes(OutputSpec(output, channels), names_of_classes, class_names is None, palette)
                    chosen = output == "classes" and not labels and fits(size, channels, target_device)
                    if chosen:
                        # The writer chooses the classes of pixels one window alone covers from their logits;
                        # the others' probabilities are weighted here.
                        weighted = writable(logits, owned)
                        windows = zip(positions, tops, lefts, strict=True)
                        weigh_frames(
                            weighted, [layouts[plan[at][0]].interior(top, left) for at, top, left in windows], weights
                        )
                    else:
                        if output != "scores":
                            logits = probabilities_of(logits, labels, owned)
                        # Weighted for blending here, where the model runs: the writer thread only adds them up.
                        weighted = weighted_logits(logits, weights, owned).cpu()
                    if unknown.numpy().any():
                        # Pixels of NaN or infinite input, given to the model as nodata: nodata in the output.
                        weighted.masked_fill_(unknown[:, None], math.nan)
                    if weighted.untyped_storage().data_ptr() != images.untyped_storage().data_ptr():
                        # The model is done with the pixels (the copy to the device too: the logits came back).
                        reader.recycle(images)
                    del batch, logits
                    writer.put((weighted, positions, tops, lefts, chosen))
                    # The writer's alone now: held here too, a batch would outlive its blending by a forward pass.
                    del weighted
            finally:
                batches.close()
                reader.close()
        if stream is not None:
            close(current, stream)
    except BaseException:
        # Nothing half-written stays behind: the current chunk's part and the finished parts of its output.
        if stream is not None:
            stream.abort()
        for part in parts:
            part.unlink(missing_ok=True)
        # Nor the folders made for outputs that never came (those holding finished outputs stay).
        for parent in made:
            with contextlib.suppress(OSError):
                parent.rmdir()
        raise
    finally:
        for module, training in modes:
            module.training = training
    for number, count in sorted(reader.non_finite.items()):
        warnings.warn(
            f"predict_raster: {source_tag(layouts[number].source or '')} holds NaN or infinite values that are not "
            f"its nodata at {count} pixels of its output (its own pixels, or those of its warp onto crs=); they reach "
            "the model as pixels without data (each band's nodata value, else 0) and are nodata in the output",
            stacklevel=2,
        )
    return written


def _stream(
    layout: OutputLayout,
    chunk: Chunk,
    folder: Path,
    spec: OutputSpec,
    crs: CRS | None,
    res: float | tuple[float, float] | None,
    nodata: float | None,
    chosen: bool = False,
) -> ChunkStream:
    """The stream writing one chunk of an output to its part file, nodata where the input has none.

    With ``chosen``, windows come with logits where they alone cover pixels (see :class:`ChunkStream`).
    """
    assert layout.source is not None
    mask = FileMask.of(open_view(layout.source, crs, res, layout.grid, nodata), nodata)
    part = temporary_of(folder / layout.name)
    part.parent.mkdir(parents=True, exist_ok=True)
    return ChunkStream(layout, chunk, part, spec, mask, chosen=chosen)
