"""Specification of RandomGeoSampler: reproducible random patches inside the data, the roi and the toi."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
import shapely
import torch
from torch.utils.data import DataLoader

from geotorch.core import BoundingBox, stack_samples
from geotorch.samplers import RandomGeoSampler, Units

if TYPE_CHECKING:
    from geotorch.samplers.utils import Size
    from tests.core.samplers.places import MakeTiles, Place

FAR_APART = [("west", 0, 0, 20, 20), ("east", 5000, 0, 20, 20)]


def seeded(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def spatial(box: BoundingBox) -> BoundingBox:
    return BoundingBox(box.minx, box.maxx, box.miny, box.maxy)


def flat(boxes: list[BoundingBox]) -> list[float]:
    return [value for box in boxes for value in box]


def inside(patch: BoundingBox, bounds: BoundingBox, res: float) -> bool:
    """Whether ``patch`` lies in ``bounds`` in x and y, up to floating-point noise."""
    slack = 1e-6 * res
    grown = BoundingBox(bounds.minx - slack, bounds.maxx + slack, bounds.miny - slack, bounds.maxy + slack)
    return spatial(patch) in grown


def test_random_sampler_same_seed_same_patches(make_tiles: MakeTiles, place: Place) -> None:
    dataset = make_tiles(place, FAR_APART)
    first = list(RandomGeoSampler(dataset, 8, length=20, generator=seeded(3)))
    second = list(RandomGeoSampler(dataset, 8, length=20, generator=seeded(3)))
    assert first == second


def test_random_sampler_different_seeds_different_patches(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, FAR_APART)
    first = list(RandomGeoSampler(dataset, 8, length=20, generator=seeded(3)))
    second = list(RandomGeoSampler(dataset, 8, length=20, generator=seeded(4)))
    assert first != second


def test_random_sampler_ignores_the_global_rng_when_given_a_generator(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, FAR_APART)
    torch.manual_seed(1)
    first = list(RandomGeoSampler(dataset, 8, length=20, generator=seeded(3)))
    torch.manual_seed(2)
    second = list(RandomGeoSampler(dataset, 8, length=20, generator=seeded(3)))
    assert first == second


def test_random_sampler_generator_chooses_the_file(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, FAR_APART)
    files = [utm.bounds(*spec[1:]) for spec in FAR_APART]
    chosen = set()
    for seed in range(16):
        torch.manual_seed(0)  # the global RNG is the same every time: only the generator may choose
        (patch,) = RandomGeoSampler(dataset, 8, length=1, generator=seeded(seed))
        holding = [number for number, bounds in enumerate(files) if spatial(patch) in bounds]
        assert len(holding) == 1
        chosen.add(holding[0])
    assert chosen == {0, 1}


def test_random_sampler_chooses_files_by_area(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, [("small", 0, 0, 10, 10), ("large", 5000, 0, 30, 30)])
    large = utm.bounds(5000, 0, 30, 30)
    patches = list(RandomGeoSampler(dataset, 4, length=400, generator=seeded(0)))
    share = sum(spatial(patch) in large for patch in patches) / len(patches)
    assert share == pytest.approx(0.9, abs=0.06)


def test_random_sampler_patches_lie_inside_a_file_on_its_pixel_grid(make_tiles: MakeTiles, place: Place) -> None:
    tiles = [("west", 0, 0, 20, 15), ("east", 37, 5, 11, 30)]
    dataset = make_tiles(place, tiles)
    files = [place.bounds(*spec[1:]) for spec in tiles]
    for patch in RandomGeoSampler(dataset, (6, 9), length=50, generator=seeded(0)):
        (bounds,) = [bounds for bounds in files if inside(patch, bounds, place.res)]
        columns = (patch.minx - bounds.minx) / place.res
        rows = (bounds.maxy - patch.maxy) / place.res
        assert columns == pytest.approx(round(columns), abs=1e-6)
        assert rows == pytest.approx(round(rows), abs=1e-6)
        assert patch.maxx - patch.minx == pytest.approx(9 * place.res)
        assert patch.maxy - patch.miny == pytest.approx(6 * place.res)


def test_random_sampler_size_in_crs_units_equals_size_in_pixels(make_tiles: MakeTiles, place: Place) -> None:
    dataset = make_tiles(place, FAR_APART)
    in_pixels = list(RandomGeoSampler(dataset, (4, 8), length=10, generator=seeded(5)))
    in_crs = list(
        RandomGeoSampler(dataset, (4 * place.res, 8 * place.res), length=10, units=Units.CRS, generator=seeded(5))
    )
    assert flat(in_pixels) == pytest.approx(flat(in_crs))
    assert all(patch.maxx - patch.minx == pytest.approx(8 * place.res) for patch in in_crs)


def test_random_sampler_patches_lie_inside_the_roi_box(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, [("tile", 0, 0, 40, 40)])
    roi = utm.bounds(10, 5, 12, 20)
    patches = list(RandomGeoSampler(dataset, 6, length=50, roi=roi, generator=seeded(0)))
    assert all(spatial(patch) in roi for patch in patches)
    assert len({patch.minx for patch in patches}) > 1


def test_random_sampler_patches_lie_fully_inside_the_roi_polygon(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, [("tile", 0, 0, 40, 40)])
    tile = utm.bounds(0, 0, 40, 40)
    triangle = shapely.Polygon([(tile.minx, tile.miny), (tile.maxx, tile.miny), (tile.minx, tile.maxy)])
    patches = list(RandomGeoSampler(dataset, 5, length=50, roi=triangle, generator=seeded(0)))
    assert all(triangle.covers(shapely.box(p.minx, p.miny, p.maxx, p.maxy)) for p in patches)


def test_random_sampler_roi_multipolygon_draws_from_every_part(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, [("tile", 0, 0, 40, 40)])
    parts = [utm.bounds(0, 0, 10, 10), utm.bounds(30, 30, 10, 10)]
    roi = shapely.MultiPolygon([shapely.box(b.minx, b.miny, b.maxx, b.maxy) for b in parts])
    patches = list(RandomGeoSampler(dataset, 4, length=40, roi=roi, generator=seeded(0)))
    hits = [sum(spatial(patch) in part for patch in patches) for part in parts]
    assert sum(hits) == len(patches)
    assert min(hits) > 0


def test_random_sampler_toi_limits_the_time(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, [("scene_20200101", 0, 0, 20, 20), ("scene_20210101", 0, 0, 20, 20)])
    toi = (datetime(2020, 6, 1), datetime(2021, 6, 1))
    patches = list(RandomGeoSampler(dataset, 8, length=20, toi=toi, generator=seeded(0)))
    day = (datetime(2021, 1, 1, tzinfo=UTC).timestamp(), datetime(2021, 1, 2, tzinfo=UTC).timestamp() - 1e-6)
    (interval,) = {(patch.mint, patch.maxt) for patch in patches}
    assert interval == pytest.approx(day)


def test_random_sampler_set_epoch_gives_reproducible_different_epochs(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, FAR_APART)
    sampler = RandomGeoSampler(dataset, 8, length=10, generator=seeded(0))
    sampler.set_epoch(1)
    epoch_one = list(sampler)
    sampler.set_epoch(2)
    epoch_two = list(sampler)
    sampler.set_epoch(1)
    assert list(sampler) == epoch_one
    assert epoch_one != epoch_two


def test_random_sampler_passes_without_set_epoch_differ(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, FAR_APART)
    sampler = RandomGeoSampler(dataset, 8, length=10, generator=seeded(0))
    assert list(sampler) != list(sampler)


def test_random_sampler_ranks_draw_different_patches(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, FAR_APART)
    ranks = [RandomGeoSampler(dataset, 8, length=9, generator=seeded(0), rank=rank, world_size=2) for rank in (0, 1)]
    assert [len(sampler) for sampler in ranks] == [5, 5]
    first, second = (list(sampler) for sampler in ranks)
    assert not set(first) & set(second)


def test_random_sampler_default_length_is_the_area_over_the_patch_area(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, [("west", 0, 0, 20, 20), ("east", 5000, 0, 20, 40)])
    assert len(RandomGeoSampler(dataset, 10, generator=seeded(0))) == (400 + 800) // 100


def test_random_sampler_skips_files_too_small_for_a_patch(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, [("small", 0, 0, 5, 5), ("large", 5000, 0, 20, 20)])
    large = utm.bounds(5000, 0, 20, 20)
    assert all(spatial(patch) in large for patch in RandomGeoSampler(dataset, 8, length=20, generator=seeded(0)))


def test_random_sampler_size_larger_than_every_file_is_a_value_error(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, FAR_APART)
    with pytest.raises(ValueError, match=r"size=21 .*larger than every area.*bounds") as error:
        RandomGeoSampler(dataset, 21)
    assert str(dataset.bounds.minx) in str(error.value)


@pytest.mark.parametrize("size", [0, -3, (4, 0), (4,), math.nan])
def test_random_sampler_size_must_be_positive(make_tiles: MakeTiles, utm: Place, size: Size) -> None:
    dataset = make_tiles(utm, FAR_APART)
    with pytest.raises(ValueError, match="size="):
        RandomGeoSampler(dataset, size)


def test_random_sampler_roi_outside_the_data_is_a_value_error(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, FAR_APART)
    with pytest.raises(ValueError, match="does not intersect"):
        RandomGeoSampler(dataset, 4, roi=utm.bounds(100, 100, 10, 10))


def test_random_sampler_toi_outside_the_data_is_a_value_error(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, [("scene_20200101", 0, 0, 20, 20)])
    with pytest.raises(ValueError, match="does not intersect"):
        RandomGeoSampler(dataset, 4, toi=(datetime(2019, 1, 1), datetime(2019, 2, 1)))


def test_random_sampler_length_must_be_positive(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, FAR_APART)
    with pytest.raises(ValueError, match="length=0"):
        RandomGeoSampler(dataset, 4, length=0)


def test_random_sampler_feeds_a_dataloader_with_stack_samples(make_tiles: MakeTiles, place: Place) -> None:
    dataset = make_tiles(place, FAR_APART)
    sampler = RandomGeoSampler(dataset, (6, 8), length=10, generator=seeded(0))
    loader = DataLoader(dataset, batch_size=4, sampler=sampler, collate_fn=stack_samples)
    batches = list(loader)
    assert [batch["image"].shape for batch in batches] == [(4, 1, 6, 8), (4, 1, 6, 8), (2, 1, 6, 8)]
    assert all((batch["image"] > 0).all() for batch in batches)  # every pixel read from a file, none filled


def test_random_sampler_polygon_too_narrow_for_a_patch_is_refused_when_made(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, [("tile", 0, 0, 40, 40)])
    tile = dataset.bounds
    sliver = shapely.Polygon([(tile.minx, tile.miny), (tile.maxx, tile.maxy), (tile.minx + 1, tile.miny)])
    with pytest.raises(ValueError, match="too narrow"):
        RandomGeoSampler(dataset, 4, length=1, roi=sliver, generator=seeded(0))


def test_random_sampler_toi_in_posix_seconds_must_be_ordered(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, FAR_APART)
    with pytest.raises(ValueError, match="toi="):
        RandomGeoSampler(dataset, 4, toi=(2e9, 1e9))


def test_random_sampler_roi_of_another_type_is_a_type_error(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, FAR_APART)
    with pytest.raises(TypeError, match="roi must be"):
        RandomGeoSampler(dataset, 4, roi=shapely.Point(0, 0))
