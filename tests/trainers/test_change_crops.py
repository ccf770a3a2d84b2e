"""LEVIR-CD and OSCD pairs are cropped from their own pixels only: a crop larger than the pairs is refused.

The pairs are written in the real layouts (LEVIR-CD's A/, B/, label/ PNGs; OSCD's single-band GeoTIFFs per date),
16 x 16 px, so the crops meet pairs as the datamodules read them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch

from geotorch.datamodules import LEVIRCDDataModule, OSCDDataModule
from geotorch.trainers import ChangeDetectionTask
from tests.datasets.fakes.change import SIZE, make_levircd, make_oscd
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
