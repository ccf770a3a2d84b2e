"""TorchGeo 0.10.1's README and docstring examples for geospatial data (raster and vector products, union and
intersection, samplers, splitters, collation, transforms, ``datasets.utils``) with ``geotorch`` in place of
``torchgeo``, on small files written in the products' real layouts."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any, ClassVar

import matplotlib.pyplot as plt
import pandas as pd
import pytest
import torch
from matplotlib.figure import Figure
from rasterio.transform import Affine
from torch.utils.data import DataLoader

from geotorch.datasets import (
    CDL,
    NLCD,
    BoundingBox,
    DatasetNotFoundError,
    Esri2020,
    EuroCrops,
    IntersectionDataset,
    Landsat7,
    Landsat8,
    NonGeoDataset,
    RasterDataset,
    Sentinel1,
    Sentinel2,
    UnionDataset,
    VectorDataset,
    concat_samples,
    merge_samples,
    random_bbox_assignment,
    random_bbox_splitting,
    random_grid_cell_assignment,
    roi_split,
    stack_samples,
    time_series_split,
    unbind_samples,
)
from geotorch.datasets.utils import check_integrity, extract_archive, percentile_normalization
from geotorch.samplers import (
    GridGeoSampler,
    PreChippedGeoSampler,
    RandomBatchGeoSampler,
    RandomGeoSampler,
    RandomPatchSampler,
    Units,
    get_random_bounding_box,
    tile_to_chips,
)
from geotorch.transforms import (
    AppendEVI,
    AppendGNDVI,
    AppendMNDWI,
    AppendNBR,
    AppendNormalizedDifferenceIndex,
    AppendSAVI,
    AppendTriBandNormalizedDifferenceIndex,
    LeeFilter,
    RandomGrayscale,
)
from tests.datasets.fakes.geo import (
    covering_grid,
    md5,
    square,
    stripes,
    write_geojson,
    write_landsat_scene,
    write_raster,
    write_sentinel2_safe,
)
from tests.datasets.fakes.products import (
    write_esri2020_tile,
    write_eurocrops_country,
    write_nlcd_year,
    write_sentinel1_rtc,
)

L7_ID = "LE07_L2SP_022032_20230607_20230703_02_T1"
L8_ID = "LC08_L2SP_022032_20230615_20230620_02_T1"
L8_LATER = "LC08_L2SP_022032_20230717_20230720_02_T1"


@pytest.fixture
def landsat(tmp_path: Path) -> Path:
    """Two Landsat 8 scenes (June and July 2023) and a Landsat 7 scene of one path/row, UTM 16N, 30 m."""
    write_landsat_scene(tmp_path / "landsat", L7_ID, Landsat7.all_bands, 32616, -87.6, 40.1, size=64)
    write_landsat_scene(tmp_path / "landsat", L8_ID, Landsat8.all_bands, 32616, -87.6, 40.1, size=64)
    write_landsat_scene(tmp_path / "landsat", L8_LATER, Landsat8.all_bands, 32616, -87.6, 40.1, size=64)
    return tmp_path / "landsat"


@pytest.fixture
def cdl(tmp_path: Path) -> Path:
    """CDL 2023 (Albers, 30 m) covering the Landsat scenes."""
    left, top, height, width = covering_grid((-87.65, 39.95, -87.5, 40.15), 5070, 30.0)
    write_raster(
        tmp_path / "cdl" / "2023_30m_cdls.tif",
        stripes((height, width), (1, 5, 24), width=8),
        5070,
        left,
        top,
        30.0,
        nodata=0,
    )
    return tmp_path / "cdl"


def test_readme_landsat_union_and_cdl_with_random_patch_sampler(landsat: Path, cdl: Path) -> None:
    landsat7 = Landsat7(paths=landsat, bands=["SR_B1", "SR_B2", "SR_B3", "SR_B4", "SR_B5", "SR_B7"])
    landsat8 = Landsat8(paths=landsat, bands=["SR_B2", "SR_B3", "SR_B4", "SR_B5", "SR_B6", "SR_B7"])
    landsat_union = landsat7 | landsat8
    dataset = landsat_union & CDL(paths=cdl, download=True)
    sampler = RandomPatchSampler(dataset, size=16, length=4)
    dataloader = DataLoader(dataset, batch_size=2, sampler=sampler, collate_fn=stack_samples)
    for batch in dataloader:
        assert batch["image"].shape == (2, 6, 16, 16) and batch["mask"].shape == (2, 16, 16)


def test_paths_take_a_file_a_folder_or_a_list_of_both(landsat: Path) -> None:
    red = next(landsat.glob(f"{L8_ID}/*_SR_B4.TIF"))
    by_file = Landsat8(paths=red, bands=["SR_B4"])
    by_list = Landsat8(paths=[landsat / L8_ID, landsat / L8_LATER], bands=["SR_B4"])
    assert len(by_file) == 1 and len(by_list) == 2
    assert by_file.files == [str(red)]
    assert len(by_list.files) == 2 and len((by_file | by_list).files) == 2


def test_res_and_crs_of_a_raster_product_resample_and_reproject(landsat: Path) -> None:
    native = Landsat8(paths=landsat / L8_ID)
    assert tuple(native.res) == (30.0, 30.0) and native.crs.to_epsg() == 32616
    coarse = Landsat8(paths=landsat / L8_ID, res=60)
    x, y, _ = coarse.bounds.slices
    sample = coarse[x.start : x.start + 600, y.start : y.start + 600]
    assert sample["image"].shape[-2:] == (10, 10)
    mercator = Landsat8(paths=landsat / L8_ID, crs="EPSG:3857", res=(50, 50))
    assert mercator.crs.to_epsg() == 3857 and tuple(mercator.res) == (50.0, 50.0)


def test_sample_transform_georeferences_the_sample_grid(landsat: Path) -> None:
    dataset = Landsat8(paths=landsat / L8_ID, bands=["SR_B4"])
    x, y, t = dataset.bounds.slices
    sample = dataset[x.start : x.start + 300, y.stop - 300 : y.stop, t.start : t.stop]
    affine = Affine(*sample["transform"][:6].tolist())
    assert affine.a == pytest.approx(30.0) and affine.e == pytest.approx(-30.0)
    assert affine.c == pytest.approx(x.start, abs=1.0) and affine.f == pytest.approx(y.stop, abs=1.0)
    assert sample["image"].shape == (1, 10, 10)


def test_cdl_years_classes_and_plot_with_a_legend(cdl: Path) -> None:
    dataset = CDL(paths=cdl, years=[2023], classes=[0, 1, 5])
    sample = dataset[dataset.bounds]
    assert set(sample["mask"].unique().tolist()) <= {0, 1, 2}
    figure = dataset.plot(sample, show_titles=True, suptitle="CDL")
    assert (isinstance(figure, Figure) and figure.legends) or any(axis.get_legend() for axis in figure.axes)
    plt.close("all")


def test_nlcd_and_esri2020_land_cover(tmp_path: Path) -> None:
    write_nlcd_year(tmp_path / "nlcd", 2019)
    nlcd = NLCD(paths=tmp_path / "nlcd", years=[2019])
    assert nlcd[nlcd.bounds]["mask"].dtype == torch.int64
    write_esri2020_tile(tmp_path / "esri")
    esri = Esri2020(paths=tmp_path / "esri")
    assert esri[esri.bounds]["mask"].ndim == 2


def test_sentinel2_safe_bands_and_plot(tmp_path: Path) -> None:
    write_sentinel2_safe(tmp_path, "L2A")
    dataset = Sentinel2(paths=tmp_path, bands=["B04", "B03", "B02"], res=10)
    sample = dataset[dataset.bounds]
    assert sample["image"].shape[0] == 3
    assert isinstance(dataset.plot(sample), Figure)
    plt.close("all")


def test_sentinel1_one_polarisation(tmp_path: Path) -> None:
    write_sentinel1_rtc(tmp_path)
    dataset = Sentinel1(paths=tmp_path, bands=["VV"])
    assert dataset[dataset.bounds]["image"].shape[0] == 1


def test_eurocrops_vector_labels_rasterised(tmp_path: Path) -> None:
    write_eurocrops_country(tmp_path)
    dataset = EuroCrops(paths=tmp_path)
    sample = dataset[dataset.bounds]
    assert sample["mask"].dtype == torch.int64 and int(sample["mask"].max()) > 0


class Fields(VectorDataset):
    """A custom vector dataset, as TorchGeo's docs write one: a glob and the attribute holding the class."""

    filename_glob = "*.geojson"


