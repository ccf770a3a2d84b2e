"""The conformance kit: a sound dataset passes every check, and each check fails, clearly, on a dataset breaking it."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest
import rasterio
import torch
from rasterio.transform import from_origin

from geotorch.core import DatasetNotFoundError, NonGeoDataset, RasterDataset
from geotorch.core.plotting import plot_sample
from geotorch.core.testing import (
    DatasetConformance,
    GeoDatasetConformance,
    NonGeoDatasetConformance,
    check_same_sample,
)

pytest_plugins = ["pytester"]

Sample = dict[str, Any]


def write_chips(root: Path, counts: dict[str, int]) -> Path:
    """Write ``<root>/<split>/<n>.npy``: (3, 8, 8) float32 chips (red, green, blue), chip n holding n + band / 10."""
    for split, count in counts.items():
        (root / split).mkdir(parents=True, exist_ok=True)
        for number in range(count):
            chip = number + np.arange(3, dtype="float32")[:, None, None] / 10 + np.zeros((3, 8, 8), "float32")
            np.save(root / split / f"{number}.npy", chip)
    return root


class ChipFolder(NonGeoDataset):
    """Chips saved as ``<root>/<split>/<n>.npy``; a sound dataset the kit must pass."""

    all_bands = ("red", "green", "blue")

    def __init__(self, root: Path, split: str = "train", bands: tuple[str, ...] = all_bands,
                 transforms: Any = None, download: bool = False) -> None:
        self.root = Path(root)
        self.find_data()
        self.files = sorted((self.root / split).glob("*.npy"), key=lambda path: int(path.stem))
        self.band_indices = [self.all_bands.index(band) for band in bands]
        self.transforms = transforms

    def find_data(self) -> None:
        if not any(self.root.glob("*/*.npy")):
            raise DatasetNotFoundError(type(self).__name__, self.root)

    def __len__(self) -> int:
        return len(self.files)

    def read(self, index: int) -> Sample:
        if not 0 <= index < len(self):
            raise IndexError(f"{type(self).__name__}: index {index} out of range for {len(self)} chips")
        chip = torch.from_numpy(np.load(self.files[index]))
        return {"image": chip[self.band_indices], "mask": (chip[0] > 1).long()}

    def __getitem__(self, index: int) -> Sample:
        sample = self.read(index)
        return self.transforms(sample) if self.transforms is not None else sample

    def plot(self, sample: Sample) -> Any:
        return plot_sample(sample)


@pytest.fixture(scope="module")
def chips_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_chips(tmp_path_factory.mktemp("chips"), {"train": 5, "val": 2})


class TestChipFolder(NonGeoDatasetConformance):
    """The sound dataset passes the whole kit, variants included."""

    dataset_class = ChipFolder
    variants: ClassVar = [{"split": "train"}, {"split": "val"}, {"bands": ("blue",)}, {"bands": ("green", "red")}]

    @pytest.fixture
    def dataset_kwargs(self, chips_root: Path) -> dict[str, Any]:
        return {"root": chips_root, "download": True}


def kit_for(dataset_class: type[NonGeoDataset]) -> NonGeoDatasetConformance:
    """The kit on ``dataset_class``, whose checks the tests call directly."""
    kit: type[NonGeoDatasetConformance] = type("Kit", (NonGeoDatasetConformance,), {"dataset_class": dataset_class})
    return kit()


# Missing data


class BareFileNotFound(ChipFolder):
    def find_data(self) -> None:
        if not any(self.root.glob("*/*.npy")):
            raise FileNotFoundError(f"no chips in {self.root}")


class SilentWhenMissing(ChipFolder):
    def find_data(self) -> None:
        pass


class FolderNotNamed(ChipFolder):
    def find_data(self) -> None:
        if not any(self.root.glob("*/*.npy")):
            raise DatasetNotFoundError(type(self).__name__, "the data folder")


def test_missing_data_as_a_bare_file_not_found_error_fails(chips_root: Path, tmp_path_factory: Any) -> None:
    with pytest.raises(pytest.fail.Exception, match=r"BareFileNotFound on an empty folder raised FileNotFoundError"
                                                    r"\(no chips in .*missing.*\) instead of DatasetNotFoundError"):
        kit_for(BareFileNotFound).test_missing_data_raises_dataset_not_found_naming_the_folder(
            {"root": chips_root}, tmp_path_factory)


def test_missing_data_that_raises_nothing_fails(chips_root: Path, tmp_path_factory: Any) -> None:
    with pytest.raises(pytest.fail.Exception, match=r"SilentWhenMissing on an empty folder \(root=.*missing.*\) "
                                                    r"raised nothing"):
        kit_for(SilentWhenMissing).test_missing_data_raises_dataset_not_found_naming_the_folder(
            {"root": chips_root}, tmp_path_factory)


def test_missing_data_error_not_naming_the_folder_fails(chips_root: Path, tmp_path_factory: Any) -> None:
    with pytest.raises(AssertionError, match=r"FolderNotNamed: DatasetNotFoundError must name the folder .*missing"):
        kit_for(FolderNotNamed).test_missing_data_raises_dataset_not_found_naming_the_folder(
            {"root": chips_root}, tmp_path_factory)


def test_missing_data_check_asks_for_no_download(chips_root: Path, tmp_path_factory: Any) -> None:
    asked: list[bool] = []

    class RecordsDownload(ChipFolder):
        def __init__(self, root: Path, download: bool = False) -> None:
            asked.append(download)
            super().__init__(root, download=download)

    kit_for(RecordsDownload).test_missing_data_raises_dataset_not_found_naming_the_folder(
        {"root": chips_root, "download": True}, tmp_path_factory)
    assert asked == [False]


# Pickling


class HoldsOpenFile(ChipFolder):
    def __init__(self, root: Path, **kwargs: Any) -> None:
        super().__init__(root, **kwargs)
        self.first = self.files[0].open("rb")


class HoldsLambda(ChipFolder):
    def __init__(self, root: Path, **kwargs: Any) -> None:
        super().__init__(root, **kwargs)
        self.scale = lambda image: image * 2


class ReorderedWhenUnpickled(ChipFolder):
    """Lists its files again when unpickled, newest first: the copy reads other chips."""

    def __getstate__(self) -> dict[str, Any]:
        return {key: value for key, value in self.__dict__.items() if key != "files"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.files = sorted((self.root / "train").glob("*.npy"), reverse=True)


def test_a_dataset_holding_an_open_file_does_not_pickle(chips_root: Path) -> None:
    dataset = HoldsOpenFile(chips_root)
    with pytest.raises(pytest.fail.Exception, match=r"HoldsOpenFile does not pickle, so DataLoader workers cannot "
                                                    r"get it: TypeError: cannot pickle '_io.BufferedReader'"):
        kit_for(HoldsOpenFile).test_pickled_copy_reads_the_same_samples(dataset)
    dataset.first.close()


def test_a_dataset_holding_a_lambda_does_not_pickle(chips_root: Path) -> None:
    with pytest.raises(pytest.fail.Exception, match=r"HoldsLambda does not pickle.*lambda"):
        kit_for(HoldsLambda).test_pickled_copy_reads_the_same_samples(HoldsLambda(chips_root))


def test_a_pickled_copy_reading_other_samples_fails(chips_root: Path) -> None:
    with pytest.raises(AssertionError, match=r"ReorderedWhenUnpickled: the pickled copy's sample 0: 'image' differs"):
        kit_for(ReorderedWhenUnpickled).test_pickled_copy_reads_the_same_samples(ReorderedWhenUnpickled(chips_root))


# Transforms


class IgnoresTransforms(ChipFolder):
    def __getitem__(self, index: int) -> Sample:
        return self.read(index)


class KeepsItsOwnSample(ChipFolder):
    def __getitem__(self, index: int) -> Sample:
        sample = self.read(index)
        if self.transforms is not None:
            self.transforms(sample)
        return sample


class TransformsTheImageAlone(ChipFolder):
    def __getitem__(self, index: int) -> Sample:
        sample = self.read(index)
        if self.transforms is not None:
            return {**self.transforms({"image": sample["image"]}), "mask": sample["mask"]}
        return sample


class TakesNoTransforms(ChipFolder):
    def __init__(self, root: Path, split: str = "train") -> None:
        super().__init__(root, split)


def test_a_dataset_ignoring_transforms_fails(chips_root: Path) -> None:
    with pytest.raises(AssertionError, match=r"IgnoresTransforms\[0\]: transforms was called 0 times for one sample "
                                             r"\(once expected\)"):
        kit_for(IgnoresTransforms).test_transforms_are_applied_to_every_sample({"root": chips_root})


def test_a_dataset_dropping_what_transforms_returned_fails(chips_root: Path) -> None:
    with pytest.raises(AssertionError, match=r"KeepsItsOwnSample\[0\] did not return what transforms returned"):
        kit_for(KeepsItsOwnSample).test_transforms_are_applied_to_every_sample({"root": chips_root})


def test_a_dataset_transforming_part_of_the_sample_fails(chips_root: Path) -> None:
    with pytest.raises(AssertionError, match=r"TransformsTheImageAlone\[0\]: what transforms received: "
                                             r"keys \['image'\] instead of \['image', 'mask'\]"):
        kit_for(TransformsTheImageAlone).test_transforms_are_applied_to_every_sample({"root": chips_root})


def test_a_dataset_without_a_transforms_argument_fails(chips_root: Path) -> None:
    with pytest.raises(pytest.fail.Exception, match=r"TakesNoTransforms must accept transforms="):
        kit_for(TakesNoTransforms).test_transforms_are_applied_to_every_sample({"root": chips_root})


# Variants


class IgnoresBands(ChipFolder):
    def __init__(self, root: Path, bands: tuple[str, ...] = ChipFolder.all_bands, **kwargs: Any) -> None:
        super().__init__(root, **kwargs)


def test_a_dataset_ignoring_bands_fails_the_bands_variant(chips_root: Path) -> None:
    with pytest.raises(AssertionError, match=r"IgnoresBands\(bands=blue\): 'image' has 3 channels for 1 bands asked"):
        kit_for(IgnoresBands).test_variant_builds_and_reads({"root": chips_root}, {"bands": ("blue",)})


def test_an_empty_split_fails_its_variant(tmp_path: Path) -> None:
    root = write_chips(tmp_path, {"train": 2, "val": 0})
    with pytest.raises(AssertionError, match=r"ChipFolder\(split=val\) holds no sample"):
        kit_for(ChipFolder).test_variant_builds_and_reads({"root": root}, {"split": "val"})


def test_a_variant_whose_samples_break_the_contract_fails(chips_root: Path) -> None:
    class IntegerImagesForBlue(ChipFolder):
        def read(self, index: int) -> Sample:
            sample = super().read(index)
            return {**sample, "image": sample["image"].long()} if len(self.band_indices) == 1 else sample

    with pytest.raises(AssertionError, match=r"IntegerImagesForBlue\(bands=blue\)\[0\]: 'image' must be float"):
        kit_for(IntegerImagesForBlue).test_variant_builds_and_reads({"root": chips_root}, {"bands": ("blue",)})


def test_a_kit_without_a_dataset_class_says_what_to_set() -> None:
    with pytest.raises(TypeError, match="set dataset_class"):
        NonGeoDatasetConformance().build(root=".")


# Comparing samples


def test_samples_compare_bit_for_bit_with_nan_equal_to_nan() -> None:
    image = torch.tensor([[[float("nan"), 1.0]]])
    check_same_sample({"image": image, "crs": "EPSG:4326"}, {"image": image.clone(), "crs": "EPSG:4326"}, "same")
    with pytest.raises(AssertionError, match=r"copy: 'image' differs"):
        check_same_sample({"image": image}, {"image": image.double()}, "copy")
    with pytest.raises(AssertionError, match=r"copy: 'crs' differs"):
        check_same_sample({"crs": "EPSG:4326"}, {"crs": "EPSG:3857"}, "copy")
    with pytest.raises(AssertionError, match=r"copy: keys \['image'\] instead of \['crs', 'image'\]"):
        check_same_sample({"image": image, "crs": "EPSG:4326"}, {"image": image}, "copy")


# Geo datasets


def write_scene(folder: Path, date: str, left: float) -> Path:
    """``scene_<date>.tif``: 3 uint16 bands, 24 x 24 pixels of 10 m in UTM zone 32N."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"scene_{date}.tif"
    values = np.random.default_rng(int(date)).integers(1, 10_000, (3, 24, 24), dtype=np.uint16)
    with rasterio.open(path, "w", driver="GTiff", width=24, height=24, count=3, dtype="uint16",
                       crs="EPSG:32632", transform=from_origin(left, 5_000_000.0, 10.0, 10.0)) as target:
        target.write(values)
    return path


