"""The listing façade (``entries``, ``describe``): what every registry holds, described without importing it."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator

import pytest

from geotorch.core import NonGeoDataset, describe, entries, hookimpl, plugins


class Chips(NonGeoDataset):
    """A stand-in benchmark registered as a class, declaring its facts as class attributes."""

    task = "classification"
    license = "CC0-1.0"

    def __len__(self) -> int:
        return 0

    def __getitem__(self, index: int) -> dict[str, object]:
        raise IndexError(index)


def _local_plugin() -> types.ModuleType:
    module = types.ModuleType("entries_plugin")

    @hookimpl
    def register_datasets(register):
        register(Chips)
        register("geotorch_entries_test_module_never_imported:Lazy", name="Lazy", task="segmentation", size="1 GB")

    @hookimpl
    def register_models(register):
        register(lambda **kwargs: kwargs, name="unet_small", task="segmentation", library="local")
        register(lambda **kwargs: kwargs, name="resnet_small", task="backbone", bands=["red", "nir"])

    module.register_datasets = register_datasets
    module.register_models = register_models
    return module


@pytest.fixture(autouse=True)
def local_plugin(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The plugin above, alone: installed plugins are left out."""
    monkeypatch.setenv(plugins.LOAD_VARIABLE, "")
    plugins.reset()
    plugins.register_plugin(_local_plugin(), "entries_plugin", distribution="entries-dist")
    yield
    plugins.reset()


def test_describe_gives_name_then_registration_metadata_then_origin():
    facts = describe("model", "unet_small")
    assert list(facts.items()) == [
        ("name", "unet_small"), ("task", "segmentation"), ("library", "local"),
        ("plugin", "entries_plugin"), ("distribution", "entries-dist"),
    ]


def test_describe_returns_a_copy_the_registry_does_not_see():
    describe("model", "resnet_small")["task"] = "changed"
    assert describe("model", "resnet_small")["task"] == "backbone"


def test_entries_filter_like_the_list_functions_and_come_sorted_by_name():
    assert [facts["name"] for facts in entries("model")] == ["resnet_small", "unet_small"]
    assert [facts["name"] for facts in entries("model", "*_small", exclude="unet*")] == ["resnet_small"]
    assert [facts["name"] for facts in entries("model", bands="nir")] == ["resnet_small"]
    assert entries("model", task="change_detection") == []


def test_dataset_descriptions_carry_every_dataset_fact_class_attributes_filling_gaps():
    assert describe("dataset", "Chips") == {
        "name": "Chips", "task": "classification", "geospatial": False, "size": None, "license": "CC0-1.0",
        "plugin": "entries_plugin", "distribution": "entries-dist",
    }


def test_import_path_entries_are_described_without_importing_them():
    (lazy,) = entries("dataset", "Lazy")
    assert lazy == {
        "name": "Lazy", "task": "segmentation", "size": "1 GB", "geospatial": None, "license": None,
        "plugin": "entries_plugin", "distribution": "entries-dist",
    }
    assert "geotorch_entries_test_module_never_imported" not in sys.modules


def test_unknown_kind_or_name_is_a_key_error_naming_what_is_known():
    with pytest.raises(KeyError, match=r"unknown registry kind 'models'; known: dataset, datamodule, model"):
        entries("models")
    with pytest.raises(KeyError, match=r"unknown model 'unet'; did you mean unet_small\?"):
        describe("model", "unet")
