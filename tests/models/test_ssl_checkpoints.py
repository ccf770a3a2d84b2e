"""A self-supervised checkpoint holding its encoder twice (online and momentum/EMA copies) loads the online one."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from torch import nn

from geotorch.models.backbones import resnet18


def _network(seed: int) -> nn.Module:
    torch.manual_seed(seed)
    return resnet18(in_chans=4, num_classes=0)


def _checkpoint(tmp_path: Path, parts: list[tuple[str, nn.Module]], wrapped: bool = True) -> Path:
    """A checkpoint holding each network of ``parts`` under its prefix, in that order, plus a projection head."""
    state = {f"{prefix}{name}": value for prefix, network in parts for name, value in network.state_dict().items()}
    state["projection.0.weight"] = torch.zeros(128, 512)
    path = tmp_path / "ssl.ckpt"
    torch.save({"state_dict": state, "epoch": 9, "hyper_parameters": {"model": "resnet18"}} if wrapped else state, path)
    return path


@pytest.mark.parametrize(
    ("online", "copy"),
    [
        ("model.", "momentum_backbone."),  # GeoTorch's MoCoTask and BYOLTask
        ("backbone.", "backbone_momentum."),  # TorchGeo's MoCoTask
        ("module.encoder_q.", "module.encoder_k."),  # MoCo's own checkpoints (SSL4EO-S12's), under DDP's module.
        ("model.backbone.", "model.target."),  # BYOL's target network
        ("model.", "model_ema."),  # an exponential moving average kept beside the model
    ],
)
@pytest.mark.parametrize("copy_first", [True, False], ids=["copy-first", "online-first"])
def test_the_online_encoder_is_loaded_whichever_comes_first(tmp_path: Path, online: str, copy: str,
                                                            copy_first: bool) -> None:
    trained, momentum = _network(1), _network(2)
    parts = [(copy, momentum), (online, trained)] if copy_first else [(online, trained), (copy, momentum)]
    loaded = resnet18(weights=str(_checkpoint(tmp_path, parts)), in_chans=4, num_classes=0)
    for name, value in trained.state_dict().items():
        assert torch.equal(loaded.state_dict()[name], value), name


def test_two_encoders_that_no_name_tells_apart_are_refused_naming_both(tmp_path: Path) -> None:
    path = _checkpoint(tmp_path, [("student.", _network(1)), ("teacher.", _network(2))], wrapped=False)
    with pytest.raises(ValueError, match=r"under 2 prefixes equally \('student\.', 'teacher\.'\)"):
        resnet18(weights=str(path), in_chans=4, num_classes=0)
