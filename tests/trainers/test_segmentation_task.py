"""SemanticSegmentationTask and DemoDataModule: training steps, the seed's spelling, weights and bad input (masks)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from geotorch.core import GeoDataset, RasterDataset
from geotorch.datamodules import DemoDataModule, GeoDataModule
from geotorch.trainers import ChangeDetectionTask, SemanticSegmentationTask
from tests.datasets.fakes.geo import reflectance, write_raster
from tests.trainers.task_fakes import fast_trainer

TINY = {"model": "unet", "backbone": "resnet18", "in_channels": 6, "num_classes": 6, "ignore_index": 0}


@pytest.fixture(scope="module")
def demo() -> DemoDataModule:
    return DemoDataModule(batch_size=2, patch_size=32, length=4)


@pytest.mark.parametrize("model", ["unet", "deeplabv3+", "fcn"])
def test_segmentation_task_runs_a_fast_dev_run_on_the_demo_area(tmp_path: Path, demo: DemoDataModule,
                                                                  model: str) -> None:
    task = SemanticSegmentationTask(**{**TINY, "model": model}, num_filters=8)
    trainer = fast_trainer(tmp_path)
    trainer.fit(task, datamodule=demo)
    assert torch.isfinite(trainer.callback_metrics["train_loss"])
    assert 0 <= float(trainer.callback_metrics["val_JaccardIndex"]) <= 1
    trainer.test(task, datamodule=demo)
    assert "test_OverallAccuracy" in trainer.callback_metrics


@pytest.mark.parametrize("loss", ["jaccard", "focal"])
def test_segmentation_task_trains_with_every_loss(tmp_path: Path, demo: DemoDataModule, loss: str) -> None:
    task = SemanticSegmentationTask(**{**TINY, "model": "fcn"}, num_filters=8, loss=loss)
    fast_trainer(tmp_path).fit(task, datamodule=demo)


def test_class_weights_go_to_the_cross_entropy() -> None:
    task = SemanticSegmentationTask(**{**TINY, "model": "fcn"}, class_weights=[0, 1, 1, 2, 1, 1])
    assert task.criterion.weight.tolist() == [0, 1, 1, 2, 1, 1]
    with pytest.raises(ValueError, match="class_weights only apply"):
        SemanticSegmentationTask(**{**TINY, "model": "fcn"}, class_weights=[1] * 6, loss="focal")


def test_the_seeds_torchgeo_spelling_maps_to_todays_names() -> None:
    task = SemanticSegmentationTask(segmentation_model="unet", encoder_name="resnet18", encoder_weights=None,
                                    learning_rate=0.1, learning_rate_schedule_patience=3, num_classes=2)
    assert (task.hparams["model"], task.hparams["backbone"], task.hparams["lr"]) == ("unet", "resnet18", 0.1)
    assert task.hparams["patience"] == 3
    assert "segmentation_model" not in task.hparams


def test_unknown_arguments_are_refused_by_name() -> None:
    with pytest.raises(TypeError, match="encoder_depthh"):
        SemanticSegmentationTask(encoder_depthh=3)


def test_imagenet_weights_offline_fail_with_a_clear_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hf-hub"))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(ValueError, match=r"weights='imagenet'.*HF_HUB_OFFLINE is set: run `python -c"):
        SemanticSegmentationTask(segmentation_model="unet", encoder_name="resnet18", encoder_weights="imagenet")


def test_a_checkpoint_for_another_band_count_fails_at_construction(tmp_path: Path) -> None:
    rgb = SemanticSegmentationTask(**{**TINY, "in_channels": 3})
    path = tmp_path / "encoder.pth"
    torch.save(rgb.model.encoder.model.state_dict(), path)
    loaded = SemanticSegmentationTask(**{**TINY, "in_channels": 3}, weights=str(path))
    assert torch.equal(loaded.model.encoder.model.conv1.weight, rgb.model.encoder.model.conv1.weight)
    with pytest.raises(ValueError, match=r"take 3 bands but the task has in_channels=6"):
        SemanticSegmentationTask(**TINY, weights=str(path))


def test_a_checkpoint_of_a_whole_task_loads_into_the_encoder(tmp_path: Path) -> None:
    trained = SemanticSegmentationTask(**TINY)
    path = tmp_path / "task.pth"
    torch.save({"state_dict": trained.state_dict()}, path)
    loaded = SemanticSegmentationTask(**TINY, weights=str(path))
    assert torch.equal(loaded.model.encoder.model.layer4[0].conv1.weight,
                       trained.model.encoder.model.layer4[0].conv1.weight)


def test_freeze_flags_stop_the_encoder_or_the_decoder() -> None:
    frozen = SemanticSegmentationTask(**TINY, freeze_backbone=True)
    assert not any(p.requires_grad for p in frozen.model.encoder.parameters())
    assert all(p.requires_grad for p in frozen.model.decoder.parameters())
    frozen = SemanticSegmentationTask(**TINY, freeze_decoder=True)
    assert not any(p.requires_grad for p in frozen.model.decoder.parameters())


def test_a_datamodule_band_count_other_than_in_channels_fails_before_training(tmp_path: Path,
                                                                             demo: DemoDataModule) -> None:
    task = SemanticSegmentationTask(**{**TINY, "in_channels": 4, "model": "fcn"}, num_filters=4)
    with pytest.raises(ValueError, match=r"6 bands but SemanticSegmentationTask has in_channels=4"):
        fast_trainer(tmp_path).fit(task, datamodule=demo)
    assert task.global_step == 0


def test_demo_splits_are_disjoint_west_to_east_strips(demo: DemoDataModule) -> None:
    demo.setup("fit")
    train, val, test = demo.train_dataset.bounds, demo.val_dataset.bounds, demo.test_dataset.bounds
    assert train.maxx <= val.minx + 1e-6 and val.maxx <= test.minx + 1e-6
    assert demo.predict_dataset.bounds.minx >= test.minx - 1e-6
    batch = next(iter(demo.train_dataloader()))
    assert batch["image"].shape == (2, 6, 32, 32) and batch["mask"].shape == (2, 32, 32)


def test_demo_plot_draws_image_mask_and_prediction(demo: DemoDataModule) -> None:
    demo.setup("fit")
    batch = next(iter(demo.val_dataloader()))
    figure = demo.plot({"image": batch["image"][0], "mask": batch["mask"][0], "prediction": batch["mask"][0]})
    assert len(figure.axes) == 3


class BrightPixels(torch.utils.data.Dataset[dict[str, torch.Tensor]]):
    """Random 3-band chips; ``binary`` masks mark pixels whose first band is bright (``(H, W)``),
    ``multilabel`` masks mark, per band, its bright pixels (``(3, H, W)``)."""

    def __init__(self, kind: str, count: int = 4, size: int = 32) -> None:
        self.images = torch.rand((count, 3, size, size), generator=torch.Generator().manual_seed(7))
        self.kind = kind

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        image = self.images[index]
        bright = (image > 0.5).long()
        return {"image": image, "mask": bright[0] if self.kind == "binary" else bright}


def torchgeo_score_names(split: str, classwise: list[str]) -> set[str]:
    """The per-epoch names TorchGeo 0.10.1 logs for a split: overall and average scores, and classwise ones."""
    scores = ("Accuracy", "Precision", "Recall", "F1Score", "JaccardIndex")
    names = {f"{split}_{average}{score}" for average in ("Overall", "Average") for score in scores}
    return names | {f"{split}_Classwise{score}_{label}" for score in scores for label in classwise}


def fit_two_steps(tmp_path: Path, task: SemanticSegmentationTask, kind: str) -> dict[str, torch.Tensor]:
    loader = torch.utils.data.DataLoader(BrightPixels(kind), batch_size=2)
    trainer = fast_trainer(tmp_path, fast_dev_run=2)
    trainer.fit(task, train_dataloaders=loader, val_dataloaders=loader)
    assert trainer.global_step == 2
    return dict(trainer.callback_metrics)


@pytest.mark.parametrize("loss", ["bce", "dice", "jaccard", "focal"])
def test_binary_segmentation_trains_with_smp_losses_and_logs_torchgeos_scores(tmp_path: Path, loss: str) -> None:
    task = SemanticSegmentationTask(model="unet", backbone="resnet18", in_channels=3, task="binary", loss=loss)
    assert task.model(torch.rand(2, 3, 32, 32)).shape == (2, 1, 32, 32)
    logged = fit_two_steps(tmp_path, task, "binary")
    assert torch.isfinite(logged["train_loss"]) and torch.isfinite(logged["val_loss"])
    for split in ("train", "val"):
        expected = torchgeo_score_names(split, []) | {f"{split}_JaccardIndex", f"{split}_F1Score"}
        assert expected <= set(logged)
        assert not [name for name in logged if name.startswith(f"{split}_Classwise")]
    assert 0 <= float(logged["val_OverallAccuracy"]) <= 1


def test_multilabel_segmentation_trains_and_logs_classwise_scores_by_label_name(tmp_path: Path) -> None:
    task = SemanticSegmentationTask(model="fcn", in_channels=3, task="multilabel", num_labels=3, loss="bce",
                                    labels=["red", "green", "blue"], num_filters=8, pos_weight=[1.0, 2.0, 3.0])
    assert task.criterion.pos_weight.flatten().tolist() == [1.0, 2.0, 3.0]
    logged = fit_two_steps(tmp_path, task, "multilabel")
    assert torchgeo_score_names("val", ["red", "green", "blue"]) <= set(logged)
    assert torchgeo_score_names("train", ["red", "green", "blue"]) <= set(logged)
    probabilities = task.predict_step({"image": torch.rand(2, 3, 32, 32)}, 0)
    assert probabilities.shape == (2, 3, 32, 32) and probabilities.min() >= 0 and probabilities.max() <= 1


def test_multiclass_logs_torchgeos_scores_and_keeps_the_earlier_names(tmp_path: Path, demo: DemoDataModule) -> None:
    task = SemanticSegmentationTask(**{**TINY, "model": "fcn"}, num_filters=8, loss="dice")
    trainer = fast_trainer(tmp_path)
    trainer.fit(task, datamodule=demo)
    names = set(trainer.callback_metrics)
    assert torchgeo_score_names("val", [str(index) for index in range(6)]) <= names
    assert {"val_JaccardIndex", "val_F1Score"} <= names
    assert float(trainer.callback_metrics["val_JaccardIndex"]) == float(trainer.callback_metrics[
        "val_AverageJaccardIndex"])


def test_losses_are_segmentation_models_pytorchs_and_each_serves_its_task_kinds() -> None:
    import segmentation_models_pytorch as smp

    expected = {"bce": smp.losses.SoftBCEWithLogitsLoss, "dice": smp.losses.DiceLoss,
                "jaccard": smp.losses.JaccardLoss, "focal": smp.losses.FocalLoss}
    for loss, kind in expected.items():
        task = SemanticSegmentationTask(model="fcn", task="binary", loss=loss, num_filters=4)
        assert isinstance(task.criterion, kind), loss
    with pytest.raises(ValueError, match=r"loss='ce' is not for task='binary'; choose one of bce, jaccard, focal"):
        SemanticSegmentationTask(model="fcn", task="binary")
    with pytest.raises(ValueError, match=r"loss='bce' is not for task='multiclass'"):
        SemanticSegmentationTask(model="fcn", loss="bce")
    with pytest.raises(ValueError, match="task='multilabel' needs num_labels"):
        SemanticSegmentationTask(model="fcn", task="multilabel", loss="dice")
    with pytest.raises(ValueError, match="task='ternary' must be one of binary, multiclass, multilabel"):
        SemanticSegmentationTask(model="fcn", task="ternary")  # type: ignore[arg-type]


def test_binary_masks_with_a_channel_axis_and_ignored_pixels_are_scored_without_them() -> None:
    task = SemanticSegmentationTask(model="fcn", task="binary", loss="dice", ignore_index=255, num_filters=4)
    mask = torch.randint(0, 2, (2, 1, 16, 16))
    mask[:, :, :4] = 255
    logits = torch.where(mask[:, 0] == 1, 5.0, -5.0)
    task.val_metrics.update(logits.sigmoid(), task.target_of(mask))
    assert float(task.val_metrics.compute()["val_OverallAccuracy"]) == 1.0
    assert float(task.criterion(logits, task.target_of(mask))) < 0.01


class Scenes(RasterDataset):
    filename_glob = "scene.tif"


class BuildingLabels(RasterDataset):
    """Inria's raw ground truth: buildings 255, the rest 0."""

    filename_glob = "buildings.tif"
    is_image = False


