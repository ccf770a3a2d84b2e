"""``predict_raster`` given bad and unusual input: an error naming the argument or file before anything is written."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
import typing
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import numpy as np
import pyogrio.raw
import pyproj
import pytest
import rasterio
import torch
from affine import Affine
from rasterio.control import GroundControlPoint
from rasterio.crs import CRS
from rasterio.errors import NotGeoreferencedWarning
from rasterio.rpc import RPC
from torch import Tensor, nn

from geotorch.core import RasterReadError
from geotorch.trainers.predict import predict_raster
from tests.core.rasters import write_raster

TRANSFORM = Affine(10, 0, 500_000, 0, -10, 4_000_000)

#: Public-domain rasters from real sources (see the README of that folder).
REAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "real"


def scene(path: Path, height: int = 20, width: int = 25, bands: int = 3, seed: int = 0) -> Path:
    image = np.random.default_rng(seed).integers(1, 255, (bands, height, width)).astype("uint8")
    return write_raster(path, image, "EPSG:32633", TRANSFORM)


def conv(classes: int = 4, bands: int = 3) -> nn.Module:
    return nn.Conv2d(bands, classes, 3, padding=1).eval()


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({"patch_size": True}, "patch_size=True"),
        ({"patch_size": 16.0}, "patch_size=16.0"),
        ({"overlap": 4.0}, "overlap=4.0"),
        ({"batch_size": 2.5}, "batch_size=2.5"),
        ({"num_workers": 2.0}, "num_workers=2.0"),
        ({"vectorize": True, "simplify": -1.0}, "simplify=-1.0"),
        ({"vectorize": True, "simplify": float("nan")}, "simplify=nan"),
        ({"vectorize": True, "simplify": "1"}, "simplify='1'"),
        ({"simplify": 2.0}, r"simplify=2.0 needs vectorize=True"),
        ({"output": "probabilities", "probability_dtype": "float64"}, "probability_dtype='float64'"),
        ({"colors": [(1, 2)]}, r"colors\[0\]=\(1, 2\)"),
        ({"colors": [(0, 0, 0), (0, 300, 0)]}, r"colors\[1\]"),
        ({"device": "nonsense"}, "device='nonsense'"),
    ],
)
def test_bad_arguments_are_refused_naming_them_before_anything_is_written(
    tmp_path: Path, arguments: dict[str, Any], named: str
) -> None:
    path = scene(tmp_path / "in" / "scene.tif")
    with pytest.raises(ValueError, match=named):
        predict_raster(conv(), path, tmp_path / "out", **{"patch_size": 16, **arguments})
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({"vectorize": "no"}, r"vectorize='no' must be True or False"),
        ({"vectorize": 1}, r"vectorize=1 must be True or False"),
        ({"preprocess": "imagenet"}, r"preprocess='imagenet' must be a function"),
    ],
)
def test_arguments_of_another_type_are_refused_naming_them(
    tmp_path: Path, arguments: dict[str, Any], named: str
) -> None:
    """``vectorize='no'`` wrote polygons; ``preprocess='imagenet'`` failed at the first batch, naming nothing."""
    path = scene(tmp_path / "in" / "scene.tif")
    with pytest.raises(TypeError, match=named):
        predict_raster(conv(), path, tmp_path / "out", **{"patch_size": 16, **arguments})
    assert not (tmp_path / "out").exists()


def test_an_output_dir_that_is_a_file_is_refused_naming_it(tmp_path: Path) -> None:
    path = scene(tmp_path / "in" / "scene.tif")
    (tmp_path / "taken").write_text("not a folder")
    with pytest.raises(NotADirectoryError, match=r"output_dir='.*taken' is a file"):
        predict_raster(conv(), path, tmp_path / "taken", patch_size=16)


class Output(nn.Module):
    """A model whose output is ``make(batch)``."""

    def __init__(self, make: Callable[[Tensor], Tensor]) -> None:
        super().__init__()
        self.make = make

    def forward(self, batch: Tensor) -> Tensor:
        return self.make(batch)


@pytest.mark.parametrize(
    ("make", "shape"),
    [
        (lambda batch: batch[:1, :2], r"\(1, 2, 16, 16\) float32"),
        (lambda batch: batch[:, :0], r"\(4, 0, 16, 16\) float32"),
        # Classes already chosen were read as one binary logit (class 1 wherever the class was above 0),
        # complex values as their real part (with only torch's warning).
        (lambda batch: batch[:, :2].argmax(1, keepdim=True), r"\(4, 1, 16, 16\) int64"),
        (lambda batch: torch.complex(batch[:, :2], batch[:, 1:]), r"\(4, 2, 16, 16\) complex64"),
    ],
    ids=["one window for four", "no channel", "classes", "complex"],
)
def test_a_model_output_without_a_logit_for_every_window_is_refused_naming_its_shape(
    tmp_path: Path, make: Callable[[Tensor], Tensor], shape: str
) -> None:
    path = scene(tmp_path / "in" / "scene.tif")
    with pytest.raises(ValueError, match=rf"the model gave {shape} for windows \(4, 3, 16, 16\)"):
        predict_raster(Output(make), path, tmp_path / "out", patch_size=16, batch_size=4)
    assert not (tmp_path / "out").exists()


class Pixelwise(nn.Module):
    """Two logits of each pixel alone: ``band - 100`` and ``100 - band`` (NaN where the band is NaN)."""

    def forward(self, batch: Tensor) -> Tensor:
        return torch.cat([batch[:, :1] - 100, 100 - batch[:, :1]], dim=1)


@pytest.mark.parametrize("output", ["classes", "probabilities"])
def test_pixels_the_model_gives_nan_for_are_nodata_not_class_or_probability_0(tmp_path: Path, output: str) -> None:
    image = np.random.default_rng(3).uniform(0, 200, (1, 30, 40)).astype("float32")
    image[0, 5:9, 10:20] = np.nan  # missing pixels of a float raster that declares no nodata
    path = write_raster(tmp_path / "in" / "float.tif", image, "EPSG:32633", TRANSFORM)
    (written,) = predict_raster(Pixelwise(), path, tmp_path / "out", patch_size=16, overlap=4, output=output)
    with rasterio.open(written) as result:
        assert result.nodata == 255
        values = result.read()
    missing = np.isnan(image[0])
    assert (values[:, missing] == 255).all()
    logits = torch.from_numpy(np.stack([image[0] - 100, 100 - image[0]]))
    if output == "classes":
        expected = logits.argmax(dim=0).numpy()[None]
    else:
        expected = torch.softmax(logits, dim=0).mul(254).round().numpy()
    assert np.array_equal(values[:, ~missing], expected[:, ~missing])


def test_a_damaged_tile_is_an_error_naming_the_file_and_window_and_leaves_no_file(tmp_path: Path) -> None:
    # The real file's tile at row 512, column 512 is damaged (reading it is GDAL's "TIFFReadEncodedTile() failed").
    damaged = REAL / "corrupt.tif"
    if not damaged.is_file():
        pytest.skip(f"real geodata not found at {REAL.resolve()} (the project root's ../shared/data/real)")
    with pytest.raises(
        RasterReadError, match=rf"{damaged}: cannot read the 256 x 256 px window at row 512, column 512: .*TIFFRead"
    ):
        predict_raster(conv(), damaged, tmp_path / "out", patch_size=256, overlap=0, batch_size=2)
    assert list((tmp_path / "out").rglob("*")) == []


def test_an_error_of_the_model_names_the_input_files_and_their_bands(tmp_path: Path) -> None:
    path = scene(tmp_path / "in" / "sentinel2.tif", bands=13)
    with pytest.raises(RuntimeError, match=r"expected input.*to have 3 channels") as raised:
        predict_raster(conv(bands=3), path, tmp_path / "out", patch_size=16, batch_size=2)
    assert raised.value.__notes__ == [
        f"predict_raster: raised running the model on windows (2, 13, 16, 16) (B, bands, height, width) of {path}"
    ]
    assert not (tmp_path / "out").exists()


class Task(nn.Module):
    """A task whose ``labels`` hyperparameter names its classes (TorchGeo's)."""

    def __init__(self, labels: list[str], classes: int) -> None:
        super().__init__()
        self.hparams = {"labels": labels}
        self.net = conv(classes)

    def forward(self, batch: Tensor) -> Tensor:
        return cast(Tensor, self.net(batch))


@pytest.mark.parametrize(
    ("model", "arguments", "message"),
    [
        (conv(4), {"class_names": ["water"]}, r"class_names hold 1 names \['water'\] for the model's 4 classes"),
        (conv(1), {"class_names": ["water"]}, r"1 names \['water'\] for the model's 2 classes \(a single binary"),
        (Task(["a", "b"], 4), {}, r"task's labels hold 2 names \['a', 'b'\] for the model's 4 classes; give class_"),
        (conv(4), {"colors": [(0, 0, 255)]}, r"colors holds 1 colours for the model's 4 classes"),
    ],
    ids=["class_names", "binary", "task labels", "colors"],
)
def test_class_names_or_colours_not_one_per_class_are_refused_before_anything_is_written(
    tmp_path: Path, model: nn.Module, arguments: dict[str, Any], message: str
) -> None:
    path = scene(tmp_path / "in" / "scene.tif")
    with pytest.raises(ValueError, match=message):
        predict_raster(model, path, tmp_path / "out", patch_size=16, **arguments)
    assert not (tmp_path / "out").exists()
    # Scores use neither names nor colours: the same arguments are taken.
    predict_raster(model, path, tmp_path / "scores", patch_size=16, output="scores", **arguments)
    if isinstance(model, Task):
        # Names given override the task's.
        predict_raster(model, path, tmp_path / "named", patch_size=16, class_names=["w", "x", "y", "z"])


def test_warping_an_input_without_a_crs_is_refused_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "in" / "no crs.tif"
    path.parent.mkdir()
    image = np.random.default_rng(4).integers(1, 255, (3, 20, 25)).astype("uint8")
    with (
        warnings.catch_warnings(),
        rasterio.open(path, "w", driver="GTiff", width=25, height=20, count=3, dtype="uint8") as target,
    ):
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        target.write(image)
    with pytest.raises(ValueError, match=rf"{path} has no CRS, so it cannot be warped onto crs=EPSG:4326"):
        predict_raster(conv(), path, tmp_path / "out", patch_size=16, crs="EPSG:4326")
    assert not (tmp_path / "out").exists()


def test_an_input_gdal_finds_no_grid_for_on_the_crs_is_refused_naming_it(tmp_path: Path) -> None:
    # 0.4 degrees across the antimeridian (179.8 to 180.2 E): GDAL suggests a 45 x 0 px Web Mercator grid.
    image = np.random.default_rng(5).integers(1, 255, (3, 20, 40)).astype("uint8")
    path = write_raster(tmp_path / "in" / "fiji.tif", image, "EPSG:4326", Affine(0.01, 0, 179.8, 0, -0.01, -16.0))
    with pytest.raises(ValueError, match=rf"GDAL finds no grid for {path} on crs=EPSG:3857 \(\d+ x 0 px"):
        predict_raster(conv(), path, tmp_path / "out", patch_size=16, crs="EPSG:3857")
    assert not (tmp_path / "out").exists()
    # On its own grid it is predicted.
    (written,) = predict_raster(conv(), path, tmp_path / "own", patch_size=16)
    with rasterio.open(written) as result:
        assert result.shape == (20, 40) and result.crs == "EPSG:4326"


class FailsOnBatch(nn.Module):
    """A 3x3 convolution raising ``KeyboardInterrupt`` (Ctrl-C) on its ``failing``-th batch."""

    def __init__(self, failing: int) -> None:
        super().__init__()
        self.net, self.failing, self.batches = conv(), failing, 0

    def forward(self, batch: Tensor) -> Tensor:
        self.batches += 1
        if self.batches == self.failing:
            raise KeyboardInterrupt
        return cast(Tensor, self.net(batch))


def test_a_run_stopped_leaves_its_finished_outputs_and_no_folder_it_made_for_the_others(tmp_path: Path) -> None:
    first = scene(tmp_path / "in" / "a" / "first.tif", 16, 16)
    second = scene(tmp_path / "in" / "b" / "deeper" / "second.tif", 40, 40, seed=1)
    # Batch 1 is the first input's one window, batch 2 the second's first windows (they open its output).
    with pytest.raises(KeyboardInterrupt):
        predict_raster(FailsOnBatch(3), [first, second], tmp_path / "out", patch_size=16, batch_size=2)
    assert sorted(path.relative_to(tmp_path / "out").as_posix() for path in (tmp_path / "out").rglob("*")) == [
        "a",
        "a/first.tif",
    ]
    with pytest.raises(KeyboardInterrupt):
        predict_raster(FailsOnBatch(3), second, tmp_path / "new" / "out", patch_size=16, batch_size=2)
    assert not (tmp_path / "new").exists()


def test_an_output_dir_inside_the_input_folder_is_not_searched_for_inputs(tmp_path: Path) -> None:
    scene(tmp_path / "data" / "scene.tif")
    outputs, net = tmp_path / "data" / "predictions", conv()
    first = predict_raster(net, tmp_path / "data", outputs, patch_size=16)
    contents = first[0].read_bytes()
    # The second run reads the one input again, not the first run's output as a second one.
    assert predict_raster(net, tmp_path / "data", outputs, patch_size=16) == first == [outputs / "scene.tif"]
    assert first[0].read_bytes() == contents


def test_an_output_dir_holding_the_input_folder_does_not_hide_its_rasters(tmp_path: Path) -> None:
    # Every raster of project/images lies under project: the search left them all out ("no raster in the folder").
    scene(tmp_path / "project" / "images" / "scene.tif")
    written = predict_raster(conv(), tmp_path / "project" / "images", tmp_path / "project", patch_size=16)
    assert written == [tmp_path / "project" / "scene.tif"]


def test_an_output_dir_that_is_the_input_folder_is_refused_as_overwriting_its_inputs(tmp_path: Path) -> None:
    # It said "no raster (...) in the folder", of a folder holding one.
    path = scene(tmp_path / "data" / "scene.tif")
    with pytest.raises(ValueError, match=rf"the output {path} would overwrite that input"):
        predict_raster(conv(), tmp_path / "data", tmp_path / "data", patch_size=16)


def test_an_empty_path_is_refused_not_taken_for_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scene(tmp_path / "scene.tif")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match="paths= holds an empty path"):
        predict_raster(conv(), "", tmp_path / "out", patch_size=16)
    assert not (tmp_path / "out").exists()


