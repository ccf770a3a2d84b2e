"""LEVIR-CD and OSCD pairs are cut to patch_size before batching: from their own pixels only, of any size.

The pairs are written in the real layouts (LEVIR-CD's A/, B/, label/ PNGs; OSCD's single-band GeoTIFFs per date),
16 x 16 px, so the crops meet pairs as the datamodules read them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from geotorch.datamodules import LEVIRCDDataModule, OSCDDataModule
from geotorch.datasets import OSCD
from geotorch.trainers import ChangeDetectionTask
from tests.datasets.fakes.change import PREFIX, SIZE, make_levircd, make_oscd
from tests.datasets.fakes.dense import rgb, write_raster
from tests.trainers.task_fakes import fast_trainer


class RecordingTask(ChangeDetectionTask):
    """Keeps the masks of the training batches it is given."""

    def __init__(self, bands: int = 3) -> None:
        super().__init__(model="fcn", in_channels=bands, num_filters=4)
        self.masks: list[torch.Tensor] = []

    def training_step(self, batch: dict[str, Any], batch_idx: int, dataloader_idx: int = 0) -> torch.Tensor:
        self.masks.append(batch["mask"].clone())
        return super().training_step(batch, batch_idx)


def test_a_training_crop_larger_than_the_pairs_is_refused_not_padded_with_no_change(tmp_path: Path) -> None:
    datamodule = LEVIRCDDataModule(batch_size=1, patch_size=2 * SIZE, root=make_levircd(tmp_path / "levir"))
    task = RecordingTask()
    # Before: trained on 32 x 32 crops of 16 x 16 pairs, 768 of 1024 pixels per pair padding of image 0 and
    # mask 0 (no change).
    with pytest.raises(ValueError, match=r"LEVIRCDDataModule: patch_size=32 is larger than the training pairs "
                                         r"\(16 x 16 px\): the crop would pad them with pixels of mask class 0"):
        fast_trainer(tmp_path).fit(task, datamodule=datamodule)
    assert task.masks == []


def test_a_central_crop_wider_than_the_test_pairs_is_refused(tmp_path: Path) -> None:
    datamodule = OSCDDataModule(batch_size=1, patch_size=(SIZE, SIZE + 8), root=make_oscd(tmp_path / "oscd"))
    with pytest.raises(ValueError, match=r"OSCDDataModule: patch_size=\(16, 24\) is larger than the test pairs "
                                         r"\(16 x 16 px\)"):
        fast_trainer(tmp_path).test(RecordingTask(bands=13), datamodule=datamodule)


def test_a_crop_of_the_pairs_size_trains_on_their_pixels(tmp_path: Path) -> None:
    datamodule = LEVIRCDDataModule(batch_size=1, patch_size=SIZE, root=make_levircd(tmp_path / "levir"))
    task = RecordingTask()
    fast_trainer(tmp_path).fit(task, datamodule=datamodule)
    (mask,) = task.masks
    # Pair n of the training split changed in its first n rows (16 n pixels), flipped at random.
    assert mask.shape == (1, 1, SIZE, SIZE) and int(mask.sum()) in (16, 32, 48)


@pytest.mark.parametrize("patch_size", [0, -4, "32", True, (16, 0), 12.5])
def test_patch_sizes_that_are_no_pixel_counts_are_refused_when_built(tmp_path: Path, patch_size: Any) -> None:
    # Before: every one was accepted; 0 left pairs whole, the others failed in kornia at the first batch.
    with pytest.raises((TypeError, ValueError), match=r"LEVIRCDDataModule: patch_size"):
        LEVIRCDDataModule(patch_size=patch_size, root=tmp_path)
    with pytest.raises((TypeError, ValueError), match=r"OSCDDataModule: patch_size"):
        OSCDDataModule(patch_size=patch_size, root=tmp_path)


def write_city(root: Path, city: str, height: int, width: int) -> None:
    """Rewrite an OSCD training city of the fake set at ``height`` x ``width`` px, its change map too."""
    for date in (1, 2):
        for band in OSCD.all_bands:
            path = root / f"{PREFIX}Images" / city / f"imgs_{date}_rect" / f"{band}.tif"
            write_raster(path, rgb((height, width), bands=1, dtype="uint16"), crs="EPSG:32640")
    write_raster(root / f"{PREFIX}Train Labels" / city / "cm" / "cm.png", np.zeros((1, height, width), "uint8"))


def test_oscd_cities_of_different_sizes_share_a_batch_of_crops(tmp_path: Path) -> None:
    root = make_oscd(tmp_path / "oscd")
    write_city(root, "beihai", 20, 24)
    datamodule = OSCDDataModule(batch_size=2, patch_size=8, val_split_pct=0.0, root=root)
    datamodule.setup("fit")
    # Before: ValueError "stack_samples: 'image' tensors have different shapes [(2, 13, 16, 16), (2, 13, 20, 24)]"
    # for every batch of two cities, whatever the patch_size (the crops were cut after batching).
    batch = next(iter(datamodule.train_dataloader()))
    assert batch["image"].shape == (2, 2, 13, 8, 8) and batch["mask"].shape == (2, 1, 8, 8)
    task = RecordingTask(bands=13)
    fast_trainer(tmp_path).fit(task, datamodule=datamodule)
    assert task.masks[0].shape == (2, 1, 8, 8)


def test_test_pairs_are_cut_in_their_middle(tmp_path: Path) -> None:
    root = make_oscd(tmp_path / "oscd")
    datamodule = OSCDDataModule(batch_size=1, patch_size=(8, 6), root=root)
    datamodule.setup("test")
    batch = next(iter(datamodule.test_dataloader()))
    whole = OSCD(root, split="test")[0]
    assert torch.equal(batch["image"][0], whole["image"][..., 4:12, 5:11])
    assert torch.equal(batch["mask"][0], whole["mask"][..., 4:12, 5:11])