class Scenes(RasterDataset):
    filename_glob = "scene_*.tif"
    filename_regex = r"^scene_(?P<date>\d{8})\.tif$"
    date_format = "%Y%m%d"
    all_bands = ("red", "green", "blue")
    rgb_bands = ("red", "green", "blue")


@pytest.fixture(scope="module")
def scenes_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("scenes")
    write_scene(folder, "20240105", 500_000.0)
    write_scene(folder, "20240411", 500_240.0)
    return folder


class TestScenes(GeoDatasetConformance):
    """A raster product declared by class attributes passes the whole kit."""

    dataset_class = Scenes
    variants: ClassVar = [{"bands": ("red",)}, {"bands": ("blue", "green", "red")}, {"res": 20.0}]

    @pytest.fixture
    def dataset_kwargs(self, scenes_folder: Path) -> dict[str, Any]:
        return {"paths": scenes_folder}


class ScenesWithLambda(Scenes):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.to_reflectance = lambda image: image / 10_000


class ScenesIgnoringTransforms(Scenes):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.transforms = None


def geo_kit_for(dataset_class: type[RasterDataset]) -> GeoDatasetConformance:
    """The geo kit on ``dataset_class``, whose checks the tests call directly."""
    kit: type[GeoDatasetConformance] = type("GeoKit", (GeoDatasetConformance,), {"dataset_class": dataset_class})
    return kit()


