"""Figures of classified chips: the image (as RGB or one band) titled with its label and prediction."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

import torch
from torch import Tensor

from geotorch.core.plotting import stretch

_TITLE_WIDTH = 48


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


def plot_chip(
    sample: dict[str, Any],
    classes: Sequence[str],
    panels: Sequence[tuple[str, Sequence[int]]],
    show_titles: bool = True,
    suptitle: str | None = None,
) -> Any:
    """Draw a classified chip's image panels, titled with its ``label`` and ``prediction`` when present.

    Args:
        sample: a sample with ``image`` (C, H, W) and ``label``, and optionally ``prediction``.
        classes: class names by index.
        panels: (name, channels) per panel: three channels are drawn as red, green, blue, one as greys.
        show_titles: title the figure with the label (and prediction).
        suptitle: a title over the figure.

    Returns:
        A matplotlib Figure.
    """
    from matplotlib.figure import Figure

    figure = Figure(figsize=(4 * len(panels), 4.6), layout="constrained")
    axes = figure.subplots(1, len(panels), squeeze=False)[0]
    image: Tensor = sample["image"]
    for axis, (name, channels) in zip(axes, panels, strict=True):
        shown = stretch(image[list(channels)])
        axis.imshow(shown if len(channels) == 3 else shown[..., 0], cmap=None if len(channels) == 3 else "gray")
        axis.set_axis_off()
        if show_titles and len(panels) > 1:
            axis.set_title(name)
    if show_titles:
        lines = [f"Label: {label_names(sample['label'], classes)}"]
        if "prediction" in sample:
            lines.append(f"Prediction: {label_names(sample['prediction'], classes)}")
        figure.supxlabel("\n".join(textwrap.fill(line, _TITLE_WIDTH) for line in lines), fontsize="medium")
    if suptitle:
        figure.suptitle(suptitle)
    return figure


def rgb_panel(bands: Sequence[str], rgb_bands: Sequence[str]) -> tuple[str, list[int]]:
    """The panel showing ``rgb_bands`` of an image holding ``bands``, or its first band when one is missing."""
    if all(band in bands for band in rgb_bands):
        return "RGB", [list(bands).index(band) for band in rgb_bands]
    return bands[0], [0]
