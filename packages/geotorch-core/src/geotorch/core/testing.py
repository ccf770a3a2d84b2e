"""Conformance kit: base test classes a plugin author subclasses to check a dataset against GeoTorch's contract.

Subclass one of the classes in a test module, name the subclass ``Test...``
and give it a ``dataset`` fixture::

    import pytest
    from geotorch.core.testing import GeoDatasetConformance

    class TestMyScenes(GeoDatasetConformance):
        @pytest.fixture
        def dataset(self, tmp_path):
            write_fake_scenes(tmp_path)        # your own small data generator
            return MyScenes(tmp_path)

Every ``test_*`` method below then runs against that dataset. Needs pytest
(``pip install geotorch-core[test]``).
"""

from __future__ import annotations

from typing import Any

import pytest
import torch

from geotorch.core.bbox import BoundingBox
from geotorch.core.geo import GeoDataset
from geotorch.core.nongeo import NonGeoDataset

Sample = dict[str, Any]


def check_tensors(sample: Sample, owner: str) -> None:
    """Assert that ``sample`` holds a float ``(C, H, W)`` image and/or a long ``(H, W)``/``(C, H, W)`` mask.

    When both are present they must cover the same pixels.
    """
    assert isinstance(sample, dict), f"{owner}: a sample must be a dict, got {type(sample).__name__}"
    assert "image" in sample or "mask" in sample, f"{owner}: a sample needs 'image' or 'mask', got {sorted(sample)}"
    if "image" in sample:
        image = sample["image"]
        assert isinstance(image, torch.Tensor), f"{owner}: 'image' must be a Tensor, got {type(image).__name__}"
        assert image.is_floating_point(), f"{owner}: 'image' must be float, got {image.dtype}"
        assert image.ndim == 3, f"{owner}: 'image' must be (C, H, W), got shape {tuple(image.shape)}"
    if "mask" in sample:
        mask = sample["mask"]
        assert isinstance(mask, torch.Tensor), f"{owner}: 'mask' must be a Tensor, got {type(mask).__name__}"
        assert mask.dtype == torch.long, f"{owner}: 'mask' must be long (int64), got {mask.dtype}"
        assert mask.ndim in (2, 3), f"{owner}: 'mask' must be (H, W) or (C, H, W), got shape {tuple(mask.shape)}"
    if "image" in sample and "mask" in sample:
        assert sample["image"].shape[-2:] == sample["mask"].shape[-2:], (
            f"{owner}: 'image' {tuple(sample['image'].shape)} and 'mask' {tuple(sample['mask'].shape)} "
            f"cover different pixels"
        )


def _assert_figure(figure: object, owner: str) -> None:
    from matplotlib.figure import Figure

    assert isinstance(figure, Figure), f"{owner}.plot must return a matplotlib Figure, got {type(figure).__name__}"


