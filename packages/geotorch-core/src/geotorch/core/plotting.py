"""Figures of samples: image (as RGB), mask and prediction side by side."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import Tensor

from geotorch.core.bbox import format_time
from geotorch.core.errors import RGBBandsMissingError
from geotorch.core.panels import Panel, class_legend, draw_panels, image_panel, label_panel


def plot_sample(
    sample: dict[str, Any],
    rgb_indices: Sequence[int] | None = None,
    show_titles: bool = True,
    suptitle: str | None = None,
    num_classes: int | None = None,
    classes: Sequence[str] | None = None,
    colors: Sequence[str] | None = None,
) -> Any:
    """Draw a sample's ``image``, ``mask`` and ``prediction`` in one row.

    A time series (``image`` ``(T, C, H, W)``; a ``mask`` or ``prediction`` with a first axis of
    the sample's ``(T,)`` ``time``) gets one panel per step, titled with the step's date; a sample
    that holds a ``length`` (one taken out of a padded batch by hand: ``unbind_samples`` cuts each
    to its own steps) gets one per real step, the first ``length``.

    Args:
        sample: a sample dict (unbatched).
        rgb_indices: the image channels to show as red, green, blue (the
            first three, or the first alone for fewer bands, when None).
        show_titles: label each panel.
        suptitle: a title over the figure.
        num_classes: fixes the colour scale of masks (their maximum when None).
        classes: class names by label: the figure gets a legend of the classes present in
            ``mask`` and ``prediction``, in the colours they are drawn in.
        colors: a matplotlib colour per label, to draw masks in (``tab20`` when None); with
            ``classes``, the legend uses them too.

    Returns:
        A matplotlib Figure made by pyplot (its current figure).

    Raises:
        RGBBandsMissingError: if an index of ``rgb_indices`` is beyond the image's channels.
        ValueError: if the sample has nothing to show.
    """
    panels: list[Panel] = []
    if "image" in sample:
        image: Tensor = sample["image"]
        channels = image.shape[-3]
        chosen = list(rgb_indices) if rgb_indices else list(range(min(3, channels)))
        if chosen and max(chosen) >= channels:
            raise RGBBandsMissingError(f"plot_sample: rgb_indices {chosen} exceed the image's {channels} channels")
        if len(chosen) not in (1, 3):
            chosen = chosen[:1]
        panels += [image_panel(title, frame, chosen) for title, frame in _frames("Image", image, sample)]
    labels = [key for key in ("mask", "prediction") if key in sample]
    top = (
        num_classes - 1
        if num_classes
        else max(int(torch.as_tensor(sample[key]).max()) for key in labels)
        if labels
        else 1
    )
    layers = []
    for key in labels:
        for title, frame in _frames(key.capitalize(), torch.as_tensor(sample[key]), sample):
            if colors is not None:
                panels.append(label_panel(title, frame, len(colors), colors))
                layers.append(panels[-1][1])
                continue
            layer = frame.detach().cpu()
            layers.append((layer[0] if layer.ndim == 3 else layer).numpy())
            panels.append(
                (title, layers[-1], {"cmap": "tab20", "vmin": 0, "vmax": max(top, 1), "interpolation": "nearest"})
            )
    if not panels:
        raise ValueError(f"plot_sample: the sample has no image, mask or prediction (keys: {sorted(sample)})")
    legend = None
    if classes is not None and colors is not None:
        legend = class_legend(layers, classes, colors)
    elif classes is not None:
        from matplotlib import colormaps

        legend = class_legend(layers, classes, lambda label: colormaps["tab20"](label / max(top, 1)))
    return draw_panels(panels, show_titles, suptitle, legend=legend)


def _frames(title: str, tensor: Tensor, sample: dict[str, Any]) -> list[tuple[str, Tensor]]:
    """``tensor`` as one titled frame per time step when it is a series (see :func:`plot_sample`), else as itself."""
    times = sample.get("time")
    names = [str(step) for step in range(len(tensor))] if tensor.ndim == 4 else []
    if isinstance(times, Tensor) and times.ndim == 1 and tensor.ndim >= 3 and tensor.shape[0] == len(times):
        names = [format_time(float(time))[:10] for time in times]
    if not names:
        return [(title, tensor)]
    # Steps past a padded series' length are padding (time NaN, pixels 0).
    steps = int(sample["length"]) if "length" in sample else len(names)
    return [(f"{title} {name}", frame) for name, frame in zip(names[:steps], tensor[:steps], strict=True)]
