"""Composing datasets with ``&`` and ``|``: the seed example, operand safety and the errors users meet."""

from __future__ import annotations

import math
import pickle
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import torch
from pyproj import Transformer
from rasterio.crs import CRS
from torch.utils.data import DataLoader

from geotorch.core import (
    BoundingBox,
    DatasetNotFoundError,
    GeoDataset,
    IntersectionDataset,
    RasterDataset,
    RasterReadError,
    UnionDataset,
    stack_samples,
)
from geotorch.samplers import RandomGeoSampler
from tests.core.rasters import damage_first_tile, grid, random_bands, write_raster

CDL_CLASSES = (1, 5, 24, 61, 111)


class Landsat7(RasterDataset):
    """Stand-in for Landsat 7 surface reflectance: 5-band uint16 scenes."""

    filename_glob = "LE07_*.tif"
    filename_regex = r"LE07_(?P<path_row>\d{6})_(?P<date>\d{8})\.tif"
    all_bands = ("SR_B1", "SR_B2", "SR_B3", "SR_B4", "SR_B5")
    rgb_bands = ("SR_B3", "SR_B2", "SR_B1")


class Landsat8(RasterDataset):
    """Stand-in for Landsat 8 surface reflectance: 6-band uint16 scenes."""

    filename_glob = "LC08_*.tif"
    filename_regex = r"LC08_(?P<path_row>\d{6})_(?P<date>\d{8})\.tif"
    all_bands = ("SR_B1", "SR_B2", "SR_B3", "SR_B4", "SR_B5", "SR_B6")
    rgb_bands = ("SR_B4", "SR_B3", "SR_B2")


class CDL(RasterDataset):
    """Stand-in for the Cropland Data Layer: yearly uint8 class rasters in EPSG:5070."""

    filename_glob = "*_30m_cdls.tif"
    filename_regex = r"(?P<date>\d{4})_30m_cdls\.tif"
    date_format = "%Y"
    is_image = False


@dataclass(frozen=True)
class SeedData:
    """Folders of the seed example: Landsat 7 in EPSG:32616, Landsat 8 in EPSG:32617, CDL in EPSG:5070."""

    landsat7: Path
    landsat8: Path
    cdl: Path


def corner(crs: int, pixels: int) -> tuple[float, float]:
    """Top-left corner, on a 30 m grid, of a ``pixels``-wide square centred on 84 W, 35 N in ``crs``."""
    x, y = Transformer.from_crs(4326, crs, always_xy=True).transform(-84.0, 35.0)
    half = pixels * 30 / 2
    return round((x - half) / 30) * 30, round((y + half) / 30) * 30


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> SeedData:
    """Two 300 x 300 px Landsat scenes over the same place in two UTM zones and a 400 x 400 px CDL around them."""
    root = tmp_path_factory.mktemp("seed")
    write_raster(
        root / "landsat7" / "LE07_019036_20200610.tif",
        random_bands((5, 300, 300), seed=7),
        "EPSG:32616",
        grid(*corner(32616, 300)),
        nodata=0,
    )
    write_raster(
        root / "landsat8" / "LC08_018036_20200618.tif",
        random_bands((6, 300, 300), seed=8),
        "EPSG:32617",
        grid(*corner(32617, 300)),
        nodata=0,
        tiled=True,
    )
    classes = np.random.default_rng(5).choice(CDL_CLASSES, size=(40, 40)).astype("uint8")
    write_raster(
        root / "cdl" / "2020_30m_cdls.tif",
        np.kron(classes, np.ones((10, 10), dtype="uint8")),  # fields of 10 x 10 pixels
        "EPSG:5070",
        grid(*corner(5070, 400)),
        nodata=0,
    )
    return SeedData(root / "landsat7", root / "landsat8", root / "cdl")


def state(dataset: GeoDataset) -> tuple[object, ...]:
    """What composing must never change about an operand."""
    return dataset.crs, dataset.res, dataset.bounds, len(dataset), dataset.index, dict(dataset.channels)


def centre_query(dataset: GeoDataset, size: float) -> BoundingBox:
    """A square of ``size`` CRS units at the centre of the dataset's bounds, over its whole time span."""
    bounds = dataset.bounds
    x, y = (bounds.minx + bounds.maxx) / 2, (bounds.miny + bounds.maxy) / 2
    return BoundingBox(x - size / 2, x + size / 2, y - size / 2, y + size / 2, bounds.mint, bounds.maxt)


# The seed example


