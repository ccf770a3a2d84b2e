"""Walks of TorchGeo 0.10.1's training tutorials (trainers with weights enums, ``Trainer.fit``/``test``; binary
segmentation with ``bce`` and ``dice``; object detection scored by torchmetrics' mAP) with ``geotorch`` in place of
``torchgeo``: tiny models, one or two steps on CPU, no weights downloaded."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import torch
from lightning.pytorch import Trainer
from lightning.pytorch.callbacks import EarlyStopping, ModelCheckpoint
from lightning.pytorch.loggers import CSVLogger
from torch.utils.data import DataLoader, Dataset
from torchmetrics.detection.mean_ap import MeanAveragePrecision

from geotorch.core import DownloadError
from geotorch.datamodules import EuroSAT100DataModule, VHR10DataModule
from geotorch.models import ResNet18_Weights, ResNet50_Weights
from geotorch.trainers import ClassificationTask, ObjectDetectionTask, SemanticSegmentationTask
from tests.datasets.fakes.classification import make_eurosat
from tests.datasets.fakes.detection import make_vhr10

#: Names TorchGeo 0.10.1 logs per split for a classification or segmentation task (micro and macro averages).
SCORES = ("Accuracy", "Precision", "Recall", "F1Score", "JaccardIndex")


def averaged_scores(split: str) -> set[str]:
    return {f"{split}_{average}{score}" for average in ("Overall", "Average") for score in SCORES}


def cpu_trainer(tmp_path: Path, **kwargs: Any) -> Trainer:
    options: dict[str, Any] = {
        "accelerator": "cpu",
        "devices": 1,
        "enable_progress_bar": False,
        "enable_model_summary": False,
        "default_root_dir": tmp_path,
    }
    return Trainer(**{**options, **kwargs})


def test_trainers_tutorial_fits_and_tests_a_classifier_on_eurosat100(tmp_path: Path) -> None:
    root = make_eurosat(tmp_path / "eurosat100")
    for split in ("train", "val", "test"):
        shutil.copy(root / f"eurosat-{split}.txt", root / f"eurosat-100-{split}.txt")

    weights = ResNet18_Weights.SENTINEL2_ALL_MOCO
    assert weights.url.startswith("https://") and weights.meta["in_chans"] == 13

    datamodule = EuroSAT100DataModule(root=root, batch_size=5, num_workers=0, download=False)
    task = ClassificationTask(
        model="resnet18", loss="ce", weights=None, in_channels=13, num_classes=10, lr=0.1, patience=5
    )
    checkpoint = ModelCheckpoint(monitor="val_loss", dirpath=tmp_path / "checkpoints", save_top_k=1, save_last=True)
    early_stopping = EarlyStopping(monitor="val_loss", min_delta=0.0, patience=10)
    trainer = cpu_trainer(
        tmp_path,
        callbacks=[checkpoint, early_stopping],
        logger=CSVLogger(tmp_path / "logs"),
        log_every_n_steps=1,
        min_epochs=1,
        max_epochs=1,
        limit_train_batches=2,
        limit_val_batches=1,
        limit_test_batches=1,
    )
    trainer.fit(model=task, datamodule=datamodule)
    logged = set(trainer.callback_metrics)
    assert {"train_loss", "val_loss"} | averaged_scores("val") <= logged
    assert (tmp_path / "checkpoints" / "last.ckpt").exists()

    results = trainer.test(model=task, datamodule=datamodule)
    assert {"test_loss"} | averaged_scores("test") <= set(results[0])

    restored = ClassificationTask.load_from_checkpoint(tmp_path / "checkpoints" / "last.ckpt")
    assert restored.hparams["num_classes"] == 10


def test_pretrained_weights_tutorial_resolves_enum_members_without_downloading() -> None:
    weights = ResNet50_Weights.SENTINEL2_ALL_MOCO
    assert weights.url.endswith(".pth") and weights.meta["in_chans"] == 13
    task = ClassificationTask(model="resnet50", weights=None, in_channels=weights.meta["in_chans"], num_classes=10)
    assert task.model(torch.rand(2, 13, 32, 32)).shape == (2, 10)


def test_a_weights_enum_member_goes_to_the_task_and_names_where_to_put_the_file_offline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    weights = ResNet18_Weights.SENTINEL2_ALL_MOCO
    place = r"put it at .*/torch/hub/checkpoints/resnet18_sentinel2_all_moco-59bfdff9\.pth"
    with pytest.raises(DownloadError, match=place):
        ClassificationTask(model="resnet18", weights=weights, in_channels=13, num_classes=10)


class BrightWater(Dataset[dict[str, torch.Tensor]]):
    """3-band chips with a ``(H, W)`` binary mask of the pixels whose first band is bright."""

    def __init__(self, count: int = 4, size: int = 32) -> None:
        self.images = torch.rand((count, 3, size, size), generator=torch.Generator().manual_seed(3))

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        return {"image": self.images[index], "mask": (self.images[index][0] > 0.5).long()}


@pytest.mark.parametrize("loss", ["bce", "dice"])
def test_binary_segmentation_trains_with_bce_and_dice(tmp_path: Path, loss: str) -> None:
    task = SemanticSegmentationTask(
        model="unet", backbone="resnet18", weights=None, in_channels=3, task="binary", loss=loss, lr=1e-3, patience=2
    )
    loader = DataLoader(BrightWater(), batch_size=2)
    trainer = cpu_trainer(
        tmp_path, max_steps=2, max_epochs=1, limit_val_batches=1, logger=False, enable_checkpointing=False
    )
    trainer.fit(task, train_dataloaders=loader, val_dataloaders=loader)
    assert trainer.global_step == 2
    logged = trainer.callback_metrics
    assert torch.isfinite(logged["train_loss"]) and torch.isfinite(logged["val_loss"])
    assert averaged_scores("val") <= set(logged)
    probabilities = task.eval()(torch.rand(1, 3, 32, 32)).sigmoid()
    assert probabilities.shape == (1, 1, 32, 32)


#: The 12 scores torchmetrics' MeanAveragePrecision returns (its ``classes`` tensor aside).
MAP_KEYS = {
    "map",
    "map_50",
    "map_75",
    "map_small",
    "map_medium",
    "map_large",
    "mar_1",
    "mar_10",
    "mar_100",
    "mar_small",
    "mar_medium",
    "mar_large",
}


def test_object_detection_fits_on_vhr10_and_logs_torchmetrics_map(tmp_path: Path) -> None:
    root = make_vhr10(tmp_path / "vhr10")
    datamodule = VHR10DataModule(root=root, batch_size=2, val_split_pct=0.4, test_split_pct=0.4)
    task = ObjectDetectionTask(
        model="faster-rcnn",
        backbone="resnet18",
        weights=None,
        in_channels=3,
        num_classes=11,
        trainable_layers=3,
        min_size=64,
        max_size=64,
    )
    trainer = cpu_trainer(
        tmp_path,
        max_steps=1,
        max_epochs=1,
        limit_val_batches=1,
        limit_test_batches=1,
        logger=False,
        enable_checkpointing=False,
    )
    trainer.fit(task, datamodule=datamodule)
    assert torch.isfinite(trainer.callback_metrics["train_loss"])
    assert {f"val_{key}" for key in MAP_KEYS} <= set(trainer.callback_metrics)
    results = trainer.test(task, datamodule=datamodule)
    assert {f"test_{key}" for key in MAP_KEYS} <= set(results[0])

    metric = MeanAveragePrecision()
    boxes = torch.tensor([[4.0, 4.0, 20.0, 20.0]])
    metric.update(
        [{"boxes": boxes, "scores": torch.tensor([0.9]), "labels": torch.tensor([1])}],
        [{"boxes": boxes, "labels": torch.tensor([1])}],
    )
    scores = metric.compute()
    assert set(scores) >= MAP_KEYS and float(scores["map"]) == pytest.approx(1.0)