def test_a_geo_dataset_holding_a_lambda_does_not_pickle(scenes_folder: Path) -> None:
    with pytest.raises(pytest.fail.Exception, match=r"ScenesWithLambda does not pickle"):
        geo_kit_for(ScenesWithLambda).test_pickled_copy_reads_the_same_samples(ScenesWithLambda(scenes_folder))


def test_a_geo_dataset_ignoring_transforms_fails(scenes_folder: Path) -> None:
    with pytest.raises(AssertionError, match=r"ScenesIgnoringTransforms\[BoundingBox\(.*\)\]: transforms was called "
                                             r"0 times"):
        geo_kit_for(ScenesIgnoringTransforms).test_transforms_are_applied_to_every_sample({"paths": scenes_folder})


def test_geo_missing_data_is_checked_on_the_paths_argument(scenes_folder: Path, tmp_path_factory: Any) -> None:
    kit = geo_kit_for(Scenes)
    assert kit.folder_argument == "paths"
    kit.test_missing_data_raises_dataset_not_found_naming_the_folder({"paths": scenes_folder}, tmp_path_factory)


class ScenesReadWhole(Scenes):
    """Returns the whole first file whatever the query: samples of the documented types, of the wrong pixels."""

    def __getitem__(self, query: Any) -> Sample:
        transforms, self.transforms = self.transforms, None
        sample = super().__getitem__(query)
        self.transforms = transforms
        with rasterio.open(sorted(self.files)[0]) as source:
            sample["image"] = torch.from_numpy(source.read().astype("float32"))
        return sample if transforms is None else transforms(sample)


