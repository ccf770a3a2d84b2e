"""Every geospatial product is built the TorchGeo 0.10.1 way: ``paths`` a folder, a file or a list of both."""

from __future__ import annotations

import inspect
import re
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import torch

from geotorch.core import BoundingBox, GeoDataset, RasterDataset
from geotorch.datasets import (
    CDL,
    EUDEM,
    NAIP,
    NLCD,
    AsterGDEM,
    CanadianBuildingFootprints,
    Chesapeake7,
    ChesapeakeDE,
    DemoImagery,
    DemoLandCover,
    Esri2020,
    EuroCrops,
    Landsat1,
    Landsat2,
    Landsat3,
    Landsat4MSS,
    Landsat4TM,
    Landsat5MSS,
    Landsat5TM,
    Landsat7,
    Landsat8,
    Landsat9,
    Sentinel1,
    Sentinel2,
)
from geotorch.datasets.demo_area import generate_demo_area
from tests.datasets.fakes.geo import write_landsat_scene, write_sentinel2_safe, zip_files
from tests.datasets.fakes.products import (
    EUROCROPS_HCAT,
    write_aster_tile,
    write_baywide,
    write_cbf_province,
    write_cdl_year,
    write_chesapeake_lulc,
    write_esri2020_tile,
    write_eudem_tile,
    write_eurocrops_country,
    write_naip_quad,
    write_nlcd_year,
    write_sentinel1_rtc,
)

LANDSATS = (Landsat1, Landsat2, Landsat3, Landsat4MSS, Landsat5MSS, Landsat4TM, Landsat5TM, Landsat7, Landsat8,
            Landsat9)


@dataclass(frozen=True)
class Layout:
    """How to write one unit (scene, tile, year, country) of a product into a folder, in its real layout.

    ``write(folder, unit)`` returns the file that names unit ``unit`` directly (for products with one file per
    band, any band file of the scene); ``kwargs(units)`` are the constructor's other arguments when the given
    units are read; ``patch(units)`` are class attributes to replace so that those units are a complete copy
    of the product (the countries or provinces it has).
    """

    product: type[GeoDataset]
    write: Callable[[Path, int], Path]
    kwargs: Callable[[tuple[int, ...]], dict[str, Any]] = lambda units: {}
    patch: Callable[[tuple[int, ...]], dict[str, Any]] = lambda units: {}

    def __str__(self) -> str:
        return self.product.__name__


def _landsat(cls: type[GeoDataset]) -> Layout:
    prefix = cls.filename_glob.removesuffix("_*").replace("[COT]", "C")  # Landsat 8-9 take LC, LO and LT scenes
    bands = cls.all_bands

    def write(folder: Path, unit: int) -> Path:
        product = f"{prefix}_L2SP_023032_2023061{unit}_2023062{unit}_02_T1"
        scene = write_landsat_scene(folder, product, bands, 32616, -87.5 + 0.1 * unit, 40.0)
        return scene / f"{product}_{bands[-1]}.TIF"

    return Layout(cls, write)


def _sentinel1(folder: Path, unit: int) -> Path:
    product = f"S1A_IW_2022120{4 + unit}T161230_DVP_RTC30_G_gpuned_1AE{unit}"
    return write_sentinel1_rtc(folder, product) / f"{product}_VH.tif"


def _sentinel2(folder: Path, unit: int) -> Path:
    sensed = f"2021010{1 + unit}T103331"
    safe = write_sentinel2_safe(folder, "L2A", sensed=sensed)
    return next(safe.rglob(f"T32UPU_{sensed}_B04_10m.jp2"))


def _years(units: tuple[int, ...]) -> dict[str, Any]:
    return {"years": [2022 + unit for unit in units]}


def _eurocrops(folder: Path, unit: int) -> Path:
    stem = ("AT_2021_EC21", "DK_2019_EC21")[unit]
    (folder.parent / "HCAT2.csv").write_text(EUROCROPS_HCAT)
    return write_eurocrops_country(folder, stem, 14.0 + 0.01 * unit)


