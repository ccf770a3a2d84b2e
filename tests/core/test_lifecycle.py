"""Specification of geotorch.core.lifecycle: a dataset declared with DatasetLifecycle alone, served locally."""

from __future__ import annotations

import hashlib
import pickle
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest
import torch

from geotorch.core import (
    ChecksumError,
    DatasetLifecycle,
    DatasetNotFoundError,
    NonGeoDataset,
    RasterDataset,
    Resource,
    check_choice,
)
from tests.core.rasters import grid, random_bands, write_raster


class Fields(DatasetLifecycle, NonGeoDataset):
    """A stranger's dataset: one zip per split, text chips of two bands, written as a plugin would."""

    splits: ClassVar[dict[str, Resource]] = {
        "train": Resource("http://127.0.0.1:1/train.zip", "train.zip"),
        "test": Resource("http://127.0.0.1:1/test.zip", "test.zip"),
    }
    all_bands: ClassVar[tuple[str, ...]] = ("red", "nir")

    def __init__(
        self,
        root: str | Path = "data",
        split: str = "train",
        bands: Sequence[str] | None = None,
        download: bool = False,
        checksum: bool = False,
    ) -> None:
        self.root = Path(root)
        self.split = self.check_split(split)
        self.bands = self.select_bands(bands)
        self.prepare(download, checksum)
        self.files = sorted((self.root / split).glob("*.txt"))

    def resources(self) -> Sequence[Resource]:
        return [self.splits[self.split]]

    def is_present(self) -> bool:
        return (self.root / self.split).is_dir()

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, index: int) -> dict[str, Any]:
        values = [float(value) for value in self.files[index].read_text().split()]
        chosen = [values[self.all_bands.index(band)] for band in self.bands]
        return {"image": torch.tensor(chosen, dtype=torch.float32)}


class Registered(Fields):
    """The same files behind a registration: placed in root by hand, never fetched."""

    manual: ClassVar[str] = "register at https://fields.example.org and put train.zip in this folder"


def _zip(path: Path, split: str) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{split}/a.txt", "1 2")
        archive.writestr(f"{split}/b.txt", "3 4")
    return path


