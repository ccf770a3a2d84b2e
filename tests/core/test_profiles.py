"""The persisted index of raster headers: reused when nothing changed, never stale."""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

import numpy as np
import pytest
import rasterio
from affine import Affine
from rasterio.control import GroundControlPoint
from rasterio.crs import CRS
from rasterio.errors import NotGeoreferencedWarning

import geotorch.core.profiles as profiles
from geotorch.core import RasterDataset
from geotorch.core.crs import crs_from_wkt
from geotorch.core.raster_profile import RasterProfile
from tests.core.rasters import grid, random_bands, write_raster


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
    assert isinstance(cached, RasterProfile)
    assert cached.nodata == -1.0
    assert cached.dtype == "float32"
    assert cached.count == 2
    assert crs_from_wkt(cached.crs).to_epsg() == 3857


def _index_entry(path: Path) -> RasterProfile:
    """``path``'s profile through the persisted index, as a new process would get it (the cache is read anew)."""
    (profile,) = profiles.read_profiles([path], "sidecars")
    assert isinstance(profile, RasterProfile), profile
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


def test_a_file_placed_by_ground_control_points_alone_is_skipped_saying_so(tmp_path: Path) -> None:
    """A scene georeferenced by GCPs (a Sentinel-1 GRD, a scanned map) was skipped as having 'no CRS'."""
    points = [GroundControlPoint(row, col, 600000.0 + 30 * col, 4000000.0 - 30 * row)
              for row, col in ((0, 0), (0, 4), (4, 0), (4, 4))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with rasterio.open(tmp_path / "grd.tif", "w", driver="GTiff", width=4, height=4, count=1,
                           dtype="uint8") as destination:
            destination.write(np.ones((1, 4, 4), "uint8"))
            destination.gcps = (points, CRS.from_epsg(32616))
    write_raster(tmp_path / "placed.tif", np.ones((1, 4, 4), "uint8"), "EPSG:32616", grid(600000.0, 4000000.0))
    with pytest.warns(UserWarning, match=r"skipping .*grd\.tif: .*4 ground control points alone.*gdalwarp -t_srs "
                                         r"EPSG:32616"):
        dataset = RasterDataset(tmp_path)
    assert len(dataset) == 1


def _ungeoreferenced(path: Path, crs: str | None = "EPSG:32616") -> Path:
    """An 8 x 8 GeoTIFF with ``crs`` and no geotransform, for a sidecar to place."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with rasterio.open(path, "w", driver="GTiff", width=8, height=8, count=1, dtype="uint8", crs=crs) as target:
            target.write(np.ones((1, 8, 8), "uint8"))
    return path


_WORLD = "20\n0\n0\n-20\n600010\n4999990\n"
_TAB = ('!table\n!version 300\nDefinition Table\n  File "a.tif"\n  Type "RASTER"\n'
        '  (800000,7000000) (0,0) Label "Pt 1",\n  (800080,7000000) (8,0) Label "Pt 2",\n'
        '  (800000,6999920) (0,8) Label "Pt 3"\n  CoordSys Earth Projection 8, 104, "m", -87, 0, 0.9996, 500000, 0\n'
        '  Units "m"\n')
_PAM = ('<PAMDataset><GeoTransform>700000, 5, 0, 6000000, 0, -5</GeoTransform>'
        '<PAMRasterBand band="1"><NoDataValue>7</NoDataValue></PAMRasterBand></PAMDataset>')
#: Sidecar names beside ``a.tif`` in every case: world files and MapInfo tables (GDAL matches them in any case
#: in a folder listing), PAM files (only ``a.tif.aux.xml``) and ERDAS .aux files (lower- or upper-case extension).
SIDECAR_NAMES = ["a.tfw", "a.TFW", "a.Tfw", "a.tfW", "A.tfw", "a.tifw", "a.TIFW", "a.Tifw", "a.wld", "a.WLD", "a.Wld",
                 "a.tab", "a.Tab", "A.TAB", "a.tif.aux.xml", "a.TIF.AUX.XML", "a.tif.Aux.Xml", "A.tif.aux.xml",
                 "a.aux", "a.AUX", "a.Aux", "a.tif.aux", "a.tif.AUX", "a.TIF.AUX"]


def _write_sidecar(path: Path, name: str) -> None:
    """Write the sidecar ``name`` of ``path``: a world file, MapInfo table, PAM file or ERDAS .aux file."""
    kind = name.lower().rpartition(".")[2]
    if kind == "aux":  # written by GDAL's HFA driver beside the file, then renamed
        staging = path.parent / "staging"
        staging.mkdir()
        with rasterio.open(staging / "x.aux", "w", driver="HFA", width=8, height=8, count=1, dtype="uint8",
                           crs="EPSG:32617", transform=grid(900000.0, 8000000.0, 10.0), nodata=5, AUX="YES",
                           DEPENDENT_FILE=path.name):
            pass
        (staging / "x.aux").rename(path.parent / name)
        staging.rmdir()
    else:
        (path.parent / name).write_text({"tfw": _WORLD, "tifw": _WORLD, "wld": _WORLD, "tab": _TAB, "xml": _PAM}[kind])


def _as_gdal_opens(path: Path) -> tuple[tuple[float, ...], float | None, str] | None:
    """Bounds, nodata and CRS that rasterio.open(path) reports, as datasets read it; None without a geotransform."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with rasterio.open(path) as source:
            if source.transform.is_identity or source.crs is None:
                return None
            return tuple(source.bounds), source.nodata, source.crs.to_wkt()


@pytest.mark.parametrize("name", SIDECAR_NAMES)
def test_a_sidecar_in_any_case_written_after_indexing_is_seen_as_gdal_sees_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv("GEOTORCH_HOME", str(tmp_path / "home"))
    folder = tmp_path / "scenes"
    folder.mkdir()
    path = folder / "a.tif"
    if name.lower().endswith(".aux.xml"):
        write_raster(path, np.ones((1, 8, 8), "uint8"), "EPSG:32616", grid(500000.0, 4000000.0))
    else:
        _ungeoreferenced(path, None if name.lower().endswith(".aux") else "EPSG:32616")
    profiles.read_profiles([path], "sidecars")  # indexed before the sidecar exists
    _write_sidecar(path, name)
    (profile,) = profiles.read_profiles([path], "sidecars")
    gdal = _as_gdal_opens(path)
    if gdal is None:
        assert isinstance(profile, str), f"GDAL does not read {name}, the index did: {profile}"
    else:
        assert isinstance(profile, RasterProfile), f"GDAL reads {name}, the index did not: {profile}"
        assert (profile.bounds, profile.nodata, profile.crs) == gdal


def test_a_file_placed_by_rpcs_alone_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """rasterio gives no NotGeoreferencedWarning for a file with RPCs, yet it has no geotransform to index it by."""
    monkeypatch.setenv("GEOTORCH_HOME", str(tmp_path / "home"))
    path = _ungeoreferenced(tmp_path / "scene.tif")
    profiles.read_profiles([path], "rpcs")  # indexed before the RPC file exists
    ones = {("LINE", "NUM"): 3, ("LINE", "DEN"): 1, ("SAMP", "NUM"): 2, ("SAMP", "DEN"): 1}
    (tmp_path / "scene_rpc.txt").write_text(
        "LINE_OFF: 4\nSAMP_OFF: 4\nLAT_OFF: 40\nLONG_OFF: -87\nHEIGHT_OFF: 0\nLINE_SCALE: 4\nSAMP_SCALE: 4\n"
        "LAT_SCALE: 0.01\nLONG_SCALE: 0.01\nHEIGHT_SCALE: 100\n"
        + "".join(f"{axis}_{part}_COEFF_{number}: {int(number == one)}\n"
                  for (axis, part), one in ones.items() for number in range(1, 21)))
    with rasterio.open(path) as source:
        assert source.rpcs and source.transform.is_identity, "GDAL reads the RPCs, and no geotransform"
    assert profiles.read_profiles([path], "rpcs") == ["it has no geotransform"]


def test_profiles_indexed_by_an_earlier_format_are_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Format 4 indexed headers GDAL refuses (read by the header reader then): none is reused."""
    monkeypatch.setenv("GEOTORCH_HOME", str(tmp_path / "home"))
    path = write_raster(tmp_path / "scene.tif", np.ones((1, 8, 8), "uint8"), "EPSG:32616", grid(500000.0, 4000000.0))
    (profile,) = profiles.read_profiles([path], "formats")
    assert isinstance(profile, RasterProfile)
    cache = profiles._cache_file("formats")
    stored = json.loads(cache.read_text())
    stored["format"] = 4
    stored["files"][str(path)][1][1] = [0.0, 0.0, 1.0, 1.0]  # bounds no reader gives for this file
    cache.write_text(json.dumps(stored))
    assert profiles.read_profiles([path], "formats") == [profile]


def test_world_files_differing_only_in_case_are_read_as_gdal_reads_them(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEOTORCH_HOME", str(tmp_path / "home"))
    path = _ungeoreferenced(tmp_path / "a.tif")
    profiles.read_profiles([path], "sidecars")
    (tmp_path / "a.TFW").write_text(_WORLD)
    (tmp_path / "a.tfw").write_text(_WORLD.replace("600010", "650010"))
    (profile,) = profiles.read_profiles([path], "sidecars")
    assert isinstance(profile, RasterProfile)
    assert (profile.bounds, profile.nodata, profile.crs) == _as_gdal_opens(path)


def test_a_file_whose_crs_text_is_not_utf8_is_skipped_naming_it(tmp_path: Path) -> None:
    """GDAL's CRS reader fails on malformed citation bytes: that file is skipped, the folder still indexes."""
    path = write_raster(tmp_path / "mangled.tif", np.ones((1, 4, 4), "uint8"), "EPSG:7415", grid(100000.0, 500000.0))
    content = bytearray(path.read_bytes())
    at = content.index(b"Amersfoort")
    content[at + 2] = 0x83  # not valid UTF-8
    path.write_bytes(bytes(content))
    write_raster(tmp_path / "placed.tif", np.ones((1, 4, 4), "uint8"), "EPSG:28992", grid(100000.0, 500000.0))
    with pytest.warns(UserWarning, match=r"skipping .*mangled\.tif: not a readable raster \(UnicodeDecodeError"):
        dataset = RasterDataset(tmp_path)
    assert len(dataset) == 1


@pytest.mark.parametrize(
    "transform",
    [
        (30.0, 30.0, 600000.0, 30.0, 30.0, 4000000.0),  # singular: columns and rows step alike
        (30.0, 0.0, float("inf"), 0.0, -30.0, 4000000.0),
        (float("nan"), 0.0, 600000.0, 0.0, -30.0, 4000000.0),
    ],
    ids=["degenerate", "infinite-origin", "nan-size"],
)
def test_a_file_whose_geotransform_places_no_pixel_is_skipped_naming_it(
    tmp_path: Path, transform: tuple[float, ...]
) -> None:
    bad = tmp_path / "bad.tif"
    with rasterio.open(bad, "w", driver="GTiff", width=4, height=4, count=1, dtype="uint8", crs="EPSG:32616",
                       transform=Affine(*transform)) as destination:
        destination.write(np.ones((1, 4, 4), "uint8"))
    write_raster(tmp_path / "placed.tif", np.ones((1, 4, 4), "uint8"), "EPSG:32616", grid(600000.0, 4000000.0))
    with pytest.warns(UserWarning, match=r"skipping .*bad\.tif: not a readable raster"):
        dataset = RasterDataset(tmp_path)
    assert len(dataset) == 1
    assert dataset[dataset.bounds]["image"].shape == (1, 4, 4)
