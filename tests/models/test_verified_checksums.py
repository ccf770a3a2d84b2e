"""A cached checkpoint is hashed once per version of its file, not at every load; a changed file is hashed again."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import torch
from torch import nn

from geotorch.models import download_weights

#: A load in a fresh process, printing how many files it hashed (hashlib.file_digest calls).
LOAD_AND_COUNT = """
import hashlib, pickle, sys
calls = []
real = hashlib.file_digest
hashlib.file_digest = lambda *args, **kwargs: calls.append(1) or real(*args, **kwargs)
with open(sys.argv[1], "rb") as stream:
    weights = pickle.load(stream)
assert set(weights.get_state_dict(progress=False)) == {"weight", "bias"}
print(len(calls))
"""


@pytest.fixture
def hashes(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The files hashed in this process: hashlib.file_digest, counted and still run."""
    calls: list[Any] = []
    real = hashlib.file_digest

    def counted(stream: Any, digest: Any) -> Any:
        calls.append(stream.name)
        return real(stream, digest)

    monkeypatch.setattr(hashlib, "file_digest", counted)
    return calls


def test_a_cached_checkpoint_is_hashed_once_and_again_only_when_its_file_changes(publish, http_server, hashes) -> None:
    weights = publish(nn.Conv2d(13, 4, 3), "resnet18")
    cached = download_weights(weights, progress=False)
    hashes.clear()

    weights.get_state_dict(progress=False)
    assert hashes == [str(cached)], "the first load verifies the file"
    weights.get_state_dict(progress=False)
    assert len(hashes) == 1, "the second load reads the checksum verified before"

    cached.write_bytes(cached.read_bytes())  # the same bytes written again: another version of the file
    weights.get_state_dict(progress=False)
    assert len(hashes) == 2, "a file written since is hashed again"

    replaced = cached.with_name("replacement")
    torch.save(nn.Conv2d(13, 4, 3).state_dict(), replaced)
    stat = cached.stat()
    os.replace(replaced, cached)
    os.utime(cached, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    with pytest.warns(UserWarning, match="is not the published file"):
        weights.get_state_dict(progress=False)  # replaced and touched back: hashed, refused, downloaded again
    assert cached.read_bytes() == (http_server.root / weights.filename).read_bytes()


def test_the_verified_checksum_is_kept_for_other_processes(publish, tmp_path: Path) -> None:
    import pickle

    weights = publish(nn.Conv2d(13, 4, 3), "resnet18")
    download_weights(weights, progress=False)
    pickled = tmp_path / "weights.pickle"
    pickled.write_bytes(pickle.dumps(weights))
    counts = [
        subprocess.run([sys.executable, "-c", LOAD_AND_COUNT, str(pickled)], check=True, capture_output=True,
                       text=True, env=os.environ.copy()).stdout.split()[-1]
        for _ in range(2)
    ]
    assert counts == ["1", "0"]


def test_a_checkpoint_kept_in_model_dir_is_hashed_once_too(publish, hashes, tmp_path: Path) -> None:
    weights = publish(nn.Conv2d(13, 4, 3), "resnet18")
    folder = tmp_path / "my-weights"
    weights.get_state_dict(progress=False, model_dir=folder)  # downloaded, verified as it arrives
    hashes.clear()
    for _ in range(3):
        assert set(weights.get_state_dict(progress=False, model_dir=folder)) == {"weight", "bias"}
    assert hashes == [str(folder / weights.filename)], "verified once, then from its record"
