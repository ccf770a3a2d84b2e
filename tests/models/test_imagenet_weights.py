"""ImageNet weights (``weights=True``): read from the Hugging Face cache, downloaded by timm, one line offline."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from huggingface_hub import constants
from safetensors.torch import save_file

from geotorch.core import get_model
from geotorch.models.backbones import resnet18

#: The Hugging Face repository of timm's default ImageNet weights of resnet18.
RESNET18_REPO = "timm/resnet18.a1_in1k"


@pytest.fixture
def hf_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty Hugging Face cache, offline: no test reads the user's cache or reaches the network."""
    cache = tmp_path / "hf-hub"
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    return cache


def cache_file(cache: Path, repo: str, filename: str, state: dict[str, torch.Tensor]) -> Path:
    """Write ``state`` where huggingface_hub keeps ``repo``'s ``filename`` of its ``main`` revision."""
    folder = cache / f"models--{repo.replace('/', '--')}"
    revision = "0" * 40
    (folder / "refs").mkdir(parents=True)
    (folder / "refs" / "main").write_text(revision)
    path = folder / "snapshots" / revision / filename
    path.parent.mkdir(parents=True)
    save_file({key: value.contiguous() for key, value in state.items()}, str(path))
    return path


def test_imagenet_weights_in_the_hugging_face_cache_are_loaded_without_the_network(hf_cache: Path) -> None:
    torch.manual_seed(5)
    published = resnet18(num_classes=1000)
    cache_file(hf_cache, RESNET18_REPO, "model.safetensors", published.state_dict())
    loaded = get_model("resnet18", weights=True, num_classes=0)
    assert torch.equal(loaded.conv1.weight, published.conv1.weight)
    assert torch.equal(loaded.layer4[1].bn2.running_var, published.layer4[1].bn2.running_var)


def test_missing_imagenet_weights_offline_say_in_one_line_how_to_get_them(hf_cache: Path) -> None:
    with pytest.raises(ValueError, match="HF_HUB_OFFLINE") as raised:
        get_model("resnet18", weights="imagenet", num_classes=0)
    message = str(raised.value)
    assert "\n" not in message
    assert f"no ImageNet weights of 'resnet18' ({RESNET18_REPO}) in the Hugging Face cache {hf_cache}" in message
    assert "HF_HUB_OFFLINE is set" in message
    assert "timm.create_model('resnet18', pretrained=True)\"` once online" in message


def test_missing_imagenet_weights_online_are_downloaded_by_timms_pretrained_mechanism(
    hf_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import timm

    torch.manual_seed(6)
    downloaded = resnet18(num_classes=1000)
    asked: list[tuple[str, bool]] = []
    real_create_model = timm.create_model

    def create_model(name: str, pretrained: bool = False, **kwargs: object) -> torch.nn.Module:
        # Stands in for the download only: the network is never reached in tests.
        asked.append((name, pretrained))
        return downloaded if pretrained else real_create_model(name, **kwargs)

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(timm, "create_model", create_model)
    loaded = get_model("resnet18", weights=True, num_classes=0)
    assert ("resnet18", True) in asked
    assert torch.equal(loaded.conv1.weight, downloaded.conv1.weight)