class ScenesReadAtTheOrigin(Scenes):
    """Reads a window of the query's size at the first file's north-west corner, wherever the query lies."""

    def __getitem__(self, query: Any) -> Sample:
        transforms, self.transforms = self.transforms, None
        sample = super().__getitem__(query)
        self.transforms = transforms
        rows, cols = sample["image"].shape[-2:]
        with rasterio.open(sorted(self.files)[0]) as source:
            window = source.read(window=((0, rows), (0, cols))).astype("float32")
        sample["image"] = torch.from_numpy(window)
        return sample if transforms is None else transforms(sample)


def test_a_geo_dataset_returning_whole_files_fails(scenes_folder: Path) -> None:
    # Before: it passed every check of the kit (the samples' types and channels are right).
    with pytest.raises(AssertionError, match=r"ScenesReadWhole: sample\['image'\] covers 24 x 24 pixels, but the "
                                             r"query BoundingBox\(.*\) is 16 x 16 pixels of res \(10.0, 10.0\)"):
        geo_kit_for(ScenesReadWhole).test_sample_covers_the_query_pixel_for_pixel(ScenesReadWhole(scenes_folder))


def test_a_geo_dataset_reading_at_the_file_origin_fails(scenes_folder: Path) -> None:
    dataset = ScenesReadAtTheOrigin(scenes_folder)
    # Before: it passed every check of the kit; its 16 x 16 samples came from the file's north-west corner.
    with pytest.raises(AssertionError, match=r"ScenesReadAtTheOrigin: sample\['image'\] of BoundingBox\(.*\) \(the "
                                             r"south-east quarter of BoundingBox\(.*\)\) differs from that quarter"):
        geo_kit_for(ScenesReadAtTheOrigin).test_sample_covers_the_query_pixel_for_pixel(dataset)
    geo_kit_for(Scenes).test_sample_covers_the_query_pixel_for_pixel(Scenes(scenes_folder))