def test_seed_example_trains_from_landsat_union_and_cdl_labels(seed: SeedData) -> None:
    landsat7 = Landsat7(paths=seed.landsat7, bands=Landsat7.rgb_bands)
    landsat8 = Landsat8(paths=seed.landsat8, bands=Landsat8.rgb_bands)
    cdl = CDL(paths=seed.cdl)

    landsat = landsat7 | landsat8
    dataset = landsat & cdl
    sampler = RandomGeoSampler(dataset, size=256, length=6, generator=torch.Generator().manual_seed(0))
    loader = DataLoader(dataset, batch_size=3, sampler=sampler, collate_fn=stack_samples)

    batches = list(loader)
    assert len(batches) == 2
    for batch in batches:
        assert batch["image"].dtype == torch.float32
        assert batch["image"].shape == (3, 3, 256, 256)
        assert batch["mask"].dtype == torch.int64
        assert batch["mask"].shape == (3, 256, 256)
        assert set(batch["mask"].unique().tolist()) <= {0, *CDL_CLASSES}
        assert batch["image"].amax() < 1000
        assert all(crs == landsat7.crs for crs in batch["crs"])
    assert dataset.crs == landsat7.crs
    assert dataset.res == landsat7.res
    assert isinstance(landsat, UnionDataset)
    assert isinstance(dataset, IntersectionDataset)
    assert dataset.channels == {"image": 3, "mask": 1}


def test_seed_example_in_worker_processes(seed: SeedData) -> None:
    dataset = (Landsat7(seed.landsat7, bands=["SR_B1"]) | Landsat8(seed.landsat8, bands=["SR_B1"])) & CDL(seed.cdl)
    sampler = RandomGeoSampler(dataset, size=64, length=4, generator=torch.Generator().manual_seed(1))
    loader = DataLoader(dataset, batch_size=2, sampler=sampler, collate_fn=stack_samples, num_workers=2)
    shapes = [tuple(batch["image"].shape) for batch in loader]
    assert shapes == [(2, 1, 64, 64)] * 2


def test_seed_example_sample_holds_each_operands_pixels(seed: SeedData) -> None:
    landsat7 = Landsat7(seed.landsat7, bands=Landsat7.rgb_bands)
    landsat8 = Landsat8(seed.landsat8, bands=Landsat8.rgb_bands)
    cdl = CDL(seed.cdl)
    dataset = (landsat7 | landsat8) & cdl
    query = centre_query(landsat7, 256 * 30)
    sample = dataset[query]
    torch.testing.assert_close(sample["image"], landsat7[query]["image"])  # Landsat 7 covers it all: it wins
    torch.testing.assert_close(sample["mask"], cdl.to(landsat7.crs, landsat7.res)[query]["mask"])
    assert sample["bounds"] == query


# Operands are never changed


def test_composition_never_changes_its_operands(seed: SeedData) -> None:
    landsat7 = Landsat7(seed.landsat7, bands=Landsat7.rgb_bands)
    landsat8 = Landsat8(seed.landsat8, bands=Landsat8.rgb_bands)
    cdl = CDL(seed.cdl)
    before = [state(landsat7), state(landsat8), state(cdl)]
    landsat = landsat7 | landsat8
    union_before = state(landsat)
    dataset = landsat & cdl
    other_way = cdl & landsat8
    nested = landsat7 & (landsat8 | landsat7)
    for composite in (dataset, other_way, nested):
        composite[centre_query(composite, 3000)]
    assert [state(landsat7), state(landsat8), state(cdl)] == before
    assert state(landsat) == union_before
    assert other_way.crs == cdl.crs
    assert landsat8.crs == CRS.from_epsg(32617)


def test_composites_compose_further(seed: SeedData) -> None:
    landsat7 = Landsat7(seed.landsat7, bands=Landsat7.rgb_bands)
    landsat8 = Landsat8(seed.landsat8, bands=Landsat8.rgb_bands)
    cdl = CDL(seed.cdl)
    for composite in ((landsat7 | landsat8) & cdl, cdl & (landsat7 | landsat8), (landsat7 & cdl) | (landsat8 & cdl)):
        sample = composite[centre_query(composite, 1500)]
        assert sample["image"].shape[0] == 3
        assert sample["mask"].shape == sample["image"].shape[1:]


def test_intersection_is_indexed_by_the_overlaps(seed: SeedData) -> None:
    landsat7, cdl = Landsat7(seed.landsat7), CDL(seed.cdl)
    both = landsat7 & cdl
    assert len(both) == 1
    cdl_on_landsat_grid = cdl.to(landsat7.crs)
    assert both.bounds == landsat7.bounds & cdl_on_landsat_grid.bounds


