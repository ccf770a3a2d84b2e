"""Specification of geotorch.core.partial: unfinished downloads and extractions, swept once abandoned."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from geotorch.core.files import find_files
from geotorch.core.partial import (
    abandoned,
    is_partial,
    partial_file,
    partial_stem,
    shortened,
    staging_folder,
    sweep,
)


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


@pytest.mark.parametrize("name", ["a" * 255, "é" * 127 + "a", "日本" * 42 + "abc", "a" * 238])
def test_entries_of_names_up_to_255_bytes_stay_within_255_bytes_and_are_found_and_swept(
    tmp_path: Path, name: str
) -> None:
    (tmp_path / f".{partial_stem(name)}.part-0123abcd").write_bytes(b"left by a killed download")
    (tmp_path / f".{partial_stem(name)}.extract-0123abcd").mkdir()

    with partial_file(tmp_path / name) as (running, _), staging_folder(tmp_path, name) as staging:
        for entry in (running, staging):
            assert len(os.fsencode(entry.name)) <= 255
            assert is_partial(entry.name)
        assert abandoned(tmp_path, "part") == abandoned(tmp_path, "extract") == [partial_stem(name)]
        sweep(tmp_path, "part", name)
        sweep(tmp_path, "extract", name)
        assert sorted(tmp_path.iterdir()) == sorted([running, staging])


def test_shortened_names_fit_their_limit_and_keep_distinct_names_apart() -> None:
    names = ["a" * 300, "a" * 299 + "b", "A" * 300, "é" * 150]
    short = [shortened(name, 100) for name in names]

    assert all(len(os.fsencode(name)) <= 100 for name in short)
    assert len(set(short)) == len(names)
    assert short == [shortened(name, 100) for name in names]  # the same name always gives the same form
    assert short[3].encode().decode() == short[3]  # cut between characters, never inside one
    assert shortened("a.zip", 100) == "a.zip" == partial_stem("a.zip")