# As a plugin author runs it


def test_a_plugin_authors_subclass_runs_every_check_and_names_each_variant(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_author=textwrap.dedent("""
        import numpy as np
        import pytest
        import torch

        from geotorch.core import DatasetNotFoundError, NonGeoDataset
        from geotorch.core.plotting import plot_sample
        from geotorch.core.testing import NonGeoDatasetConformance


        class Chips(NonGeoDataset):
            def __init__(self, root, split="train", transforms=None):
                self.files = sorted((root / split).glob("*.npy"))
                if not self.files:
                    raise DatasetNotFoundError("Chips", root)
                self.transforms = transforms

            def __len__(self):
                return len(self.files)

            def __getitem__(self, index):
                if not 0 <= index < len(self):
                    raise IndexError(index)
                sample = {"image": torch.from_numpy(np.load(self.files[index]))}
                return self.transforms(sample) if self.transforms else sample

            def plot(self, sample):
                return plot_sample(sample)


        class DropsTransforms(Chips):
            def __init__(self, root, split="train", transforms=None):
                super().__init__(root, split)


        class TestChips(NonGeoDatasetConformance):
            dataset_class = Chips
            variants = [{"split": "train"}, {"split": "test"}]

            @pytest.fixture
            def dataset_kwargs(self, tmp_path):
                for split in ("train", "test"):
                    (tmp_path / split).mkdir()
                    np.save(tmp_path / split / "0.npy", np.ones((2, 4, 4), "float32"))
                return {"root": tmp_path}


        class TestDropsTransforms(TestChips):
            dataset_class = DropsTransforms


        class TestNamedVariants(TestChips):
            variants = {"training": {"split": "train"}}
    """))
    result = pytester.runpytest("-v", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=31, failed=1)
    result.stdout.fnmatch_lines([
        "*TestChips::test_variant_builds_and_reads?split=test? PASSED*",
        "*TestDropsTransforms::test_transforms_are_applied_to_every_sample FAILED*",
        "*TestNamedVariants::test_variant_builds_and_reads?training? PASSED*",
        "*DropsTransforms[[]0[]]: transforms was called 0 times for one sample (once expected)*",
    ])


def test_a_subclass_declaring_no_variants_collects_no_variant_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_author=textwrap.dedent("""
        import pytest
        import torch

        from geotorch.core import NonGeoDataset
        from geotorch.core.plotting import plot_sample
        from geotorch.core.testing import NonGeoDatasetConformance


        class Ones(NonGeoDataset):
            def __init__(self, root=None, split="train", transforms=None):
                self.transforms = transforms

            def __len__(self):
                return 2

            def __getitem__(self, index):
                if not 0 <= index < len(self):
                    raise IndexError(index)
                sample = {"image": torch.ones(1, 4, 4)}
                return self.transforms(sample) if self.transforms else sample

            def plot(self, sample):
                return plot_sample(sample)


        class TestOnes(NonGeoDatasetConformance):
            dataset_class = Ones

            @pytest.fixture
            def dataset_kwargs(self, tmp_path):
                return {"root": tmp_path}

            def test_missing_data_raises_dataset_not_found_naming_the_folder(self):
                pass


        class TestOnesWithSplits(TestOnes):
            variants = [{"split": "train"}, {"split": "test"}]


        class TestOnesWithoutSplitsAgain(TestOnesWithSplits):
            variants = ()
    """))
    result = pytester.runpytest("-v", "-rs", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3 * 9 + 2)  # nine checks per class, two variants
    result.stdout.fnmatch_lines(["*TestOnesWithSplits::test_variant_builds_and_reads?split=test? PASSED*"])
    result.stdout.no_fnmatch_line("*TestOnes::test_variant*")
    result.stdout.no_fnmatch_line("*TestOnesWithoutSplitsAgain::test_variant*")
    result.stdout.no_fnmatch_line("*SKIP*")
    assert not hasattr(DatasetConformance.test_variant_builds_and_reads, "__test__")
