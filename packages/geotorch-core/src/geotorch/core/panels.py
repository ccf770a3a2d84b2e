"""Panels of sample figures: an image or a label map on one axis, drawn in a row, with the chip figure built on them.

A dataset's ``plot(sample)`` assembles panels (:func:`image_panel`, :func:`label_panel`) and draws them
with :func:`draw_panels`; a classified chip is :func:`plot_chip`. Figures are made by pyplot
(:func:`new_figure`), so the figure a ``plot`` returns is pyplot's current one: ``plt.show()`` shows it and
``plt.axis("off")``, ``plt.title(...)`` or ``plt.savefig(...)`` act on it; close it with ``plt.close(figure)``.
Label maps get a legend of the classes present (:func:`class_legend`, drawn by :func:`add_legend`).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import torch
from torch import Tensor

Panel = tuple[str, np.ndarray, dict[str, Any]]
"""A panel: its title, the array ``imshow`` draws, and ``imshow``'s options."""

LegendEntry = tuple[str, Any]
"""A legend entry: a class name and its matplotlib colour."""

_TITLE_WIDTH = 48


def new_figure(width: float, height: float) -> Any:
    """A new figure made through pyplot, which becomes pyplot's current figure.

    Args:
        width: the width in inches.
        height: the height in inches.

    Returns:
        A matplotlib Figure with a constrained layout.
    """
    import matplotlib.pyplot as plt

    return plt.figure(figsize=(width, height), layout="constrained")


def present_labels(layers: Iterable[Any]) -> list[int]:
    """The sorted class indices found in any of ``layers`` (tensors or arrays of class indices)."""
    found: set[int] = set()
    for layer in layers:
        found.update(int(value) for value in np.unique(torch.as_tensor(layer).detach().cpu().numpy()))
    return sorted(found)


def label_color(label: int, num_classes: int, colors: Sequence[Any] | None = None) -> Any:
    """The colour :func:`label_panel` draws ``label`` in: ``colors[label]``, else its place on its colour map."""
    if colors is not None and len(colors) > 0:
        return colors[label]
    from matplotlib import colormaps

    cmap = colormaps["gray" if num_classes == 2 else "tab20"]
    return cmap(label / max(num_classes - 1, 1))


def class_legend(layers: Iterable[Any], names: Sequence[str] | Mapping[int, str], colors: Any) -> list[LegendEntry]:
    """The legend of the classes present in ``layers``: each one's name and colour, in label order.

    Args:
        layers: label maps (tensors or arrays of class indices), e.g. a sample's ``mask`` and ``prediction``.
        names: the name of each label (a label without a name is left out).
        colors: the colour of each label: a sequence indexed by label, a ``(K, 4)`` uint8 RGBA array,
            or a function of the label.

    Returns:
        ``(name, colour)`` per class present; colours are matplotlib colours (uint8 RGBA scaled to ``[0, 1]``).
    """
    entries: list[LegendEntry] = []
    for label in present_labels(layers):
        if label < 0 or (label >= len(names) if not isinstance(names, Mapping) else label not in names):
            continue
        color = colors(label) if callable(colors) else colors[label]
        if isinstance(color, np.ndarray) and color.dtype == np.uint8:
            color = tuple(float(channel) / 255 for channel in color)
        entries.append((names[label], color))
    return entries


def add_legend(figure: Any, entries: Sequence[LegendEntry]) -> None:
    """Add a legend of coloured patches (one per entry) outside the right of ``figure``; nothing if empty."""
    if not entries:
        return
    from matplotlib.patches import Patch

    handles = [Patch(facecolor=color, edgecolor="black", linewidth=0.5, label=name) for name, color in entries]
    figure.legend(handles=handles, loc="outside right upper", fontsize="small")


def stretch(image: Tensor, low: float = 2.0, high: float = 98.0) -> np.ndarray:
    """Scale a ``(C, H, W)`` image to ``[0, 1]`` by per-band percentiles.

    Args:
        image: the image, any dtype, on any device.
        low: the percentile drawn as 0.
        high: the percentile drawn as 1.

    Returns:
        float ``(H, W, C)`` in ``[0, 1]``, the layout ``imshow`` takes.
    """
    array = image.detach().float().cpu().numpy()
    flat = array.reshape(array.shape[0], -1)
    lows = np.percentile(flat, low, axis=1)[:, None, None]
    highs = np.percentile(flat, high, axis=1)[:, None, None]
    scaled = np.clip((array - lows) / np.maximum(highs - lows, 1e-12), 0, 1)
    return np.asarray(scaled.transpose(1, 2, 0))