def test_an_empty_output_dir_is_refused_not_taken_for_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``output_dir=''`` wrote scene.tif into the working folder, as GeoTIFFPredictionWriter no longer does."""
    path = scene(tmp_path / "in" / "scene.tif")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match=r"output_dir='' is empty"):
        predict_raster(conv(), path, "", patch_size=16)
    assert sorted(item.name for item in tmp_path.iterdir()) == ["in"]


def test_colours_may_be_the_rows_of_a_numpy_array(tmp_path: Path) -> None:
    path = scene(tmp_path / "in" / "scene.tif")
    colors = np.array([[0, 0, 255], [0, 255, 0], [255, 0, 0], [9, 9, 9]], dtype="uint8")
    for given in (colors, list(colors)):
        (written,) = predict_raster(conv(), path, tmp_path / "out", patch_size=16, colors=given)
        with rasterio.open(written) as result:
            assert [result.colormap(1)[label] for label in range(4)] == [(*color, 255) for color in colors.tolist()]


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({"crs": "nonsense"}, "crs='nonsense' is not a coordinate reference system"),
        # An empty CRS failed later with AttributeError "'NoneType' object has no attribute 'to_string'".
        ({"crs": CRS()}, r"^predict_raster: crs=CRS.from_wkt\(''\) is an empty CRS"),
        ({"crs": "EPSG:3857", "res": 0}, "res=0 must be a positive size"),
        ({"crs": "EPSG:3857", "res": -10.0}, r"res=-10.0 must be a positive size"),
        ({"crs": "EPSG:3857", "res": float("nan")}, "res=nan must be a positive size"),
        ({"crs": "EPSG:3857", "res": (10.0,)}, r"res=\(10.0,\) must be a positive size \(or two: x, y\)"),
    ],
)
def test_a_bad_grid_is_refused_naming_its_argument_before_anything_is_written(
    tmp_path: Path, arguments: dict[str, Any], named: str
) -> None:
    path = scene(tmp_path / "in" / "scene.tif")
    with pytest.raises(ValueError, match=named):
        predict_raster(conv(), path, tmp_path / "out", patch_size=16, **arguments)
    assert not (tmp_path / "out").exists()


def test_a_compound_crs_gives_an_output_on_its_horizontal_crs(tmp_path: Path) -> None:
    # Heights' CRS aside, as datasets read it: the output was tagged with the whole compound CRS (COMPD_CS).
    path = scene(tmp_path / "in" / "scene.tif")
    (written,) = predict_raster(conv(), path, tmp_path / "out", patch_size=16, crs="EPSG:32633+5773")
    with rasterio.open(written) as result, rasterio.open(path) as source:
        assert result.crs.to_epsg() == 32633 and result.transform == source.transform


@pytest.mark.parametrize("crs", ["EPSG:4326", 4326, "OGC:CRS84", "+proj=longlat +datum=WGS84 +no_defs"])
def test_an_input_predicted_on_its_own_crs_keeps_its_grid(tmp_path: Path, crs: object) -> None:
    # Warped onto GDAL's suggestion, a grid of 0.001-degree pixels came out as 0.0010000000000000141 x
    # 0.0010000000000001564 degrees: another grid than the input's, through a warp of the file onto itself.
    image = np.random.default_rng(0).integers(1, 255, (3, 20, 25)).astype("uint8")
    path = write_raster(tmp_path / "in" / "scene.tif", image, "EPSG:4326", Affine(0.001, 0, 10.0, 0, -0.001, 50.0))
    model = conv()
    (own,) = predict_raster(model, path, tmp_path / "own", patch_size=16)
    (asked,) = predict_raster(model, path, tmp_path / "asked", patch_size=16, crs=crs)
    with rasterio.open(asked) as result, rasterio.open(own) as expected:
        assert result.transform == expected.transform and result.crs == expected.crs
        np.testing.assert_array_equal(result.read(), expected.read())


def test_an_input_georeferenced_by_ground_control_points_only_is_refused_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "in" / "scanned.tif"
    path.parent.mkdir()
    corners = [(0, 0, 500_000, 4_000_000), (0, 25, 500_250, 4_000_000), (20, 0, 500_000, 3_999_800)]
    points = [GroundControlPoint(row, column, x, y) for row, column, x, y in corners]
    image = np.random.default_rng(6).integers(1, 255, (3, 20, 25)).astype("uint8")
    with (
        warnings.catch_warnings(),
        rasterio.open(
            path, "w", driver="GTiff", width=25, height=20, count=3, dtype="uint8", gcps=points, crs="EPSG:32633"
        ) as target,
    ):
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        target.write(image)
    for crs in (None, "EPSG:32633"):
        with pytest.raises(ValueError, match=rf"{path} is georeferenced by ground control points only"):
            predict_raster(conv(), path, tmp_path / "out", patch_size=16, crs=crs)
        assert not (tmp_path / "out").exists()


def test_an_input_georeferenced_by_rpcs_only_is_refused_naming_it(tmp_path: Path) -> None:
    # A satellite scene before orthorectification (RPCs, no CRS, GDAL's identity transform) was predicted into an
    # output without CRS, grid or RPCs (polygons in pixel coordinates, no CRS), with no error; warped (crs=), it was
    # said to have no CRS.
    path = tmp_path / "in" / "level1.tif"
    path.parent.mkdir()
    linear = [0.0] * 20
    rpcs = RPC(
        height_off=100, height_scale=500, lat_off=45, lat_scale=0.05, long_off=10, long_scale=0.05,
        line_off=10, line_scale=10, samp_off=12, samp_scale=12,
        line_num_coeff=[0, 0, -1, *linear[3:]], line_den_coeff=[1, *linear[1:]],
        samp_num_coeff=[0, 1, *linear[2:]], samp_den_coeff=[1, *linear[1:]],
    )  # fmt: skip
    image = np.random.default_rng(6).integers(1, 255, (3, 20, 25)).astype("uint8")
    with (
        warnings.catch_warnings(),
        rasterio.open(path, "w", driver="GTiff", width=25, height=20, count=3, dtype="uint8", rpcs=rpcs) as target,
    ):
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        target.write(image)
    for crs in (None, "EPSG:4326"):
        with pytest.raises(ValueError, match=rf"{path} is georeferenced by rational polynomial coefficients \(RPCs\)"):
            predict_raster(conv(), path, tmp_path / "out", patch_size=16, crs=crs, vectorize=True)
        assert not (tmp_path / "out").exists()


def test_an_input_of_complex_pixels_is_refused_naming_it(tmp_path: Path) -> None:
    values = np.random.default_rng(7).normal(size=(2, 3, 20, 25))
    path = write_raster(tmp_path / "in" / "slc.tif", (values[0] + 1j * values[1]).astype("complex64"), 32633, TRANSFORM)
    with pytest.raises(ValueError, match=rf"{path} holds complex pixels \(complex64\)"):
        predict_raster(conv(), path, tmp_path / "out", patch_size=16)
    assert not (tmp_path / "out").exists()


#: A run whose files may not grow past ``limit`` bytes (RLIMIT_FSIZE, as a full disk: GDAL's writes fail).
LIMITED_RUN = """
import resource, signal, sys
import numpy as np, torch
from pathlib import Path
from torch import nn
from geotorch.trainers.predict import predict_raster

