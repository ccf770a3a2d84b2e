"""``plot`` returns pyplot's current figure (as TorchGeo's tutorials use it) and masks get a legend of class names."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.colors import to_rgba
from PIL import Image

from geotorch.core import plot_sample
from geotorch.datasets import CDL, NLCD, Chesapeake7, DemoLandCover, LoveDA
from geotorch.datasets.demo_area import CLASSES, COLORS, generate_demo_area
from tests.datasets.fakes.products import write_baywide, write_cdl_year, write_nlcd_year
from tests.datasets.fakes.segmentation import make_loveda


def _png(save: Any) -> np.ndarray:
    buffer = io.BytesIO()
    save(buffer)
    return np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"))


def _legend(figure: Any) -> list[tuple[str, tuple[float, ...]]]:
    (legend,) = figure.legends
    return [
        (text.get_text(), tuple(patch.get_facecolor()))
        for text, patch in zip(legend.get_texts(), legend.get_patches(), strict=True)
    ]


def _present(sample: dict[str, Any]) -> list[int]:
    keys = [key for key in ("mask", "prediction") if key in sample]
    return sorted({int(value) for key in keys for value in torch.as_tensor(sample[key]).unique()})


def test_plot_returns_pyplots_current_figure_that_pyplot_calls_act_on(tmp_path: Path) -> None:
    write_nlcd_year(tmp_path, 2024)
    dataset = NLCD(root=tmp_path)
    blank = _png(plt.figure(figsize=(8, 4)).savefig)
    figure = dataset.plot(dataset[dataset.bounds])
    assert plt.gcf() is figure
    for axes in figure.axes:
        axes.set_axis_on()
    count = len(plt.get_fignums())
    plt.axis("off")  # as the tutorials do right after plot(): acts on the figure plot() returned
    axes = plt.gca()
    assert plt.gcf() is figure and axes in figure.axes and not axes.axison
    assert len(plt.get_fignums()) == count
    plt.title("NLCD")
    assert axes.get_title() == "NLCD"
    drawn = _png(plt.savefig)
    assert drawn.shape == _png(figure.savefig).shape
    assert (drawn != 255).any() and not np.array_equal(drawn[: blank.shape[0], : blank.shape[1]], blank)
    plt.close(figure)
    assert not plt.fignum_exists(figure.number)


def test_nlcd_legend_names_the_classes_present_in_the_published_colours(tmp_path: Path) -> None:
    write_nlcd_year(tmp_path, 2024)
    dataset = NLCD(root=tmp_path, classes=[11, 21, 41, 82])
    sample = dataset[dataset.bounds]
    present = _present(sample)
    assert present == [0, 1, 3, 4]  # the fake holds 11, 41, 82 and no data; 21 (developed) is absent
    legend = _legend(dataset.plot(sample))
    names = [dataset.class_names.get(dataset.classes[label], "Background") for label in present]
    assert [name for name, _ in legend] == names
    assert legend[1] == ("Open Water", to_rgba((70 / 255, 107 / 255, 159 / 255)))
    assert [color for _, color in legend] == [tuple(dataset.ordinal_cmap[label] / 255) for label in present]


def test_legend_lists_classes_of_the_prediction_too(tmp_path: Path) -> None:
    write_cdl_year(tmp_path, 2023)
    dataset = CDL(root=tmp_path)
    sample = dataset[dataset.bounds]
    assert len(dataset.classes) > 100
    mask_only = [name for name, _ in _legend(dataset.plot(sample))]
    assert mask_only == [dataset.class_names.get(dataset.classes[label], "Background") for label in _present(sample)]
    corn = dataset.classes.index(1)
    wheat = dataset.classes.index(24)
    sample["prediction"] = torch.full_like(sample["mask"], wheat)
    sample["mask"] = torch.full_like(sample["mask"], corn)
    legend = _legend(dataset.plot(sample))
    assert [name for name, _ in legend] == [dataset.class_names[1], dataset.class_names[24]]
    assert legend[0][1] == tuple(np.asarray(dataset.cmap[1]) / 255)


def test_chesapeake_legend_uses_its_class_names_and_colours(tmp_path: Path) -> None:
    write_baywide(tmp_path)
    dataset = Chesapeake7(root=tmp_path)
    sample = dataset[dataset.bounds]
    legend = _legend(dataset.plot(sample))
    present = _present(sample)
    assert [name for name, _ in legend] == [dataset.class_names[dataset.classes[label]] for label in present]
    assert [color for _, color in legend] == [tuple(dataset.ordinal_cmap[label] / 255) for label in present]


def test_demo_land_cover_legend_names_the_demo_classes_in_their_colours(tmp_path: Path) -> None:
    dataset = DemoLandCover(paths=generate_demo_area(tmp_path / "area"))
    sample = dataset[dataset.bounds]
    figure = dataset.plot(sample)
    assert plt.gcf() is figure
    present = _present(sample)
    assert [name for name, _ in _legend(figure)] == [CLASSES[label] for label in present]
    assert [color for _, color in _legend(figure)] == [to_rgba(COLORS[label]) for label in present]
    assert to_rgba(COLORS[CLASSES.index("water")])[2] > to_rgba(COLORS[CLASSES.index("water")])[1]  # water is blue
    mask_panel = next(axis for axis in figure.axes if axis.get_title() == "Mask")
    drawn = mask_panel.get_images()[0]
    assert [drawn.cmap(drawn.norm(label)) for label in present] == [to_rgba(COLORS[label]) for label in present]


def test_benchmark_legend_names_mask_and_prediction_classes(tmp_path: Path) -> None:
    dataset = LoveDA(make_loveda(tmp_path))
    sample = dataset[0]
    sample["prediction"] = torch.full_like(sample["mask"], len(dataset.classes) - 1)
    figure = dataset.plot(sample)
    assert plt.gcf() is figure
    present = _present(sample)
    assert present[-1] == len(dataset.classes) - 1
    legend = _legend(figure)
    assert [name for name, _ in legend] == [dataset.classes[label] for label in present]
    if dataset.colors:
        assert [color for _, color in legend] == [to_rgba(dataset.colors[label]) for label in present]


@pytest.mark.parametrize("classes", [None, ("no data", "water", "forest")])
def test_plot_sample_is_pyplots_figure_with_a_legend_when_named(classes: tuple[str, ...] | None) -> None:
    sample = {"image": torch.rand(3, 8, 8), "mask": torch.tensor([[0, 2] * 4] * 8)}
    figure = plot_sample(sample, num_classes=3, classes=classes)
    assert plt.gcf() is figure
    if classes is None:
        assert not figure.legends
    else:
        assert [name for name, _ in _legend(figure)] == ["no data", "forest"]