def entry_files(dataset: GeoDataset) -> list[str]:
    """The item of each index entry, as a file name."""
    return sorted(Path(str(hit.object)).name for hit in dataset.index.intersection(dataset.index.bounds, objects=True))


def test_composite_entries_carry_the_file_of_the_operand_they_come_from(seed: SeedData) -> None:
    landsat7 = Landsat7(seed.landsat7, bands=["SR_B1"])
    landsat8 = Landsat8(seed.landsat8, bands=["SR_B1"])
    cdl = CDL(seed.cdl)
    scenes = ["LC08_018036_20200618.tif", "LE07_019036_20200610.tif"]
    # An intersection's entries carry its first operand's files: the imagery of ``images & labels``.
    assert entry_files(landsat7 & cdl) == ["LE07_019036_20200610.tif"]
    assert entry_files(cdl & landsat7) == ["2020_30m_cdls.tif"]
    assert entry_files(landsat7 | landsat8) == scenes
    assert entry_files((landsat7 | landsat8) & cdl) == scenes
    assert entry_files((landsat7 & cdl) | (landsat8 & cdl)) == scenes
    assert entry_files(pickle.loads(pickle.dumps((landsat7 | landsat8) & cdl)).to(res=60)) == scenes


def test_intersection_concatenates_image_channels(seed: SeedData) -> None:
    class UndatedLandsat8(Landsat8):
        filename_regex = r"LC08_.*\.tif"

    landsat7 = Landsat7(seed.landsat7, bands=["SR_B1", "SR_B2"])
    landsat8 = UndatedLandsat8(seed.landsat8, bands=["SR_B5"])
    both = landsat7 & landsat8
    assert both.channels == {"image": 3}
    query = centre_query(landsat7, 600)
    image = both[query]["image"]
    torch.testing.assert_close(image[:2], landsat7[query]["image"])
    torch.testing.assert_close(image[2:], landsat8.to(landsat7.crs, landsat7.res)[query]["image"])


def test_union_fills_the_first_datasets_nodata_from_the_second(tmp_path: Path) -> None:
    first = np.full((1, 10, 10), 100, dtype="uint16")
    first[0, :, 5:] = 0
    write_raster(
        tmp_path / "a" / "LE07_019036_20200610.tif",
        np.repeat(first, 5, 0),
        "EPSG:32616",
        grid(600000, 4000000),
        nodata=0,
    )
    write_raster(
        tmp_path / "b" / "LE07_019036_20200611.tif",
        np.full((5, 10, 20), 200, "uint16"),
        "EPSG:32616",
        grid(600000, 4000000),
        nodata=0,
    )
    union = Landsat7(tmp_path / "a") | Landsat7(tmp_path / "b")
    image = union[union.bounds]["image"][0].numpy()
    assert (image[:, :5] == 100).all()
    assert (image[:, 5:] == 200).all()


@pytest.mark.parametrize("nodata", [float("nan"), -9999.0])
def test_union_takes_the_second_where_the_first_holds_its_own_nodata(tmp_path: Path, nodata: float) -> None:
    # A float elevation of NaN (or -9999) nodata over its east half, beside a file covering it all.
    first = np.full((10, 10), 1.0, dtype="float32")
    first[:, 5:] = nodata
    write_raster(tmp_path / "a" / "a.tif", first, "EPSG:32616", grid(600000, 4000000), nodata=nodata)
    write_raster(tmp_path / "b" / "b.tif", np.full((10, 10), 2.0, "float32"), "EPSG:32616", grid(600000, 4000000))
    union = RasterDataset(tmp_path / "a") | RasterDataset(tmp_path / "b")
    row = union[union.bounds]["image"][0, 0].tolist()
    assert row == [1.0] * 5 + [2.0] * 5


def test_union_takes_the_second_outside_the_first_of_nodata_minus_9999(tmp_path: Path) -> None:
    # A query reaching east of the first file: its pixels there hold the first's fill, -9999.
    write_raster(tmp_path / "a" / "a.tif", np.full((10, 10), -5.0, "float32"), "EPSG:32616", grid(600000, 4000000),
                 nodata=-9999)
    write_raster(tmp_path / "b" / "b.tif", np.full((10, 20), 7.0, "float32"), "EPSG:32616", grid(600000, 4000000))
    first, second = RasterDataset(tmp_path / "a"), RasterDataset(tmp_path / "b")
    union = first | second
    assert union.fill == -9999
    query = BoundingBox(600150, 600450, 3999700, 4000000, union.bounds.mint, union.bounds.maxt)
    assert union[query]["image"][0, 0].tolist() == [-5.0] * 5 + [7.0] * 5
    # Where neither has data, the first's fill.
    beyond = BoundingBox(600450, 600750, 3999700, 4000000, union.bounds.mint, union.bounds.maxt)
    assert union[beyond]["image"][0, 0].tolist() == [7.0] * 5 + [-9999.0] * 5


