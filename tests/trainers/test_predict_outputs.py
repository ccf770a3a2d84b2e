"""``predict_raster``'s files: nodata wherever the input has no imagery, and a killed run leaves nothing behind."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import rasterio
import rasterio.warp
import torch
from affine import Affine
from rasterio.enums import ColorInterp
from torch import nn

from geotorch.trainers import predict, predict_cog, predict_grid
from geotorch.trainers.predict import predict_raster
from tests.core.rasters import write_raster

# Far from the zone's central meridian: the grid of a warp to degrees is turned against the image's.
TRANSFORM = Affine(10, 0, 170_000, 0, -10, 6_000_000)
KILLED_RUN = Path(__file__).with_name("killed_predict.py")


def write_image(path: Path, image: np.ndarray, roles: list[ColorInterp] | None = None) -> Path:
    write_raster(path, image, "EPSG:32633", TRANSFORM)
    if roles is not None:
        with rasterio.open(path, "r+") as target:
            target.colorinterp = roles
    return path


def image_of(bands: int, height: int, width: int, dtype: str = "uint8") -> np.ndarray:
    return np.random.default_rng(bands).integers(1, 200, (bands, height, width)).astype(dtype)


@pytest.mark.parametrize("bands", [1, 3, 4, 6])
def test_an_alpha_band_beside_any_number_of_bands_says_which_pixels_are_nodata(tmp_path: Path, bands: int) -> None:
    # GDAL's masks heed an alpha band only beside 1 or 3 other bands.
    image = np.concatenate([image_of(bands, 50, 60), np.full((1, 50, 60), 255, "uint8")])
    image[bands, 5:15, 20:40] = 0
    roles = [ColorInterp.gray] + [ColorInterp.undefined] * (bands - 1) + [ColorInterp.alpha]
    path = write_image(tmp_path / "scene.tif", image, roles)
    torch.manual_seed(0)
    (written,) = predict_raster(nn.Conv2d(bands, 3, 1), path, tmp_path / "out", patch_size=32)
    with rasterio.open(written) as result:
        classes = result.read(1)
    inside = np.zeros(classes.shape, dtype=bool)
    inside[5:15, 20:40] = True
    assert (classes[inside] == 255).all()
    assert (classes[~inside] < 3).all()


class FirstPixel(nn.Module):
    """Two classes: 1 where band 2 of its input is above 100, else 0; notes the top-left pixel of each window."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[list[float]] = []

    def forward(self, batch: torch.Tensor) -> torch.Tensor:
        self.seen.extend(batch[:, :, 0, 0].tolist())
        above = (batch[:, 1:2] > 100).float()
        return torch.cat([1 - above, above], dim=1)


@pytest.mark.parametrize("crs", [None, "EPSG:32633"])
def test_an_alpha_band_before_image_bands_is_left_out_of_the_models_input(tmp_path: Path, crs: str | None) -> None:
    # A virtual raster may put its alpha band anywhere: here gray, alpha, near-infrared. The model's
    # two bands were the first two (gray and alpha), the near-infrared band never read.
    image = np.stack([np.full((40, 50), 10, "uint8"), np.full((40, 50), 255, "uint8"), np.full((40, 50), 7, "uint8")])
    image[2, :, 25:] = 200
    image[1, :8, :8] = 0
    write_image(tmp_path / "bands.tif", image)
    roles = ["Gray", "Alpha", "Undefined"]
    bands = "".join(
        f'<VRTRasterBand dataType="Byte" band="{band}"><ColorInterp>{role}</ColorInterp><SimpleSource>'
        f'<SourceFilename relativeToVRT="1">bands.tif</SourceFilename><SourceBand>{band}</SourceBand>'
        "</SimpleSource></VRTRasterBand>"
        for band, role in enumerate(roles, 1)
    )
    transform = ",".join(str(value) for value in TRANSFORM.to_gdal())
    path = tmp_path / "scene.vrt"
    path.write_text(
        f'<VRTDataset rasterXSize="50" rasterYSize="40"><SRS>EPSG:32633</SRS><GeoTransform>{transform}'
        f"</GeoTransform>{bands}</VRTDataset>"
    )
    net = FirstPixel()
    (written,) = predict_raster(net, path, tmp_path / "out", patch_size=16, overlap=0, crs=crs)
    # (A warp gives the pixels its alpha band hides as zeros.)
    seen = {tuple(pixel) for pixel in net.seen}
    assert {(10.0, 7.0), (10.0, 200.0)} <= seen <= {(0.0, 0.0), (10.0, 7.0), (10.0, 200.0)}
    with rasterio.open(written) as result:
        classes = result.read(1)
    expected = np.where(image[2] > 100, 1, 0).astype("uint8")
    expected[:8, :8] = 255
    assert np.array_equal(classes, expected)