@pytest.fixture
def served(http_server: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Fields' train zip on the local server, with its MD5."""
    archive = _zip(http_server.root / "train.zip", "train")
    digest = hashlib.md5(archive.read_bytes()).hexdigest()
    monkeypatch.setattr(Fields, "splits", {**Fields.splits, "train": Resource(
        http_server.url("train.zip"), "train.zip", md5=digest)})
    return http_server


def test_a_declared_dataset_downloads_verifies_and_extracts_its_split(served: Any, tmp_path: Path) -> None:
    dataset = Fields(tmp_path, download=True, checksum=True)

    assert [path.name for path in dataset.files] == ["a.txt", "b.txt"]
    assert torch.equal(dataset[1]["image"], torch.tensor([3.0, 4.0]))
    assert served.hits("train.zip") == 1


def test_a_present_dataset_is_used_as_it_is(served: Any, tmp_path: Path) -> None:
    Fields(tmp_path, download=True)
    (tmp_path / "train.zip").unlink()

    assert len(Fields(tmp_path)) == 2
    assert served.hits("train.zip") == 1


def test_an_archive_in_root_is_extracted_without_download(tmp_path: Path) -> None:
    _zip(tmp_path / "train.zip", "train")

    assert len(Fields(tmp_path)) == 2


def test_missing_data_without_download_names_the_class_and_the_folder(tmp_path: Path) -> None:
    with pytest.raises(DatasetNotFoundError, match=rf"^Fields: no data found in {tmp_path}; pass download=True"):
        Fields(tmp_path)


def test_a_damaged_download_fails_its_checksum(served: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    resource = Fields.splits["train"]
    monkeypatch.setattr(Fields, "splits", {"train": Resource(resource.url, resource.filename, md5="0" * 32)})

    with pytest.raises(ChecksumError, match=r"train\.zip"):
        Fields(tmp_path, download=True, checksum=True)


def test_manual_data_is_never_fetched_and_the_error_carries_the_hint(served: Any, tmp_path: Path) -> None:
    with pytest.raises(DatasetNotFoundError, match=r"train\.zip is missing; register at https://fields"):
        Registered(tmp_path, download=True)
    assert served.hits("train.zip") == 0

    _zip(tmp_path / "train.zip", "train")
    assert len(Registered(tmp_path)) == 2


def test_extracted_files_in_the_wrong_layout_are_not_taken_for_the_data(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "train.zip", "w") as archive:
        archive.writestr("elsewhere/a.txt", "1 2")

    with pytest.raises(DatasetNotFoundError, match="do not have the layout this dataset expects"):
        Fields(tmp_path)


def test_an_unknown_split_names_the_class_the_value_and_the_choices(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"^Fields: unknown split 'val'; choose one of \['train', 'test'\]$"):
        Fields(tmp_path, split="val")


def test_bands_are_read_in_the_order_asked(tmp_path: Path) -> None:
    _zip(tmp_path / "train.zip", "train")

    assert torch.equal(Fields(tmp_path, bands=["nir", "red"])[0]["image"], torch.tensor([2.0, 1.0]))
    assert Fields(tmp_path).bands == ("red", "nir")


@pytest.mark.parametrize(
    ("bands", "fault"), [(["red", "swir"], r"unknown band\(s\) \['swir'\]"), ([], "bands must name at least one band")]
)
def test_unknown_or_no_bands_name_the_class_and_the_choices(tmp_path: Path, bands: list[str], fault: str) -> None:
    with pytest.raises(ValueError, match=rf"^Fields: {fault}; choose from \['red', 'nir'\]$"):
        Fields(tmp_path, bands=bands)


def test_check_choice_lists_the_choices_in_their_order() -> None:
    check_choice("So2Sat", "version", "2", ("2", "3_random"))
    with pytest.raises(ValueError, match=r"^So2Sat: unknown version '4'; choose one of \['2', '3_random'\]$"):
        check_choice("So2Sat", "version", "4", ("2", "3_random"))


def test_a_declared_dataset_pickles(tmp_path: Path) -> None:
    _zip(tmp_path / "train.zip", "train")

    copy = pickle.loads(pickle.dumps(Fields(tmp_path, bands=["nir"])))

    assert torch.equal(copy[0]["image"], torch.tensor([2.0]))


def test_is_present_must_be_declared() -> None:
    class Undeclared(DatasetLifecycle, NonGeoDataset):
        def __len__(self) -> int:
            return 0

        def __getitem__(self, index: int) -> dict[str, Any]:
            return {}

    with pytest.raises(TypeError, match="is_present"):
        Undeclared()  # type: ignore[abstract]


class Tiles(DatasetLifecycle, RasterDataset):
    """A raster product declared with the mixin: one zip of GeoTIFF tiles, fetched before indexing."""

    filename_glob = "tile_*.tif"
    all_bands: ClassVar[tuple[str, ...]] = ("B02", "B03")
    archive: ClassVar[Resource] = Resource("http://127.0.0.1:1/tiles.zip", "tiles.zip")

    def __init__(self, root: Path, bands: Sequence[str] | None = None, download: bool = False) -> None:
        self.root = root
        self.prepare(download, checksum=False)
        super().__init__(root, bands=self.select_bands(bands))

    def resources(self) -> Sequence[Resource]:
        return [self.archive]

    def is_present(self) -> bool:
        return any(self.root.glob(self.filename_glob))


def test_the_mixin_composes_with_raster_datasets(http_server: Any, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    tile = write_raster(tmp_path / "staging" / "tile_1.tif", random_bands((2, 8, 8)), 32631, grid(500000, 0, 10))
    with zipfile.ZipFile(http_server.root / "tiles.zip", "w") as archive:
        archive.write(tile, tile.name)
    monkeypatch.setattr(Tiles, "archive", Resource(http_server.url("tiles.zip"), "tiles.zip"))

    dataset = Tiles(tmp_path / "root", bands=["B03"], download=True)

    assert dataset.bands == ("B03",)
    assert dataset[dataset.bounds]["image"].shape == (1, 8, 8)
    with pytest.raises(ValueError, match=r"^Tiles: unknown band\(s\) \['B04'\]; choose from \['B02', 'B03'\]$"):
        Tiles(tmp_path / "root", bands=["B04"])


@pytest.mark.parametrize("bases", [(DatasetLifecycle, RasterDataset), (RasterDataset, DatasetLifecycle)])
def test_band_selection_is_one_rule_whatever_the_order_of_the_bases(bases: tuple[type, ...]) -> None:
    attributes = {"all_bands": ("B02", "B03", "B04"), "default_bands": ("B04", "B02"), "is_present": lambda _: True}
    product: Any = object.__new__(type("Product", bases, attributes))

    assert product.select_bands(None) == ("B04", "B02")
    assert product.select_bands(["B03"]) == ("B03",)
    choices = r"\['B02', 'B03', 'B04'\]"
    with pytest.raises(ValueError, match=rf"^Product: unknown band\(s\) \['B09'\]; choose from {choices}$"):
        product.select_bands(["B09"])
