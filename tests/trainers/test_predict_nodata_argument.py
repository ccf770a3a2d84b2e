"""``predict_raster(nodata=...)`` for inputs without a nodata value, as ``RasterDataset(nodata=...)`` reads them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
import torch
from torch import nn

from geotorch.core import GeoDataset, RasterDataset
from geotorch.datamodules import GeoDataModule
from geotorch.trainers import SemanticSegmentationTask
from geotorch.trainers.predict import predict_raster
from tests.trainers.test_predict_paths_agree import PATCH, STRIDE, TRANSFORM, written_by_the_writer

#: The fill of a float DEM-like raster whose file says nothing of it (no nodata tag), as many exports are.
FILL = -9999.0


class Heights(RasterDataset):
    filename_glob = "heights.tif"


class HeightModule(GeoDataModule):
    """Prediction on the heights, read with ``nodata=FILL`` as TorchGeo users declare a fill the file does not."""

    mean = (0.0,)
    std = (1000.0,)

    def build_splits(self) -> tuple[GeoDataset, GeoDataset, GeoDataset, GeoDataset]:
        dataset = Heights(paths=self.kwargs["paths"], nodata=FILL)
        return dataset, dataset, dataset, dataset


def write_heights(folder: Path, height: int = 40, width: int = 44) -> Path:
    """A float32 raster of heights, its top rows and left columns the fill, and no nodata tag."""
    folder.mkdir(parents=True)
    heights = np.random.default_rng(5).uniform(0, 3000, (1, height, width)).astype("float32")
    heights[:, :6] = FILL
    heights[:, :, :9] = FILL
    with rasterio.open(folder / "heights.tif", "w", driver="GTiff", width=width, height=height, count=1,
                       dtype="float32", crs="EPSG:32633", transform=TRANSFORM) as target:
        target.write(heights)
    return folder / "heights.tif"


@pytest.mark.parametrize("size", [(40, 44), (20, 25)], ids=["windows", "smaller-than-a-window"])
def test_nodata_marks_and_pads_as_the_datasets_nodata_does(tmp_path: Path, size: tuple[int, int]) -> None:
    # Without nodata= the fill was predicted as heights of -9999 m, and a raster smaller than a window was padded
    # with 0 where the dataset pads with its nodata.
    source = write_heights(tmp_path / "data", *size)
    torch.manual_seed(0)
    task = SemanticSegmentationTask(model="fcn", in_channels=1, num_classes=3, num_filters=8).eval()
    module = HeightModule(paths=source.parent, batch_size=4, patch_size=PATCH, predict_stride=STRIDE)
    for output in ("classes", "probabilities"):
        expected = written_by_the_writer(tmp_path, task, module, output)
        (written,) = predict_raster(task, source, tmp_path / f"raster-{output}", patch_size=PATCH,
                                    overlap=PATCH - STRIDE, output=output, device="cpu", nodata=FILL,
                                    preprocess=lambda x: x / 1000.0)
        with rasterio.open(written) as result:
            given = result.read()
        np.testing.assert_array_equal(given, expected)
        assert (given[:, :6] == 255).all() and (given[:, :, :9] == 255).all()
        assert (given[:, 6:, 9:] != 255).all()


def test_nodata_of_a_warped_input_is_left_out_of_the_bilinear_kernels(tmp_path: Path) -> None:
    source = write_heights(tmp_path / "data")
    seen: list[float] = []

    class Lowest(nn.Module):
        def forward(self, batch: torch.Tensor) -> torch.Tensor:
            seen.append(float(batch[~torch.isclose(batch, torch.tensor(FILL))].min()))
            return torch.zeros(batch.shape[0], 2, *batch.shape[2:])

    (written,) = predict_raster(Lowest(), source, tmp_path / "warped", patch_size=PATCH, device="cpu",
                                nodata=FILL, crs="EPSG:3857")
    # Blended with the fill, heights near its edge were thousands of metres below sea level.
    assert min(seen) >= 0
    with rasterio.open(written) as result:
        classes = result.read(1)
    assert (classes == 255).any() and (classes == 0).any()


@pytest.mark.parametrize("value", ["0", True, [0]], ids=["text", "bool", "list"])
def test_nodata_that_is_no_number_is_refused(tmp_path: Path, value: object) -> None:
    source = write_heights(tmp_path / "data")
    with pytest.raises(TypeError, match=r"predict_raster: nodata=.* must be a number"):
        predict_raster(nn.Conv2d(1, 2, 1), source, tmp_path / "out", nodata=value, device="cpu")  # type: ignore[arg-type]


def write_heights_of_two_nodata(folder: Path) -> Path:
    """Heights whose file declares nodata -1 (its lower right corner) beside the undeclared fill of -9999."""
    source = write_heights(folder)
    with rasterio.open(source, "r+") as target:
        heights = target.read()
        heights[:, 30:, 30:] = -1
        target.write(heights)
        target.nodata = -1
    return source


def test_a_files_own_nodata_beside_nodata_reaches_the_model_as_nodata(tmp_path: Path) -> None:
    # RasterDataset(nodata=-9999) fills the file's own nodata pixels (-1) with -9999; predict_raster gave the
    # model -1 there, and the classes around the corner differed from the writer's (280 probability bytes by 254).
    source = write_heights_of_two_nodata(tmp_path / "data")
    torch.manual_seed(0)
    task = SemanticSegmentationTask(model="fcn", in_channels=1, num_classes=3, num_filters=8).eval()
    module = HeightModule(paths=source.parent, batch_size=4, patch_size=PATCH, predict_stride=STRIDE)
    expected = written_by_the_writer(tmp_path, task, module, "probabilities")
    (written,) = predict_raster(task, source, tmp_path / "raster", patch_size=PATCH, overlap=PATCH - STRIDE,
                                output="probabilities", device="cpu", nodata=FILL, preprocess=lambda x: x / 1000.0)
    with rasterio.open(written) as result:
        np.testing.assert_array_equal(result.read(), expected)


def test_a_warp_of_a_file_of_another_nodata_is_refused_naming_both(tmp_path: Path) -> None:
    source = write_heights_of_two_nodata(tmp_path / "data")
    with pytest.raises(ValueError, match=r"heights.tif has its own nodata value -1.0 and nodata=-9999.0 is another, "
                                         r"and a warp onto crs=EPSG:3857 leaves only one out"):
        predict_raster(nn.Conv2d(1, 2, 1), source, tmp_path / "out", nodata=FILL, crs="EPSG:3857", device="cpu")
    assert not (tmp_path / "out").exists()
