"""A segmentation checkpoint given as weights= loads the encoder, and says so when it holds a trained decoder too."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
import torch

from geotorch.models.backbones import resnet18
from geotorch.models.segmentation import unet


def test_a_whole_trained_unet_given_as_weights_warns_that_only_its_encoder_is_loaded(tmp_path: Path) -> None:
    torch.manual_seed(10)
    trained = unet(encoder_name="tu-resnet18", in_chans=4, classes=3)
    path = tmp_path / "epoch=9-step=500.ckpt"
    torch.save({"state_dict": {f"model.{key}": value for key, value in trained.state_dict().items()},
                "epoch": 9, "hyper_parameters": {"model": "unet", "backbone": "resnet18"}}, path)

    # was silent: the decoder and head stayed random, and predictions with them meaningless
    with pytest.warns(UserWarning, match=r"also holds this Unet's decoder and head .*weights= loads the encoder "
                                         r"only.*load_from_checkpoint"):
        built = unet(weights=str(path), encoder_name="tu-resnet18", in_chans=4, classes=3)
    assert torch.equal(built.encoder.model.conv1.weight, trained.encoder.model.conv1.weight)


def test_an_encoder_checkpoint_loads_without_a_word(tmp_path: Path) -> None:
    torch.manual_seed(11)
    path = tmp_path / "resnet18.pth"
    torch.save(resnet18(in_chans=4, num_classes=0).state_dict(), path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        unet(weights=str(path), encoder_name="tu-resnet18", in_chans=4, classes=3)
