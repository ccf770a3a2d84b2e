"""SimCLRTask, MoCoTask and BYOLTask learn backbones from unlabelled chips of any band count."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch
from torch import Tensor, nn

from geotorch.trainers.ssl_byol import BYOLTask
from geotorch.trainers.ssl_common import default_augmentations
from geotorch.trainers.ssl_moco import MoCoTask
from geotorch.trainers.ssl_simclr import SimCLRTask, nt_xent_loss
from tests.trainers.task_fakes import SyntheticDataModule, fast_trainer

SMALL: dict[str, Any] = {"size": 32, "hidden_dim": 64, "output_dim": 16}

CASES: list[tuple[type[Any], dict[str, Any]]] = [
    (SimCLRTask, {"version": 1}),
    (SimCLRTask, {"version": 2}),
    (MoCoTask, {"version": 1, "memory_bank_size": 16}),
    (MoCoTask, {"version": 2, "memory_bank_size": 16}),
    (MoCoTask, {"version": 3}),
    (BYOLTask, {}),
]


def parameters_of(module: nn.Module) -> list[Tensor]:
    return [parameter.detach().clone() for parameter in module.parameters()]


def first_layer(backbone: nn.Module) -> Tensor:
    return backbone.get_submodule("conv1").get_parameter("weight")


def queue_of(task: MoCoTask) -> Tensor:
    assert task.queue is not None
    return task.queue


def distance(first: list[Tensor], second: list[Tensor]) -> float:
    return float(sum(((a - b) ** 2).sum() for a, b in zip(first, second, strict=True)))


@pytest.mark.parametrize("bands", [3, 13])
@pytest.mark.parametrize(("task_class", "arguments"), CASES,
                         ids=[f"{case[0].__name__}-{case[1]}" for case in CASES])
def test_every_ssl_task_fits_validates_and_predicts_features(tmp_path: Path, task_class: type[Any],
                                                             arguments: dict[str, Any], bands: int) -> None:
    task = task_class(in_channels=bands, **SMALL, **arguments)
    datamodule = SyntheticDataModule("class", batch_size=4, bands=bands)
    trainer = fast_trainer(tmp_path)
    trainer.fit(task, datamodule=datamodule)
    assert torch.isfinite(trainer.callback_metrics["train_loss"])
    assert torch.isfinite(trainer.callback_metrics["val_loss"])
    predictions = trainer.predict(task, datamodule=datamodule)
    assert predictions is not None
    assert predictions[0].shape == (4, 512) and torch.isfinite(predictions[0]).all()


def test_two_given_views_are_used_as_they_are() -> None:
    task = SimCLRTask(in_channels=4, **SMALL)
    views = torch.rand(3, 2, 4, 20, 20)
    first, second = task.views({"image": views})
    assert torch.equal(first, views[:, 0]) and torch.equal(second, views[:, 1])


def test_default_augmentations_keep_any_band_count_and_crop_to_size() -> None:
    image = torch.rand(4, 13, 48, 48) * 1000
    augmented = default_augmentations(32)({"image": image})["image"]
    assert augmented.shape == (4, 13, 32, 32) and torch.isfinite(augmented).all()


def test_nt_xent_is_low_for_matching_views_and_high_for_unrelated_ones() -> None:
    projections = torch.randn(8, 16)
    assert nt_xent_loss(projections, projections, 0.1) < nt_xent_loss(projections, torch.randn(8, 16), 0.1)


def test_simclr_loss_decreases_on_a_fixed_batch_and_trains_the_backbone() -> None:
    torch.manual_seed(0)
    task = SimCLRTask(in_channels=5, **SMALL)
    images = torch.rand(8, 5, 32, 32)
    # Fixed views: a flipped copy, so the loss can only fall by learning, not by luckier augmentations.
    batch = {"image": torch.stack([images, images.flip(-1)], dim=1)}
    optimizer = torch.optim.AdamW(task.parameters(), lr=1e-3)
    losses: list[float] = []
    for _ in range(20):
        optimizer.zero_grad()
        loss = task.pair_loss(*task.views(batch), training=True)
        loss.backward()
        if not losses:
            gradient = first_layer(task.model).grad
            assert gradient is not None and gradient.abs().sum() > 0
        optimizer.step()
        losses.append(loss.item())
    assert all(torch.isfinite(torch.tensor(losses)))
    assert losses[-1] < losses[0]


@pytest.mark.parametrize("task_class", [MoCoTask, BYOLTask])
def test_the_momentum_encoder_follows_the_online_one_but_not_the_optimiser(task_class: type[Any]) -> None:
    task = task_class(in_channels=3, **SMALL)
    optimised = {id(parameter) for group in task.configure_optimizers()["optimizer"].param_groups
                 for parameter in group["params"]}
    momentum = [*task.momentum_backbone.parameters(), *task.momentum_projection.parameters()]
    assert all(not parameter.requires_grad and id(parameter) not in optimised for parameter in momentum)

    with torch.no_grad():
        for parameter in [*task.model.parameters(), *task.projection.parameters()]:
            parameter.add_(torch.randn_like(parameter) * 0.1)
    online = parameters_of(task.model) + parameters_of(task.projection)
    before = parameters_of(task.momentum_backbone) + parameters_of(task.momentum_projection)
    loss = task.pair_loss(*task.views({"image": torch.rand(4, 3, 32, 32)}), training=True)
    loss.backward()
    after = parameters_of(task.momentum_backbone) + parameters_of(task.momentum_projection)
    assert distance(after, online) < distance(before, online)
    assert all(parameter.grad is None for parameter in momentum)


def test_the_momentum_encoder_moves_by_exactly_the_ema_rule() -> None:
    task = BYOLTask(in_channels=3, moco_momentum=0.9, **SMALL)
    with torch.no_grad():
        first_layer(task.model).add_(1.0)
    target_before = first_layer(task.momentum_backbone).detach().clone()
    online = first_layer(task.model).detach().clone()
    task.pair_loss(*task.views({"image": torch.rand(4, 3, 32, 32)}), training=True)
    torch.testing.assert_close(first_layer(task.momentum_backbone), 0.9 * target_before + 0.1 * online)


def test_validation_leaves_the_momentum_encoder_and_queue_alone() -> None:
    task = MoCoTask(in_channels=3, version=2, memory_bank_size=16, **SMALL)
    with torch.no_grad():
        first_layer(task.model).add_(1.0)
    before = parameters_of(task.momentum_backbone)
    queue = queue_of(task).clone()
    task.eval()
    task.pair_loss(*task.views({"image": torch.rand(4, 3, 32, 32)}), training=False)
    assert distance(parameters_of(task.momentum_backbone), before) == 0
    assert torch.equal(queue_of(task), queue)


def test_moco_v2_queue_keeps_its_size_and_enqueues_both_views_keys_wrapping_around() -> None:
    task = MoCoTask(in_channels=3, version=2, memory_bank_size=12, **SMALL)
    assert queue_of(task).shape == (12, 16)
    batch = {"image": torch.rand(4, 3, 32, 32)}
    task.pair_loss(*task.views(batch), training=True)
    assert int(task.queue_pointer) == 8
    assert torch.allclose(queue_of(task)[:8].norm(dim=1), torch.ones(8))
    filled = queue_of(task)[:8].clone()
    task.pair_loss(*task.views(batch), training=True)
    assert queue_of(task).shape == (12, 16) and int(task.queue_pointer) == 4
    # The second batch's 8 keys went into slots 8-11 and then 0-3, overwriting the oldest.
    assert torch.equal(queue_of(task)[4:8], filled[4:8])
    assert not torch.equal(queue_of(task)[:4], filled[:4])


def test_moco_versions_set_their_defaults() -> None:
    v1, v3 = MoCoTask(version=1), MoCoTask(version=3)
    assert (v1.hparams["layers"], v1.hparams["temperature"], v1.hparams["memory_bank_size"]) == (1, 0.07, 65536)
    assert (v3.hparams["layers"], v3.hparams["memory_bank_size"], v3.queue) == (3, 0, None)
    assert v3.predictor is not None and v1.predictor is None


@pytest.mark.parametrize(("task_class", "arguments", "message"), [
    (SimCLRTask, {"version": 3}, "version=3 must be 1 or 2"),
    (MoCoTask, {"version": 4}, "version=4 must be 1, 2 or 3"),
    (MoCoTask, {"version": 3, "memory_bank_size": 64}, "version 3 takes its negatives from the batch"),
])
def test_bad_versions_are_refused(task_class: type[Any], arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        task_class(**arguments)


@pytest.mark.parametrize("task_class", [SimCLRTask, MoCoTask, BYOLTask])
def test_an_image_of_other_bands_than_in_channels_is_refused_naming_both(task_class: type[Any]) -> None:
    task = task_class(in_channels=13, **SMALL)
    with pytest.raises(ValueError, match="in_channels=13 but got an image of 3 bands"):
        task.training_step({"image": torch.rand(4, 3, 32, 32)}, 0)


def test_a_datamodule_of_other_bands_than_in_channels_is_refused_before_training(tmp_path: Path) -> None:
    datamodule = SyntheticDataModule("class", batch_size=4, bands=13)
    datamodule.num_channels = 13
    with pytest.raises(ValueError, match="13 bands but SimCLRTask has in_channels=3"):
        fast_trainer(tmp_path).fit(SimCLRTask(in_channels=3, **SMALL), datamodule=datamodule)


def test_a_task_checkpoint_is_taken_as_weights(tmp_path: Path) -> None:
    trained = SimCLRTask(in_channels=5, **SMALL)
    checkpoint = tmp_path / "simclr.pth"
    torch.save(trained.state_dict(), checkpoint)
    task = MoCoTask(in_channels=5, weights=str(checkpoint), **SMALL)
    torch.testing.assert_close(first_layer(task.model), first_layer(trained.model))
    torch.testing.assert_close(first_layer(task.momentum_backbone), first_layer(trained.model))


def test_forward_returns_backbone_features_of_any_timm_model() -> None:
    task = BYOLTask(model="mobilenetv3_small_050", in_channels=7, **SMALL)
    assert task(torch.rand(2, 7, 32, 32)).shape == (2, 1024)
