"""Sidecars (the files GDAL reads beside a raster) are known by name and never taken for dataset files."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import rasterio

from geotorch.core import RasterDataset
from geotorch.core.files import find_files
from geotorch.core.sidecars import probed_alike, sidecars_by_file
from tests.core.rasters import grid, random_bands, write_raster


def test_sidecars_are_matched_to_their_file() -> None:
    names = ["a.tif", "a.tif.aux.xml", "a.tif.msk", "a.tif.msk.aux.xml", "a.tif.ovr", "a.TFW", "a.tifw", "a.wld",
             "a.aux", "a.tif.xml", "a.prj", "a_rpc.txt", "a.tif.vat.dbf", "b.jpg", "b.jgw", "b.jpgw", "c.img",
             "c.hdr", "c.ige"]
    found = sidecars_by_file(names)
    assert found["a.tif"] == sorted(["a.tif.aux.xml", "a.tif.msk", "a.tif.ovr", "a.TFW", "a.tifw", "a.wld", "a.aux",
                                     "a.tif.xml", "a.prj", "a_rpc.txt", "a.tif.vat.dbf"])
    assert found["a.tif.msk"] == ["a.tif.msk.aux.xml"]
    assert found["b.jpg"] == ["b.jgw", "b.jpgw"]
    assert found["c.img"] == ["c.hdr", "c.ige"]
    assert sidecars_by_file(["d.shp", "d.shx", "d.dbf", "d.prj", "d.cpg"]) == {"d.shp": ["d.cpg", "d.dbf", "d.prj",
                                                                                       "d.shx"]}


def test_names_are_sidecars_only_beside_their_file() -> None:
    names = ["a.tif", "a.tif.tif", "a.jpg", "a.png", "b.tif.aux.xml", "c.tfw", "c.png", "d.msk", "e.xml", "raw.tif"]
    assert sidecars_by_file(names) == {}, "no file they belong to, or not a sidecar name"
    assert sidecars_by_file(["x.tif", "y.tif"]) == {}


def test_find_files_skips_sidecars_but_keeps_files_named_directly(tmp_path: Path) -> None:
    for name in ("a.tif", "a.tif.aux.xml", "a.tfw", "b.tif", "b.tif.msk", "notes.txt"):
        (tmp_path / name).write_bytes(b"")
    assert [path.name for path in find_files([tmp_path], "*")] == ["a.tif", "b.tif", "notes.txt"]
    assert find_files([tmp_path / "a.tfw"], "*") == [tmp_path / "a.tfw"]


def test_the_default_glob_takes_no_sidecar_for_an_unreadable_raster(tmp_path: Path) -> None:
    path = write_raster(tmp_path / "scene.tif", random_bands((1, 16, 16)), "EPSG:32616", grid(500000.0, 4000000.0))
    with rasterio.Env(GDAL_TIFF_INTERNAL_MASK=False, TIFF_USE_OVR=True), rasterio.open(path, "r+") as target:
        target.write_mask(np.full((16, 16), 255, "uint8"))  # scene.tif.msk
        target.build_overviews([2])  # scene.tif.ovr
    world = "30\n0\n0\n-30\n500015\n3999985\n"
    for name, text in (("scene.tif.aux.xml", '<PAMDataset><Metadata><MDI key="a">1</MDI></Metadata></PAMDataset>'),
                       ("scene.tfw", world), ("scene.tifw", world), ("scene.wld", world),
                       ("scene.tif.xml", "<metadata/>"), ("scene.prj", "GEOGCS[]"), ("scene.aux", "")):
        (tmp_path / name).write_text(text)
    assert {"scene.tif.msk", "scene.tif.ovr"} <= {file.name for file in tmp_path.iterdir()}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        dataset = RasterDataset(tmp_path)
    assert not [str(warning.message) for warning in caught if "not a readable raster" in str(warning.message)]
    assert len(dataset) == 1
    assert dataset.bounds.minx == 500000.0


def test_names_gdal_looks_for_beside_a_raster_are_its_sidecars() -> None:
    """PAM files of an ERDAS .aux (``a.aux.xml``) and the sensor metadata GDAL probes for (RPC, IMD, MTL...)."""
    names = ["a.tif", "a.aux.xml", "a.AUX.XML", "a.xml", "a.txt", "a.RPC", "a.pass", "a_MTL.txt", "a_metadata.xml",
             "a_metadata.txt", "a.tif.msk", "a.tif.ovr"]
    assert sidecars_by_file(names) == {"a.tif": sorted(set(names) - {"a.tif"})}, "none is the mask's or overview's"
    assert sidecars_by_file(["a.aux", "a.aux.xml", "a.img"]) == {"a.aux": ["a.aux.xml"],
                                                                 "a.img": ["a.aux", "a.aux.xml"]}


#: Sidecars in any case beside ``scene.tif``, including those GDAL ignores (an upper-case ``.AUX.XML``).
_SIDECARS = ["scene.tif.aux.xml", "scene.TIF.AUX.XML", "scene.tif.Aux.Xml", "scene.aux.xml", "scene.AUX.XML",
             "scene.xml", "scene.Tfw", "SCENE.TFW", "scene.Wld", "scene.tif.OVR"]


def _scene_with_sidecars(folder: Path) -> Path:
    path = write_raster(folder / "scene.tif", random_bands((1, 16, 16)), "EPSG:32616", grid(500000.0, 4000000.0))
    for name in _SIDECARS:
        (folder / name).write_text('<PAMDataset><Metadata><MDI key="a">1</MDI></Metadata></PAMDataset>')
    return path


def _unreadable_warnings(dataset: type[RasterDataset], paths: Path | list[Path]) -> list[str]:
    """The "not a readable raster" warnings of building ``dataset(paths)``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        dataset(paths)
    return [str(warning.message) for warning in caught if "not a readable raster" in str(warning.message)]