class ScenesWithBuildings(GeoDataModule):
    """Every stage on the scene and its 0/255 building raster."""

    mean = (0.0,)
    std = (1.0,)

    def build_splits(self) -> tuple[GeoDataset, GeoDataset, GeoDataset, GeoDataset]:
        dataset = Scenes(paths=self.kwargs["paths"]) & BuildingLabels(paths=self.kwargs["paths"])
        return dataset, dataset, dataset, dataset


def test_a_binary_mask_of_0_and_255_is_refused_naming_255_unless_it_is_ignored(tmp_path: Path) -> None:
    # 255 reached the loss and torchmetrics' "Detected the following values in `target`: tensor([0, 255])".
    buildings = np.zeros((32, 32), "uint8")
    buildings[8:20, 4:16] = 255
    scene = np.stack([reflectance((32, 32), band) for band in range(3)])
    write_raster(tmp_path / "scene.tif", scene, 32633, 500000.0, 4000000.0, 10.0)
    write_raster(tmp_path / "buildings.tif", buildings, 32633, 500000.0, 4000000.0, 10.0)
    datamodule = ScenesWithBuildings(paths=tmp_path, batch_size=2, patch_size=32, length=2)
    task = SemanticSegmentationTask(model="fcn", in_channels=3, task="binary", loss="bce", num_filters=4)
    with pytest.raises(ValueError, match=r"SemanticSegmentationTask: batch\['mask'\] holds 255, outside 0..1 of "
                                         r"task='binary' with ignore_index=None"):
        fast_trainer(tmp_path).fit(task, datamodule=datamodule)
    ignoring = SemanticSegmentationTask(model="fcn", in_channels=3, task="binary", loss="dice", ignore_index=255,
                                        num_filters=4)
    fast_trainer(tmp_path).fit(ignoring, datamodule=datamodule)
    assert ignoring.global_step == 1


