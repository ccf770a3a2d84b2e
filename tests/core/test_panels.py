"""Specification of geotorch.core.panels and geotorch.core.detection: the figure pieces a dataset's plot() uses."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from geotorch.core import (
    coco_targets,
    collate_detection,
    draw_objects,
    draw_panels,
    image_panel,
    label_names,
    label_panel,
    plot_chip,
    rgb_channels,
    stretch,
)


def test_stretch_maps_each_band_between_its_percentiles_to_unit_range_channels_last() -> None:
    image = torch.stack([torch.arange(100.0).reshape(10, 10), 1000 + 10 * torch.arange(100.0).reshape(10, 10)])

    shown = stretch(image)

    assert shown.shape == (10, 10, 2)
    assert shown.min() == 0.0 and shown.max() == 1.0
    np.testing.assert_allclose(shown[..., 0], shown[..., 1], atol=1e-6)


def test_image_panel_draws_three_channels_as_rgb_and_one_as_greys() -> None:
    image = torch.rand(4, 8, 8)

    title, rgb, options = image_panel("RGB", image, [2, 1, 0])
    _, grey, grey_options = image_panel("NIR", image, [3])

    assert (title, rgb.shape, options) == ("RGB", (8, 8, 3), {})
    assert grey.shape == (8, 8) and grey_options == {"cmap": "gray"}


def test_label_panel_fixes_the_colour_scale_to_the_classes_whatever_the_values_present() -> None:
    _, array, options = label_panel("Mask", torch.zeros(1, 4, 4, dtype=torch.long), 5, ["k", "r", "g", "b", "w"])

    assert array.shape == (4, 4)
    assert (options["vmin"], options["vmax"]) == (0, 4)
    assert isinstance(options["cmap"], ListedColormap) and options["cmap"].N == 5
    assert label_panel("Change", torch.zeros(4, 4), 2)[2]["cmap"] == "gray"


def test_draw_panels_draws_one_titled_axis_per_panel() -> None:
    image = torch.rand(3, 8, 8)
    panels = [image_panel("Image", image, [0, 1, 2]), label_panel("Mask", torch.ones(8, 8), 3)]

    figure = draw_panels(panels, suptitle="sample 1", height=3)

    assert isinstance(figure, Figure)
    assert [axis.get_title() for axis in figure.axes] == ["Image", "Mask"]
    assert figure.get_figheight() == 3 and figure.get_figwidth() == 8
    assert figure.get_suptitle() == "sample 1"


def test_plot_chip_titles_the_figure_with_label_and_prediction_names() -> None:
    sample = {"image": torch.rand(3, 8, 8), "label": torch.tensor(1), "prediction": torch.tensor(0)}

    figure = plot_chip(sample, ["forest", "water"], [("RGB", [0, 1, 2])])

    assert len(figure.axes) == 1 and figure.axes[0].get_title() == ""
    assert figure.get_supxlabel() == "Label: water\nPrediction: forest"


def test_plot_chip_titles_panels_only_when_there_are_several_and_names_multi_hot_labels() -> None:
    sample = {"image": torch.rand(3, 8, 8), "label": torch.tensor([1, 0, 1])}

    figure = plot_chip(sample, ["a", "b", "c"], [("Sentinel-1 VV", [0]), ("Sentinel-2 RGB", [0, 1, 2])])

    assert [axis.get_title() for axis in figure.axes] == ["Sentinel-1 VV", "Sentinel-2 RGB"]
    assert figure.get_supxlabel() == "Label: a, c"
    assert label_names(torch.zeros(3), ["a", "b", "c"]) == "none"


def test_rgb_channels_falls_back_to_the_first_band_when_an_rgb_band_was_not_read() -> None:
    assert rgb_channels(("B02", "B03", "B04", "B08"), ("B04", "B03", "B02")) == ("RGB", [2, 1, 0])
    assert rgb_channels(("B08", "B04"), ("B04", "B03", "B02")) == ("B08", [0])


def test_coco_targets_clip_boxes_drop_crowds_and_rasterize_polygons() -> None:
    annotations = [
        {"bbox": [2, 2, 4, 4], "category_id": 3, "segmentation": [[2, 2, 6, 2, 6, 6, 2, 6]]},
        {"bbox": [6, 6, 10, 10], "category_id": 1},
        {"bbox": [0, 0, 2, 2], "category_id": 2, "iscrowd": 1},
    ]

    targets = coco_targets(annotations, 8, 8)

    assert targets["boxes"].tolist() == [[2, 2, 6, 6], [6, 6, 8, 8]]
    assert targets["labels"].tolist() == [3, 1]
    assert targets["masks"].dtype == torch.uint8 and int(targets["masks"][0].sum()) == 16


def test_collate_detection_lists_each_key_in_sample_order() -> None:
    samples = [{"image": torch.zeros(3, 4, 5), "labels": torch.tensor([1])},
               {"image": torch.zeros(3, 6, 2), "labels": torch.tensor([], dtype=torch.long)}]

    batch = collate_detection(samples)

    assert [image.shape for image in batch["image"]] == [(3, 4, 5), (3, 6, 2)]
    assert batch["labels"][0].tolist() == [1] and collate_detection([]) == {}


@pytest.mark.parametrize("scores", [None, torch.tensor([0.9, 0.1])])
def test_draw_objects_draws_a_box_per_object_scored_enough(scores: torch.Tensor | None) -> None:
    axis = Figure().subplots()
    objects = {"boxes": torch.tensor([[1.0, 1.0, 4.0, 4.0], [2.0, 2.0, 6.0, 6.0]]), "labels": torch.tensor([0, 1])}
    if scores is not None:
        objects["scores"] = scores

    draw_objects(axis, torch.rand(3, 8, 8), objects, ["car", "ship"])

    assert len(axis.patches) == (2 if scores is None else 1)
