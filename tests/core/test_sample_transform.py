"""Every GeoDataset sample carries ``transform``: the affine of its grid, as TorchGeo 0.10 gives it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import rasterio
import shapely
import torch
from affine import Affine
from rasterio.transform import from_bounds, from_origin

from geotorch.core import (
    BoundingBox,
    RasterDataset,
    VectorDataset,
    concat_samples,
    merge_samples,
    stack_samples,
    unbind_samples,
)
from geotorch.core.geo import grid_transform
from geotorch.core.sample import Sample
from geotorch.core.testing import GeoDatasetConformance
from tests.core.rasters import grid, random_bands, write_raster, write_vector

LEFT, TOP = 600000.0, 4000300.0


@pytest.fixture
def scene(tmp_path: Path) -> Path:
    """A 10 x 10 pixel, 30 m, 2-band UTM GeoTIFF whose top-left corner is (LEFT, TOP)."""
    return write_raster(tmp_path / "scene.tif", random_bands((2, 10, 10)), "EPSG:32633", grid(LEFT, TOP))


def test_sample_transform_is_the_affine_of_the_query_grid(scene: Path) -> None:
    dataset = RasterDataset(scene)
    query = BoundingBox(LEFT + 60, LEFT + 210, TOP - 240, TOP - 90)
    sample = dataset[query]
    expected = from_origin(query.minx, query.maxy, 30.0, 30.0)
    assert sample["transform"].shape == (9,)
    assert sample["transform"].dtype == torch.get_default_dtype()
    assert torch.equal(sample["transform"], torch.tensor(expected))
    assert torch.equal(sample["transform"], torch.tensor(from_bounds(*_west_south_east_north(query), 5, 5)))
    # The first six numbers rebuild the affine, mapping the image's pixels to the query's corners.
    affine = Affine(*sample["transform"][:6].tolist())
    height, width = sample["image"].shape[-2:]
    assert affine * (0, 0) == (query.minx, query.maxy)
    assert affine * (width, height) == (query.maxx, query.miny)


def test_sample_read_at_the_files_own_grid_has_the_files_transform(scene: Path) -> None:
    sample = RasterDataset(scene)[RasterDataset(scene).bounds]
    with rasterio.open(scene) as source:
        assert torch.equal(sample["transform"], torch.tensor(source.transform))


@pytest.mark.real_data
def test_real_landsat_subset_read_whole_has_the_files_transform(real_data: Path) -> None:
    path = real_data / "RGB.byte.tif"
    dataset = RasterDataset(path)
    sample = dataset[dataset.bounds]
    with rasterio.open(path) as source:
        assert torch.equal(sample["transform"], torch.tensor(source.transform))
        assert Affine(*sample["transform"][:6].double().tolist()).almost_equals(source.transform, precision=1e-2)
        assert tuple(sample["image"].shape) == (source.count, source.height, source.width)


def test_sample_transform_follows_the_datasets_res(scene: Path) -> None:
    dataset = RasterDataset(scene, res=(15.0, 60.0))
    query = BoundingBox(LEFT, LEFT + 150, TOP - 300, TOP)
    assert torch.equal(dataset[query]["transform"], torch.tensor(from_origin(LEFT, TOP, 15.0, 60.0)))


def test_vector_sample_transform_is_the_grid_it_was_rasterized_on(tmp_path: Path) -> None:
    square = shapely.box(LEFT + 30, TOP - 120, LEFT + 120, TOP - 30)
    path = write_vector(tmp_path / "fields.geojson", [square], "EPSG:32633", labels=[3])
    dataset = VectorDataset(path, res=30.0, label_name="label")
    query = BoundingBox(LEFT, LEFT + 150, TOP - 150, TOP)
    sample = dataset[query]
    assert torch.equal(sample["transform"], torch.tensor(from_origin(LEFT, TOP, 30.0, 30.0)))
    # Georeferencing the mask with the transform puts the burnt pixels inside the square.
    rows, cols = np.nonzero(sample["mask"].numpy())
    affine = Affine(*sample["transform"][:6].tolist())
    centres = [affine * (col + 0.5, row + 0.5) for row, col in zip(rows, cols, strict=True)]
    assert centres and all(square.contains(shapely.Point(centre)) for centre in centres)


@pytest.mark.parametrize("operator", ["and", "or"])
def test_composed_datasets_give_one_transform_of_the_first_operands_grid(
    tmp_path: Path, scene: Path, operator: str
) -> None:
    other = write_raster(
        tmp_path / "other" / "b.tif", random_bands((2, 20, 20), seed=1), "EPSG:32633", grid(LEFT, TOP, res=15.0)
    )
    first, second = RasterDataset(scene), RasterDataset(other)
    composed = first & second if operator == "and" else first | second
    query = BoundingBox(LEFT + 30, LEFT + 150, TOP - 150, TOP - 30)
    sample = composed[query]
    assert torch.equal(sample["transform"], torch.tensor(from_origin(LEFT + 30, TOP - 30, 30.0, 30.0)))


def test_transform_survives_stack_and_unbind(scene: Path) -> None:
    dataset = RasterDataset(scene)
    queries = [BoundingBox(LEFT + 30 * i, LEFT + 30 * i + 90, TOP - 90, TOP) for i in range(3)]
    batch = stack_samples(dataset[query] for query in queries)
    assert batch["transform"].shape == (3, 9)
    for query, sample in zip(queries, unbind_samples(batch), strict=True):
        assert sample["transform"].shape == (9,)
        assert torch.equal(sample["transform"], torch.tensor(from_origin(query.minx, query.maxy, 30.0, 30.0)))
        assert sample["bounds"] == query


def test_concat_and_merge_keep_the_first_samples_georeferencing() -> None:
    transform = torch.tensor(from_origin(LEFT, TOP, 30.0, 30.0))
    box = BoundingBox(LEFT, LEFT + 60, TOP - 60, TOP)
    first = {"image": torch.ones(1, 2, 2), "transform": transform, "bounds": box}
    second = {"image": torch.zeros(2, 2, 2), "transform": transform.clone(), "bounds": box}
    joined = concat_samples([first, second])
    assert joined["image"].shape == (3, 2, 2)
    assert joined["transform"] is transform and joined["bounds"] is box
    merged = merge_samples([first, {**second, "image": torch.zeros(1, 2, 2)}])
    assert torch.equal(merged["transform"], transform) and merged["bounds"] is box


class HalfResTransform(RasterDataset):
    """Says its samples lie on a grid of half its pixel size: the kit must catch it."""

    def __getitem__(self, query: Any) -> Sample:
        sample = super().__getitem__(query)
        sample["transform"] = grid_transform(sample["bounds"], (self.res[0] / 2, self.res[1] / 2))
        return sample


def test_conformance_kit_checks_the_transform_of_every_dataset(scene: Path) -> None:
    kit = type("Kit", (GeoDatasetConformance,), {"dataset_class": RasterDataset})()
    kit.test_sample_transform_is_the_affine_of_the_query_grid(RasterDataset(scene))
    with pytest.raises(AssertionError, match=r"HalfResTransform: sample\['transform'\] is .*, not the query grid's"):
        kit.test_sample_transform_is_the_affine_of_the_query_grid(HalfResTransform(scene))


def _west_south_east_north(box: BoundingBox) -> tuple[float, float, float, float]:
    return box.minx, box.miny, box.maxx, box.maxy
