"""Warped outputs (``crs=``) of both paths have one grid: GDAL's, every pixel whose centre the input covers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
import torch
from affine import Affine
from rasterio.vrt import WarpedVRT
from rasterio.warp import Resampling, reproject

from geotorch.core import GeoDataset, RasterDataset
from geotorch.datamodules import GeoDataModule
from geotorch.trainers import GeoTIFFPredictionWriter, SemanticSegmentationTask
from geotorch.trainers.predict import predict_raster
from tests.trainers.task_fakes import fast_trainer

PATCH, STRIDE = 32, 24


class Tiles(RasterDataset):
    filename_glob = "tile.tif"


class WarpedModule(GeoDataModule):
    """Prediction on the tile warped onto ``crs`` (at ``res``), its values divided by 255."""

    mean = (0.0,)
    std = (255.0,)

    def build_splits(self) -> tuple[GeoDataset, GeoDataset, GeoDataset, GeoDataset]:
        dataset = Tiles(paths=self.kwargs["paths"], crs=self.kwargs["crs"], res=self.kwargs["res"])
        return dataset, dataset, dataset, dataset


def write_tile(folder: Path, crs: str, transform: Affine) -> Path:
    folder.mkdir(parents=True)
    image = np.random.default_rng(4).integers(1, 255, (1, 100, 120)).astype("uint8")
    with rasterio.open(folder / "tile.tif", "w", driver="GTiff", width=120, height=100, count=1, dtype="uint8",
                       crs=crs, transform=transform, nodata=0) as target:
        target.write(image)
    return folder / "tile.tif"


CASES = {
    # A geographic tile onto UTM: GDAL's grid has 125 rows, the last 0.85 of a pixel inside the footprint.
    "lonlat-to-utm": ("EPSG:4326", Affine(0.001, 0, 10, 0, -0.001, 50), "EPSG:32632", None),
    # A UTM tile onto Web Mercator at 47 m: the footprint spans 134.8 x 114.1 pixels.
    "utm-to-mercator-res": ("EPSG:32633", Affine(30, 0, 700_000, 0, -30, 6_000_000), "EPSG:3857", 47.0),
    "lonlat-to-utm-res": ("EPSG:4326", Affine(0.001, 0, 10, 0, -0.001, 50), "EPSG:32632", 90.0),
}


@pytest.mark.parametrize("case", list(CASES))
def test_both_paths_warp_onto_one_grid_of_the_pixels_the_input_covers(tmp_path: Path, case: str) -> None:
    # predict_raster took rasterio's suggestion (the footprint's pixels rounded up with res=, 135 x 115 where GDAL's
    # warp has 135 x 114), the writer the whole pixels inside the footprint (124 rows where GDAL's grid has 125,
    # dropping the input's last row of data), so the two outputs had other shapes.
    source_crs, transform, crs, res = CASES[case]
    source = write_tile(tmp_path / "data", source_crs, transform)
    torch.manual_seed(0)
    task = SemanticSegmentationTask(model="fcn", in_channels=1, num_classes=3, num_filters=8).eval()
    writer = GeoTIFFPredictionWriter(tmp_path / "writer", output="classes")
    module = WarpedModule(paths=source.parent, crs=crs, res=res, batch_size=4, patch_size=PATCH,
                          predict_stride=STRIDE)
    fast_trainer(tmp_path, fast_dev_run=False, callbacks=[writer]).predict(task, datamodule=module,
                                                                           return_predictions=False)
    (written,) = predict_raster(task, source, tmp_path / "raster", patch_size=PATCH, overlap=PATCH - STRIDE,
                                device="cpu", crs=crs, res=res, preprocess=lambda x: x / 255.0)
    with rasterio.open(writer.written[0]) as by_writer, rasterio.open(written) as by_raster:
        assert (by_raster.width, by_raster.height) == (by_writer.width, by_writer.height)
        assert by_raster.transform.almost_equals(by_writer.transform, precision=1e-9)
        grid = by_raster.transform, by_raster.height, by_raster.width
    with rasterio.open(source) as reader:
        if res is None:
            # GDAL's own grid for the warp (gdalwarp -t_srs without -tr).
            with WarpedVRT(reader, crs=crs) as view:
                assert (view.width, view.height) == (grid[2], grid[1])
                assert view.transform.almost_equals(grid[0], precision=1e-9)
        # A nearest-neighbour warp onto the grid grown by a pixel: data in the last row and column, none past them.
        reference = np.zeros((grid[1] + 1, grid[2] + 1), "uint8")
        reproject(rasterio.band(reader, 1), reference, dst_transform=grid[0], dst_crs=crs, dst_nodata=0,
                  resampling=Resampling.nearest)
    assert reference[-2].any() and reference[:, -2].any()
    assert not reference[-1].any() and not reference[:, -1].any()


def test_a_raster_smaller_than_half_a_pixel_of_res_is_named_by_its_size(tmp_path: Path) -> None:
    # A 2 x 2 tile of 10 m pixels onto EPSG:3857 at res=1000: no output pixel's centre lies on its 20 m (about 25 m in
    # Web Mercator), so GDAL's grid has none; the error blamed the antimeridian.
    path = tmp_path / "tile.tif"
    with rasterio.open(path, "w", driver="GTiff", width=2, height=2, count=1, dtype="uint8", crs="EPSG:32633",
                       transform=Affine(10.0, 0.0, 500_000.0, 0.0, -10.0, 4_000_020.0)) as tile:
        tile.write(np.ones((1, 2, 2), "uint8"))
    with pytest.raises(ValueError, match=r"tile\.tif spans 24.7 x 24.9 m on crs=EPSG:3857, under half a pixel of "
                                         r"res=1000\.0 in width.*finer res="):
        predict_raster(torch.nn.Conv2d(1, 2, 1), path, tmp_path / "out", crs="EPSG:3857", res=1000.0,
                       patch_size=PATCH, device="cpu", preprocess=torch.nn.Identity())