def test_demo_classes_beyond_num_classes_are_refused_naming_them(tmp_path: Path, demo: DemoDataModule) -> None:
    # The demo's classes 2-5 gave "IndexError: Target 5 is out of bounds" (a device assert on CUDA).
    task = SemanticSegmentationTask(**{**TINY, "model": "fcn", "num_classes": 2}, num_filters=4)
    with pytest.raises(ValueError, match=r"holds [2-5](, [2-5])*, outside 0..1 of num_classes=2 with ignore_index=0"):
        fast_trainer(tmp_path).fit(task, datamodule=demo)


@pytest.mark.parametrize(
    ("arguments", "mask", "message"),
    [
        ({}, [0, 1, 255, 0], r"holds 255, outside 0..1 of task='binary' with ignore_index=None"),
        ({"ignore_index": 255}, [0, 1, 2, 255], r"holds 2, outside 0..1 of task='binary' with ignore_index=255"),
        ({"task": "multiclass", "num_classes": 3, "loss": "ce"}, [0, 2, 3, -1],
         r"holds -1, 3, outside 0..2 of num_classes=3 with ignore_index=None"),
        ({}, [0.0, 0.5, 1.0, 0.0], r"holds values that are not whole class numbers"),
    ],
)
def test_change_masks_outside_the_tasks_classes_are_refused(
    arguments: dict[str, Any], mask: list[float], message: str
) -> None:
    task = ChangeDetectionTask(model="fcn", in_channels=3, num_filters=4, **arguments)
    batch = {"image": torch.rand(1, 2, 3, 2, 2), "mask": torch.tensor(mask).reshape(1, 1, 2, 2)}
    with pytest.raises(ValueError, match=rf"ChangeDetectionTask: batch\['mask'\] {message}"):
        task.training_step(batch, 0)