class GeoDatasetConformance:
    """Checks every :class:`~geotorch.core.GeoDataset` must pass; subclass it with a ``dataset`` fixture.

    Attributes:
        chip_size: side, in pixels, of the query the checks read (kept small
            so they stay fast on real products).
    """

    chip_size: int = 16

    def chip(self, dataset: GeoDataset) -> BoundingBox:
        """A small query inside the first indexed item, ``chip_size`` pixels wide at most."""
        first = next(iter(dataset.index.intersection(tuple(dataset.bounds), objects=True)))
        minx, maxx, miny, maxy, mint, maxt = first.bounds
        width = min(maxx - minx, self.chip_size * dataset.res[0])
        height = min(maxy - miny, self.chip_size * dataset.res[1])
        return BoundingBox(minx, minx + width, miny, miny + height, mint, maxt)

    def test_is_a_geo_dataset(self, dataset: GeoDataset) -> None:
        """It derives from GeoDataset, so it composes and works with the geo samplers."""
        assert isinstance(dataset, GeoDataset), f"{type(dataset).__name__} must derive from GeoDataset"

    def test_len_is_positive(self, dataset: GeoDataset) -> None:
        """The index holds at least one item."""
        assert len(dataset) > 0, f"{type(dataset).__name__} indexed nothing"

    def test_sample_is_a_dict_with_crs_and_bounds(self, dataset: GeoDataset) -> None:
        """A sample carries the dataset's CRS and the query it answers."""
        query = self.chip(dataset)
        sample = dataset[query]
        assert isinstance(sample, dict), f"{type(dataset).__name__}: a sample must be a dict"
        assert sample.get("crs") == dataset.crs, f"{type(dataset).__name__}: sample['crs'] must be dataset.crs"
        assert sample.get("bounds") == query, f"{type(dataset).__name__}: sample['bounds'] must be the query"

    def test_sample_tensors_have_the_documented_types(self, dataset: GeoDataset) -> None:
        """``image`` is float (C, H, W), ``mask`` is long (H, W) or (C, H, W)."""
        check_tensors(dataset[self.chip(dataset)], type(dataset).__name__)

    def test_channels_match_the_sample(self, dataset: GeoDataset) -> None:
        """``channels`` announces what samples hold, so ``|`` can check operands."""
        sample = dataset[self.chip(dataset)]
        for key, count in dataset.channels.items():
            assert key in sample, f"{type(dataset).__name__}.channels names {key!r} but samples lack it"
            tensor = sample[key]
            actual = tensor.shape[0] if tensor.ndim == 3 else 1
            assert actual == count, f"{type(dataset).__name__}.channels says {key}={count}, sample has {actual}"

    def test_query_outside_bounds_raises_index_error(self, dataset: GeoDataset) -> None:
        """A query that meets no indexed item is an IndexError, not an empty sample."""
        bounds = dataset.bounds
        width = max(bounds.maxx - bounds.minx, dataset.res[0])
        outside = BoundingBox(bounds.maxx + width, bounds.maxx + 2 * width, bounds.miny, bounds.maxy,
                              bounds.mint, bounds.maxt)
        with pytest.raises(IndexError):
            dataset[outside]

    def test_slice_query_reads_the_same_as_a_bounding_box(self, dataset: GeoDataset) -> None:
        """``dataset[minx:maxx, miny:maxy, mint:maxt]`` is the BoundingBox query."""
        query = self.chip(dataset)
        by_box = dataset[query]
        by_slices = dataset[query.minx:query.maxx, query.miny:query.maxy, query.mint:query.maxt]
        assert by_slices["bounds"] == query
        for key, value in by_box.items():
            if isinstance(value, torch.Tensor):
                assert torch.equal(value, by_slices[key]), f"{type(dataset).__name__}: slice query differs in {key!r}"

    def test_plot_returns_a_figure(self, dataset: GeoDataset) -> None:
        """``plot(sample)`` draws it and returns a matplotlib Figure."""
        plot = getattr(dataset, "plot", None)
        assert callable(plot), f"{type(dataset).__name__} must have plot(sample)"
        _assert_figure(plot(dataset[self.chip(dataset)]), type(dataset).__name__)

    def test_intersection_with_itself_works_and_leaves_it_unchanged(self, dataset: GeoDataset) -> None:
        """``dataset & dataset`` is a GeoDataset that reads, and the operand keeps its grid and index."""
        before = (dataset.crs, dataset.res, dataset.bounds, len(dataset))
        both = dataset & dataset
        assert isinstance(both, GeoDataset)
        check_tensors(both[self.chip(dataset)], f"{type(dataset).__name__} & itself")
        assert (dataset.crs, dataset.res, dataset.bounds, len(dataset)) == before, "& changed its operand"

    def test_union_with_itself_works_and_leaves_it_unchanged(self, dataset: GeoDataset) -> None:
        """``dataset | dataset`` is a GeoDataset that reads, and the operand keeps its grid and index."""
        before = (dataset.crs, dataset.res, dataset.bounds, len(dataset))
        either = dataset | dataset
        assert isinstance(either, GeoDataset)
        check_tensors(either[self.chip(dataset)], f"{type(dataset).__name__} | itself")
        assert (dataset.crs, dataset.res, dataset.bounds, len(dataset)) == before, "| changed its operand"

    def test_str_summarises_it(self, dataset: GeoDataset) -> None:
        """``str(dataset)`` names the class."""
        assert type(dataset).__name__ in str(dataset)


class NonGeoDatasetConformance:
    """Checks every :class:`~geotorch.core.NonGeoDataset` must pass; subclass it with a ``dataset`` fixture."""

    def test_is_a_non_geo_dataset(self, dataset: NonGeoDataset) -> None:
        """It derives from NonGeoDataset."""
        assert isinstance(dataset, NonGeoDataset), f"{type(dataset).__name__} must derive from NonGeoDataset"

    def test_len_is_positive(self, dataset: NonGeoDataset) -> None:
        """It holds at least one sample."""
        assert len(dataset) > 0, f"{type(dataset).__name__} holds no sample"

    def test_first_and_last_samples_have_the_documented_types(self, dataset: NonGeoDataset) -> None:
        """Samples are dicts with a float (C, H, W) ``image`` and/or a long ``mask``."""
        for index in (0, len(dataset) - 1):
            check_tensors(dataset[index], f"{type(dataset).__name__}[{index}]")

    def test_index_past_the_end_raises_index_error(self, dataset: NonGeoDataset) -> None:
        """``dataset[len(dataset)]`` is an IndexError, so iteration stops."""
        with pytest.raises(IndexError):
            dataset[len(dataset)]

    def test_plot_returns_a_figure(self, dataset: NonGeoDataset) -> None:
        """``plot(sample)`` draws it and returns a matplotlib Figure."""
        plot = getattr(dataset, "plot", None)
        assert callable(plot), f"{type(dataset).__name__} must have plot(sample)"
        _assert_figure(plot(dataset[0]), type(dataset).__name__)

    def test_str_summarises_it(self, dataset: NonGeoDataset) -> None:
        """``str(dataset)`` names the class."""
        assert type(dataset).__name__ in str(dataset)
