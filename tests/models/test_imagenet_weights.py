"""ImageNet weights (``weights=True``): read from the Hugging Face cache, downloaded by timm, one line offline."""

from __future__ import annotations

import hashlib
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
    """An empty Hugging Face cache, offline, read at import and set now: no test reads the user's cache or reaches
    the network."""
    cache = tmp_path / "hf-hub"
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    return cache


@pytest.fixture
def hf_set_now(hf_cache: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``hf_cache`` in the environment too, as set before import."""
    monkeypatch.setenv("HF_HUB_CACHE", str(hf_cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return hf_cache


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


def test_imagenet_weights_in_the_hugging_face_cache_are_loaded_without_the_network(hf_set_now: Path) -> None:
    torch.manual_seed(5)
    published = resnet18(num_classes=1000)
    cache_file(hf_set_now, RESNET18_REPO, "model.safetensors", published.state_dict())
    loaded = get_model("resnet18", weights=True, num_classes=0)
    assert torch.equal(loaded.conv1.weight, published.conv1.weight)
    assert torch.equal(loaded.layer4[1].bn2.running_var, published.layer4[1].bn2.running_var)


def test_missing_imagenet_weights_offline_say_in_one_line_how_to_get_them(hf_set_now: Path) -> None:
    with pytest.raises(ValueError, match="HF_HUB_OFFLINE") as raised:
        get_model("resnet18", weights="imagenet", num_classes=0)
    message = str(raised.value)
    assert "\n" not in message
    assert f"no ImageNet weights of 'resnet18' ({RESNET18_REPO}) in the Hugging Face cache {hf_set_now}" in message
    assert "HF_HUB_OFFLINE is set" in message
    assert "timm.create_model('resnet18', pretrained=True)\"` once online" in message


def test_hugging_face_settings_made_after_import_are_followed(hf_cache: Path, hf_home: Path) -> None:
    # huggingface_hub read an empty, offline cache at import; HF_HOME was set since (the autouse fixture).
    torch.manual_seed(7)
    published = resnet18(num_classes=1000)
    cache_file(hf_home / "hub", RESNET18_REPO, "model.safetensors", published.state_dict())
    loaded = get_model("resnet18", weights=True, num_classes=0)
    assert torch.equal(loaded.conv1.weight, published.conv1.weight)


def test_hf_hub_offline_set_after_import_is_followed(hf_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # nothing listens: a request would fail otherwise
    with pytest.raises(ValueError, match=rf"in the Hugging Face cache {hf_home / 'hub'}, and HF_HUB_OFFLINE is set"):
        get_model("resnet18", weights="imagenet", num_classes=0)


def test_missing_imagenet_weights_online_are_downloaded_into_the_hugging_face_cache(
    hf_home: Path, http_server, monkeypatch: pytest.MonkeyPatch
) -> None:
    torch.manual_seed(6)
    published = resnet18(num_classes=1000)
    served = http_server.root / RESNET18_REPO / "resolve" / "main" / "model.safetensors"
    served.parent.mkdir(parents=True)
    save_file({key: value.contiguous() for key, value in published.state_dict().items()}, str(served))
    http_server.frame(
        f"{RESNET18_REPO}/resolve/main/model.safetensors", "length",
        headers={"X-Repo-Commit": "1" * 40, "ETag": f'"{hashlib.sha256(served.read_bytes()).hexdigest()}"'},
    )
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setenv("HF_ENDPOINT", http_server.base_url.rstrip("/"))  # set after import, as a user may

    loaded = get_model("resnet18", weights=True, num_classes=0)
    assert torch.equal(loaded.conv1.weight, published.conv1.weight)
    assert http_server.hits(f"{RESNET18_REPO}/resolve/main/model.safetensors") >= 1
    again = get_model("resnet18", weights=True, num_classes=0)  # from the cache now
    assert torch.equal(again.layer4[1].bn2.running_var, published.layer4[1].bn2.running_var)
