"""The caches users already have: torch.hub's checkpoint folder, and the Hugging Face cache for hf.co files."""

from __future__ import annotations

import dataclasses
import hashlib
import socket
from pathlib import Path

import pytest
import torch
from huggingface_hub import try_to_load_from_cache
from torch import nn

from geotorch.core import ChecksumError, DownloadError
from geotorch.models import Weights, download_weights
from geotorch.models.hub import torch_hub_filename

#: The commit of the fake Hugging Face repository (hf.co URLs of registered weights pin one).
REVISION = "0123456789abcdef0123456789abcdef01234567"
REPO = "someone/tiny-weights"


def checkpoints(torch_home: Path) -> Path:
    """torch.hub's checkpoint folder under ``TORCH_HOME``."""
    return torch_home / "hub" / "checkpoints"


def on_the_hub(weights: Weights, http_server, monkeypatch: pytest.MonkeyPatch, body: bytes | None = None) -> Weights:
    """Serve ``weights``' file as the Hub would (``HF_ENDPOINT`` is the local server); return it with an hf.co URL.

    Args:
        weights: weights published on the local server (the ``publish`` fixture).
        http_server: that server.
        monkeypatch: to set ``HF_ENDPOINT``.
        body: other bytes to serve under the same name (a damaged upload); the file's own when None.
    """
    name = weights.filename
    path = f"{REPO}/resolve/{REVISION}/{name}"
    served = http_server.root / path
    served.parent.mkdir(parents=True)
    (http_server.root / name).rename(served)
    if body is not None:
        served.write_bytes(body)
    digest = hashlib.sha256(served.read_bytes()).hexdigest()
    http_server.frame(path, "length", headers={"X-Repo-Commit": REVISION, "ETag": f'"{digest}"'})
    monkeypatch.setenv("HF_ENDPOINT", http_server.base_url.rstrip("/"))
    return dataclasses.replace(weights, url=f"https://hf.co/{path}")


def test_a_file_in_torch_hubs_folder_is_used_without_any_request(publish, http_server, torch_home) -> None:
    weights = publish(nn.Conv2d(13, 4, 3), "resnet18")
    folder = checkpoints(torch_home)
    folder.mkdir(parents=True)
    (folder / torch_hub_filename(weights.url)).write_bytes((http_server.root / weights.filename).read_bytes())

    assert set(weights.get_state_dict(progress=False, check_hash=True)) == {"weight", "bias"}
    assert http_server.hits(weights.filename) == 0


def test_a_file_torch_hub_downloaded_is_found_and_not_downloaded_again(publish, http_server, torch_home) -> None:
    weights = publish(nn.Conv2d(13, 4, 3), "resnet18")
    torch.hub.load_state_dict_from_url(weights.url, progress=False, check_hash=True, weights_only=True)
    assert http_server.hits(weights.filename) == 1

    assert download_weights(weights, progress=False) == checkpoints(torch_home) / weights.filename
    assert http_server.hits(weights.filename) == 1


def test_a_download_lands_whole_in_torch_hubs_folder_under_torch_hubs_name(publish, http_server, torch_home) -> None:
    weights = publish(nn.Conv2d(13, 4, 3), "resnet18")
    path = download_weights(weights, progress=False)
    assert path == checkpoints(torch_home) / torch_hub_filename(weights.url)
    assert [entry.name for entry in path.parent.iterdir()] == [path.name], "no partial file left"
    torch.hub.load_state_dict_from_url(weights.url, progress=False, check_hash=True, weights_only=True)
    assert http_server.hits(weights.filename) == 1, "torch.hub finds GeoTorch's download too"


def test_without_network_the_error_says_in_one_line_where_to_put_the_file(publish, torch_home) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    weights = publish(nn.Conv2d(13, 4, 3), "resnet18")
    unreachable = dataclasses.replace(weights, url=f"http://127.0.0.1:{port}/{weights.filename}")
    with pytest.raises(DownloadError) as raised:
        unreachable.get_state_dict(progress=False)
    message = str(raised.value)
    assert f"put the file at {checkpoints(torch_home) / weights.filename}" in message and "\n" not in message


def test_check_hash_false_takes_a_cached_file_as_it_is_and_true_replaces_it(publish, http_server, torch_home) -> None:
    weights = publish(nn.Conv2d(13, 4, 3), "resnet18")
    folder = checkpoints(torch_home)
    folder.mkdir(parents=True)
    torch.save({"other": torch.ones(1)}, folder / weights.filename)

    assert set(weights.get_state_dict(progress=False, check_hash=False)) == {"other"}
    assert http_server.hits(weights.filename) == 0
    with pytest.warns(UserWarning, match="is not the published file"):
        assert set(weights.get_state_dict(progress=False, check_hash=True)) == {"weight", "bias"}
    assert http_server.hits(weights.filename) == 1