def test_custom_vector_dataset_with_label_name(tmp_path: Path) -> None:
    write_geojson(
        tmp_path / "fields.geojson",
        [square(500000, 4400000, 300), square(500600, 4400000, 300)],
        [{"crop": 3}, {"crop": 7}],
        epsg=32616,
    )
    dataset = Fields(paths=tmp_path, res=10, label_name="crop")
    sample = dataset[dataset.bounds]
    assert set(sample["mask"].unique().tolist()) <= {0, 3, 7} and int(sample["mask"].max()) == 7


def test_union_and_intersection_dataset_constructors(landsat: Path, cdl: Path) -> None:
    union = UnionDataset(
        Landsat7(paths=landsat, bands=Landsat7.rgb_bands), Landsat8(paths=landsat, bands=Landsat8.rgb_bands)
    )
    assert len(union) == 3
    both = IntersectionDataset(Landsat8(paths=landsat), CDL(paths=cdl))
    assert both.crs.to_epsg() == 32616 and tuple(both.res) == (30.0, 30.0)
    assert both[both.bounds]["mask"].ndim == 2


def test_grid_sampler_in_crs_units_and_its_length(landsat: Path) -> None:
    dataset = Landsat8(paths=landsat / L8_ID)
    sampler = GridGeoSampler(dataset, size=960, stride=960, units=Units.CRS)
    assert len(sampler) == 4
    assert all(query.maxx - query.minx == pytest.approx(960) for query in sampler)