LAYOUTS = [
    *(_landsat(cls) for cls in LANDSATS),
    Layout(Sentinel1, _sentinel1),
    Layout(Sentinel2, _sentinel2, lambda units: {"bands": ["B02", "B03", "B04"]}),
    Layout(CDL, lambda folder, unit: write_cdl_year(folder, 2022 + unit), _years),
    Layout(NLCD, lambda folder, unit: write_nlcd_year(folder, 2022 + unit), _years),
    Layout(Esri2020, lambda folder, unit: write_esri2020_tile(folder, ("52J", "52K")[unit])),
    Layout(Chesapeake7, lambda folder, unit: write_baywide(folder)),
    Layout(ChesapeakeDE, lambda folder, unit: write_chesapeake_lulc(folder, "de", (2013, 2018)[unit])),
    Layout(EUDEM, lambda folder, unit: write_eudem_tile(folder, ("E40N20", "E50N20")[unit])),
    Layout(AsterGDEM, lambda folder, unit: write_aster_tile(folder, ("N32W119", "N33W119")[unit])),
    Layout(NAIP, lambda folder, unit: write_naip_quad(folder, f"m_3807511_{('ne', 'nw')[unit]}_18_060_20181104.tif")),
    Layout(EuroCrops, _eurocrops, patch=lambda units: {"md5s": {("AT_2021.zip", "DK_2019.zip")[u]: "" for u in units}}),
    Layout(CanadianBuildingFootprints, lambda folder, unit: write_cbf_province(
        folder, ("Alberta", "Nunavut")[unit], -114.0 + 0.001 * unit),
        patch=lambda units: {"md5s": {("Alberta", "Nunavut")[u]: "" for u in units}}),
]


def same_samples(one: GeoDataset, other: GeoDataset, query: BoundingBox) -> None:
    """``one`` and ``other`` index as many files and read the same pixels for ``query``."""
    assert len(one) == len(other)
    assert one.crs == other.crs and one.res == other.res
    first, second = one[query], other[query]
    for key in ("image", "mask"):
        assert (key in first) == (key in second)
        if key in first:
            assert torch.equal(first[key], second[key])


