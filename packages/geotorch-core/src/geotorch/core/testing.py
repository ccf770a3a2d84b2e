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

import functools
import inspect
import pickle
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
import pytest
import torch

from geotorch.core.bbox import BoundingBox
from geotorch.core.errors import DatasetNotFoundError
from geotorch.core.geo import GeoDataset, grid_transform
from geotorch.core.nongeo import NonGeoDataset
from geotorch.core.sample import Sample

#: Key the kit's recording transform adds to every sample it returns.
TRANSFORM_MARK = "conformance_transform_call"


def check_tensors(sample: Sample, owner: str, image_ndim: int = 3, mask_dtype: torch.dtype = torch.long) -> None:
    """Assert that ``sample`` holds a float image and/or a ``(H, W)``/``(C, H, W)`` mask of ``mask_dtype``.

    Args:
        sample: what the dataset returned.
        owner: names the dataset (and index or variant) in failure messages.
        image_ndim: 3 for ``(C, H, W)`` images, 4 for ``(T, C, H, W)`` (time series, image pairs).
        mask_dtype: the mask's type: int64 class ids by default, a float type for a continuous target.

    When both are present they must cover the same pixels.
    """
    assert isinstance(sample, dict), f"{owner}: a sample must be a dict, got {type(sample).__name__}"
    assert "image" in sample or "mask" in sample, f"{owner}: a sample needs 'image' or 'mask', got {sorted(sample)}"
    if "image" in sample:
        image = sample["image"]
        layout = "(C, H, W)" if image_ndim == 3 else "(T, C, H, W)"
        assert isinstance(image, torch.Tensor), f"{owner}: 'image' must be a Tensor, got {type(image).__name__}"
        assert image.is_floating_point(), f"{owner}: 'image' must be float, got {image.dtype}"
        assert image.ndim == image_ndim, f"{owner}: 'image' must be {layout}, got shape {tuple(image.shape)}"
    if "mask" in sample:
        mask = sample["mask"]
        assert isinstance(mask, torch.Tensor), f"{owner}: 'mask' must be a Tensor, got {type(mask).__name__}"
        expected = "long (int64)" if mask_dtype == torch.long else str(mask_dtype)
        assert mask.dtype == mask_dtype, f"{owner}: 'mask' must be {expected}, got {mask.dtype}"
        assert mask.ndim in (2, 3), f"{owner}: 'mask' must be (H, W) or (C, H, W), got shape {tuple(mask.shape)}"
    if "image" in sample and "mask" in sample:
        assert sample["image"].shape[-2:] == sample["mask"].shape[-2:], (
            f"{owner}: 'image' {tuple(sample['image'].shape)} and 'mask' {tuple(sample['mask'].shape)} "
            f"cover different pixels"
        )


def check_same_sample(expected: Sample, actual: Sample, owner: str) -> None:
    """Assert that two samples hold the same keys and equal values (tensors bit for bit, NaN equal to NaN)."""
    assert sorted(actual) == sorted(expected), f"{owner}: keys {sorted(actual)} instead of {sorted(expected)}"
    for key, value in expected.items():
        other = actual[key]
        if isinstance(value, torch.Tensor):
            same = (isinstance(other, torch.Tensor) and other.dtype == value.dtype and other.shape == value.shape
                    and bool(torch.isclose(other, value, rtol=0, atol=0, equal_nan=True).all()))
        elif isinstance(value, np.ndarray):
            same = isinstance(other, np.ndarray) and np.array_equal(value, other, equal_nan=value.dtype.kind in "fc")
        else:
            same = bool(value == other)
        assert same, f"{owner}: {key!r} differs"


def variant_id(variant: Mapping[str, Any]) -> str:
    """A test id for a variant: ``split=train``, ``bands=B04,B03,B02``."""
    def spell(value: Any) -> str:
        if isinstance(value, (list, tuple)):
            return ",".join(str(item) for item in value)
        return str(value)

    return "-".join(f"{key}={spell(value)}" for key, value in variant.items()) or "defaults"


class RecordingTransform:
    """A transform that records each sample it receives and marks each one it returns.

    It returns a new dict: the sample plus ``TRANSFORM_MARK`` (the number of
    the call, from 0), so a dataset that calls it but keeps its own sample is
    caught. Module-level and holding only samples, so it pickles.
    """

    def __init__(self) -> None:
        self.received: list[Sample] = []

    def __call__(self, sample: Sample) -> Sample:
        """Record ``sample``; return a copy with ``TRANSFORM_MARK`` set to this call's number."""
        self.received.append(sample)
        return {**sample, TRANSFORM_MARK: len(self.received) - 1}