def test_union_keeps_class_0_of_a_first_mask_whose_nodata_is_255(tmp_path: Path) -> None:
    # Class 0 (water) is a real class of the first mask; its missing pixels are 255.
    first = np.zeros((10, 10), dtype="uint8")
    first[:, 5:] = 255
    write_raster(tmp_path / "a" / "a.tif", first, "EPSG:32616", grid(600000, 4000000), nodata=255)
    write_raster(tmp_path / "b" / "b.tif", np.full((10, 10), 3, "uint8"), "EPSG:32616", grid(600000, 4000000))

    class Classes(RasterDataset):
        is_image = False

    union = Classes(tmp_path / "a") | Classes(tmp_path / "b")
    assert union[union.bounds]["mask"][0].tolist() == [0] * 5 + [3] * 5, "was [3] * 10: class 0 read as no data"


class LandCover(RasterDataset):
    """Raw classes 11 and 21 as labels 1 and 2; every other value, the nodata 250 too, label 0 (as NLCD's)."""

    is_image = False

    def labels_of(self, mask: torch.Tensor) -> torch.Tensor:
        table = torch.zeros(256, dtype=torch.long)
        table[11], table[21] = 1, 2
        return table[mask.clamp(0, 255)]


def test_union_of_masks_finds_the_first_ones_nodata_as_labels_of_maps_it(tmp_path: Path) -> None:
    first = np.full((10, 10), 11, dtype="uint8")
    first[:, 5:] = 250
    write_raster(tmp_path / "a" / "a.tif", first, "EPSG:32616", grid(600000, 4000000), nodata=250)
    write_raster(tmp_path / "b" / "b.tif", np.full((10, 10), 21, "uint8"), "EPSG:32616", grid(600000, 4000000),
                 nodata=250)
    union = LandCover(tmp_path / "a") | LandCover(tmp_path / "b")
    assert union[union.bounds]["mask"][0].tolist() == [1] * 5 + [2] * 5, "was [1] * 5 + [0] * 5 since 963fd8b"
    assert (union.fill, union.fill_of("mask")) == (250, 0)


def test_union_of_intersections_takes_each_keys_fill_from_the_operand_reading_it(tmp_path: Path) -> None:
    # (image of NaN nodata & mask) | (image & mask): the first intersection's image is empty where NaN.
    first = np.full((10, 10), 1.0, dtype="float32")
    first[:, 5:] = np.nan
    write_raster(tmp_path / "a" / "a.tif", first, "EPSG:32616", grid(600000, 4000000), nodata=float("nan"))
    write_raster(tmp_path / "b" / "b.tif", np.full((10, 10), 2.0, "float32"), "EPSG:32616", grid(600000, 4000000))
    write_raster(tmp_path / "m" / "m.tif", np.full((10, 10), 4, "uint8"), "EPSG:32616", grid(600000, 4000000))

    class Classes(RasterDataset):
        is_image = False

    pair = RasterDataset(tmp_path / "a") & Classes(tmp_path / "m")
    union = pair | (RasterDataset(tmp_path / "b") & Classes(tmp_path / "m"))
    sample = union[union.bounds]
    assert sample["image"][0, 0].tolist() == [1.0] * 5 + [2.0] * 5, "was [1.0] * 5 + [nan] * 5"
    assert sample["mask"][0].tolist() == [4] * 10
    assert (math.isnan(pair.fill_of("image")), pair.fill_of("mask")) == (True, 0)


def test_composites_survive_pickling(seed: SeedData) -> None:
    dataset = (Landsat7(seed.landsat7, bands=["SR_B1"]) | Landsat8(seed.landsat8, bands=["SR_B1"])) & CDL(seed.cdl)
    copy = pickle.loads(pickle.dumps(dataset))
    query = centre_query(dataset, 900)
    assert len(copy) == len(dataset)
    torch.testing.assert_close(copy[query]["image"], dataset[query]["image"])


def test_composite_to_another_grid_leaves_it_unchanged(seed: SeedData) -> None:
    dataset = Landsat7(seed.landsat7, bands=["SR_B1"]) & CDL(seed.cdl)
    before = state(dataset)
    coarse = dataset.to(res=60)
    assert coarse.res == (60.0, 60.0)
    assert coarse[centre_query(dataset, 1200)]["mask"].shape == (20, 20)
    assert state(dataset) == before


# Errors users meet