@pytest.mark.parametrize(("bands", "dtype"), [(1, "uint8"), (2, "uint16"), (3, "uint8"), (4, "uint16")])
def test_a_warped_output_is_nodata_outside_the_inputs_footprint_whatever_its_bands(
    tmp_path: Path, bands: int, dtype: str
) -> None:
    path = write_image(tmp_path / "scene.tif", image_of(bands, 200, 200, dtype))
    torch.manual_seed(0)
    (written,) = predict_raster(nn.Conv2d(bands, 3, 1), path, tmp_path / "out", patch_size=64, crs="EPSG:4326")
    with rasterio.open(written) as result:
        classes = result.read(1)
        footprint = np.zeros(classes.shape, dtype="uint8")
        with rasterio.open(path) as source:
            rasterio.warp.reproject(
                np.ones((200, 200), "uint8"),
                footprint,
                src_transform=source.transform,
                src_crs=source.crs,
                dst_transform=result.transform,
                dst_crs=result.crs,
                dst_nodata=0,
            )
    # The image's turned square leaves the grid's corners empty; its inside is predicted.
    assert classes[0, 0] == classes[-1, -1] == 255
    assert (classes[footprint == 0] == 255).mean() > 0.95
    inside = footprint.astype(bool)
    inside[1:-1, 1:-1] &= inside[:-2, 1:-1] & inside[2:, 1:-1] & inside[1:-1, :-2] & inside[1:-1, 2:]
    assert (classes[inside] < 3).all()


@pytest.mark.parametrize("stage", ["parts", "join"])
def test_a_run_killed_while_joining_parts_leaves_the_old_file_and_the_next_run_only_the_output(
    tmp_path: Path, stage: str
) -> None:
    scene = write_image(tmp_path / "in" / "scene.tif", image_of(3, 90, 100))
    output = tmp_path / "out" / "scene.tif"
    subprocess.run([sys.executable, str(KILLED_RUN), str(scene), str(output.parent), "none", "-"], check=True)
    before = output.read_bytes()
    ready = tmp_path / "ready"
    run = subprocess.Popen([sys.executable, str(KILLED_RUN), str(scene), str(output.parent), stage, str(ready)])
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert run.poll() is None, "the run ended before the stage"
            assert time.monotonic() < deadline, "the run did not reach the stage in a minute"
            time.sleep(0.02)
        run.kill()
        run.wait(timeout=30)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    assert output.read_bytes() == before
    assert [path.name for path in output.parent.glob("*.tif")] == ["scene.tif"]
    subprocess.run([sys.executable, str(KILLED_RUN), str(scene), str(output.parent), "none", "-"], check=True)
    assert [path.name for path in output.parent.iterdir()] == ["scene.tif"]


def test_an_output_never_overwrites_another_input(tmp_path: Path) -> None:
    # Outputs mirror the inputs' paths from their common folder: a.tiff's is a.tif, which in the folder b
    # is the other input.
    first = write_image(tmp_path / "in" / "a.tiff", image_of(3, 40, 40))
    second = write_image(tmp_path / "in" / "b" / "a.tif", image_of(3, 40, 40))
    before = second.read_bytes()
    with pytest.raises(ValueError, match=r"b/a\.tif would overwrite that input, .*b/a\.tif"):
        predict_raster(nn.Conv2d(3, 2, 1), [first, second], tmp_path / "in" / "b", patch_size=32)
    assert second.read_bytes() == before
    assert [path.name for path in (tmp_path / "in" / "b").iterdir()] == ["a.tif"]


@pytest.mark.parametrize("failing_call", [1, 4, 9])
def test_a_run_that_fails_leaves_the_previous_file_and_no_part_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing_call: int
) -> None:
    monkeypatch.setattr(predict_grid, "COLUMN_TILE", 48)
    scene = write_image(tmp_path / "scene.tif", image_of(3, 90, 100))
    torch.manual_seed(0)
    net = nn.Conv2d(3, 2, 1)
    (written,) = predict_raster(net, scene, tmp_path / "out", patch_size=32, overlap=8, batch_size=1)
    before = written.read_bytes()

    class Failing(nn.Module):
        calls = 0

        def forward(self, batch: torch.Tensor) -> torch.Tensor:
            self.calls += 1
            if self.calls == failing_call:
                raise RuntimeError("out of memory")
            return net(batch)

    with pytest.raises(RuntimeError, match="out of memory"):
        predict_raster(Failing(), scene, tmp_path / "out", patch_size=32, overlap=8, batch_size=1)
    assert [path.name for path in written.parent.iterdir()] == ["scene.tif"]
    assert written.read_bytes() == before


