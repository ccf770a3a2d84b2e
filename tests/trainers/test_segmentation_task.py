"""SemanticSegmentationTask and DemoDataModule: training steps, the seed's spelling, weights and bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from geotorch.datamodules import DemoDataModule
from geotorch.trainers import SemanticSegmentationTask
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
