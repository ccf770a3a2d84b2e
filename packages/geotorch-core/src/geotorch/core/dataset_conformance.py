"""The conformance kit's base: the checks every dataset passes, geo or not, and how a kit builds and queries it."""

from __future__ import annotations

import functools
import inspect
import pickle
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

import pytest
import torch

from geotorch.core.conformance_checks import (
    TRANSFORM_MARK,
    RecordingTransform,
    check_same_sample,
    check_tensors,
    variant_id,
)
from geotorch.core.errors import DatasetNotFoundError


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