def test_random_batch_sampler_as_a_batch_sampler(landsat: Path) -> None:
    dataset = Landsat8(paths=landsat / L8_ID)
    sampler = RandomBatchGeoSampler(dataset, size=16, batch_size=3, length=6)
    batches = list(DataLoader(dataset, batch_sampler=sampler, collate_fn=stack_samples))
    assert len(batches) == 2 and batches[0]["image"].shape[0] == 3


def test_prechipped_sampler_visits_each_file_once(landsat: Path) -> None:
    dataset = Landsat8(paths=landsat)
    assert len(list(PreChippedGeoSampler(dataset, shuffle=True))) == 2


def test_positional_roi_and_toi_as_a_pandas_interval_select_one_date(landsat: Path) -> None:
    dataset = Landsat8(paths=landsat)
    toi = pd.Interval(pd.Timestamp("2023-07-01"), pd.Timestamp("2023-07-31"))
    july = pd.Timestamp("2023-07-17", tz="UTC").timestamp()
    for query in RandomGeoSampler(dataset, 16, 3, dataset.bounds, toi):
        assert query.mint <= july <= query.maxt
    grid = GridGeoSampler(dataset, 32, 32, None, toi)
    assert len(grid) == 4
    chips = list(PreChippedGeoSampler(dataset, None, toi))
    assert len(chips) == 1 and chips[0].mint >= toi.left.tz_localize("UTC").timestamp()


def test_positional_units_after_roi_as_in_0_7(landsat: Path) -> None:
    dataset = Landsat8(paths=landsat / L8_ID)
    assert len(GridGeoSampler(dataset, 960, 960, None, Units.CRS)) == 4


def test_random_sampler_with_a_seeded_generator_repeats(landsat: Path) -> None:
    dataset = Landsat8(paths=landsat / L8_ID)
    first = list(RandomGeoSampler(dataset, size=16, length=3, generator=torch.Generator().manual_seed(0)))
    second = list(RandomGeoSampler(dataset, size=16, length=3, generator=torch.Generator().manual_seed(0)))
    assert first == second


def test_sampler_utils_random_box_and_chip_count() -> None:
    bounds = BoundingBox(0, 100, 0, 100, 0, 1)
    box = get_random_bounding_box(bounds, 10, 1)
    assert box.maxx - box.minx == pytest.approx(10) and 0 <= box.minx <= 90
    assert tile_to_chips(bounds, (10, 10)) == (10, 10)
    assert tile_to_chips(bounds, (10, 10), (5, 5)) == (19, 19)


def test_splitters_by_bbox_grid_cell_roi_and_time(landsat: Path) -> None:
    dataset = Landsat8(paths=landsat)
    generator = torch.Generator().manual_seed(0)
    train, test = random_bbox_assignment(dataset, [0.5, 0.5], generator=generator)
    assert len(train) + len(test) == 2
    halves = random_bbox_splitting(dataset, [0.5, 0.5], generator=generator)
    assert len(halves) == 2
    cells = random_grid_cell_assignment(dataset, [0.5, 0.5], grid_size=4, generator=generator)
    assert len(cells) == 2
    b = dataset.bounds
    middle = (b.minx + b.maxx) / 2
    left, right = roi_split(
        dataset,
        rois=[
            BoundingBox(b.minx, middle, b.miny, b.maxy, b.mint, b.maxt),
            BoundingBox(middle, b.maxx, b.miny, b.maxy, b.mint, b.maxt),
        ],
    )
    assert left.bounds.maxx <= middle <= right.bounds.minx
    before, after = time_series_split(dataset, [0.5, 0.5])
    assert before.bounds.maxt <= after.bounds.mint


