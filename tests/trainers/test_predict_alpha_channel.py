"""An RGBA input's alpha band: a fourth channel for a model taking four, left out for one taking three."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import rasterio
import torch
from torch import nn

from geotorch.core import GeoDataset, RasterDataset
from geotorch.datamodules import GeoDataModule
from geotorch.trainers import SemanticSegmentationTask
from geotorch.trainers.predict import predict_raster
from tests.trainers.test_predict_paths_agree import PATCH, STRIDE, TRANSFORM, written_by_the_writer


class Pictures(RasterDataset):
    filename_glob = "picture.tif"


class PictureModule(GeoDataModule):
    """Prediction on RGBA pictures as RasterDataset reads them: four bands, the alpha band the fourth."""

    mean = (0.0,)
    std = (255.0,)

    def build_splits(self) -> tuple[GeoDataset, GeoDataset, GeoDataset, GeoDataset]:
        dataset = Pictures(paths=self.kwargs["paths"])
        return dataset, dataset, dataset, dataset


def write_rgba(folder: Path, height: int = 40, width: int = 44) -> Path:
    """An RGB uint8 GeoTIFF with an alpha band (GDAL's ALPHA=YES), its top rows and a corner transparent."""
    folder.mkdir(parents=True)
    image = np.random.default_rng(2).integers(0, 255, (4, height, width)).astype("uint8")
    image[3] = 255
    image[3, :6] = 0
    image[3, -9:, -7:] = 0
    with rasterio.open(folder / "picture.tif", "w", driver="GTiff", width=width, height=height, count=4,
                       dtype="uint8", crs="EPSG:32633", transform=TRANSFORM, photometric="RGB",
                       ALPHA="YES") as target:
        target.write(image)
    return folder / "picture.tif"


def test_a_task_taking_four_channels_gets_the_alpha_band_as_the_dataset_gives_it(tmp_path: Path) -> None:
    # RasterDataset gives an RGBA file's four bands (the model of geotorch predict saw the alpha band); predict_raster
    # gave three, and the model failed ("expected input[8, 3, 32, 32] to have 4 channels").
    source = write_rgba(tmp_path / "data")
    torch.manual_seed(0)
    task = SemanticSegmentationTask(model="fcn", in_channels=4, num_classes=3, num_filters=8).eval()
    module = PictureModule(paths=source.parent, batch_size=4, patch_size=PATCH, predict_stride=STRIDE)
    for output in ("classes", "probabilities"):
        expected = written_by_the_writer(tmp_path, task, module, output)
        (written,) = predict_raster(task, source, tmp_path / f"raster-{output}", patch_size=PATCH,
                                    overlap=PATCH - STRIDE, output=output, device="cpu",
                                    preprocess=lambda x: x / 255.0)
        with rasterio.open(written) as result:
            given = result.read()
        np.testing.assert_array_equal(given, expected)
        assert (given[:, :6] == 255).all() and (given[:, 6:-9] != 255).all()


def test_a_model_taking_three_channels_gets_the_colours_and_zeros_where_the_alpha_hides(tmp_path: Path) -> None:
    # The pixels the alpha band hides reached the model as the file holds them, where a warp and RasterDataset give
    # them as 0.
    source = write_rgba(tmp_path / "data")
    seen: list[torch.Tensor] = []

    class Noting(nn.Module):
        def forward(self, batch: torch.Tensor) -> torch.Tensor:
            seen.append(batch.clone())
            return torch.zeros(batch.shape[0], 2, *batch.shape[2:])

    predict_raster(Noting(), source, tmp_path / "out", patch_size=PATCH, overlap=0, device="cpu")
    assert seen[0].shape[1] == 3
    assert (seen[0][0, :, :6] == 0).all()
    with rasterio.open(source) as reader:
        assert (seen[0][0, :, 6:] == torch.from_numpy(reader.read([1, 2, 3])[:, 6:PATCH, :PATCH]).float()).all()


class Masked(RasterDataset):
    filename_glob = "masked.tif"


def test_pixels_an_internal_mask_hides_reach_the_model_as_the_dataset_gives_them(tmp_path: Path) -> None:
    # A GeoTIFF whose validity is an internal mask band (GDAL_TIFF_INTERNAL_MASK, no nodata value): RasterDataset
    # gives the hidden pixels as 0, predict_raster gave them as stored.
    folder = tmp_path / "data"
    folder.mkdir()
    image = np.random.default_rng(6).integers(1, 255, (3, 40, 44)).astype("uint8")
    valid = np.full((40, 44), 255, "uint8")
    valid[:, :10] = 0
    valid[25:, 30:] = 0
    with rasterio.Env(GDAL_TIFF_INTERNAL_MASK=True), rasterio.open(
        folder / "masked.tif", "w", driver="GTiff", width=44, height=40, count=3, dtype="uint8", crs="EPSG:32633",
        transform=TRANSFORM,
    ) as target:
        target.write(image)
        target.write_mask(valid)
    dataset = Masked(paths=folder)
    expected = dataset[dataset.bounds]["image"]
    assert (expected[:, :, :10] == 0).all()
    seen: list[torch.Tensor] = []

    class Noting(nn.Module):
        def forward(self, batch: torch.Tensor) -> torch.Tensor:
            seen.append(batch.clone())
            return torch.zeros(batch.shape[0], 2, *batch.shape[2:])

    (written,) = predict_raster(Noting(), folder / "masked.tif", tmp_path / "out", patch_size=(40, 44), device="cpu")
    assert torch.equal(seen[0][0], expected)
    with rasterio.open(written) as result:
        classes = result.read(1)
    assert (classes[valid == 0] == 255).all() and (classes[valid > 0] == 0).all()
