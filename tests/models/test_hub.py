"""Downloading into the cache, hash verification, and loading that never runs code."""

from __future__ import annotations

import dataclasses
import pickle
import shutil
import signal
from pathlib import Path
from typing import Any

import pytest
import torch
from torch import nn

from geotorch.core import ChecksumError
from geotorch.core.partial import abandoned, is_partial
from geotorch.models import UnsafeCheckpointError, download_weights, load_checkpoint


class Payload:
    """An object whose unpickling would call code; weights_only loading must refuse it."""

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (print, ("this ran",))


def test_weights_download_once_into_the_cache_and_are_verified(publish, http_server, torch_home) -> None:
    weights = publish(nn.Conv2d(13, 4, 3), "resnet18")
    first = download_weights(weights, progress=False)
    second = download_weights(weights, progress=False)
    assert first == second == torch_home / "hub" / "checkpoints" / weights.filename
    assert http_server.hits(weights.filename) == 1
    assert sorted(path.name for path in first.parent.iterdir()) == [weights.filename], "no partial files left"
    assert set(weights.get_state_dict(progress=False)) == {"weight", "bias"}


def test_full_sha256_is_checked_too(publish) -> None:
    weights = publish(nn.Conv2d(13, 4, 3), "resnet18", full_hash=True)
    assert download_weights(weights, progress=False).is_file()
    wrong = dataclasses.replace(weights, sha256="0" * 64)
    Path(download_weights(weights, progress=False)).unlink()
    with pytest.raises(ChecksumError, match="sha256 checksum mismatch"):
        download_weights(wrong, progress=False)


def test_a_tampered_file_is_refused_and_removed(publish, http_server, torch_home) -> None:
    weights = publish(nn.Conv2d(13, 4, 3), "resnet18")
    served = http_server.root / weights.filename
    served.write_bytes(served.read_bytes() + b"tampered")
    with pytest.raises(ChecksumError, match=weights.filename) as caught:
        download_weights(weights, progress=False)
    assert weights.hash_prefix in str(caught.value)
    assert not list((torch_home / "hub" / "checkpoints").iterdir()), "the bad file must not stay in the cache"


def test_a_cached_file_corrupted_later_is_replaced_by_a_verified_download(publish, http_server) -> None:
    weights = publish(nn.Conv2d(13, 4, 3), "resnet18")
    cached = download_weights(weights, progress=False)
    cached.write_bytes(b"corrupted on disk")
    with pytest.warns(UserWarning, match="is not the published file"):
        assert download_weights(weights, progress=False) == cached
    assert http_server.hits(weights.filename) == 2
    assert set(load_checkpoint(cached)) == {"weight", "bias"}


def test_a_file_without_any_checksum_is_refused(publish) -> None:
    weights = publish(nn.Conv2d(13, 4, 3), "resnet18")
    unverifiable = dataclasses.replace(weights, url=weights.url.replace(f"-{weights.hash_prefix}", ""))
    with pytest.raises(ValueError, match="refusing an unverifiable file"):
        download_weights(unverifiable, progress=False)


def test_a_checkpoint_that_would_run_code_is_refused(tmp_path, capsys) -> None:
    path = tmp_path / "evil.pth"
    torch.save({"weight": torch.zeros(1), "extra": Payload()}, path)
    with pytest.raises(UnsafeCheckpointError, match="could run code"):
        load_checkpoint(path)
    assert "this ran" not in capsys.readouterr().out


def test_a_file_holding_no_state_dict_is_refused(tmp_path) -> None:
    path = tmp_path / "notes.pth"
    torch.save(["not", "tensors"], path)
    with pytest.raises(ValueError, match="holds no state dict"):
        load_checkpoint(path)


def test_a_file_that_is_no_checkpoint_at_all_is_refused(tmp_path) -> None:
    path = tmp_path / "truncated.pth"
    path.write_bytes(b"PK\x03\x04 truncated zip")
    with pytest.raises(ValueError, match="not a readable PyTorch checkpoint"):
        load_checkpoint(path)


def test_a_wrapped_state_dict_is_unwrapped(tmp_path) -> None:
    path = tmp_path / "wrapped.pth"
    torch.save({"state_dict": {"weight": torch.ones(2)}, "epoch": 3}, path)
    assert set(load_checkpoint(path)) == {"weight"}


DOWNLOAD = """
import pickle, sys
from geotorch.models import download_weights
with open(sys.argv[1], "rb") as stream:
    weights = pickle.load(stream)
download_weights(weights, sys.argv[2], progress=False)
"""


def start_download(child: Any, weights: Any, folder: Path, tmp_path: Path) -> None:
    """Run ``download_weights(weights, folder)`` in ``child`` until it has written the first MiB."""
    pickled = tmp_path / "weights.pickle"
    pickled.write_bytes(pickle.dumps(weights))
    child.start(DOWNLOAD, str(pickled), str(folder))
    # Waiting for bytes, not just the file, makes sure the child holds the lock of its partial file.
    child.wait_until(
        lambda: folder.is_dir() and any(path.stat().st_size >= 1 << 20 for path in folder.iterdir()),
        "the child writes its first MiB",
    )


def big_layer() -> nn.Module:
    """About 2.4 MB of parameters: more than the 1 MiB the server sends before it stalls."""
    return nn.Linear(1000, 600)


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_a_killed_weights_download_leaves_only_a_partial_file_that_the_next_download_removes(
    publish, http_server, child, tmp_path, signum
) -> None:
    weights = publish(big_layer(), "resnet18")
    folder = tmp_path / "cache"
    http_server.stall(weights.filename, 1_500_000)
    start_download(child, weights, folder, tmp_path)

    child.kill(signum)

    assert [path.name for path in folder.iterdir() if not is_partial(path.name)] == []
    assert abandoned(folder, "part") == [weights.filename]
    http_server.restore(weights.filename)

    path = download_weights(weights, folder, progress=False)

    assert list(folder.iterdir()) == [path]
    assert set(load_checkpoint(path)) == {"weight", "bias"}


def test_a_weights_download_still_running_elsewhere_keeps_its_partial_file(
    publish, http_server, child, tmp_path
) -> None:
    weights = publish(big_layer(), "resnet18")
    # The same file under another URL, which stalls: the child's download of it stays in progress.
    (http_server.root / "slow").mkdir()
    shutil.copy(http_server.root / weights.filename, http_server.root / "slow" / weights.filename)
    slow = dataclasses.replace(weights, url=http_server.url(f"slow/{weights.filename}"))
    http_server.stall(f"slow/{weights.filename}", 1_500_000)
    folder = tmp_path / "cache"
    start_download(child, slow, folder, tmp_path)
    running = sorted(folder.iterdir())

    path = download_weights(weights, folder, progress=False)

    assert set(load_checkpoint(path)) == {"weight", "bias"}
    assert sorted(folder.iterdir()) == sorted([*running, path])
    assert abandoned(folder, "part") == []
    child.kill(signal.SIGKILL)
    assert abandoned(folder, "part") == [weights.filename]