def image_panel(title: str, image: Tensor, channels: Sequence[int]) -> Panel:
    """A panel showing three ``channels`` of a ``(C, H, W)`` image as RGB, or one as greys, percentile-stretched."""
    shown = stretch(image[list(channels)])
    if len(channels) == 3:
        return title, shown, {}
    return title, shown[..., 0], {"cmap": "gray"}


def label_panel(title: str, label: Tensor, num_classes: int, colors: Sequence[str] | None = None) -> Panel:
    """A panel showing a ``(H, W)`` (or ``(1, H, W)``) label map on a fixed scale of ``num_classes`` colours.

    Args:
        title: the panel's title.
        label: class indices.
        num_classes: the number of classes, fixing the colour of each index.
        colors: a matplotlib colour per class (a qualitative colour map when None).
    """
    from matplotlib.colors import ListedColormap

    layer = torch.as_tensor(label).detach().cpu()
    array = (layer[0] if layer.ndim == 3 else layer).numpy()
    cmap: Any = ListedColormap(list(colors)) if colors else ("gray" if num_classes == 2 else "tab20")
    return title, array, {"cmap": cmap, "vmin": 0, "vmax": num_classes - 1, "interpolation": "nearest"}


def draw_panels(
    panels: Sequence[Panel],
    show_titles: bool = True,
    suptitle: str | None = None,
    height: float = 4.0,
    legend: Sequence[LegendEntry] | None = None,
) -> Any:
    """Draw ``panels`` in one row, each on a 4-inch-wide axis.

    Args:
        panels: the panels, left to right.
        show_titles: title each panel.
        suptitle: a title over the figure.
        height: the figure's height in inches.
        legend: class names and colours shown in a legend (see :func:`class_legend`).

    Returns:
        A matplotlib Figure made by pyplot (see :func:`new_figure`).
    """
    figure = new_figure(4 * len(panels), height)
    axes = figure.subplots(1, len(panels), squeeze=False)[0]
    for axis, (title, data, options) in zip(axes, panels, strict=True):
        axis.imshow(data, **options)
        axis.set_axis_off()
        if show_titles:
            axis.set_title(title)
    if suptitle:
        figure.suptitle(suptitle)
    add_legend(figure, legend or [])
    return figure


def label_names(label: Tensor, classes: Sequence[str]) -> str:
    """The class name(s) a label stands for: one name for a class index, the positive names of a multi-hot vector.

    Args:
        label: an integer scalar (classification) or a 0/1 vector over ``classes`` (multi-label).
        classes: class names by index.

    Returns:
        The name, or the names joined by commas ("none" for an empty multi-hot vector).
    """
    label = torch.as_tensor(label)
    if label.ndim == 0:
        return classes[int(label)]
    return ", ".join(classes[int(index)] for index in torch.nonzero(label > 0.5).flatten()) or "none"


def rgb_channels(bands: Sequence[str], rgb_bands: Sequence[str]) -> tuple[str, list[int]]:
    """The title and channels showing ``rgb_bands`` of an image holding ``bands``, or its first band if one is missing.

    Returns:
        ``("RGB", [indices of rgb_bands in bands])``, or ``(bands[0], [0])``.
    """
    if all(band in bands for band in rgb_bands):
        return "RGB", [list(bands).index(band) for band in rgb_bands]
    return bands[0], [0]


def plot_chip(
    sample: dict[str, Any],
    classes: Sequence[str],
    channels: Sequence[tuple[str, Sequence[int]]],
    show_titles: bool = True,
    suptitle: str | None = None,
) -> Any:
    """Draw a classified chip's image panels, titled with its ``label`` and ``prediction`` when present.

    Args:
        sample: a sample with ``image`` (C, H, W) and ``label``, and optionally ``prediction``.
        classes: class names by index.
        channels: (title, channels) per panel: three channels are drawn as red, green, blue, one as greys;
            panels are titled only when there are several.
        show_titles: title the figure with the label (and prediction).
        suptitle: a title over the figure.

    Returns:
        A matplotlib Figure.
    """
    image: Tensor = sample["image"]
    panels = [image_panel(title, image, shown) for title, shown in channels]
    figure = draw_panels(panels, show_titles and len(panels) > 1, suptitle, height=4.6)
    if show_titles:
        lines = [f"Label: {label_names(sample['label'], classes)}"]
        if "prediction" in sample:
            lines.append(f"Prediction: {label_names(sample['prediction'], classes)}")
        figure.supxlabel("\n".join(textwrap.fill(line, _TITLE_WIDTH) for line in lines), fontsize="medium")
    return figure
