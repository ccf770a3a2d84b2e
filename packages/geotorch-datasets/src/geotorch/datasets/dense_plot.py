"""Figures of dense samples: images and label maps side by side, one panel each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import Tensor

from geotorch.core.plotting import stretch

Panel = tuple[str, np.ndarray, dict[str, Any]]
"""A panel: its title, the array ``imshow`` draws, and ``imshow``'s options."""


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


def draw_panels(panels: Sequence[Panel], show_titles: bool = True, suptitle: str | None = None) -> Any:
    """Draw ``panels`` in one row.

    Args:
        panels: the panels, left to right.
        show_titles: title each panel.
        suptitle: a title over the figure.

    Returns:
        A matplotlib Figure.
    """
    from matplotlib.figure import Figure

    figure = Figure(figsize=(4 * len(panels), 4), layout="constrained")
    axes = figure.subplots(1, len(panels), squeeze=False)[0]
    for axis, (title, data, options) in zip(axes, panels, strict=True):
        axis.imshow(data, **options)
        axis.set_axis_off()
        if show_titles:
            axis.set_title(title)
    if suptitle:
        figure.suptitle(suptitle)
    return figure
