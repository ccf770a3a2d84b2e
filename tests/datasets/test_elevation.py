"""EU-DEM and ASTER GDEM: elevation tiles found on disk (EU-DEM also from archives placed there)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import rasterio
import torch

from geotorch.core import ChecksumError, DatasetNotFoundError
from geotorch.datasets import EUDEM, AsterGDEM
from tests.datasets.fakes.geo import md5, zip_files
from tests.datasets.fakes.products import write_aster_tile, write_eudem_tile

#: A real float32 raster in ETRS89-LAEA (EU-DEM's grid) with nodata -3.4e38 (see ../shared/data/real/README.md).
REAL_FLOAT = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "real" / "float_raster_with_nodata.tif"


def test_eudem_elevation_is_a_float32_mask_in_metres(tmp_path: Path) -> None:
    write_eudem_tile(tmp_path)
    dataset = EUDEM(root=tmp_path)
    mask = dataset[dataset.bounds]["mask"]
    assert mask.dtype == torch.float32 and mask.shape == (32, 32)
    assert float(mask[0, 0]) == 100 and float(mask.max()) == 100 + 5 * 31 + 4 * 31


def test_eudem_keeps_fractional_metres_and_the_nodata_of_a_real_float32_tile(tmp_path: Path) -> None:
    # A real float32 LAEA raster with fractional values and a nodata collar, named as an EU-DEM tile:
    # every value must come back as stored (the int64 mask refused 0.5 m steps as "no integer class id").
    if not REAL_FLOAT.is_file():
        pytest.skip(f"real geodata not found at {REAL_FLOAT.resolve()} (the project root's ../shared/data/real)")
    shutil.copy(REAL_FLOAT, tmp_path / "eu_dem_v11_E40N20.TIF")
    with rasterio.open(REAL_FLOAT) as source:
        stored = source.read(1)
    assert (stored != np.round(stored)).any() and (stored == np.float32(-3.4e38)).sum() == 58
    dataset = EUDEM(root=tmp_path)
    mask = dataset[dataset.bounds]["mask"]
    assert mask.dtype == torch.float32
    np.testing.assert_array_equal(mask.numpy(), stored)


def test_eudem_archives_placed_in_root_are_verified_and_extracted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raster = write_eudem_tile(tmp_path / "staging")
    archive = zip_files(tmp_path / "dem" / "eu_dem_v11_E40N20.zip", [raster], raster.parent)
    monkeypatch.setattr(EUDEM, "md5s", {archive.name: "0" * 32})
    with pytest.raises(ChecksumError, match=archive.name):
        EUDEM(root=tmp_path / "dem", checksum=True)
    archive = zip_files(tmp_path / "dem" / "eu_dem_v11_E40N20.zip", [raster], raster.parent)
    monkeypatch.setattr(EUDEM, "md5s", {archive.name: md5(archive)})
    assert len(EUDEM(root=tmp_path / "dem", checksum=True)) == 1
    assert (tmp_path / "dem" / "eu_dem_v11_E40N20.TIF").is_file()


def test_aster_reads_dem_tiles_only_and_plots_them(tmp_path: Path) -> None:
    write_aster_tile(tmp_path)
    write_aster_tile(tmp_path, "N33W119")
    dataset = AsterGDEM(root=tmp_path)
    assert len(dataset) == 2 and dataset.crs.to_epsg() == 4326
    sample = dataset[dataset.bounds.minx : dataset.bounds.minx + 0.005, 32.995 : 33.0]
    sample["prediction"] = sample["mask"] + 1
    assert len(dataset.plot(sample, suptitle="DEM").axes) == 3  # two panels and a colour bar


@pytest.mark.parametrize("cls", [EUDEM, AsterGDEM])
def test_missing_tiles_say_where_to_get_them(tmp_path: Path, cls: type[EUDEM] | type[AsterGDEM]) -> None:
    with pytest.raises(DatasetNotFoundError, match=rf"{tmp_path}.*(Copernicus|Earthdata)"):
        cls(root=tmp_path, download=True)


def test_eudem_plot_scales_to_the_elevations_leaving_the_nodata_collar_blank(tmp_path: Path) -> None:
    # The real tile's 58 nodata pixels (-3.4e38) set the colour scale's low end before, so every
    # elevation was drawn in one colour.
    if not REAL_FLOAT.is_file():
        pytest.skip(f"real geodata not found at {REAL_FLOAT.resolve()} (the project root's ../shared/data/real)")
    shutil.copy(REAL_FLOAT, tmp_path / "eu_dem_v11_E40N20.TIF")
    with rasterio.open(REAL_FLOAT) as source:
        stored = source.read(1, masked=True)
    dataset = EUDEM(root=tmp_path)
    figure = dataset.plot(dataset[dataset.bounds])
    shown = figure.axes[0].images[0]
    assert shown.get_clim() == (float(stored.min()), float(stored.max()))
    np.testing.assert_array_equal(np.ma.getmaskarray(shown.get_array()), np.ma.getmaskarray(stored))


def test_elevation_plot_leaves_nan_out_of_the_scale_and_names_a_sample_without_elevation(tmp_path: Path) -> None:
    write_eudem_tile(tmp_path)
    dataset = EUDEM(root=tmp_path)
    mask = dataset[dataset.bounds]["mask"]
    mask[:, :4] = float("nan")
    figure = dataset.plot({"mask": mask})
    assert figure.axes[0].images[0].get_clim() == (100 + 4 * 4, 100 + 5 * 31 + 4 * 31)
    with pytest.raises(ValueError, match=r"plot_elevation: the sample has no mask or prediction \(keys: \['image'\]\)"):
        dataset.plot({"image": mask[None]})
