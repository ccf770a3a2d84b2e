"""COCO annotations whose objects are run-length encoded, as annotations.json may hold them, give their masks."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest

from geotorch.core import coco_targets
from geotorch.datasets import VHR10
from tests.datasets.fakes.detection import COCO, FOLDER, make_vhr10

#: An airplane over rows 3-6 and columns 2-7 of the 20 x 24 image 001.jpg, as pycocotools' mask.encode writes it.
COMPRESSED = {"size": [20, 24], "counts": "[14`0000000000m9"}
#: A vehicle over rows 10-14 of the last four columns and the top-right pixel, as runs down the columns.
LISTED = {"size": [20, 24], "counts": [410, 5, 15, 5, 15, 5, 5, 1, 9, 5, 5]}


def expected_masks() -> np.ndarray:
    masks = np.zeros((2, 20, 24), np.uint8)
    masks[0, 3:7, 2:8] = 1
    masks[1, 10:15, 20:24] = 1
    masks[1, 0, 23] = 1
    return masks


def test_vhr10_decodes_compressed_and_listed_run_length_masks(tmp_path: Path) -> None:
    # Before: both masks were all 0 (the encoding's keys were read as polygons), silently.
    root = make_vhr10(tmp_path)
    coco = copy.deepcopy(COCO)
    coco["annotations"][0]["segmentation"] = COMPRESSED
    coco["annotations"][1]["segmentation"] = LISTED
    (root / FOLDER / "annotations.json").write_text(json.dumps(coco))
    sample = VHR10(root)[0]
    assert np.array_equal(sample["masks"].numpy(), expected_masks())


def test_a_run_length_mask_of_another_size_is_named_with_its_annotation(tmp_path: Path) -> None:
    root = make_vhr10(tmp_path)
    coco = copy.deepcopy(COCO)
    coco["annotations"][0]["segmentation"] = {"size": [24, 20], "counts": COMPRESSED["counts"]}
    (root / FOLDER / "annotations.json").write_text(json.dumps(coco))
    with pytest.raises(ValueError, match=r"COCO annotation 1: a run-length encoded mask of size \[24, 20\] lies on "
                                         r"an image of 20 x 24"):
        VHR10(root)[0]


def test_masks_decode_as_pycocotools_encodes_them() -> None:
    mask_api = pytest.importorskip("pycocotools.mask", reason="the reference needs pycocotools (`nox -s tests`)")
    generator = np.random.default_rng(0)
    for _ in range(100):
        height, width = (int(side) for side in generator.integers(1, 60, 2))
        mask = (generator.random((height, width)) < generator.random()).astype(np.uint8)
        encoded = mask_api.encode(np.asfortranarray(mask))
        annotation = {"id": 1, "bbox": [0, 0, width, height], "category_id": 1, "segmentation": encoded}
        assert np.array_equal(coco_targets([annotation], height, width)["masks"][0].numpy(), mask)
