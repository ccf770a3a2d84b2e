"""Fixtures of the models tests: an isolated weights cache and small real checkpoints served over HTTP."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
import torch
from torch import nn

from geotorch.models import Weights
from geotorch.models.weights_catalog.bands import SENTINEL2_ALL, SSL4EO_S12_TOA_UINT8

Publish = Callable[..., Weights]


@pytest.fixture(autouse=True)
def geotorch_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets an empty GEOTORCH_HOME, so none reads or writes the user's cache."""
    home = tmp_path / "geotorch-home"
    monkeypatch.setenv("GEOTORCH_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def torch_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets an empty TORCH_HOME, so torch.hub's checkpoint folder is ``torch_home / "hub/checkpoints"``."""
    home = tmp_path / "torch-home"
    monkeypatch.setenv("TORCH_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def hf_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets an empty HF_HOME (its Hugging Face cache is ``hf_home / "hub"``), online, with the real Hub."""
    home = tmp_path / "hf-home"
    monkeypatch.setenv("HF_HOME", str(home))
    for name in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture
def publish(http_server, tmp_path: Path) -> Publish:
    """Save a model's state dict as a torchvision-style ``name-<sha256[:8]>.pth`` on the local server.

    Returns a function ``publish(model, arch, tag, bands=SENTINEL2_ALL, full_hash=False) -> Weights``; no
    bands makes spectrum-agnostic weights (``in_chans=None``).
    """

    def _publish(
        model: nn.Module,
        arch: str,
        tag: str = "test",
        bands: Sequence[str] = SENTINEL2_ALL,
        full_hash: bool = False,
    ) -> Weights:
        staging = tmp_path / f"{arch}-{tag}.pth"
        torch.save(model.state_dict(), staging)
        digest = hashlib.sha256(staging.read_bytes()).hexdigest()
        filename = f"{arch}_{tag}-{digest[:8]}.pth"
        staging.rename(http_server.root / filename)
        return Weights(
            arch=arch,
            tag=tag,
            url=http_server.url(filename),
            in_chans=len(bands) or None,
            bands=tuple(bands),
            sensor="sentinel2",
            dataset="test",
            license="CC0-1.0",
            publication="https://example.org/paper",
            repo="https://example.org/repo",
            preprocessing=SSL4EO_S12_TOA_UINT8,
            sha256=digest if full_hash else None,
        )

    return _publish
