"""A cached checkpoint that cannot be read (cut short, overwritten) is named and replaced, whatever check_hash says."""

from __future__ import annotations

from pathlib import Path

import pytest
from torch import nn


def _cut(path: Path) -> None:
    """Cut a file to half its bytes, as a full disk or an interrupted copy between machines leaves it."""
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def test_an_unreadable_copy_taken_without_check_hash_is_replaced_by_a_verified_download(
    publish, http_server, torch_home: Path
) -> None:
    weights = publish(nn.Conv2d(13, 4, 3), "resnet18")
    cached = torch_home / "hub" / "checkpoints" / weights.filename
    weights.get_state_dict(progress=False)
    _cut(cached)

    with pytest.warns(UserWarning, match=rf"{cached}: not a readable PyTorch checkpoint .*downloading it again"):
        assert set(weights.get_state_dict(progress=False, check_hash=False)) == {"weight", "bias"}
    assert cached.read_bytes() == (http_server.root / weights.filename).read_bytes()
    assert http_server.hits(weights.filename) == 2


def test_an_unreadable_copy_in_model_dir_is_replaced_by_a_verified_download(publish, http_server,
                                                                            tmp_path: Path) -> None:
    weights = publish(nn.Conv2d(13, 4, 3), "resnet18")
    folder = tmp_path / "my-weights"
    weights.get_state_dict(progress=False, model_dir=folder)
    _cut(folder / weights.filename)

    assert set(weights.get_state_dict(progress=False, model_dir=folder, check_hash=False)) == {"weight", "bias"}
    assert (folder / weights.filename).read_bytes() == (http_server.root / weights.filename).read_bytes()