def test_an_error_writing_a_chunks_last_rows_is_raised_as_itself_and_leaves_no_part(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Closing the part file checked that all its rows were written: its error hid the one that stopped them.
    scene = write_image(tmp_path / "scene.tif", image_of(3, 70, 60))
    write = predict_cog.PartWriter.write

    def disk_full_at_the_end(self: predict_cog.PartWriter, pixels: np.ndarray, top: int) -> None:
        if top + pixels.shape[1] == self.rows[1]:
            raise OSError("No space left on device (a stand-in)")
        write(self, pixels, top)

    monkeypatch.setattr(predict_cog.PartWriter, "write", disk_full_at_the_end)
    with pytest.raises(OSError, match="a stand-in"):
        predict_raster(nn.Conv2d(3, 2, 1), scene, tmp_path / "out", patch_size=32, overlap=8, batch_size=2)
    assert [path for path in (tmp_path / "out").rglob("*") if path.is_file()] == []


def test_part_files_are_zstd_and_the_cog_is_the_same_as_from_deflate_parts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scene = write_image(tmp_path / "in" / "scene.tif", image_of(3, 70, 90))
    compressions: list[str] = []
    publish = predict.publish_cog

    def recording(parts: list[Path], *args: Any, **kwargs: Any) -> Path:
        for part in parts:
            with rasterio.open(part) as opened:
                compressions.append(opened.profile["compress"])
        return publish(parts, *args, **kwargs)

    monkeypatch.setattr(predict, "publish_cog", recording)
    monkeypatch.setattr(predict_grid, "COLUMN_TILE", 48)
    net = nn.Conv2d(3, 5, 1)
    (zstd,) = predict_raster(net, scene, tmp_path / "zstd", patch_size=32, overlap=8)
    assert compressions == ["zstd", "zstd"]
    compressions.clear()
    monkeypatch.setattr(predict_cog, "PART_COMPRESSION", ({"compress": "deflate", "zlevel": 1},))
    (deflate,) = predict_raster(net, scene, tmp_path / "deflate", patch_size=32, overlap=8)
    assert compressions == ["deflate", "deflate"]
    assert zstd.read_bytes() == deflate.read_bytes()


def test_part_files_are_deflate_where_gdal_lacks_the_preferred_codec(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if predict_cog._can_write("jxl"):
        pytest.skip("this GDAL writes JPEG-XL: no codec here is missing")
    monkeypatch.setattr(predict_cog, "PART_COMPRESSION", ({"compress": "jxl"}, {"compress": "deflate", "zlevel": 1}))
    assert predict_cog.part_compression() == {"compress": "deflate", "zlevel": 1}
    scene = write_image(tmp_path / "in" / "scene.tif", image_of(3, 40, 40))
    (written,) = predict_raster(nn.Conv2d(3, 2, 1), scene, tmp_path / "out", patch_size=32, overlap=8)
    with rasterio.open(written) as result:
        assert result.shape == (40, 40) and result.profile["compress"] == "deflate"


class ClassOfBand1(nn.Module):
    """``classes`` one-hot channels: class ``band 1``'s value at each pixel."""

    def __init__(self, classes: int) -> None:
        super().__init__()
        self.classes = classes

    def forward(self, batch: torch.Tensor) -> torch.Tensor:
        labels = batch[:, :1].long().clamp(0, self.classes - 1)
        return torch.zeros(batch.shape[0], self.classes, *batch.shape[2:]).scatter_(1, labels, 1.0)


def test_classes_of_more_channels_than_uint16_holds_beside_nodata_are_refused(tmp_path: Path) -> None:
    # With 65536 channels, class 65535 was written as the nodata value 65535 (read back as no prediction); with
    # 65537, class 65536 wrapped around to class 0, silently.
    path = write_image(tmp_path / "labels.tif", np.array([[[65533, 65534, 65535], [65536, 0, 1]]], "float32"))
    (written,) = predict_raster(ClassOfBand1(65535), path, tmp_path / "out", patch_size=2, overlap=0)
    with rasterio.open(written) as result:
        assert result.dtypes == ("uint16",) and result.nodata == 65535
        assert result.read(1).tolist() == [[65533, 65534, 65534], [65534, 0, 1]]
    for classes in (65536, 65537):
        with pytest.raises(ValueError, match=rf"output='classes' holds at most 65535 classes .* gives {classes}"):
            predict_raster(ClassOfBand1(classes), path, tmp_path / "refused", patch_size=2, overlap=0)
        assert not (tmp_path / "refused").exists()
