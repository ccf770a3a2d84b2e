"""The RGB scene classifiers' image_size and VHR10's patch_size are pixel counts, checked when the datamodule is built.

Chips are written in the real layouts (UC Merced's class folders of TIFFs, VHR10's JPEGs and COCO annotations).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from geotorch.datamodules import PatternNetDataModule, UCMercedDataModule, VHR10DataModule
from tests.datasets.fakes.classification import make_ucmerced
from tests.datasets.fakes.detection import make_vhr10


@pytest.mark.parametrize("size", [True, 0, -256, 25.5, "256", (32, 32)])
def test_an_image_size_that_is_no_pixel_count_is_refused_when_built(tmp_path: Path, size: Any) -> None:
    # Before: True resized every chip to 1 x 1 and trained on it silently; 0, -256, 25.5 and '256' failed in torch's
    # interpolate at the first batch, naming no argument.
    with pytest.raises((TypeError, ValueError), match=r"UCMercedDataModule: image_size="):
        UCMercedDataModule(root=tmp_path, image_size=size)
    with pytest.raises((TypeError, ValueError), match=r"PatternNetDataModule: image_size="):
        PatternNetDataModule(root=tmp_path, image_size=size)


def test_an_image_size_resizes_the_chips_to_it(tmp_path: Path) -> None:
    datamodule = UCMercedDataModule(batch_size=3, root=make_ucmerced(tmp_path), image_size=8.0)
    datamodule.setup("fit")
    assert next(iter(datamodule.train_dataloader()))["image"].shape == (3, 3, 8, 8)


@pytest.mark.parametrize("size", [True, 0, (32, 0), 12.5, "32"])
def test_a_vhr10_patch_size_that_is_no_pixel_count_is_refused_when_built(tmp_path: Path, size: Any) -> None:
    # Before: True resized every image, its boxes and masks to 1 x 1 silently; the others failed at the first batch.
    with pytest.raises((TypeError, ValueError), match=r"VHR10DataModule: patch_size="):
        VHR10DataModule(root=tmp_path, patch_size=size)


def test_a_vhr10_share_given_as_text_is_refused_naming_it(tmp_path: Path) -> None:
    # Before: TypeError "'>=' not supported between instances of 'str' and 'int'".
    with pytest.raises(TypeError, match=r"VHR10DataModule: val_split_pct='0.2' must be a number"):
        VHR10DataModule(root=tmp_path, val_split_pct="0.2")  # type: ignore[arg-type]


def test_a_vhr10_patch_size_pair_resizes_to_height_and_width(tmp_path: Path) -> None:
    datamodule = VHR10DataModule(batch_size=2, patch_size=(32, 48), root=make_vhr10(tmp_path), val_split_pct=0.0,
                                 test_split_pct=0.0)
    datamodule.setup("fit")
    resized = datamodule.on_after_batch_transfer(next(iter(datamodule.train_dataloader())), 0)
    assert all(image.shape[-2:] == (32, 48) for image in resized["image"])