def test_the_default_glob_warns_of_no_sidecar_in_a_folder_or_a_list_of_its_files(tmp_path: Path) -> None:
    path = _scene_with_sidecars(tmp_path)
    everything = sorted(tmp_path.iterdir())
    assert _unreadable_warnings(RasterDataset, tmp_path) == []
    assert _unreadable_warnings(RasterDataset, everything) == [], "a sidecar listed beside its file"
    assert find_files(everything, "*") == [path]
    assert find_files([tmp_path / "scene.tif.OVR"], "*") == [tmp_path / "scene.tif.OVR"], "named alone: kept"


class _Others(RasterDataset):
    filename_regex = r"(?!scene\.tif$)"


def test_sidecars_of_a_file_the_dataset_leaves_out_are_left_out_too(tmp_path: Path) -> None:
    _scene_with_sidecars(tmp_path)
    write_raster(tmp_path / "other.tif", random_bands((1, 16, 16)), "EPSG:32616", grid(600000.0, 4000000.0))
    for paths in (tmp_path, sorted(tmp_path.iterdir())):
        assert _unreadable_warnings(_Others, paths) == []
        assert len(_Others(paths)) == 1
    assert find_files([tmp_path], "*.xml") == [], "the glob takes sidecars only, not their file"


def test_gdal_probing_names_finds_the_world_files_a_listing_finds_only_in_their_usual_cases() -> None:
    assert probed_alike("a.tif", [])
    assert probed_alike("a.tif", ["a.tif.aux.xml", "a.TIF.AUX.XML", "a.tfw", "a.TIFW", "a.wld", "a.TAB", "a.tif.msk"])
    for odd in (["a.Tfw"], ["A.tfw"], ["a.Wld"], ["a.Tab"], ["a.tfw", "a.TFW"]):
        assert not probed_alike("a.tif", odd), odd
    assert probed_alike("scene", []) and not probed_alike("scene", ["scene.hdr"])


def _shift_by_aux(path: Path) -> None:
    Path(f"{path}.aux.xml").write_text(
        "<PAMDataset><GeoTransform>500240, 30, 0, 4000000, 0, -30</GeoTransform></PAMDataset>")


def _hide_by_msk(path: Path) -> None:
    hidden = np.full((16, 16), 255, "uint8")
    hidden[:5] = 0
    with rasterio.Env(GDAL_TIFF_INTERNAL_MASK=False), rasterio.open(path, "r+") as target:
        target.write_mask(hidden)  # scene.tif.msk


def _replace_aux_keeping_its_times(path: Path) -> None:
    aux = Path(f"{path}.aux.xml")
    times = aux.stat()
    replacement = aux.with_name("new.xml.tmp")
    replacement.write_text(aux.read_text().replace("500240", "500480"))
    os.utime(replacement, ns=(times.st_atime_ns, times.st_mtime_ns))
    os.replace(replacement, aux)


@pytest.mark.parametrize(
    ("before", "change"),
    [(None, _shift_by_aux), (_shift_by_aux, lambda path: Path(f"{path}.aux.xml").unlink()), (None, _hide_by_msk),
     (_hide_by_msk, lambda path: Path(f"{path}.msk").unlink()), (_shift_by_aux, _replace_aux_keeping_its_times)],
    ids=["aux-written", "aux-removed", "msk-written", "msk-removed", "aux-replaced"],
)
def test_a_sidecar_changed_after_a_read_is_seen_by_the_next_dataset_in_the_same_process(
        tmp_path: Path, before: Callable[[Path], None] | None, change: Callable[[Path], None]) -> None:
    path = write_raster(tmp_path / "scene.tif", random_bands((1, 16, 16)), "EPSG:32616", grid(500000.0, 4000000.0))
    if before is not None:
        before(path)
    first = RasterDataset(tmp_path)
    first[first.bounds]  # the file is now open in the process-wide cache of handles
    change(path)
    dataset = RasterDataset(tmp_path)
    with rasterio.open(path) as source:
        expected = source.read(masked=True).filled(0).astype("float32")
        assert tuple(dataset.bounds)[:4] == (source.bounds.left, source.bounds.right, source.bounds.bottom,
                                             source.bounds.top)
    np.testing.assert_array_equal(dataset[dataset.bounds]["image"].numpy(), expected)
