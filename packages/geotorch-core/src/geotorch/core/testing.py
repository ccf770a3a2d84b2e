"""Conformance kit: base test classes a plugin author subclasses to check a dataset against GeoTorch's contract.

Subclass :class:`GeoDatasetConformance` or :class:`NonGeoDatasetConformance` in
a test module, name the subclass ``Test...``, and give it two things: the class
under test (``dataset_class``) and a ``dataset_kwargs`` fixture that writes
small fake data into a folder and returns the constructor's keyword arguments.
Optionally list configuration ``variants`` (``split``, ``bands``...)::

    import pytest
    from geotorch.core.testing import NonGeoDatasetConformance

    class TestMyChips(NonGeoDatasetConformance):
        dataset_class = MyChips
        variants = ({"split": "train"}, {"split": "test"}, {"bands": ("red", "nir")})

        @pytest.fixture
        def dataset_kwargs(self, tmp_path):
            write_fake_chips(tmp_path)          # your own small data generator
            return {"root": tmp_path, "split": "train"}

Fake data costly to write can be written once by a module-scoped fixture that
``dataset_kwargs`` requests. ``variants`` may also be a mapping from test ids to
keyword arguments (``{"rgb": {"bands": RGB}}``). Every ``test_*`` method below
then runs against ``MyChips(**dataset_kwargs)``:
the sample contract (dict of a float image and/or a long mask, ``IndexError``
past the end, ``plot``; a geo sample holds its query's pixels at ``res``, which
a read of part of the query confirms), and what a DataLoader and a user need of
a dataset:

- missing data: built on an empty folder (the argument named by
  ``folder_argument``, ``download=False``), it raises
  :class:`~geotorch.core.DatasetNotFoundError` naming that folder;
- pickling: a pickled copy (what DataLoader workers get) reads the same samples;
- transforms: ``transforms=`` is called once on every sample read, with the
  sample the dataset reads without it, and its result is what ``__getitem__``
  returns;
- variants: each entry of ``variants`` (merged over ``dataset_kwargs``) builds
  a non-empty dataset whose samples keep the contract, with one image channel
  per name of a ``bands`` variant (:meth:`check_variant` adds your own checks).
  A class declaring no variants has no variant test at all (not a skipped one).

Override points: ``dataset_class`` or :meth:`build` (e.g. to build through the
registry), ``folder_argument`` (``"root"`` for NonGeo, ``"paths"`` for geo
datasets), ``variants``, ``image_ndim`` (4 for ``(T, C, H, W)`` images),
``mask_dtype`` (a float type for a continuous target such as elevation),
:meth:`check_variant`, and ``GeoDatasetConformance.chip_size``. A subclass that
gives a ``dataset`` fixture only (no ``dataset_kwargs``) runs the sample and
pickling checks; the checks that build the dataset themselves are skipped,
saying why. Needs pytest (``pip install geotorch-core[test]``).
"""

from __future__ import annotations

from typing import ClassVar

import pytest
import torch

from geotorch.core.bbox import BoundingBox
from geotorch.core.conformance_checks import TRANSFORM_MARK as TRANSFORM_MARK
from geotorch.core.conformance_checks import RecordingTransform as RecordingTransform
from geotorch.core.conformance_checks import check_same_sample as check_same_sample
from geotorch.core.conformance_checks import check_tensors as check_tensors
from geotorch.core.conformance_checks import variant_id as variant_id
from geotorch.core.dataset_conformance import DatasetConformance as DatasetConformance
from geotorch.core.geo import GeoDataset, grid_transform
from geotorch.core.nongeo import NonGeoDataset


def _assert_figure(figure: object, owner: str) -> None:
    from matplotlib.figure import Figure

    assert isinstance(figure, Figure), f"{owner}.plot must return a matplotlib Figure, got {type(figure).__name__}"