class Noise(nn.Module):
    def forward(self, batch):
        return torch.rand(batch.shape[0], 200, *batch.shape[2:])

torch.manual_seed(0)
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[3]), resource.RLIM_INFINITY))
try:
    predict_raster(Noise(), sys.argv[1], sys.argv[2], patch_size=64)
except BaseException as error:
    print(type(error).__name__, error)
"""


@pytest.mark.parametrize("limit", [100_000, 300_000, 400_000])
def test_a_write_that_fails_is_an_oserror_naming_the_file_and_gdals_reason_and_leaves_nothing(
    tmp_path: Path, limit: int
) -> None:
    # The limits stop the run writing a part's rows, closing a part (GDAL reports nothing) and writing the COG.
    path = scene(tmp_path / "in" / "scene.tif", 600, 600)
    run = subprocess.run(
        [sys.executable, "-c", LIMITED_RUN, str(path), str(tmp_path / "out"), str(limit)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    folder = re.escape(str(tmp_path / "out"))
    assert re.match(rf"OSError {folder}/\.scene\.tif\.\S+\.part: (could not write|was not written whole)", run.stdout)
    assert "MiB free on its disk; is it full?" in run.stdout
    assert list((tmp_path / "out").rglob("*")) == []


@pytest.mark.parametrize(
    ("names", "message"),
    [("abcd", "class_names='abcd' is one string"), (["a", None, "c", "d"], r"class_names\[1\]=None must be a string")],
)
def test_class_names_that_are_no_names_are_refused_before_anything_is_written(
    tmp_path: Path, names: Any, message: str
) -> None:
    path = scene(tmp_path / "in" / "scene.tif")
    with pytest.raises(ValueError, match=message):
        predict_raster(conv(), path, tmp_path / "out", patch_size=16, vectorize=True, class_names=names)
    assert not (tmp_path / "out").exists()


def test_class_names_that_are_codes_name_the_classes_and_polygons_as_text(tmp_path: Path) -> None:
    parquet = pytest.importorskip("pyarrow.parquet", reason="GeoParquet is written with pyarrow")
    path = scene(tmp_path / "in" / "scene.tif")
    codes = [111, 121, 141, 190]  # a land-cover product's codes
    written = predict_raster(conv(), path, tmp_path / "out", patch_size=16, vectorize=True, class_names=codes)
    with rasterio.open(written[0]) as result:
        assert json.loads(result.tags()["class_names"]) == ["111", "121", "141", "190"]
    labels, names = pyogrio.raw.read(written[1])[3]
    assert [str(codes[label]) for label in labels] == list(names)
    table = parquet.read_table(written[2])
    assert [str(codes[label]) for label in table["class"].to_pylist()] == table["name"].to_pylist()


@pytest.mark.parametrize(
    ("paths", "output_dir", "message"),
    [
        ("bytes", "out", r"paths=b'.*scene\.tif' must be a path \(str or os\.PathLike\) or a list of paths"),
        (5, "out", r"paths=5 must be a path"),
        (None, "out", r"paths=None must be a path"),
        ("file and None", "out", r"paths holds None, which is no path"),
        ("file", None, r"output_dir=None must be a folder's path"),
        ("file", 5, r"output_dir=5 must be a folder's path"),
    ],
)
def test_paths_and_output_dirs_that_are_no_paths_are_a_type_error_naming_them(
    tmp_path: Path, paths: Any, output_dir: Any, message: str
) -> None:
    path = scene(tmp_path / "in" / "scene.tif")
    given = {"bytes": bytes(path), "file": path, "file and None": [path, None]}.get(paths, paths)
    folder = tmp_path / output_dir if isinstance(output_dir, str) else output_dir
    with pytest.raises(TypeError, match=message):
        predict_raster(conv(), given, folder, patch_size=16)
    assert sorted(tmp_path.iterdir()) == [tmp_path / "in"]


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is available here")
def test_a_device_not_available_here_is_refused_naming_it_before_anything_is_written(tmp_path: Path) -> None:
    """``device='cuda'`` on a machine without CUDA failed with torch's bare ``AssertionError`` after opening inputs."""
    path = scene(tmp_path / "in" / "scene.tif")
    with pytest.raises(ValueError, match=r"device='cuda' is not available here"):
        predict_raster(conv(), path, tmp_path / "out", patch_size=16, device="cuda")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("precision", "agreeing"), [(torch.float64, 1.0), (torch.bfloat16, 0.99)])
