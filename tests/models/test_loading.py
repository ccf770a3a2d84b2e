"""One loader for every form of weights=: files under any prefix, ImageNet spellings, strict or warning, bands."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from geotorch.core import WeightsMismatchError, get_model
from geotorch.models import BandAdaptationWarning, SkippedWeightsWarning, resolve_weights
from geotorch.models.backbones import resnet18
from geotorch.models.sources import CheckpointFile, ImageNetWeights


def _saved(tmp_path: Path, state: dict[str, torch.Tensor] | dict[str, object], name: str = "weights.pth") -> Path:
    path = tmp_path / name
    torch.save(state, path)
    return path


@pytest.fixture
def trained() -> torch.nn.Module:
    torch.manual_seed(3)
    return resnet18(in_chans=4, num_classes=0)


def test_a_wrong_shaped_key_is_an_error_naming_it_unless_strict_is_false(tmp_path: Path, trained) -> None:
    state = trained.state_dict()
    state["layer1.0.conv1.weight"] = torch.zeros(64, 64, 1, 1)
    path = _saved(tmp_path, state)
    with pytest.raises(WeightsMismatchError, match=r"shapes differ for \['layer1\.0\.conv1\.weight \(64, 64, 1, 1\)"):
        get_model("resnet18", weights=str(path), in_chans=4, num_classes=0)
    with pytest.warns(SkippedWeightsWarning, match=r"left out: shapes differ for \['layer1\.0\.conv1\.weight"):
        loaded = get_model("resnet18", weights=str(path), in_chans=4, num_classes=0, strict=False)
    assert torch.equal(loaded.layer1[0].conv2.weight, trained.layer1[0].conv2.weight)
    assert not torch.equal(loaded.layer1[0].conv1.weight, trained.layer1[0].conv1.weight)


def test_unexpected_and_missing_keys_are_named_strictly_or_in_the_warning(tmp_path: Path, trained) -> None:
    state = trained.state_dict()
    state["extra.weight"] = torch.zeros(3)
    del state["layer4.1.bn2.bias"]
    path = _saved(tmp_path, state)
    named = r"missing \['layer4\.1\.bn2\.bias'\]; unexpected \['extra\.weight'\]"
    with pytest.raises(WeightsMismatchError, match=named):
        resnet18(weights=path, in_chans=4, num_classes=0)
    with pytest.warns(SkippedWeightsWarning, match=named):
        loaded = resnet18(weights=path, in_chans=4, num_classes=0, strict=False)
    assert torch.equal(loaded.layer4[1].bn2.weight, trained.layer4[1].bn2.weight)


def test_weights_of_which_nothing_fits_are_refused_even_when_not_strict(tmp_path: Path) -> None:
    path = _saved(tmp_path, {"something.else": torch.zeros(2)})
    with pytest.raises(WeightsMismatchError, match="none of their parameters fits ResNet"):
        resnet18(weights=path, strict=False)


@pytest.mark.parametrize("prefix", ["model.", "model.encoder.model.", "backbone.", "encoder.", "module."])
def test_a_lightning_checkpoint_loads_under_the_prefix_that_holds_the_model(tmp_path: Path, trained,
                                                                             prefix: str) -> None:
    state = {f"{prefix}{name}": value for name, value in trained.state_dict().items()}
    state["projection.0.weight"] = torch.zeros(7, 7)
    path = _saved(tmp_path, {"state_dict": state, "epoch": 3, "hyper_parameters": {"lr": 0.1}}, "task.ckpt")
    loaded = resnet18(weights=str(path), in_chans=4, num_classes=0)
    for name, value in trained.state_dict().items():
        assert torch.equal(loaded.state_dict()[name], value), name


def test_a_checkpoint_file_for_other_bands_is_refused_unless_adapt_is_allowed(tmp_path: Path, trained) -> None:
    path = _saved(tmp_path, trained.state_dict())
    with pytest.raises(WeightsMismatchError, match="was trained on 4 bands, the model takes 6") as caught:
        resnet18(weights=path, in_chans=6, num_classes=0)
    assert (caught.value.weights_bands, caught.value.model_bands) == (4, 6)
    with pytest.warns(BandAdaptationWarning, match="from 4 to 6 bands by position"):
        adapted = resnet18(weights=path, in_chans=6, num_classes=0, adapt=True)
    torch.testing.assert_close(adapted.conv1.weight, trained.conv1.weight[:, [0, 1, 2, 3, 0, 1]] * 4 / 6)


@pytest.mark.parametrize("spelling", [True, "imagenet", "ImageNet1k", "True"])
def test_every_imagenet_spelling_is_imagenet_weights_of_the_architecture(spelling: object) -> None:
    resolved = resolve_weights(spelling, "resnet18")  # type: ignore[arg-type]
    assert resolved == ImageNetWeights("resnet18")


def test_imagenet_weights_offline_and_not_cached_are_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hf-hub"))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(ValueError, match=r"weights='imagenet': no ImageNet weights of 'resnet18'.*HF_HUB_OFFLINE"):
        get_model("resnet18", weights=True, num_classes=0)


def test_paths_and_file_names_are_checkpoint_files_and_none_is_no_weights(tmp_path: Path) -> None:
    assert resolve_weights(tmp_path / "a", "resnet18") == CheckpointFile(tmp_path / "a", "resnet18")
    assert resolve_weights("missing.ckpt") == CheckpointFile(Path("missing.ckpt"))
    assert resolve_weights(None) is None and resolve_weights(False) is None
    with pytest.raises(FileNotFoundError, match=r"weights='missing\.ckpt': no such checkpoint file"):
        resnet18(weights="missing.ckpt")