def test_intersection_of_datasets_apart_in_space_raises(seed: SeedData, tmp_path: Path) -> None:
    write_raster(tmp_path / "2020_30m_cdls.tif", random_bands((1, 10, 10), "uint8"), "EPSG:5070", grid(0, 0))
    with pytest.raises(ValueError, match="do not overlap"):
        Landsat7(seed.landsat7) & CDL(tmp_path)


def test_intersection_of_datasets_apart_in_time_raises(seed: SeedData, tmp_path: Path) -> None:
    write_raster(
        tmp_path / "2019_30m_cdls.tif", random_bands((1, 400, 400), "uint8"), "EPSG:5070", grid(*corner(5070, 400))
    )
    with pytest.raises(ValueError, match="do not overlap in space and time"):
        Landsat7(seed.landsat7) & CDL(tmp_path)


def test_union_of_different_band_counts_raises(seed: SeedData) -> None:
    with pytest.raises(ValueError, match=r"\{'image': 5\}.*\{'image': 6\}"):
        Landsat7(seed.landsat7) | Landsat8(seed.landsat8)
    with pytest.raises(ValueError, match=r"\{'image': 1\}.*\{'mask': 1\}; a union overlays datasets of the same "
                                         r"keys; to pair images with masks, use &"):
        Landsat7(seed.landsat7, bands=["SR_B1"]) | CDL(seed.cdl)


def test_composing_with_something_else_raises_type_error(seed: SeedData) -> None:
    with pytest.raises(TypeError, match="GeoDatasets"):
        IntersectionDataset(Landsat7(seed.landsat7), [1, 2, 3])  # type: ignore[arg-type]


def test_query_outside_the_composite_raises_index_error(seed: SeedData) -> None:
    dataset = Landsat7(seed.landsat7, bands=Landsat7.rgb_bands) & CDL(seed.cdl)
    with pytest.raises(IndexError, match="outside the data"):
        dataset[0:1000, 0:1000]


def test_unknown_band_raises_value_error(seed: SeedData) -> None:
    with pytest.raises(ValueError, match="SR_B7"):
        Landsat7(seed.landsat7, bands=["SR_B1", "SR_B7"])


@pytest.mark.parametrize("folder", ["missing", "empty"])
def test_missing_or_empty_folder_raises_dataset_not_found_naming_it(tmp_path: Path, folder: str) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(DatasetNotFoundError, match=str(tmp_path / folder)):
        Landsat7(tmp_path / folder)


def test_damaged_tile_in_an_operand_raises_naming_the_file(seed: SeedData, tmp_path: Path) -> None:
    landsat7 = Landsat7(seed.landsat7, bands=["SR_B1"])
    path = write_raster(
        tmp_path / "LC08_018036_20200618.tif",
        random_bands((6, 300, 300)),
        "EPSG:32617",
        grid(*corner(32617, 300)),
        nodata=0,
        tiled=True,
        compress="deflate",
    )
    damage_first_tile(path)
    landsat = Landsat8(path, bands=["SR_B1"]) | landsat7
    bounds = landsat.datasets[1].bounds
    with pytest.raises(RasterReadError, match=r"LC08_018036_20200618\.tif"):
        (landsat & CDL(seed.cdl))[bounds.minx : bounds.maxx, bounds.miny : bounds.maxy]


def test_patches_of_an_intersection_lie_on_the_first_datasets_pixels(tmp_path: Path) -> None:
    # The labels start 7.5 m into the image's third pixel: the overlap is cut at the image's pixel edges,
    # so sampled patches read the image exactly, without resampling.
    image = random_bands((2, 40, 40))
    write_raster(tmp_path / "image" / "i.tif", image, "EPSG:32616", grid(500000, 4000000))
    write_raster(tmp_path / "labels" / "l.tif", np.ones((1, 60, 60), "uint8"), "EPSG:32616",
                 grid(500000 + 67.5, 4000000 - 52.5, 15.0))

    class Labels(RasterDataset):
        is_image = False

    dataset = RasterDataset(tmp_path / "image") & Labels(tmp_path / "labels")
    bounds = dataset.bounds
    assert (bounds.minx, bounds.maxy) == (500000 + 90, 4000000 - 60), "inward to whole image pixels"
    for query in RandomGeoSampler(dataset, size=8, length=20, generator=torch.Generator().manual_seed(0)):
        col, row = round((query.minx - 500000) / 30), round((4000000 - query.maxy) / 30)
        assert (query.minx - 500000) / 30 == pytest.approx(col) and (4000000 - query.maxy) / 30 == pytest.approx(row)
        np.testing.assert_array_equal(dataset[query]["image"].numpy(), image[:, row:row + 8, col:col + 8])