def test_a_file_of_earlier_geotorch_versions_is_still_found(publish, http_server, geotorch_home) -> None:
    weights = publish(nn.Conv2d(13, 4, 3), "resnet18")
    (geotorch_home / "weights").mkdir(parents=True)
    (geotorch_home / "weights" / weights.filename).write_bytes((http_server.root / weights.filename).read_bytes())
    assert set(weights.get_state_dict(progress=False)) == {"weight", "bias"}
    assert http_server.hits(weights.filename) == 0


def test_an_hf_co_file_is_downloaded_once_into_the_hugging_face_cache(
    publish, http_server, monkeypatch, hf_home, torch_home
) -> None:
    weights = on_the_hub(publish(nn.Conv2d(13, 4, 3), "resnet18"), http_server, monkeypatch)
    path = download_weights(weights, progress=False)

    cached = try_to_load_from_cache(REPO, weights.filename, cache_dir=hf_home / "hub", revision=REVISION)
    assert path == Path(str(cached)) and path.is_relative_to(hf_home / "hub")
    requests = sum(http_server.requests.values())
    assert set(weights.get_state_dict(progress=False)) == {"weight", "bias"}
    assert sum(http_server.requests.values()) == requests, "the second load makes no request"
    assert not checkpoints(torch_home).exists()


def test_an_hf_co_file_torchgeo_put_in_torch_hubs_folder_is_used_without_any_request(
    publish, http_server, monkeypatch, torch_home, hf_home
) -> None:
    weights = on_the_hub(publish(nn.Conv2d(13, 4, 3), "resnet18"), http_server, monkeypatch)
    folder = checkpoints(torch_home)
    folder.mkdir(parents=True)
    served = http_server.root / REPO / "resolve" / REVISION / weights.filename
    (folder / torch_hub_filename(weights.url)).write_bytes(served.read_bytes())

    assert set(weights.get_state_dict(progress=False)) == {"weight", "bias"}
    assert sum(http_server.requests.values()) == 0
    assert not (hf_home / "hub").exists()


def test_an_hf_co_file_placed_where_hf_hub_download_puts_it_is_used_without_any_request(
    publish, http_server, monkeypatch, hf_home
) -> None:
    weights = on_the_hub(publish(nn.Conv2d(13, 4, 3), "resnet18"), http_server, monkeypatch)
    snapshot = hf_home / "hub" / f"models--{REPO.replace('/', '--')}" / "snapshots" / REVISION / weights.filename
    snapshot.parent.mkdir(parents=True)
    snapshot.write_bytes((http_server.root / REPO / "resolve" / REVISION / weights.filename).read_bytes())

    assert download_weights(weights, progress=False) == snapshot
    assert sum(http_server.requests.values()) == 0


def test_hf_hub_offline_without_a_cached_file_says_in_one_line_where_to_put_it(
    publish, http_server, monkeypatch, torch_home
) -> None:
    weights = on_the_hub(publish(nn.Conv2d(13, 4, 3), "resnet18"), http_server, monkeypatch)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(DownloadError, match="HF_HUB_OFFLINE") as raised:
        weights.get_state_dict(progress=False)
    message = str(raised.value)
    assert f"put it at {checkpoints(torch_home) / weights.filename}" in message and "\n" not in message
    assert sum(http_server.requests.values()) == 0


def test_an_hf_co_download_that_does_not_match_its_name_is_refused_and_not_kept(
    publish, http_server, monkeypatch, hf_home
) -> None:
    published = publish(nn.Conv2d(13, 4, 3), "resnet18")
    weights = on_the_hub(published, http_server, monkeypatch, body=b"not the published checkpoint")
    with pytest.raises(ChecksumError, match=weights.hash_prefix):
        weights.get_state_dict(progress=False)
    repo = hf_home / "hub" / f"models--{REPO.replace('/', '--')}"
    assert [path for path in repo.rglob("*") if path.is_file() and "blobs" in path.parts] == []
    assert try_to_load_from_cache(REPO, weights.filename, cache_dir=hf_home / "hub", revision=REVISION) is None


def test_a_truncated_file_in_the_hugging_face_cache_is_downloaded_again(
    publish, http_server, monkeypatch, hf_home
) -> None:
    weights = on_the_hub(publish(nn.Conv2d(13, 4, 3), "resnet18"), http_server, monkeypatch)
    path = download_weights(weights, progress=False)
    blob = path.resolve()
    blob.write_bytes(blob.read_bytes()[:100])  # a copy cut short (a full disk, a killed copy between machines)

    with pytest.warns(UserWarning, match="is not the published file"):
        assert set(weights.get_state_dict(progress=False)) == {"weight", "bias"}
    served = http_server.root / REPO / "resolve" / REVISION / weights.filename
    assert path.read_bytes() == served.read_bytes()
    assert set(weights.get_state_dict(progress=False)) == {"weight", "bias"}
