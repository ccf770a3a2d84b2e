"""``predict_raster``: whole rasters predicted window by window into COGs equal to a plain-torch reference."""

from __future__ import annotations

import copy
import json
import weakref
from pathlib import Path

import numpy as np
import pyogrio.raw
import pytest
import rasterio
import shapely
import torch
from affine import Affine
from pyproj import Transformer
from rasterio.enums import Resampling
from rasterio.warp import reproject
from torch import Tensor, nn

from geotorch.trainers import predict_grid, predict_vector
from geotorch.trainers import predict_stream as predict_stream_module
from geotorch.trainers.predict import predict_raster, preprocessing_of
from geotorch.trainers.predict_blend import Band, BandBlender
from tests.core.rasters import write_raster

TRANSFORM = Affine(10, 0, 500_000, 0, -10, 4_000_000)


def write_image(
    path: Path, image: np.ndarray, crs: str = "EPSG:32633", transform: Affine = TRANSFORM, nodata: float | None = None
) -> Path:
    return write_raster(path, image, crs, transform, nodata=nodata)


def random_image(seed: int, height: int, width: int, bands: int = 3) -> np.ndarray:
    return np.random.default_rng(seed).integers(1, 255, (bands, height, width)).astype("uint8")


def model(classes: int = 4, bands: int = 3, kernel: int = 3, seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Conv2d(bands, classes, kernel, padding=kernel // 2).eval()


def starts(length: int, size: int, stride: int) -> list[int]:
    """Window starts as documented: every stride, the last one moved back to end at the edge; 0 if too short."""
    if length <= size:
        return [0]
    found = list(range(0, length - size, stride))
    return [*found, length - size]


def reference(net: nn.Module, image: np.ndarray, size: int, overlap: int, *, probabilities: bool = False) -> Tensor:
    """Blended logits ``(K, H, W)`` computed on a whole canvas with plain torch, windows zero-padded at edges.

    With ``probabilities``, the windows' softmax is blended instead, as for class and probability outputs.
    """
    bands, height, width = image.shape
    padded = torch.zeros((bands, max(height, size), max(width, size)))
    padded[:, :height, :width] = torch.from_numpy(image.astype("float32"))
    ramp = torch.arange(size, dtype=torch.float32)
    edge = torch.minimum(ramp + 1, size - ramp)
    weights = torch.minimum(edge[:, None], edge[None, :])
    total: Tensor | None = None
    weight = torch.zeros((max(height, size), max(width, size)))
    with torch.no_grad():
        for top in starts(height, size, size - overlap):
            for left in starts(width, size, size - overlap):
                logits = net(padded[None, :, top : top + size, left : left + size])[0]
                if probabilities:
                    logits = logits.softmax(dim=0)
                if total is None:
                    total = torch.zeros((logits.shape[0], *weight.shape))
                total[:, top : top + size, left : left + size] += logits * weights
                weight[top : top + size, left : left + size] += weights
    assert total is not None
    return (total / weight)[:, :height, :width]


def scene_without_data_in_a_corner(
    tmp_path: Path, seed: int, shape: tuple[int, int], tile: int | None, monkeypatch: pytest.MonkeyPatch
) -> tuple[np.ndarray, Path]:
    """A random scene whose 7 x 9 px top-left corner is nodata (0); with ``tile``, outputs cut into column tiles."""
    if tile is not None:
        # Column tiles of ``tile`` px: each blended alone, with the windows reaching into it from either side.
        monkeypatch.setattr(predict_grid, "COLUMN_TILE", tile)
    image = random_image(seed, *shape)
    image[:, :7, :9] = 0
    return image, write_image(tmp_path / "in" / "scene.tif", image, nodata=0)


@pytest.mark.parametrize(("height", "width", "tile"), [(75, 53, None), (20, 25, None), (64, 64, None), (75, 53, 20)])
def test_classes_equal_a_plain_torch_reference_at_odd_sizes_edges_and_nodata(
    tmp_path: Path, height: int, width: int, tile: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    image, path = scene_without_data_in_a_corner(tmp_path, 1, (height, width), tile, monkeypatch)
    net = model()
    (written,) = predict_raster(net, path, tmp_path / "out", patch_size=32, overlap=8, batch_size=3)
    expected = reference(net, image, 32, 8, probabilities=True).argmax(dim=0).numpy().astype("uint8")
    expected[:7, :9] = 255
    with rasterio.open(written) as result, rasterio.open(path) as source:
        assert written == tmp_path / "out" / "scene.tif"
        assert result.crs == source.crs and result.transform == source.transform
        assert result.shape == (height, width) and result.dtypes == ("uint8",) and result.nodata == 255
        assert np.array_equal(result.read(1), expected)


class SignedZeros(nn.Module):
    """Logits of each pixel alone (the same bits whatever the batch, unlike a convolution's) and ``-0.0``.

    Three channels are the bands scaled and shifted, a last one is ``-(band * 0)``: ``-0.0`` everywhere.
    """

    def forward(self, batch: Tensor) -> Tensor:
        scale = torch.tensor([0.37, -0.11, 0.023])[None, :, None, None]
        shift = torch.tensor([-20.5, 9.25, 1.0])[None, :, None, None]
        return torch.cat([batch[:, :3] * scale + shift, -(batch[:, :1] * 0.0)], dim=1)


@pytest.mark.parametrize(("height", "width", "tile"), [(75, 53, None), (20, 25, None), (75, 53, 20)])
def test_scores_equal_a_plain_torch_reference_bit_for_bit(
    tmp_path: Path, height: int, width: int, tile: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    image, path = scene_without_data_in_a_corner(tmp_path, 5, (height, width), tile, monkeypatch)
    net = SignedZeros().eval()
    (written,) = predict_raster(net, path, tmp_path / "out", patch_size=32, overlap=8, batch_size=3, output="scores")
    expected = reference(net, image, 32, 8).numpy()
    expected[:, :7, :9] = np.nan
    with rasterio.open(written) as result:
        assert result.dtypes[0] == "float32" and np.isnan(result.nodata)
        values = result.read()
    # Bits compared: the last channel blends to 0.0 (0.0 + -0.0, as on the canvas), never -0.0.
    assert np.array_equal(values.view(np.uint32), expected.view(np.uint32))
    assert not np.signbit(values[-1, 7:]).any()


def test_two_inputs_in_different_crss_each_get_their_own_grid(tmp_path: Path) -> None:
    utm = write_image(tmp_path / "in" / "a" / "utm.tif", random_image(2, 40, 70))
    geographic = write_image(
        tmp_path / "in" / "b" / "geo.tif",
        random_image(3, 66, 41),
        crs="EPSG:4326",
        transform=Affine(0.001, 0, 13.0, 0, -0.001, 52.0),
    )
    net = model(classes=3)
    written = predict_raster(net, tmp_path / "in", tmp_path / "out", patch_size=32, overlap=12, num_workers=1)
    assert written == [tmp_path / "out" / "a" / "utm.tif", tmp_path / "out" / "b" / "geo.tif"]
    for source_path, output_path in zip((utm, geographic), written, strict=True):
        with rasterio.open(output_path) as result, rasterio.open(source_path) as source:
            assert result.crs == source.crs and result.transform == source.transform
            expected = reference(net, source.read(), 32, 12, probabilities=True).argmax(dim=0).numpy()
            assert np.array_equal(result.read(1), expected)
            assert result.tags()["source"] == str(source_path)


def test_probabilities_are_quantised_softmax_or_half_floats(tmp_path: Path) -> None:
    image = random_image(4, 45, 38)
    image[:, -5:] = 0
    path = write_image(tmp_path / "scene.tif", image, nodata=0)
    net = model(classes=3)
    probabilities = reference(net, image, 32, 8, probabilities=True).numpy()
    (quantised,) = predict_raster(net, path, tmp_path / "u8", patch_size=32, overlap=8, output="probabilities")
    (half,) = predict_raster(
        net,
        path,
        tmp_path / "f16",
        patch_size=32,
        overlap=8,
        output="probabilities",
        probability_dtype="float16",
        class_names=["water", "forest", "crop"],
    )
    with rasterio.open(quantised) as result:
        assert result.count == 3 and result.dtypes[0] == "uint8" and result.nodata == 255
        assert result.scales == pytest.approx((1 / 254,) * 3)
        values = result.read()
    assert (values[:, -5:] == 255).all()
    assert np.abs(values[:, :-5].astype(int) - np.round(probabilities[:, :-5] * 254)).max() <= 1
    with rasterio.open(half) as result:
        assert result.tags(1, ns="IMAGE_STRUCTURE")["NBITS"] == "16"
        assert result.descriptions == ("probability of water", "probability of forest", "probability of crop")
        values = result.read()
    assert np.isnan(values[:, -5:]).all()
    np.testing.assert_allclose(values[:, :-5], probabilities[:, :-5], atol=1e-3)


def test_outputs_are_cloud_optimized_geotiffs_with_overviews_a_colour_table_and_class_names(tmp_path: Path) -> None:
    path = write_image(tmp_path / "scene.tif", random_image(5, 1100, 1030))
    (written,) = predict_raster(
        model(classes=3, kernel=1),
        path,
        tmp_path / "out",
        patch_size=256,
        overlap=32,
        batch_size=16,
        class_names=["water", "forest", "crop"],
        colors=[(0, 0, 255), (0, 128, 0), (200, 180, 100)],
    )
    with rasterio.open(written) as result:
        assert result.tags(ns="IMAGE_STRUCTURE")["LAYOUT"] == "COG"
        assert result.profile["tiled"] and result.block_shapes[0] == (512, 512)
        assert result.overviews(1) == [2, 4]
        assert result.colormap(1)[1] == (0, 128, 0, 255)
        assert json.loads(result.tags()["class_names"]) == ["water", "forest", "crop"]
        assert result.descriptions == ("class",)
    assert sorted(item.name for item in written.parent.iterdir()) == ["scene.tif"], "no temporary left"


def test_polygon_areas_per_class_equal_the_pixel_areas(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet", reason="GeoParquet is written with pyarrow")
    image = random_image(6, 90, 70)
    image[:, 40:, :10] = 0
    path = write_image(tmp_path / "scene.tif", image, nodata=0)
    written = predict_raster(model(classes=3), path, tmp_path / "out", patch_size=32, overlap=8, vectorize=True)
    raster, gpkg, parquet = written
    assert (gpkg.name, parquet.name) == ("scene.gpkg", "scene.parquet")
    with rasterio.open(raster) as result:
        classes = result.read(1)
    pixel_areas = {label: float((classes == label).sum()) * 100.0 for label in range(3)}
    _, _, geometries, fields = pyogrio.raw.read(gpkg)
    areas = shapely.area(shapely.from_wkb(geometries))
    for label in range(3):
        assert areas[fields[0] == label].sum() == pytest.approx(pixel_areas[label])
    table = pq.read_table(parquet)
    geo = json.loads(table.schema.metadata[b"geo"])
    assert geo["columns"]["geometry"]["encoding"] == "WKB"
    parquet_areas = shapely.area(shapely.from_wkb(table.column("geometry").to_pylist()))
    labels = np.array(table.column("class").to_pylist())
    for label in range(3):
        assert parquet_areas[labels == label].sum() == pytest.approx(pixel_areas[label])


def test_a_grid_other_than_the_inputs_is_an_option(tmp_path: Path) -> None:
    path = write_image(tmp_path / "scene.tif", random_image(7, 60, 60))
    (written,) = predict_raster(model(), path, tmp_path / "out", patch_size=32, crs="EPSG:32632", res=20)
    with rasterio.open(written) as result:
        assert result.crs.to_epsg() == 32632 and result.res == (20, 20)
        values = result.read(1)
    # The input is a tilted square on this grid: corners outside it are nodata, its middle is predicted.
    assert (values == 255).any() and (values[10:20, 10:20] != 255).all()


def test_the_writer_holds_one_band_of_rows_whatever_the_rasters_height(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    held: list[int] = []

    class Recording(BandBlender):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            held.append(self.nbytes)

    monkeypatch.setattr(predict_stream_module, "BandBlender", Recording)
    monkeypatch.setattr(predict_grid, "COLUMN_TILE", 48)
    for height, width in ((40, 40), (400, 40), (40, 400)):
        path = write_image(tmp_path / f"scene{height}x{width}.tif", random_image(8, height, width))
        predict_raster(model(classes=5, kernel=1), path, tmp_path / "out", patch_size=32, overlap=8)
    # (5 channels + the weights) x 32 rows x at most 48 columns (a column tile) of float32, whatever the size.
    assert max(held) == 6 * 32 * 48 * 4 and held[:2] == [6 * 32 * 40 * 4] * 2 and len(held) == 2 + 9


def test_one_band_of_rows_is_held_at_a_time_across_column_tiles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    alive: weakref.WeakSet[BandBlender] = weakref.WeakSet()
    held_at_once: list[int] = []

    class Recording(BandBlender):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            alive.add(self)
            held_at_once.append(len(alive))

    monkeypatch.setattr(predict_stream_module, "BandBlender", Recording)
    monkeypatch.setattr(predict_grid, "COLUMN_TILE", 48)
    path = write_image(tmp_path / "scene.tif", random_image(9, 70, 200))
    predict_raster(model(classes=5, kernel=1), path, tmp_path / "out", patch_size=32, overlap=8)
    # A chunk's band goes before the next one's is made.
    assert held_at_once == [1] * 5


def test_a_band_blender_hands_on_every_row_once_in_order() -> None:
    blender = BandBlender(height=100, width=7, channels=1, rows=(0, 100), band=10)
    bands: list[Band] = []
    for top in starts(100, 10, 6):
        bands.extend(blender.add(top, 0, torch.full((1, 10, 7), float(top)), torch.ones((10, 7))))
        assert blender.total.shape == (1, 10, 7)
    bands.extend(blender.finish())
    assert [row for band in bands for row in range(band.top, band.top + band.values.shape[1])] == list(range(100))
    assert all(bool(band.reached.all()) for band in bands)


def test_preprocessing_comes_from_the_tasks_weights() -> None:
    class Weights:
        def transforms(self, image: Tensor) -> Tensor:
            return image / 10_000

    class Task(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.hparams = {"weights": Weights()}

    found = preprocessing_of(Task())
    assert found is not None and float(found(torch.tensor(5000.0))) == 0.5
    assert preprocessing_of(nn.Conv2d(1, 1, 1)) is None


def test_bad_arguments_are_refused_naming_them(tmp_path: Path) -> None:
    path = write_image(tmp_path / "scene.tif", random_image(9, 20, 20))
    with pytest.raises(FileNotFoundError, match=r"missing\.tif"):
        predict_raster(model(), tmp_path / "missing.tif", tmp_path / "out", patch_size=16)
    with pytest.raises(ValueError, match="overlap"):
        predict_raster(model(), path, tmp_path / "out", patch_size=16, overlap=16)
    with pytest.raises(ValueError, match="would overwrite that input"):
        predict_raster(model(), path, tmp_path, patch_size=16)
    with pytest.raises(ValueError, match=r"\(B, K, 16, 16\)"):
        predict_raster(nn.Conv2d(3, 2, 3), path, tmp_path / "out", patch_size=16)
    with pytest.raises(TypeError, match=r"predict_raster: model=None must be a torch.nn.Module"):
        predict_raster(None, path, tmp_path / "out", patch_size=16)  # type: ignore[arg-type]
    assert not (tmp_path / "out").exists()


def test_simplified_polygons_have_fewer_vertices_and_keep_their_classes_area(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow", reason="GeoParquet is written with pyarrow")
    path = write_image(tmp_path / "scene.tif", random_image(10, 60, 60))
    net = model(classes=2, kernel=5)
    outlines = predict_raster(net, path, tmp_path / "exact", patch_size=32, overlap=8, vectorize=True)[1]
    simple = predict_raster(net, path, tmp_path / "simple", patch_size=32, overlap=8, vectorize=True, simplify=15.0)[1]
    exact_geometries = shapely.from_wkb(pyogrio.raw.read(outlines)[2])
    simple_geometries = shapely.from_wkb(pyogrio.raw.read(simple)[2])
    assert shapely.get_num_coordinates(simple_geometries).sum() < shapely.get_num_coordinates(exact_geometries).sum()
    assert shapely.area(simple_geometries).sum() == pytest.approx(shapely.area(exact_geometries).sum(), rel=0.05)


@pytest.mark.parametrize("rows", [2048, 17], ids=["one band of rows", "bands of 17 rows"])
def test_simplified_polygons_of_neighbouring_classes_neither_overlap_nor_leave_gaps(
    tmp_path: Path, rows: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each polygon was simplified alone: at 1 px (10 m) over 800 x 600 m of 3 classes, 7,319 m² overlapped and
    # 29,319 m² (6%) lay in no polygon.
    monkeypatch.setattr(predict_vector, "VECTOR_ROWS", rows)
    image = random_image(1, 60, 80)
    image[:, :6, :9] = 0  # nodata
    path = write_image(tmp_path / "scene.tif", image, nodata=0)
    outputs = predict_raster(model(classes=3, kernel=5), path, tmp_path / "out", patch_size=32, vectorize=True,
                             simplify=10.0)
    simplified = shapely.from_wkb(pyogrio.raw.read(outputs[1])[2])
    exact = predict_raster(model(classes=3, kernel=5), path, tmp_path / "exact", patch_size=32, vectorize=True)
    outlines = shapely.from_wkb(pyogrio.raw.read(exact[1])[2])
    assert shapely.get_num_coordinates(simplified).sum() < shapely.get_num_coordinates(outlines).sum()
    union = shapely.union_all(simplified)
    assert shapely.area(simplified).sum() == pytest.approx(union.area, abs=1e-6)
    assert union.symmetric_difference(shapely.union_all(outlines)).area == pytest.approx(0, abs=1e-6)


@pytest.mark.parametrize("west", [179.0, 181.0], ids=["179 to 181", "181 to 183 (0 to 360 grid)"])
def test_a_raster_across_the_antimeridian_is_warped_from_both_sides(tmp_path: Path, west: float) -> None:
    # Longitudes past 180° east: GDAL's warper read only the part west of 180° (all of it, or none, nodata).
    rows, columns = np.mgrid[0:20, 0:40].astype("float32")
    image = (1 + rows * 3 + columns * 5)[None]
    path = write_image(tmp_path / "scene.tif", image, crs="EPSG:4326", transform=Affine(0.05, 0, west, 0, -0.05, 1.0))
    (written,) = predict_raster(nn.Identity(), path, tmp_path / "out", patch_size=16, output="scores", crs="EPSG:32660")
    with rasterio.open(written) as result, rasterio.open(path) as source:
        values = result.read(1)
        expected = np.full(values.shape, np.nan, dtype="float32")
        reproject(
            rasterio.band(source, 1),
            expected,
            dst_transform=result.transform,
            dst_crs=result.crs,
            dst_nodata=np.nan,
            resampling=Resampling.bilinear,
        )
    assert result.shape == (20, 40)
    assert not np.isnan(expected).any(), "the reference warp covers the whole grid"
    np.testing.assert_allclose(values, expected, rtol=1e-6)


def test_a_projected_raster_across_the_antimeridian_gets_a_geographic_grid_past_180(tmp_path: Path) -> None:
    # A UTM zone 60 scene over 179.7 deg E to 179.7 deg W onto EPSG:4326: GDAL's grid spanned -180 to 180 deg,
    # 778 x 1 px, and the output was that one row, silently (or "no grid" for a shorter scene).
    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:32660", always_xy=True)
    (west, top), (east, bottom) = to_utm.transform(179.7, -16.8), to_utm.transform(-179.7, -17.2)
    rows, columns = np.mgrid[0:90, 0:126].astype("float32")
    image = (1 + rows * 3 + columns * 5)[None]
    path = write_image(tmp_path / "scene.tif", image, crs="EPSG:32660",
                       transform=Affine((east - west) / 126, 0, west, 0, -(top - bottom) / 90, top))
    (written,) = predict_raster(nn.Identity(), path, tmp_path / "out", patch_size=16, output="scores", crs="EPSG:4326")
    with rasterio.open(written) as result, rasterio.open(path) as source:
        values = result.read(1)
        expected = np.full(values.shape, np.nan, dtype="float32")
        reproject(rasterio.band(source, 1), expected, dst_transform=result.transform, dst_crs=result.crs,
                  dst_nodata=np.nan, resampling=Resampling.bilinear)
        bounds = result.bounds
    assert result.crs == "EPSG:4326"
    assert bounds.left == pytest.approx(179.7, abs=0.01) and bounds.right == pytest.approx(180.3, abs=0.01)
    assert result.height > 50, "the scene's rows, not one row around the globe"
    assert (~np.isnan(expected)).mean() > 0.9, "the reference warp covers the grid (but the rotated corners)"
    np.testing.assert_allclose(values, expected, rtol=1e-6)


def test_a_rerun_without_polygons_removes_those_of_the_raster_it_replaces(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow.parquet", reason="GeoParquet is written with pyarrow")
    path = write_image(tmp_path / "in" / "scene.tif", random_image(6, 40, 40))
    out = tmp_path / "out"
    predict_raster(model(classes=3), path, out, patch_size=32, vectorize=True)
    assert sorted(item.name for item in out.iterdir()) == ["scene.gpkg", "scene.parquet", "scene.tif"]
    # Another model's classes: the first run's polygons no longer match them, so they go with the raster they came from.
    assert predict_raster(model(classes=3, seed=1), path, out, patch_size=32) == [out / "scene.tif"]
    assert sorted(item.name for item in out.iterdir()) == ["scene.tif"]
    # A file of the user's that only has the name is no polygons of a prediction: it stays.
    pyogrio.raw.write(
        out / "scene.gpkg",
        np.array([shapely.to_wkb(shapely.box(0, 0, 1, 1))], dtype=object),
        [np.array([5])],
        ["id"],
        geometry_type="Polygon",
        driver="GPKG",
        crs="EPSG:32633",
    )
    predict_raster(model(classes=3), path, out, patch_size=32)
    assert sorted(item.name for item in out.iterdir()) == ["scene.gpkg", "scene.tif"]


def test_the_geoparquet_of_an_output_without_polygons_has_no_empty_bbox(tmp_path: Path) -> None:
    # A real raster whose every pixel is nodata: its GeoParquet said "bbox": [], which GeoParquet's schema refuses
    # (4 or 6 numbers, or no bbox at all).
    pq = pytest.importorskip("pyarrow.parquet", reason="GeoParquet is written with pyarrow")
    source = Path(__file__).resolve().parents[3] / "shared" / "data" / "real" / "all-nodata.tif"
    if not source.exists():
        pytest.skip(f"the real rasters are not here ({source})")
    raster, gpkg, parquet = predict_raster(model(classes=2, bands=4), source, tmp_path / "out", vectorize=True)
    with rasterio.open(raster) as result:
        assert (result.read(1) == result.nodata).all()
    assert pyogrio.raw.read(gpkg)[2].size == 0
    geo = json.loads(pq.read_schema(parquet).metadata[b"geo"])
    column = geo["columns"]["geometry"]
    assert "bbox" not in column and column["crs"]["id"] == {"authority": "EPSG", "code": 32628}
    assert column["geometry_types"] == ["Polygon"] and pq.read_table(parquet).num_rows == 0


def test_a_model_in_training_gets_its_modules_modes_back(tmp_path: Path) -> None:
    # predict_raster left the model in evaluation mode: a model predicted on between training steps went on
    # training with its dropout off and its batch norms frozen (model.training False after the call).
    path = write_image(tmp_path / "scene.tif", random_image(9, 30, 40))
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(3, 8, 1), nn.BatchNorm2d(8), nn.Dropout2d(0.5), nn.Conv2d(8, 3, 1))
    net[1].eval()  # a frozen batch norm stays frozen
    expected = reference(copy.deepcopy(net).eval(), random_image(9, 30, 40), 16, 4, probabilities=True)
    expected = expected.argmax(dim=0).numpy()
    (written,) = predict_raster(net, path, tmp_path / "out", patch_size=16, overlap=4, batch_size=3)
    assert [module.training for module in net.modules()] == [True, True, False, True, True]
    with rasterio.open(written) as result:
        np.testing.assert_array_equal(result.read(1), expected)
    with pytest.raises(ValueError, match="must give"):
        predict_raster(nn.Sequential(net, nn.Flatten()), path, tmp_path / "refused", patch_size=16)
    assert [module.training for module in net.modules()] == [True, True, False, True, True]
