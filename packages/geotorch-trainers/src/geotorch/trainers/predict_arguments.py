"""``predict_raster``'s arguments checked before anything is read, run or written: each error names its argument."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from typing import Literal

from rasterio.crs import CRS

from geotorch.core import CRSLike, as_crs
from geotorch.trainers.predict_cog import OutputKind, OutputSpec

#: What a task's output channels are: exclusive classes, labels each present or not, or values (a regression).
ChannelKind = Literal["classes", "labels", "values"]


def is_whole(value: object) -> bool:
    """Whether ``value`` is an integer (numpy's included), not a bool or a float."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def window_pair(value: int | tuple[int, int], name: str, minimum: int = 1) -> tuple[int, int]:
    """``(rows, columns)`` of the argument ``name``: one whole number for both, or two.

    Raises:
        ValueError: if ``value`` is not one or two whole numbers of at least ``minimum``.
    """
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2 or any(not is_whole(item) or item < minimum for item in pair):
        raise ValueError(f"predict_raster: {name}={value!r} must be a whole number (or two) of at least {minimum}")
    return int(pair[0]), int(pair[1])


def check_polygons(vectorize: bool, simplify: float | None) -> None:
    """Refuse a ``simplify`` that is no tolerance, or that nothing would use (checked before any file is written)."""
    if simplify is None:
        return
    if not vectorize:
        raise ValueError(f"predict_raster: simplify={simplify!r} needs vectorize=True (it simplifies the polygons)")
    if isinstance(simplify, bool) or not isinstance(simplify, numbers.Real) or not 0 <= simplify < math.inf:
        raise ValueError(
            f"predict_raster: simplify={simplify!r} must be a tolerance of 0 or more in the output's CRS units, or None"
        )


def names_of(class_names: Sequence[str]) -> list[str]:
    """``class_names`` as a list of names (whole numbers, as labels of a product's codes, written as text).

    Raises:
        ValueError: if ``class_names`` is one string (its letters would be the names) or holds other than
            strings and whole numbers.
    """
    if isinstance(class_names, str):
        raise ValueError(f"predict_raster: class_names={class_names!r} is one string; give one name per class")
    for number, name in enumerate(class_names):
        if not isinstance(name, str) and not is_whole(name):
            raise ValueError(f"predict_raster: class_names[{number}]={name!r} must be a string (or a whole number)")
    return [str(name) for name in class_names]


def palette_of(colors: Sequence[Sequence[int]] | None) -> list[tuple[int, ...]]:
    """``colors`` as tuples of ints (a numpy array's rows too).

    Raises:
        ValueError: if a colour is not RGB or RGBA whole numbers of 0-255.
    """
    palette = []
    for number, color in enumerate(() if colors is None else colors):
        values = tuple(color) if isinstance(color, Iterable) and not isinstance(color, (str, bytes)) else ()
        if len(values) not in (3, 4) or any(not is_whole(value) or not 0 <= value <= 255 for value in values):
            raise ValueError(
                f"predict_raster: colors[{number}]={color!r} must be an RGB or RGBA colour of whole numbers 0-255"
            )
        palette.append(tuple(int(value) for value in values))
    return palette


def check_classes(
    spec: OutputSpec,
    names: Sequence[str],
    from_task: bool,
    colors: Sequence[Sequence[int]] | None,
    caller: str = "predict_raster",
) -> None:
    """Refuse class names or colours that are not one per class of the model's output (a single channel: 2).

    Args:
        spec: the output, with the model's channels.
        names: the class names (none: ``class_<k>``).
        from_task: whether the names are the task's ``labels`` (else the caller's ``class_names``).
        colors: the colours given, or None.
        caller: the name the error gives; where it is not ``predict_raster``, the fix it gives is the task's labels.

    Raises:
        ValueError: naming the names or colours and the classes.
    """
    if spec.kind == "scores":
        return
    classes = f"the model's {spec.classes} classes" + (" (a single binary channel)" if spec.channels == 1 else "")
    if names and len(names) != spec.classes:
        given = "the task's labels" if from_task else "class_names"
        if caller != "predict_raster":
            fix = "; give the task labels=, one name per class"
        else:
            fix = "; give class_names=, one name per class" if from_task else ""
        raise ValueError(f"{caller}: {given} hold {len(names)} names {list(names)} for {classes}{fix}")
    if colors and spec.kind == "classes" and len(colors) != spec.classes:
        raise ValueError(f"{caller}: colors holds {len(colors)} colours for {classes}")


def check_whole(value: int, name: str, minimum: int) -> None:
    """Refuse a ``value`` of the argument ``name`` that is not a whole number of at least ``minimum``."""
    if not is_whole(value) or value < minimum:
        raise ValueError(f"predict_raster: {name}={value!r} must be a whole number of at least {minimum}")


def nodata_of(nodata: object) -> float | None:
    """``predict_raster``'s ``nodata`` as a float (NaN taken), or None.

    Raises:
        TypeError: if ``nodata`` is no real number (a string, a bool, a list).
    """
    if nodata is None:
        return None
    if isinstance(nodata, bool) or not isinstance(nodata, numbers.Real):
        raise TypeError(
            f"predict_raster: nodata={nodata!r} must be a number (the value marking missing pixels of inputs), or None"
        )
    return float(nodata)


def grid_crs_of(crs: CRSLike | None, res: float | tuple[float, float] | None) -> CRS | None:
    """The CRS to predict on (None: each input's own), ``res`` checked with it.

    Raises:
        ValueError: if ``crs`` is not a CRS (an empty one too; see :func:`geotorch.core.as_crs`), or ``res``
            is given without it or is not one or two positive sizes.
    """
    if res is not None and crs is None:
        raise ValueError("predict_raster: res= needs crs= (the grid's CRS)")
    grid_crs = as_crs(crs, "predict_raster") if crs is not None else None
    if res is not None:
        pair = tuple(res) if isinstance(res, (tuple, list)) else (res, res)
        if len(pair) != 2 or any(
            isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 < value < math.inf for value in pair
        ):
            raise ValueError(f"predict_raster: res={res!r} must be a positive size (or two: x, y) in crs units")
    return grid_crs


def channels_of(model: object) -> ChannelKind | None:
    """What the output channels of the task ``model`` are, or None for a module that does not say.

    A task's ``task`` hyperparameter tells: ``binary`` and ``multiclass`` channels are classes
    (one per pixel), ``multilabel`` ones labels, each present or not (a sigmoid each, not a
    softmax across them). A task without one that declares ``prediction_output = "scores"``
    (:class:`~geotorch.trainers.RegressionTask`, :class:`~geotorch.trainers.PixelwiseRegressionTask`)
    predicts values.
    """
    hparams = getattr(model, "hparams", None)
    task = hparams.get("task") if hparams is not None and hasattr(hparams, "get") else None
    if task == "multilabel":
        return "labels"
    if task in ("binary", "multiclass"):
        return "classes"
    if task is None and getattr(model, "prediction_output", None) == "scores":
        return "values"
    return None


def check_output_for(model: object, kind: OutputKind, caller: str = "predict_raster") -> None:
    """Refuse an output ``kind`` that the task ``model``'s channels cannot give (see :func:`channels_of`).

    Raises:
        ValueError: for ``classes`` or ``probabilities`` of a regression task's values, or ``classes`` of a
            ``multilabel`` task's labels (no one class per pixel), naming the task and the output to write.
    """
    channels = channels_of(model)
    name = type(model).__name__
    if channels == "values" and kind != "scores":
        raise ValueError(
            f"{caller}: output={kind!r} reads the model's channels as classes, and {name} predicts values (a "
            "regression, prediction_output='scores'); write output='scores'"
        )
    if channels == "labels" and kind == "classes":
        raise ValueError(
            f"{caller}: output='classes' gives each pixel one class, and {name} with task='multilabel' predicts "
            "labels that are each present or not; write output='probabilities' (a sigmoid per label) or 'scores'"
        )


def check_image_task(model: object) -> None:
    """Refuse a task of series: ``predict_raster`` gives a model one image ``(B, C, H, W)`` per window of a file.

    The spatiotemporal tasks take image series ``(B, T, C, H, W)`` (one place's dated files, oldest first), and
    :class:`~geotorch.trainers.TemporalRegressionTask` sequences ``(B, T, C)``: given an image, their models
    failed after the input was read, naming neither the task nor the way to predict them.

    Raises:
        ValueError: naming the task, what it takes and the fix (``geotorch predict`` over a series datamodule).
    """
    from geotorch.trainers.spatiotemporal_regression import (
        SpatioTemporalPixelwiseRegressionTask,
        TemporalRegressionTask,
    )
    from geotorch.trainers.spatiotemporal_segmentation import SpatioTemporalSegmentationTask

    name = type(model).__name__
    if isinstance(model, TemporalRegressionTask):
        raise ValueError(
            f"predict_raster: {name} takes sequences (B, T, C) of values, not rasters; predict them with "
            "Trainer.predict over its datamodule"
        )
    if isinstance(model, (SpatioTemporalSegmentationTask, SpatioTemporalPixelwiseRegressionTask)):
        raise ValueError(
            f"predict_raster: {name} takes image series (B, T, C, H, W), several dated files of each place, and "
            "predict_raster gives a model one image (B, C, H, W) per window of each file; predict series with "
            "geotorch predict over a datamodule of time_series=True datasets (its GeoTIFFPredictionWriter writes "
            "one output per place)"
        )
