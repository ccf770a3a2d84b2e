"""Specification of geotorch.core.partial: unfinished downloads and extractions, swept once abandoned."""

from __future__ import annotations

from pathlib import Path

import pytest

from geotorch.core.files import find_files
from geotorch.core.partial import abandoned, is_partial, partial_file, staging_folder, sweep


@pytest.mark.parametrize(
    "name",
    [
        ".a.zip.part-0123abcd",
        ".a.zip.extract-89abcdef",
        ".a b.tar.gz.extract-k3_q9zx1",
        "..part-0123abcd.part-01234567",
    ],
)
def test_names_of_unfinished_downloads_and_extractions_are_partial(name: str) -> None:
    assert is_partial(name)


@pytest.mark.parametrize(
    "name",
    [
        "a.zip",
        "a.zip.part-0123abcd",
        ".a.zip.part-0123abc",
        ".a.zip.part-0123abcde",
        ".a.zip.tmp-0123abcd",
        ".part-0123abcd",
    ],
)
def test_other_names_are_not_partial(name: str) -> None:
    assert not is_partial(name)


def test_find_files_skips_partial_downloads_and_everything_in_staging_folders(tmp_path: Path) -> None:
    kept = [tmp_path / "a.tif", tmp_path / "sub/b.tif"]
    skipped = [
        tmp_path / ".a.tif.part-0123abcd",
        tmp_path / ".scene.zip.extract-0123abcd/c.tif",
        tmp_path / ".scene.zip.extract-0123abcd/deep/d.tif",
        tmp_path / "sub/.e.zip.extract-89abcdef/e.tif",
        tmp_path / "sub/.f.tif.part-89abcdef",
    ]
    for path in kept + skipped:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")

    assert find_files([tmp_path], "*.tif") == sorted(kept)
    assert find_files([tmp_path], "*") == sorted(kept)
    assert find_files([tmp_path], "**/*.tif*") == sorted(kept)


def test_only_abandoned_entries_are_swept(tmp_path: Path) -> None:
    target = tmp_path / "a.zip"
    (tmp_path / ".a.zip.part-0123abcd").write_bytes(b"left by a killed download")
    (tmp_path / ".a.zip.extract-0123abcd/data").mkdir(parents=True)
    (tmp_path / ".b.zip.part-0123abcd").write_bytes(b"another target's")

    with partial_file(target) as (running, _), staging_folder(tmp_path, "a.zip") as staging:
        assert abandoned(tmp_path, "part") == ["a.zip", "b.zip"]
        assert abandoned(tmp_path, "extract") == ["a.zip"]

        sweep(tmp_path, "part", "a.zip")
        sweep(tmp_path, "extract")

        assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
            [".b.zip.part-0123abcd", running.name, staging.name]
        )
        assert abandoned(tmp_path, "extract") == []

    assert not staging.exists()
    assert running.exists()  # the block did not rename it: the caller owns that step
    assert abandoned(tmp_path, "part") == ["a.zip", "b.zip"]


def write_half_then_interrupt(target: Path) -> None:
    with partial_file(target) as (_, stream):
        stream.write(b"half")
        raise KeyboardInterrupt


def test_a_partial_file_is_removed_when_its_block_raises(tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt):
        write_half_then_interrupt(tmp_path / "a.zip")

    assert list(tmp_path.iterdir()) == []


def test_abandoned_and_sweep_accept_a_missing_folder(tmp_path: Path) -> None:
    sweep(tmp_path / "missing", "part")

    assert abandoned(tmp_path / "missing", "extract") == []
