"""The persisted index of raster headers: reused when nothing changed, never stale."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from rasters import grid, random_bands, write_raster  # type: ignore[import-not-found]

import geotorch.core.profiles as profiles
from geotorch.core import RasterDataset
from geotorch.core.crs import crs_from_wkt


class Tiles(RasterDataset):
    filename_glob = "tile_*.tif"


def _tile(folder: Path, number: int, left: float = 500000.0, crs: str = "EPSG:32616") -> Path:
    return write_raster(folder / f"tile_{number}.tif", random_bands((1, 8, 8), seed=number), crs,
                        grid(left + number * 240.0, 4000000.0))


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GEOTORCH_HOME", str(tmp_path / "home"))
    for number in range(3):
        _tile(tmp_path / "tiles", number)
    return tmp_path / "tiles"


def _no_file_may_be_opened(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(path: Path, sidecars: list[str]) -> object:
        raise AssertionError(f"{path} was opened although its cached profile is current")

    monkeypatch.setattr(profiles, "_read_profile", refuse)


def test_second_construction_reads_no_file_header(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = Tiles(folder)
    _no_file_may_be_opened(monkeypatch)
    second = Tiles(folder)
    assert len(second) == len(first) == 3
    assert second.bounds == first.bounds
    assert second.crs == first.crs
    assert second.res == first.res


def test_a_rewritten_file_is_read_again(folder: Path) -> None:
    Tiles(folder)
    before = os.stat(folder / "tile_0.tif")
    write_raster(folder / "tile_0.tif", random_bands((1, 8, 8)), "EPSG:32616", grid(100000.0, 4000000.0))
    os.utime(folder / "tile_0.tif", ns=(before.st_atime_ns, before.st_mtime_ns))  # same size, same mtime
    rebuilt = Tiles(folder)
    assert rebuilt.bounds.minx == 100000.0


def test_added_and_removed_files_are_seen(folder: Path) -> None:
    assert len(Tiles(folder)) == 3
    _tile(folder, 7)
    assert len(Tiles(folder)) == 4
    (folder / "tile_0.tif").unlink()
    (folder / "tile_1.tif").unlink()
    dataset = Tiles(folder)
    assert len(dataset) == 2
    assert dataset.bounds.minx == 500000.0 + 2 * 240.0


def test_a_damaged_cache_is_ignored(folder: Path) -> None:
    expected = Tiles(folder).bounds
    caches = list((profiles.cache_home() / "index").glob("*.json"))
    assert len(caches) == 1
    for cache in caches:
        cache.write_text("{not json")
    assert Tiles(folder).bounds == expected
    assert all(json.loads(cache.read_text())["format"] == profiles._FORMAT for cache in caches)


def test_the_cache_can_be_switched_off(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Tiles(folder)
    monkeypatch.setenv(profiles.INDEX_CACHE_VARIABLE, "0")
    opened: list[Path] = []
    original = profiles._read_profile
    monkeypatch.setattr(profiles, "_read_profile",
                        lambda path, sidecars: opened.append(path) or original(path, sidecars))
    Tiles(folder)
    assert len(opened) == 3


def test_unreadable_files_are_remembered_as_unreadable(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (folder / "tile_9.tif").write_bytes(b"not a tiff")
    with pytest.warns(UserWarning, match="tile_9.tif"):
        Tiles(folder)
    _no_file_may_be_opened(monkeypatch)
    with pytest.warns(UserWarning, match="tile_9.tif"):
        assert len(Tiles(folder)) == 3


def test_profiles_keep_nodata_dtype_and_crs(tmp_path: Path) -> None:
    path = write_raster(tmp_path / "a.tif", np.zeros((2, 4, 4), dtype="float32"), "EPSG:3857",
                        grid(0.0, 0.0, 10.0), nodata=-1.0)
    (profile,) = profiles.read_profiles([path], "key")
    (cached,) = profiles.read_profiles([path], "key")
    assert profile == cached
    assert isinstance(cached, profiles.RasterProfile)
    assert cached.nodata == -1.0
    assert cached.dtype == "float32"
    assert cached.count == 2
    assert crs_from_wkt(cached.crs).to_epsg() == 3857