@pytest.fixture(params=LAYOUTS, ids=str)
def layout(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Layout:
    chosen: Layout = request.param
    for name, value in chosen.patch((0, 1)).items():
        monkeypatch.setattr(chosen.product, name, value)
    return chosen


@pytest.fixture
def units(layout: Layout, tmp_path: Path) -> tuple[Path, Path]:
    """Two units of the product in folders ``a`` and ``b`` of ``tmp_path``; returns the file of each."""
    return layout.write(tmp_path / "a", 0), layout.write(tmp_path / "b", 1)


def test_paths_a_single_file_reads_what_root_reads_of_its_folder(
    layout: Layout, units: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cls, kwargs = layout.product, layout.kwargs((0,))
    for name, value in layout.patch((0,)).items():
        monkeypatch.setattr(cls, name, value)
    by_root = cls(root=tmp_path / "a", **kwargs)
    same_samples(cls(paths=units[0], **kwargs), by_root, by_root.bounds)
    same_samples(cls(str(units[0]), **kwargs), by_root, by_root.bounds)


def test_paths_a_folder_reads_what_root_reads(layout: Layout, units: tuple[Path, Path], tmp_path: Path) -> None:
    cls, kwargs = layout.product, layout.kwargs((0, 1))
    by_root = cls(root=tmp_path, **kwargs)
    query = cls(paths=units[0], **layout.kwargs((0,))).bounds
    same_samples(cls(paths=tmp_path, **kwargs), by_root, query)
    same_samples(cls(tmp_path, **kwargs), by_root, query)


def test_paths_a_list_of_a_folder_and_a_file_reads_what_root_reads(
    layout: Layout, units: tuple[Path, Path], tmp_path: Path
) -> None:
    cls, kwargs = layout.product, layout.kwargs((0, 1))
    by_root = cls(root=tmp_path, **kwargs)
    mixed = cls(paths=[tmp_path / "a", str(units[1])], **kwargs)
    for unit in (0, 1):
        query = cls(paths=units[unit], **layout.kwargs((unit,))).bounds
        same_samples(mixed, by_root, query)
    same_samples(cls(paths=(path for path in [tmp_path / "a", units[1]]), **kwargs), by_root, by_root.bounds)


@pytest.mark.parametrize(("arguments", "named"), [
    ({"paths": 3}, "paths"), ({"paths": [Path("data"), 3]}, "paths"), ({"paths": b"data"}, "paths"),
    ({"root": 3.5}, "root"),
])
def test_paths_of_a_wrong_type_is_a_type_error_naming_the_argument(
    layout: Layout, arguments: dict[str, Any], named: str
) -> None:
    with pytest.raises(TypeError, match=rf"{layout.product.__name__}: (every entry of )?{named} must be"):
        layout.product(**arguments, **layout.kwargs((0,)))


def test_paths_and_root_together_are_refused(layout: Layout, units: tuple[Path, Path], tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="paths or its alias root"):
        layout.product(paths=tmp_path, root=tmp_path, **layout.kwargs((0,)))


@pytest.mark.parametrize("ending", [".zip", ".tar.gz"])
def test_paths_naming_an_archive_is_refused_naming_it(
    layout: Layout, units: tuple[Path, Path], ending: str, tmp_path: Path
) -> None:
    # CDL(paths='2023_30m_cdls.zip') extracted the raster beside it, then said 'no raster of year(s) [2023]
    # (2023_30m_cdls.tif); pass download=True'; EU-DEM and the manual products 'no readable file matches'.
    unit = units[0]
    archive = tmp_path / "z" / f"{unit.name.split('.')[0]}{ending}"
    if ending == ".zip":
        zip_files(archive, [unit], unit.parent)
    else:
        archive.parent.mkdir()
        with tarfile.open(archive, "w:gz") as bundle:
            bundle.add(unit, unit.name)
    message = re.escape(f"{layout.product.__name__}: paths names the archive {archive}, whose files are not read")
    for paths in (archive, [tmp_path / "b", archive]):
        with pytest.raises(ValueError, match=message):
            layout.product(paths=paths, **layout.kwargs((0,)))
    assert [path.name for path in archive.parent.iterdir()] == [archive.name], "nothing extracted"


def test_paths_under_the_home_folder_spelt_with_a_tilde_are_read(
    layout: Layout, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # paths='~/data' (as configs spell it) was searched as a folder named '~', so 'no data found in ~/data',
    # while a download into it went to the home folder (download_url expands '~'), never to be found.
    monkeypatch.setenv("HOME", str(tmp_path))
    for name, value in layout.patch((0,)).items():
        monkeypatch.setattr(layout.product, name, value)
    layout.write(tmp_path / "data", 0)
    dataset = layout.product(paths="~/data", **layout.kwargs((0,)))
    assert len(dataset) == len(layout.product(paths=tmp_path / "data", **layout.kwargs((0,))))
    assert len(layout.product(paths=["~/data"], **layout.kwargs((0,)))) == len(dataset)
    if layout.product is NAIP:
        assert len(RasterDataset("~/data")) == 1 and RasterDataset(["~/data"]).paths == [tmp_path / "data"]


RASTERS = [layout for layout in LAYOUTS if layout.product not in (EuroCrops, CanadianBuildingFootprints)]


@pytest.mark.parametrize("raster", RASTERS, ids=str)
def test_raster_products_pass_cache_and_time_series_through(raster: Layout, tmp_path: Path) -> None:
    file = raster.write(tmp_path, 0)
    kwargs = raster.kwargs((0,))
    plain = raster.product(paths=file, cache=False, time_series=False, **kwargs)
    assert plain.cache is False and plain.time_series is False
    groups = re.compile(raster.product.filename_regex, re.VERBOSE).groupindex
    if "date" not in groups and "start" not in groups:
        with pytest.raises(ValueError, match=rf"{raster.product.__name__}: time_series=True needs the date"):
            raster.product(paths=file, time_series=True, **kwargs)
        return
    series = raster.product(paths=file, time_series=True, **kwargs)
    sample, single = series[series.bounds], plain[plain.bounds]
    key = "image" if "image" in sample else "mask"
    assert sample["time"].tolist() == [series.bounds.mint]
    assert torch.equal(sample[key], single[key][None]), "one date: the single image with a time axis"


#: TorchGeo 0.10.1's positional parameters of each product, in order.
TORCHGEO_SIGNATURES = {
    **{cls: ("paths", "crs", "res", "bands", "transforms", "cache", "time_series") for cls in LANDSATS},
    Sentinel1: ("paths", "crs", "res", "bands", "transforms", "cache", "time_series"),
    Sentinel2: ("paths", "crs", "res", "bands", "transforms", "cache", "time_series"),
    NAIP: ("paths", "crs", "res", "bands", "transforms", "cache", "time_series"),
    CDL: ("paths", "crs", "res", "years", "classes", "transforms", "cache", "download", "checksum", "time_series"),
    NLCD: ("paths", "crs", "res", "years", "classes", "transforms", "cache", "download", "checksum", "time_series"),
    Esri2020: ("paths", "crs", "res", "transforms", "cache", "download", "checksum", "time_series"),
    Chesapeake7: ("paths", "crs", "res", "transforms", "cache", "download", "checksum", "time_series"),
    ChesapeakeDE: ("paths", "crs", "res", "transforms", "cache", "download", "checksum", "time_series"),
    EUDEM: ("paths", "crs", "res", "transforms", "cache", "checksum", "time_series"),
    AsterGDEM: ("paths", "crs", "res", "transforms", "cache", "time_series"),
    EuroCrops: ("paths", "crs", "res", "classes", "transforms", "download", "checksum"),
    CanadianBuildingFootprints: ("paths", "crs", "res", "transforms", "download", "checksum"),
}


@pytest.mark.parametrize("cls", list(TORCHGEO_SIGNATURES), ids=lambda cls: cls.__name__)
def test_positional_parameters_are_torchgeos_in_its_order(cls: type[GeoDataset]) -> None:
    parameters = list(inspect.signature(cls.__init__).parameters.values())[1:]
    positional = tuple(p.name for p in parameters if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD)
    assert positional == TORCHGEO_SIGNATURES[cls]
    assert "root" in {p.name for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY}


@pytest.fixture(scope="module")
def area(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_demo_area(tmp_path_factory.mktemp("demo") / "area")


def test_demo_datasets_take_paths_as_folder_file_or_list(area: Path) -> None:
    imagery = DemoImagery(root=area, download=False)
    scenes = sorted((area / "imagery").glob("DEMO_*.tif"))
    same_samples(DemoImagery(paths=area, download=False), imagery, imagery.bounds)
    same_samples(DemoImagery(paths=[area / "landcover", *map(str, scenes)], download=False), imagery, imagery.bounds)
    landcover = DemoLandCover(root=area, download=False)
    single = DemoLandCover(paths=next((area / "landcover").glob("*.tif")), download=False)
    same_samples(single, landcover, landcover.bounds)
    with pytest.raises(TypeError, match="DemoImagery: paths must be"):
        DemoImagery(paths=7)
    with pytest.raises(ValueError, match="DemoLandCover: time_series=True needs the date"):
        DemoLandCover(area, time_series=True, download=False)
    series = DemoImagery(area, time_series=True, download=False)
    assert series[series.bounds]["image"].shape[:2] == (2, 6), "two scenes of two dates: two steps"


def test_demo_area_is_generated_into_the_first_folder_of_paths(tmp_path: Path) -> None:
    dataset = DemoLandCover(paths=[tmp_path / "area", tmp_path / "elsewhere"])
    assert (tmp_path / "area" / "landcover").is_dir()
    assert len(dataset) == 1
