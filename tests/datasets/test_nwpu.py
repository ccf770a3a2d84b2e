"""VHR10 (NWPU VHR-10) on fake data in the real layout: positive/negative image sets and COCO annotations.json."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from matplotlib.figure import Figure
from torch.utils.data import DataLoader

from geotorch.core import ChecksumError, DatasetNotFoundError, coco_targets, collate_detection, stack_samples
from geotorch.datasets import VHR10
from tests.datasets.fakes.dense import damaged, served, zip_members
from tests.datasets.fakes.detection import FOLDER, make_vhr10


@pytest.fixture(scope="module")
def vhr10_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_vhr10(tmp_path_factory.mktemp("vhr10"))


def test_vhr10_positive_sample_has_boxes_labels_and_masks(vhr10_root: Path) -> None:
    dataset = VHR10(vhr10_root)
    assert len(dataset) == 3
    sample = dataset[0]
    assert set(sample) == {"image", "boxes", "labels", "masks"}
    assert sample["image"].shape == (3, 20, 24) and sample["image"].dtype == torch.float32
    assert sample["boxes"].dtype == torch.float32 and sample["boxes"].tolist() == [[2, 3, 8, 7], [20, 10, 24, 15]]
    assert sample["labels"].dtype == torch.int64 and sample["labels"].tolist() == [1, 10]
    assert sample["masks"].shape == (2, 20, 24) and sample["masks"].dtype == torch.uint8
    assert int(sample["masks"][0].sum()) == 6 * 4 and sample["masks"][0, 3:7, 2:8].all()


def test_boxes_outside_the_image_and_crowds_are_dropped(vhr10_root: Path) -> None:
    dataset = VHR10(vhr10_root)
    assert dataset[1]["labels"].tolist() == [5]
    assert dataset[2]["boxes"].shape == (0, 4) and dataset[2]["masks"].shape == (0, 18, 18)
    assert coco_targets([], 5, 7)["masks"].shape == (0, 5, 7)


def test_vhr10_negative_images_have_no_objects(vhr10_root: Path) -> None:
    dataset = VHR10(vhr10_root, split="negative")
    sample = dataset[1]
    assert len(dataset) == 2 and sample["boxes"].shape == (0, 4) and sample["labels"].shape == (0,)


def test_vhr10_batches_with_collate_detection_not_stack_samples(vhr10_root: Path) -> None:
    dataset = VHR10(vhr10_root)
    with pytest.raises(ValueError, match=r"'image'"):
        stack_samples([dataset[0], dataset[1]])
    batch = next(iter(DataLoader(dataset, batch_size=3, collate_fn=collate_detection)))
    assert [len(batch[key]) for key in ("image", "boxes", "labels", "masks")] == [3, 3, 3, 3]
    assert batch["boxes"][1].shape == (1, 4)


def test_vhr10_plot_shows_objects_and_prediction(vhr10_root: Path) -> None:
    dataset = VHR10(vhr10_root)
    sample = dataset[0]
    sample["prediction"] = {"boxes": sample["boxes"], "labels": sample["labels"], "scores": torch.tensor([0.9, 0.2])}
    figure = dataset.plot(sample, suptitle="VHR-10")
    assert isinstance(figure, Figure) and [axis.get_title() for axis in figure.axes] == ["Ground truth", "Prediction"]
    assert [text.get_text() for text in figure.axes[1].texts] == ["airplane"]
    negative = VHR10(vhr10_root, split="negative")
    assert isinstance(negative.plot(negative[0], show_titles=False), Figure)


def test_vhr10_rejects_an_unknown_split(vhr10_root: Path) -> None:
    with pytest.raises(ValueError, match=r"'train'.*'positive', 'negative'"):
        VHR10(vhr10_root, split="train")


def test_vhr10_missing_without_download_names_the_folder(tmp_path: Path) -> None:
    with pytest.raises(DatasetNotFoundError, match=str(tmp_path)):
        VHR10(tmp_path)


@pytest.fixture
def published(tmp_path: Path, http_server, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The images zip (without annotations, as published) and annotations.json served locally."""
    staging = make_vhr10(tmp_path / "staging")
    annotations = staging / FOLDER / "annotations.json"
    moved = annotations.rename(tmp_path / "annotations.json")
    archive = zip_members(staging, [FOLDER], tmp_path / "upload" / f"{FOLDER}.zip")
    monkeypatch.setattr(VHR10, "images", served(http_server, archive))
    monkeypatch.setattr(VHR10, "annotations", served(http_server, moved, f"{FOLDER}/annotations.json", extract=False))
    return tmp_path / "data"


def test_vhr10_downloads_verifies_and_extracts_once(published: Path, http_server) -> None:
    dataset = VHR10(published, download=True, checksum=True)
    assert len(dataset) == 3 and (published / FOLDER / "annotations.json").is_file()
    assert dataset[1]["labels"].tolist() == [5]
    VHR10(published, download=True, checksum=True)
    VHR10(published, split="negative", download=True, checksum=True)
    assert http_server.hits(f"{FOLDER}.zip") == 1 and http_server.hits("annotations.json") == 1


def test_vhr10_wrong_checksum_names_the_file_and_keeps_nothing(
    published: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(VHR10, "images", damaged(VHR10.images))
    with pytest.raises(ChecksumError, match=r"NWPU VHR-10 dataset.zip"):
        VHR10(published, download=True, checksum=True)
    assert not list(published.iterdir())


def test_vhr10_plot_draws_a_mask_rcnn_prediction_with_its_masks(vhr10_root: Path) -> None:
    # Before: TypeError 'Invalid shape (1, 20, 24) for image data': Mask R-CNN predicts (N, 1, H, W) probabilities.
    dataset = VHR10(vhr10_root)
    sample = dataset[0]
    probabilities = torch.zeros(2, 1, 20, 24)
    probabilities[0, 0, 3:7, 2:8] = 0.9
    probabilities[1, 0, 10:15, 20:24] = 0.3
    sample["prediction"] = {**{key: sample[key] for key in ("boxes", "labels")}, "masks": probabilities,
                            "scores": torch.tensor([0.9, 0.8])}
    figure = dataset.plot(sample)
    drawn = figure.axes[1].get_images()[1:]  # the image, then one layer per object
    assert len(drawn) == 2
    assert drawn[0].get_array().mask.sum() == 20 * 24 - 4 * 6 and drawn[1].get_array().mask.all()


def test_vhr10_plot_names_predicted_labels_it_has_no_class_for(vhr10_root: Path) -> None:
    # Before: IndexError 'tuple index out of range' (a prediction of a model of more classes).
    dataset = VHR10(vhr10_root)
    sample = dataset[0]
    sample["prediction"] = {"boxes": sample["boxes"], "labels": torch.tensor([1, 15]), "scores": torch.ones(2)}
    with pytest.raises(ValueError, match=r"draw_objects: labels \[15\] are outside 0 to 10, the labels of the 11 "
                                         r"class names: a prediction of a model with other classes\?"):
        dataset.plot(sample)
