"""Land-cover plots draw one layer of labels of the chosen classes, and name any other prediction."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import torch

from geotorch.core import BoundingBox
from geotorch.datasets import NLCD, DemoLandCover
from geotorch.datasets.demo_area import generate_demo_area
from tests.datasets.fakes.products import write_nlcd_year


@pytest.fixture
def nlcd(tmp_path: Path) -> NLCD:
    write_nlcd_year(tmp_path, 2024)
    return NLCD(root=tmp_path, classes=[11, 41])


def test_a_prediction_of_labels_outside_the_classes_is_named_not_drawn_as_the_last(nlcd: NLCD) -> None:
    # Label 5 (a model of more classes) was drawn, and named in the legend, as label 2, Deciduous Forest.
    mask = nlcd[nlcd.bounds]["mask"]
    with pytest.raises(ValueError, match=re.escape("'prediction' holds labels [5, 7], outside 0 to 2")):
        nlcd.plot({"mask": mask, "prediction": torch.where(mask == 1, 5, 7)})
    with pytest.raises(ValueError, match=re.escape("'prediction' holds labels [-1], outside 0 to 2")):
        nlcd.plot({"mask": mask, "prediction": torch.full_like(mask, -1)})


@pytest.mark.parametrize(
    ("prediction", "message"),
    [
        (torch.rand(3, 32, 32), "'prediction' has shape (3, 32, 32); give one layer of labels"),
        (torch.zeros(2, 1, 32, 32, dtype=torch.long), "'prediction' has shape (2, 1, 32, 32); give one layer"),
        (torch.full((1, 32, 32), 0.9), "'prediction' holds fractions (0.9 to 0.9), not labels"),
    ],
    ids=["scores", "batch", "probabilities"],
)
def test_scores_batches_and_probabilities_are_named_not_drawn_as_background(
    nlcd: NLCD, prediction: torch.Tensor, message: str
) -> None:
    # The scores' first class and the probabilities were cast to label 0 and drawn as background;
    # the batch failed in matplotlib ("Invalid shape (2, 1, 32, 32, 4) for image data").
    with pytest.raises(ValueError, match=re.escape(f"plot_labels: {message}")):
        nlcd.plot({"mask": nlcd[nlcd.bounds]["mask"], "prediction": prediction})


def test_labels_of_one_layer_in_any_number_type_are_drawn(nlcd: NLCD) -> None:
    mask = nlcd[nlcd.bounds]["mask"]
    figure = nlcd.plot({"mask": mask[None], "prediction": mask.float().numpy()})
    drawn = [image.get_array() for axis in figure.axes for image in axis.images]
    assert [array.shape for array in drawn] == [(32, 32, 4), (32, 32, 4)]
    np.testing.assert_array_equal(drawn[0], nlcd.ordinal_cmap[mask.numpy()])


@pytest.mark.parametrize(
    ("prediction", "message"),
    [
        (torch.full((16, 16), 9), "'prediction' holds labels [9], outside 0 to 5"),
        (torch.rand(6, 16, 16), "'prediction' has shape (6, 16, 16); give one layer of labels"),
        (torch.full((16, 16), 0.5), "'prediction' holds fractions (0.5 to 0.5), not labels"),
    ],
    ids=["label 9", "scores", "probabilities"],
)
def test_the_demo_land_cover_names_a_prediction_that_is_no_layer_of_its_classes(
    tmp_path: Path, prediction: torch.Tensor, message: str
) -> None:
    # Label 9 was drawn in the last class's colour and left out of the legend; the scores and the
    # probabilities were drawn as 'no data' (label 0), all silently.
    dataset = DemoLandCover(paths=generate_demo_area(tmp_path / "area"))
    bounds = dataset.bounds
    mask = dataset[BoundingBox(bounds.minx, bounds.minx + 480, bounds.maxy - 480, bounds.maxy)]["mask"]
    assert dataset.plot({"mask": mask, "prediction": mask}).axes
    with pytest.raises(ValueError, match=re.escape(f"DemoLandCover.plot: {message}")):
        dataset.plot({"mask": mask, "prediction": prediction})
