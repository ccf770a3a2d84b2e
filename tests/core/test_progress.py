"""Long steps say what they do: a bar on stderr for indexing many files and extracting archives, quiet otherwise."""

from __future__ import annotations

import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from geotorch.core import RasterDataset, extract_archive, progress
from tests.core.rasters import grid, random_bands, write_raster

FILES = 40


class Tiles(RasterDataset):
    filename_glob = "tile_*.tif"


def write_tiles(folder: Path, count: int = FILES) -> Path:
    """``count`` small single-band rasters side by side in UTM 33N."""
    for number in range(count):
        write_raster(folder / f"tile_{number:03d}.tif", random_bands((1, 4, 4), seed=number), 32633,
                     grid(500_000 + 120 * number, 5_000_000))
    return folder


def test_indexing_many_files_for_the_first_time_shows_a_bar(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_tiles(tmp_path / "tiles")
    monkeypatch.setenv(progress.PROGRESS_VARIABLE, "always")

    assert len(Tiles(paths=folder)) == FILES
    shown = capsys.readouterr()
    assert "indexing rasters" in shown.err and f"{FILES}/{FILES}" in shown.err
    assert shown.out == ""

    # Again: every header comes from the persisted index, nothing is read, nothing is shown.
    Tiles(paths=folder)
    assert "indexing" not in capsys.readouterr().err


def test_no_bar_when_stderr_is_not_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv(progress.PROGRESS_VARIABLE, raising=False)
    Tiles(paths=write_tiles(tmp_path / "tiles"))
    assert capsys.readouterr().err == ""


def test_on_a_terminal_a_bar_appears_only_once_the_step_is_long(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv(progress.PROGRESS_VARIABLE, raising=False)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)

    Tiles(paths=write_tiles(tmp_path / "short", count=3))
    assert capsys.readouterr().err == ""

    monkeypatch.setattr(progress, "DELAY_S", 0.0)   # as if the step had run past the delay
    Tiles(paths=write_tiles(tmp_path / "long"))
    assert "indexing rasters: 100%" in capsys.readouterr().err


def test_a_bad_setting_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(progress.PROGRESS_VARIABLE, "loud")
    with pytest.raises(ValueError, match="GEOTORCH_PROGRESS='loud': choose auto, always"):
        list(progress.report_progress([1], 1, "counting"))


@pytest.mark.parametrize("kind", ["zip", "tar.gz"])
def test_extracting_an_archive_shows_a_bar_of_its_members(kind: str, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    members = {f"data/chip_{number:02d}.txt": f"chip {number}" for number in range(30)}
    archive = tmp_path / f"chips.{kind}"
    if kind == "zip":
        with zipfile.ZipFile(archive, "w") as file:
            for name, text in members.items():
                file.writestr(name, text)
    else:
        sources = tmp_path / "sources"
        with tarfile.open(archive, "w:gz") as file:
            for name, text in members.items():
                (sources / name).parent.mkdir(parents=True, exist_ok=True)
                (sources / name).write_text(text)
                file.add(sources / name, arcname=name)
    monkeypatch.setenv(progress.PROGRESS_VARIABLE, "always")

    extract_archive(archive, tmp_path / "out")

    assert (tmp_path / "out" / "data" / "chip_29.txt").read_text() == "chip 29"
    err = capsys.readouterr().err
    assert f"extracting chips.{kind}" in err and "30/30" in err
