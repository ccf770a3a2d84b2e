"""The persisted index of raster headers: reused when nothing changed, never stale."""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

import numpy as np
import pytest
import rasterio
from rasterio.errors import NotGeoreferencedWarning
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


def _index_entry(path: Path) -> profiles.RasterProfile:
    """``path``'s profile through the persisted index, as a new process would get it (the cache is read anew)."""
    (profile,) = profiles.read_profiles([path], "sidecars")
    assert isinstance(profile, profiles.RasterProfile), profile
    return profile


def test_a_pam_sidecar_written_after_indexing_is_seen(folder: Path) -> None:
    path = folder / "tile_0.tif"
    assert _index_entry(path).nodata is None
    pam = path.with_name("tile_0.tif.aux.xml")
    pam.write_text("<PAMDataset><GeoTransform>100000, 10, 0, 2000000, 0, -10</GeoTransform>"
                   '<PAMRasterBand band="1"><NoDataValue>7</NoDataValue></PAMRasterBand></PAMDataset>')
    profile = _index_entry(path)
    assert (profile.bounds, profile.res, profile.nodata) == ((100000.0, 2000000.0 - 80, 100080.0, 2000000.0),
                                                             (10.0, 10.0), 7.0)
    assert Tiles(folder).bounds.minx == 100000.0
    pam.unlink()
    assert _index_entry(path).bounds[0] == 500000.0, "a sidecar removed is seen too"
    assert Tiles(folder).bounds.minx == 500000.0


def test_a_world_file_written_after_indexing_georeferences_a_file(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEOTORCH_HOME", str(tmp_path / "home"))
    path = tmp_path / "scan.tif"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with rasterio.open(path, "w", driver="GTiff", width=8, height=8, count=1, dtype="uint8",
                           crs="EPSG:32616") as target:  # a CRS and no geotransform
            target.write(np.ones((1, 8, 8), "uint8"))
        assert profiles.read_profiles([path], "sidecars") == ["it has no geotransform"]
        path.with_name("scan.tfw").write_text("30\n0\n0\n-30\n500015\n3999985\n")  # pixel centres
        after = _index_entry(path)
    assert (after.bounds, after.res) == ((500000.0, 4000000.0 - 240, 500240.0, 4000000.0), (30.0, 30.0))


def test_a_mask_written_after_indexing_makes_the_file_read_again(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Tiles(folder)
    with rasterio.Env(GDAL_TIFF_INTERNAL_MASK=False), rasterio.open(folder / "tile_1.tif", "r+") as target:
        target.write_mask(np.full((8, 8), 255, "uint8"))
    assert (folder / "tile_1.tif.msk").is_file()
    opened: list[str] = []
    original = profiles._read_profile
    monkeypatch.setattr(profiles, "_read_profile",
                        lambda path, sidecars: opened.append(path.name) or original(path, sidecars))
    Tiles(folder)
    assert opened == ["tile_1.tif"]
    Tiles(folder)
    assert opened == ["tile_1.tif"], "unchanged since, the mask too: read from the index"


def test_a_file_with_a_crs_but_no_geotransform_is_skipped_naming_it(tmp_path: Path) -> None:
    """GDAL's stand-in transform (pixel coordinates) is no place on Earth: the file is not indexed there."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with rasterio.open(tmp_path / "nogeo.tif", "w", driver="GTiff", width=4, height=4, count=1, dtype="uint8",
                           crs="EPSG:32616") as destination:
            destination.write(np.ones((1, 4, 4), "uint8"))
    write_raster(tmp_path / "placed.tif", np.ones((1, 4, 4), "uint8"), "EPSG:32616", grid(600000.0, 4000000.0))
    with pytest.warns(UserWarning, match=r"skipping .*nogeo\.tif: not a readable raster \(it has no geotransform\)"):
        dataset = RasterDataset(tmp_path)
    assert len(dataset) == 1
    assert dataset.bounds.minx == 600000.0