def test_a_model_in_another_precision_is_given_windows_in_its_precision(
    tmp_path: Path, precision: torch.dtype, agreeing: float
) -> None:
    """A ``.double()`` or ``.bfloat16()`` model failed: "Input type (float) and bias type (double) ..."."""
    source = REAL / "RGB.byte.tif"
    if not source.is_file():
        pytest.skip(f"real geodata not found at {REAL.resolve()} (the project root's ../shared/data/real)")
    torch.manual_seed(0)
    model = conv(classes=3)
    (reference,) = predict_raster(model, source, tmp_path / "float32", patch_size=128, batch_size=4)
    other = copy.deepcopy(model).to(precision)
    (written,) = predict_raster(other, source, tmp_path / "other", patch_size=128, batch_size=4)
    with rasterio.open(reference) as expected, rasterio.open(written) as result:
        want, got = expected.read(1, masked=True), result.read(1, masked=True)
    assert np.array_equal(want.mask, got.mask)
    valid = ~want.mask
    assert valid.sum() > 300_000
    assert np.mean(want.data[valid] == got.data[valid]) >= agreeing


class Counted(nn.Module):
    """Two classes of band 1's sign; counts its calls."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def forward(self, batch: Tensor) -> Tensor:
        self.calls += 1
        return torch.cat([batch[:, :1], -batch[:, :1]], dim=1)


@pytest.mark.parametrize(
    ("blocking", "error", "named"),
    [
        ("out/a.tif/", IsADirectoryError, r"the output {out}/a\.tif is a folder"),
        ("out/a.gpkg/", IsADirectoryError, r"the output {out}/a\.gpkg is a folder"),
        ("out/sub", NotADirectoryError, r"the output {out}/sub/b\.tif goes in the folder {out}/sub, which is a file"),
        ("out", NotADirectoryError, r"output_dir='{out}' is a file"),
        ("parent", NotADirectoryError, r"the output {root}/parent/out/a\.tif goes in the folder {root}/parent, which"),
    ],
)
def test_a_folder_or_file_in_an_outputs_way_is_refused_before_the_model_runs(
    tmp_path: Path, blocking: str, error: type[Exception], named: str
) -> None:
    # A folder where an output goes was found when the output was renamed into place, after the model had run over
    # the whole input: IsADirectoryError "[Errno 21] Is a directory: '.../.a.tif.<host>.<pid>.<hex>.part' ->
    # '.../a.tif'" (a.gpkg: after a.tif was written); a file where a subfolder or the output folder's parent goes
    # gave FileExistsError / NotADirectoryError after the model ran (2 and 3 batches).
    inputs = [scene(tmp_path / "in" / "a.tif"), scene(tmp_path / "in" / "sub" / "b.tif", seed=1)]
    out = tmp_path / ("parent/out" if blocking == "parent" else "out")
    place = tmp_path / blocking
    if blocking.endswith("/"):
        place.mkdir(parents=True)
    else:
        place.parent.mkdir(parents=True, exist_ok=True)
        place.write_text("in the way")
    before = sorted(tmp_path.rglob("*"))
    model = Counted()
    message = named.format(out=re.escape(str(out)), root=re.escape(str(tmp_path)))
    with pytest.raises(error, match=message):
        predict_raster(model, inputs, out, patch_size=16, vectorize=True)
    assert model.calls == 0 and sorted(tmp_path.rglob("*")) == before


class Bands(nn.Module):
    """The input bands as scores."""

    def forward(self, batch: Tensor) -> Tensor:
        return batch.clone()


@pytest.mark.parametrize("workers", [0, 2])
def test_a_virtual_raster_of_bands_of_different_types_gives_the_model_every_band(tmp_path: Path, workers: int) -> None:
    # A VRT joining a Byte band, a Float32 one and a Byte one failed at the first window with rasterio's
    # ValueError "more than one 'dtype' found", naming neither the file nor the cause.
    shape = (20, 25)
    rng = np.random.default_rng(8)
    layers = [
        rng.integers(0, 255, shape).astype("uint8"),
        rng.uniform(-1000.5, 1000.5, shape).astype("float32"),
        rng.integers(0, 255, shape).astype("uint8"),
    ]
    files = [write_raster(tmp_path / "in" / f"{k}.tif", one, "EPSG:32633", TRANSFORM) for k, one in enumerate(layers)]
    bands = "".join(
        f'<VRTRasterBand dataType="{"Float32" if layer.dtype == np.float32 else "Byte"}" band="{k}"><SimpleSource>'
        f'<SourceFilename relativeToVRT="1">{path.name}</SourceFilename><SourceBand>1</SourceBand></SimpleSource>'
        "</VRTRasterBand>"
        for k, (path, layer) in enumerate(zip(files, layers, strict=True), 1)
    )
    vrt = tmp_path / "in" / "stack.vrt"
    vrt.write_text(
        f'<VRTDataset rasterXSize="{shape[1]}" rasterYSize="{shape[0]}"><SRS>EPSG:32633</SRS>'
        f"<GeoTransform>{', '.join(map(str, TRANSFORM.to_gdal()))}</GeoTransform>{bands}</VRTDataset>"
    )
    with rasterio.open(vrt) as stack:
        assert stack.dtypes == ("uint8", "float32", "uint8")
    (written,) = predict_raster(
        Bands(), vrt, tmp_path / "out", patch_size=8, overlap=2, batch_size=3, output="scores", num_workers=workers
    )
    with rasterio.open(written) as result:
        # (Blended where windows overlap: the weighted mean of equal values, to float32's rounding.)
        np.testing.assert_allclose(result.read(), np.stack(layers).astype("float32"), rtol=1e-6)


@pytest.mark.parametrize("below", ["", "sub/out"])
def test_an_output_dir_where_no_file_can_be_made_is_refused_naming_it_before_the_model_runs(
    tmp_path: Path, unwritable: Path, below: str
) -> None:
    # The error came at the first batch, when GDAL could not make the part file: RasterioIOError "Attempt to create
    # new tiff file '<folder>/.a.tif.<host>.<pid>.<hex>.part' failed: ... Permission denied", naming a hidden
    # temporary (or FileNotFoundError for a folder to make there), after the model had run.
    model = Counted()
    out = unwritable / below if below else unwritable
    with pytest.raises(PermissionError, match=rf"predict_raster: cannot write in {re.escape(str(unwritable))}, where"):
        predict_raster(model, scene(tmp_path / "in" / "a.tif"), out, patch_size=16)
    assert model.calls == 0


def test_bands_of_different_nodata_values_are_masked_where_every_band_is_nodata_and_not_warped(
    tmp_path: Path,
) -> None:
    # A VRT whose band 1 has nodata 0 and band 2 nodata 255: on its grid, the 30 pixels where both are nodata are
    # nodata; warped (crs=), rasterio took band 1's nodata for both bands, and those 30 pixels were predicted (0
    # nodata pixels in the output), silently.
    image = np.full((2, 10, 12), 50, "uint8")
    image[0, :5] = 0
    image[1, :, :6] = 255
    source = write_raster(tmp_path / "in" / "bands.tif", image, "EPSG:32633", TRANSFORM)
    bands = "".join(
        f'<VRTRasterBand dataType="Byte" band="{band}"><NoDataValue>{nodata}</NoDataValue><SimpleSource>'
        f'<SourceFilename relativeToVRT="1">{source.name}</SourceFilename><SourceBand>{band}</SourceBand>'
        "</SimpleSource></VRTRasterBand>"
        for band, nodata in ((1, 0), (2, 255))
    )
    vrt = tmp_path / "in" / "stack.vrt"
    vrt.write_text(
        f'<VRTDataset rasterXSize="12" rasterYSize="10"><SRS>EPSG:32633</SRS>'
        f"<GeoTransform>{', '.join(map(str, TRANSFORM.to_gdal()))}</GeoTransform>{bands}</VRTDataset>"
    )
    (written,) = predict_raster(Bands(), vrt, tmp_path / "out", patch_size=8)
    with rasterio.open(written) as result:
        classes = result.read(1)
    missing = np.zeros((10, 12), dtype=bool)
    missing[:5, :6] = True
    assert (classes[missing] == 255).all()
    np.testing.assert_array_equal(classes[~missing], image.argmax(axis=0)[~missing])
    with pytest.raises(ValueError, match=rf"{re.escape(str(vrt))} has bands of different nodata values \(0.0, 255.0\)"):
        predict_raster(Bands(), vrt, tmp_path / "warped", patch_size=8, crs="EPSG:32632")
    assert not (tmp_path / "warped").exists()
    # On its own CRS it is read on its own grid, not warped: as without crs.
    (own,) = predict_raster(Bands(), vrt, tmp_path / "own", patch_size=8, crs="EPSG:32633")
    with rasterio.open(own) as result:
        np.testing.assert_array_equal(result.read(1), classes)


@pytest.mark.parametrize(
    ("crs", "res", "named"),
    [
        ("EPSG:4326", 30, r"res=30 is 2.9e\+05 times the pixel size of .* \(0.000103469, 0.000103469 degrees\)"),
        ("EPSG:32633", 0.0001, r"res=0.0001 is 1e-05 times the pixel size of .* \(10, 10 metre\); .* give it in metre"),
    ],
)
def test_a_res_in_other_units_than_the_crs_is_refused_naming_them(
    tmp_path: Path, crs: str, res: float, named: str
) -> None:
    # res=30 (metres meant) on EPSG:4326 warped a 25 x 20 px scene of 10 m pixels into a 1 x 1 px output of 30
    # degrees, silently; res=0.0001 (degrees meant) on its UTM zone asked for a grid of 2.5e6 x 2e6 px.
    path = scene(tmp_path / "in" / "scene.tif")
    model = Counted()
    with pytest.raises(ValueError, match=rf"predict_raster: {named}"):
        predict_raster(model, path, tmp_path / "out", patch_size=16, crs=crs, res=res)
    assert model.calls == 0 and not (tmp_path / "out").exists()
    (written,) = predict_raster(model, path, tmp_path / "out", patch_size=16, crs="EPSG:32633", res=20)
    with rasterio.open(written) as result:
        assert result.res == (20, 20) and result.shape == (10, 13)


def test_the_crs_annotation_takes_a_pyproj_crs() -> None:
    accepted = typing.get_args(typing.get_type_hints(predict_raster)["crs"])
    assert pyproj.CRS in accepted and CRS in accepted and str in accepted and int in accepted