def _assert_figure(figure: object, owner: str) -> None:
    from matplotlib.figure import Figure

    assert isinstance(figure, Figure), f"{owner}.plot must return a matplotlib Figure, got {type(figure).__name__}"


class DatasetConformance:
    """Checks every dataset must pass, geo or not; use a subclass of it (Geo/NonGeoDatasetConformance).

    Attributes:
        dataset_class: the dataset class (or any callable taking the
            constructor's keyword arguments) :meth:`build` calls.
        folder_argument: the keyword argument naming the data folder, which
            the missing-data check points at an empty folder.
        variants: keyword arguments merged over ``dataset_kwargs``, one
            configuration each (``{"split": "val"}``, ``{"bands": [...]}``);
            each is a test case of :meth:`test_variant_builds_and_reads`,
            named after its arguments (``split=val``), or after its key when
            ``variants`` is a mapping (``{"rgb": {"bands": RGB}}``). Declare
            them in the class body: a class whose ``variants`` is empty
            collects no :meth:`test_variant_builds_and_reads` (the method stays
            callable).
        image_ndim: dimensions of ``image``: 3 for ``(C, H, W)``, 4 for
            ``(T, C, H, W)`` (time series, bi-temporal pairs).
        mask_dtype: the type of ``mask``: ``torch.long`` (class ids) unless
            the dataset's mask is a continuous target (``torch.float32``).
    """

    dataset_class: ClassVar[Callable[..., Any] | None] = None
    folder_argument: ClassVar[str] = "root"
    variants: ClassVar[Sequence[Mapping[str, Any]] | Mapping[str, Mapping[str, Any]]] = ()
    image_ndim: ClassVar[int] = 3
    mask_dtype: ClassVar[torch.dtype] = torch.long

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Collect :meth:`test_variant_builds_and_reads` only where ``variants`` declares some.

        pytest would otherwise report an empty parametrization as a skipped
        test: a check that cannot fail. The method of a class without variants
        is marked ``__test__ = False`` (still callable, never collected).
        """
        super().__init_subclass__(**kwargs)
        check = inspect.unwrap(cls.test_variant_builds_and_reads)
        cls.test_variant_builds_and_reads = check if cls.variants else _not_collected(check)  # type: ignore[method-assign]

    def build(self, **kwargs: Any) -> Any:
        """Build the dataset under test from constructor keyword arguments; override to build it otherwise.

        Raises:
            TypeError: if the subclass sets no ``dataset_class`` and does not override this.
        """
        if self.dataset_class is None:
            raise TypeError(f"{type(self).__name__}: set dataset_class (the class under test) or override build()")
        return self.dataset_class(**kwargs)

    def queries(self, dataset: Any) -> list[Any]:
        """The keys the checks read: indices for a NonGeoDataset, a small query for a GeoDataset."""
        raise NotImplementedError

    def check_variant(self, dataset: Any, variant: Mapping[str, Any]) -> None:
        """Check a dataset built with ``variant``; by default, one image channel per name of its ``bands``.

        Override (calling ``super()``) to check more of your own options.
        """
        bands = variant.get("bands")
        if bands is None or isinstance(bands, str):
            return
        sample = dataset[self.queries(dataset)[0]]
        channels = sample["image"].shape[-3]
        assert channels == len(bands), (
            f"{type(dataset).__name__}({variant_id(variant)}): 'image' has {channels} channels "
            f"for {len(bands)} bands asked"
        )

    @pytest.fixture
    def dataset_kwargs(self) -> dict[str, Any]:
        """Write fake data and return the constructor's keyword arguments: the fixture a subclass gives."""
        pytest.skip("no dataset_kwargs fixture: the checks that build the dataset themselves need one")

    @pytest.fixture
    def dataset(self, dataset_kwargs: dict[str, Any]) -> Any:
        """The dataset under test: :meth:`build` on ``dataset_kwargs``."""
        return self.build(**dataset_kwargs)

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        """Run :meth:`test_variant_builds_and_reads` once per entry of ``variants``."""
        if "variant" not in metafunc.fixturenames:
            return
        named = self.variants if isinstance(self.variants, Mapping) else {
            variant_id(variant): variant for variant in self.variants}
        metafunc.parametrize("variant", [dict(variant) for variant in named.values()], ids=list(named))

    def test_missing_data_raises_dataset_not_found_naming_the_folder(
        self, dataset_kwargs: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
    ) -> None:
        """On an empty folder (``download=False``) it raises DatasetNotFoundError, whose message names the folder."""
        empty = tmp_path_factory.mktemp("missing")
        kwargs = {**dataset_kwargs, self.folder_argument: empty}
        if "download" in kwargs:
            kwargs["download"] = False
        name = _name(self)
        try:
            self.build(**kwargs)
        except DatasetNotFoundError as error:
            message = str(error)
        except Exception as error:  # noqa: BLE001 (any other exception is the failure reported)
            pytest.fail(f"{name} on an empty folder raised {type(error).__name__}({error}) instead of "
                        f"DatasetNotFoundError naming the folder", pytrace=False)
        else:
            pytest.fail(f"{name} on an empty folder ({self.folder_argument}={empty}) raised nothing: "
                        f"missing data must raise DatasetNotFoundError", pytrace=False)
        assert str(empty) in message, f"{name}: DatasetNotFoundError must name the folder {empty}: {message}"

    def test_pickled_copy_reads_the_same_samples(self, dataset: Any) -> None:
        """Once read, it pickles (DataLoader workers under spawn get a pickled copy) and the copy reads the same."""
        owner = type(dataset).__name__
        queries = self.queries(dataset)
        expected = [dataset[query] for query in queries]
        try:
            copy = pickle.loads(pickle.dumps(dataset, protocol=pickle.HIGHEST_PROTOCOL))
        except Exception as error:  # noqa: BLE001 (what pickling raises varies: TypeError, PicklingError...)
            pytest.fail(f"{owner} does not pickle, so DataLoader workers cannot get it: "
                        f"{type(error).__name__}: {error}", pytrace=False)
        for query, sample in zip(queries, expected, strict=True):
            check_same_sample(sample, copy[query], f"{owner}: the pickled copy's sample {query}")

    def test_transforms_are_applied_to_every_sample(self, dataset_kwargs: dict[str, Any]) -> None:
        """``transforms`` is called once per sample read, on the plain sample, and its result is returned."""
        plain = self.build(**dataset_kwargs)
        transform = RecordingTransform()
        try:
            dataset = self.build(**{**dataset_kwargs, "transforms": transform})
        except TypeError as error:
            pytest.fail(f"{_name(self)} must accept transforms=: {error}", pytrace=False)
        owner = type(dataset).__name__
        for number, query in enumerate(self.queries(dataset)):
            sample = dataset[query]
            calls = len(transform.received) - number
            assert calls == 1, f"{owner}[{query}]: transforms was called {calls} times for one sample (once expected)"
            assert isinstance(sample, dict) and sample.get(TRANSFORM_MARK) == number, (
                f"{owner}[{query}] did not return what transforms returned"
            )
            check_same_sample(plain[query], transform.received[-1], f"{owner}[{query}]: what transforms received")

    def test_variant_builds_and_reads(self, dataset_kwargs: dict[str, Any], variant: dict[str, Any]) -> None:
        """Each declared variant builds a non-empty dataset whose samples keep the contract."""
        dataset = self.build(**{**dataset_kwargs, **variant})
        owner = f"{type(dataset).__name__}({variant_id(variant)})"
        assert len(dataset) > 0, f"{owner} holds no sample: every variant must find data"
        for query in self.queries(dataset):
            check_tensors(dataset[query], f"{owner}[{query}]", self.image_ndim, self.mask_dtype)
        self.check_variant(dataset, variant)


def _not_collected(check: Callable[..., None]) -> Callable[..., None]:
    """``check`` as a method pytest does not collect (``__test__ = False``), for a class without variants."""
    @functools.wraps(check)
    def method(*args: Any, **kwargs: Any) -> None:
        check(*args, **kwargs)

    method.__test__ = False  # type: ignore[attr-defined]
    return method


def _name(kit: DatasetConformance) -> str:
    """The name of what ``kit`` builds, for messages."""
    return getattr(kit.dataset_class, "__name__", type(kit).__name__)


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
