"""The RGB segmentation benchmarks' training crops take pixels of the chips only, never padding.

LandCover.ai and DeepGlobe are written in their real layouts (rasterio GeoTIFF orthophotos cut into 16 px JPEG
and PNG chips; JPEG chips and colour-coded PNG masks), so the crops meet chips as the datamodules read them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch

from geotorch.datamodules import DeepGlobeLandCoverDataModule, LandCoverAIDataModule
from geotorch.trainers import SemanticSegmentationTask
from tests.datasets.fakes.segmentation import SIZE, make_deepglobe, make_landcoverai
from tests.trainers.task_fakes import fast_trainer


@pytest.fixture(autouse=True)
def small_landcoverai_chips(monkeypatch: pytest.MonkeyPatch) -> None:
    from geotorch.datasets import LandCoverAI

    monkeypatch.setattr(LandCoverAI, "chip_size", SIZE)


class RecordingTask(SemanticSegmentationTask):
    """Keeps the masks of the training batches it is given."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(model="fcn", num_filters=4, in_channels=3, **kwargs)
        self.masks: list[torch.Tensor] = []

    def training_step(self, batch: dict[str, Any], batch_idx: int) -> torch.Tensor:
        self.masks.append(batch["mask"].clone())
        return super().training_step(batch, batch_idx)


def test_a_crop_larger_than_the_chips_is_refused_not_padded_with_background(tmp_path: Path) -> None:
    datamodule = LandCoverAIDataModule(root=make_landcoverai(tmp_path / "landcoverai"), batch_size=2,
                                       patch_size=2 * SIZE)
    task = RecordingTask(num_classes=5)
    # Before: trained on 32 x 32 crops of which 768 of 1024 pixels per chip were padding of mask class 0
    # (LandCover.ai's background) and image 0: 896 of 1024 mask pixels were class 0.
    with pytest.raises(ValueError, match=r"LandCoverAIDataModule: patch_size=32 is larger than the training chips "
                                         r"\(16 x 16 px\): the crop would pad them with pixels of mask class 0"):
        fast_trainer(tmp_path).fit(task, datamodule=datamodule)
    assert task.masks == []


def test_a_crop_of_the_chips_size_trains_on_their_pixels(tmp_path: Path) -> None:
    datamodule = DeepGlobeLandCoverDataModule(root=make_deepglobe(tmp_path / "deepglobe"), batch_size=1,
                                              patch_size=SIZE, val_split_pct=0.5)
    task = RecordingTask(num_classes=7)
    fast_trainer(tmp_path).fit(task, datamodule=datamodule)
    (mask,) = task.masks
    # Eight two-row stripes of the colour classes 0-6 and red (unknown, 6), flipped at random: 32 pixels each.
    assert mask.shape == (1, SIZE, SIZE)
    assert torch.bincount(mask.flatten(), minlength=7).tolist() == [32, 32, 32, 32, 32, 32, 64]


@pytest.mark.parametrize("patch_size", [0, -256, 25.5, "256", True])
def test_patch_sizes_that_are_no_pixel_count_are_refused_when_built(tmp_path: Path, patch_size: Any) -> None:
    # Before: 0 trained on whole chips and True on 1 x 1 crops silently; -256, 25.5 and '256' failed in torch or
    # kornia at the first training batch ("Trying to create tensor with negative dimension -256", ...).
    with pytest.raises((TypeError, ValueError), match=r"LandCoverAIDataModule: patch_size"):
        LandCoverAIDataModule(root=tmp_path, patch_size=patch_size)