def test_collate_functions_on_sample_dicts() -> None:
    first = {"image": torch.ones(2, 4, 4), "mask": torch.zeros(4, 4, dtype=torch.long)}
    second = {"image": torch.zeros(2, 4, 4), "mask": torch.ones(4, 4, dtype=torch.long)}
    batch = stack_samples([first, second])
    assert batch["image"].shape == (2, 2, 4, 4)
    assert [sample["image"].shape for sample in unbind_samples(sample=batch)] == [(2, 4, 4), (2, 4, 4)]
    assert concat_samples([first, {"image": torch.ones(1, 4, 4)}])["image"].shape == (3, 4, 4)
    assert merge_samples([first, second])["image"].shape == (2, 4, 4)


def test_spectral_indices_of_0_10() -> None:
    image = torch.rand(2, 6, 8, 8) + 0.1
    assert AppendNormalizedDifferenceIndex(index_a=3, index_b=2)(image).shape == (2, 7, 8, 8)
    assert AppendEVI(index_nir=3, index_red=2, index_blue=0)(image).shape == (2, 7, 8, 8)
    assert AppendSAVI(index_nir=3, index_red=2)(image).shape == (2, 7, 8, 8)
    assert AppendMNDWI(index_green=1, index_swir=4)(image).shape == (2, 7, 8, 8)
    assert AppendGNDVI(index_nir=3, index_green=1)(image).shape == (2, 7, 8, 8)
    assert AppendNBR(index_nir=3, index_swir=5)(image).shape == (2, 7, 8, 8)
    tri = AppendTriBandNormalizedDifferenceIndex(index_a=3, index_b=2, index_c=1)
    assert tri(image).shape == (2, 7, 8, 8)


def test_lee_filter_and_weighted_grayscale() -> None:
    sar = torch.rand(2, 2, 16, 16)
    assert LeeFilter(window_size=5, num_looks=1.0, p=1.0)(sar).shape == (2, 2, 16, 16)
    gray = RandomGrayscale(weights=torch.tensor([0.2, 0.3, 0.5]), p=1.0)(torch.rand(2, 3, 8, 8))
    assert torch.allclose(gray[:, 0], gray[:, 1])


def test_datasets_utils_archive_checksum_and_normalisation(tmp_path: Path) -> None:
    member = tmp_path / "member.txt"
    member.write_text("chip")
    archive = tmp_path / "chips.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.write(member, "chips/member.txt")
    assert check_integrity(archive, md5(archive)) and not check_integrity(archive, "0" * 32)
    extract_archive(archive, tmp_path / "out")
    assert (tmp_path / "out" / "chips" / "member.txt").read_text() == "chip"
    scaled = percentile_normalization(torch.arange(100.0).reshape(10, 10).numpy(), 2, 98)
    assert float(scaled.min()) == 0.0 and float(scaled.max()) == 1.0


class Chips(NonGeoDataset):
    """A benchmark written as the contributing guide writes one: it raises ``DatasetNotFoundError(self)``."""

    all_bands: ClassVar[tuple[str, ...]] = ("B1",)

    def __init__(self, root: Path) -> None:
        self.root = root
        self.paths = sorted(root.glob("*.tif"))
        if not self.paths:
            raise DatasetNotFoundError(self)

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, index: int) -> dict[str, Any]:
        return {"image": torch.zeros(1, 2, 2)}


def test_a_custom_benchmark_raises_dataset_not_found_error_of_itself(tmp_path: Path) -> None:
    with pytest.raises(DatasetNotFoundError, match="Chips"):
        Chips(tmp_path)


class Elevation(RasterDataset):
    """A single-file raster dataset: ``is_image`` float values, one band."""

    filename_glob = "dem_*.tif"
    is_image = True


def test_raster_dataset_of_one_file_path(tmp_path: Path) -> None:
    dem = write_raster(
        tmp_path / "dem_1.tif", stripes((20, 20), (100, 200), dtype="int16"), 32633, 500000.0, 4600000.0, 10.0
    )
    dataset = Elevation(paths=dem)
    assert dataset[dataset.bounds]["image"].shape == (1, 20, 20)