class GeoDatasetConformance(DatasetConformance):
    """Checks every :class:`~geotorch.core.GeoDataset` must pass; see the module docstring.

    Attributes:
        chip_size: side, in pixels, of the query the checks read (kept small
            so they stay fast on real products).
    """

    folder_argument: ClassVar[str] = "paths"
    chip_size: int = 16

    def chip(self, dataset: GeoDataset) -> BoundingBox:
        """A small query inside the first indexed item, ``chip_size`` pixels wide at most."""
        first = next(iter(dataset.index.intersection(tuple(dataset.bounds), objects=True)))
        minx, maxx, miny, maxy, mint, maxt = first.bounds
        width = min(maxx - minx, self.chip_size * dataset.res[0])
        height = min(maxy - miny, self.chip_size * dataset.res[1])
        return BoundingBox(minx, minx + width, miny, miny + height, mint, maxt)

    def queries(self, dataset: GeoDataset) -> list[BoundingBox]:
        """One small query: :meth:`chip`."""
        return [self.chip(dataset)]

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

    def test_sample_transform_is_the_affine_of_the_query_grid(self, dataset: GeoDataset) -> None:
        """``sample["transform"]`` is TorchGeo 0.10's: the query's top-left corner at the dataset's ``res``."""
        query = self.chip(dataset)
        transform = dataset[query].get("transform")
        expected = grid_transform(query, dataset.res)
        assert isinstance(transform, torch.Tensor) and torch.equal(transform, expected), (
            f"{type(dataset).__name__}: sample['transform'] is "
            f"{transform.tolist() if isinstance(transform, torch.Tensor) else transform!r}, "
            f"not the query grid's {expected.tolist()}"
        )

    def test_sample_tensors_have_the_documented_types(self, dataset: GeoDataset) -> None:
        """``image`` is float (C, H, W), ``mask`` of ``mask_dtype`` (H, W) or (C, H, W)."""
        check_tensors(dataset[self.chip(dataset)], type(dataset).__name__, self.image_ndim, self.mask_dtype)

    def test_sample_covers_the_query_pixel_for_pixel(self, dataset: GeoDataset) -> None:
        """Rasters have the query's shape at ``res``, and a part of the query reads that part of its sample.

        A dataset returning a whole file, or a window at the file's origin whatever the query, would otherwise
        pass every other check: its samples keep the documented types. The part read is the query's
        south-east quarter, on the query's pixel grid.
        """
        query = self.chip(dataset)
        sample = dataset[query]
        owner = type(dataset).__name__
        x_res, y_res = dataset.res
        rows, cols = max(1, round((query.maxy - query.miny) / y_res)), max(1, round((query.maxx - query.minx) / x_res))
        rasters = [key for key in ("image", "mask") if isinstance(sample.get(key), torch.Tensor)]
        for key in rasters:
            shape = tuple(sample[key].shape[-2:])
            assert shape == (rows, cols), (
                f"{owner}: sample[{key!r}] covers {shape[0]} x {shape[1]} pixels, but the query {query} is {rows} x "
                f"{cols} pixels of res {dataset.res}"
            )
        if rows < 2 or cols < 2:
            return
        left, top = query.minx + (cols - cols // 2) * x_res, query.maxy - (rows - rows // 2) * y_res
        part = BoundingBox(left, query.minx + cols * x_res, query.maxy - rows * y_res, top, query.mint, query.maxt)
        quarter = dataset[part]
        for key in rasters:
            expected = sample[key][..., rows - rows // 2:, cols - cols // 2:]
            same = quarter[key].shape == expected.shape and bool(
                torch.isclose(quarter[key], expected, rtol=0, atol=0, equal_nan=True).all()
            )
            assert same, (
                f"{owner}: sample[{key!r}] of {part} (the south-east quarter of {query}) differs from that quarter of "
                "the query's sample: samples must hold the pixels of the query, wherever it lies"
            )

    def test_channels_match_the_sample(self, dataset: GeoDataset) -> None:
        """``channels`` announces what samples hold, so ``|`` can check operands."""
        sample = dataset[self.chip(dataset)]
        for key, count in dataset.channels.items():
            assert key in sample, f"{type(dataset).__name__}.channels names {key!r} but samples lack it"
            tensor = sample[key]
            actual = tensor.shape[-3] if tensor.ndim >= 3 else 1
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
        owner = f"{type(dataset).__name__} & itself"
        check_tensors(both[self.chip(dataset)], owner, self.image_ndim, self.mask_dtype)
        assert (dataset.crs, dataset.res, dataset.bounds, len(dataset)) == before, "& changed its operand"

    def test_union_with_itself_works_and_leaves_it_unchanged(self, dataset: GeoDataset) -> None:
        """``dataset | dataset`` is a GeoDataset that reads, and the operand keeps its grid and index."""
        before = (dataset.crs, dataset.res, dataset.bounds, len(dataset))
        either = dataset | dataset
        assert isinstance(either, GeoDataset)
        owner = f"{type(dataset).__name__} | itself"
        check_tensors(either[self.chip(dataset)], owner, self.image_ndim, self.mask_dtype)
        assert (dataset.crs, dataset.res, dataset.bounds, len(dataset)) == before, "| changed its operand"

    def test_str_summarises_it(self, dataset: GeoDataset) -> None:
        """``str(dataset)`` names the class."""
        assert type(dataset).__name__ in str(dataset)


class NonGeoDatasetConformance(DatasetConformance):
    """Checks every :class:`~geotorch.core.NonGeoDataset` must pass; see the module docstring."""

    def queries(self, dataset: NonGeoDataset) -> list[int]:
        """The first, middle and last index (each once)."""
        return sorted({0, len(dataset) // 2, len(dataset) - 1})

    def test_is_a_non_geo_dataset(self, dataset: NonGeoDataset) -> None:
        """It derives from NonGeoDataset."""
        assert isinstance(dataset, NonGeoDataset), f"{type(dataset).__name__} must derive from NonGeoDataset"

    def test_len_is_positive(self, dataset: NonGeoDataset) -> None:
        """It holds at least one sample."""
        assert len(dataset) > 0, f"{type(dataset).__name__} holds no sample"

    def test_first_and_last_samples_have_the_documented_types(self, dataset: NonGeoDataset) -> None:
        """Samples are dicts with a float ``image`` and/or a ``mask`` of ``mask_dtype``."""
        for index in (0, len(dataset) - 1):
            check_tensors(dataset[index], f"{type(dataset).__name__}[{index}]", self.image_ndim, self.mask_dtype)

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
