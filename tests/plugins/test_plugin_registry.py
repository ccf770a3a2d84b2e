"""Registries: light entries, fnmatch listing, metadata filters, and errors that name what is known."""

from __future__ import annotations

import sys
import types

import pytest

from geotorch.core import (
    PluginError,
    get_dataset,
    get_dataset_class,
    get_entry,
    get_model,
    get_weight,
    hookimpl,
    list_datasets,
    list_models,
    list_weights,
)
from geotorch.core.plugins import LOAD_VARIABLE, register_plugin, registry, unregister_plugin
from geotorch.core.registry import Entry, Registry


class Scenes:
    """A stand-in dataset class registered by object."""

    task = "classification"

    def __init__(self, root: str = "data") -> None:
        self.root = root


def _local_plugin() -> types.ModuleType:
    module = types.ModuleType("local_plugin")

    @hookimpl
    def register_datasets(register):
        register(Scenes)
        register(Scenes, name="Scenes2", task="segmentation", bands=["red", "nir"])
        register("not_imported_module_for_geotorch_tests:Missing", name="LazyMissing", task="segmentation")

    @hookimpl
    def register_models(register):
        for name in ("resnet18", "resnet50", "vit_small_patch16"):
            register(lambda name=name, **kwargs: (name, kwargs), name=name, family=name.rstrip("0123456789"))

    @hookimpl
    def register_weights(register):
        register({"url": "https://example.invalid/a.pth"}, name="resnet50.sentinel2_all_moco", sensor="sentinel2",
                 in_chans=13)
        register({"url": "https://example.invalid/b.pth"}, name="resnet50.landsat_tm_toa_moco", sensor="landsat",
                 in_chans=7)

    module.register_datasets = register_datasets
    module.register_models = register_models
    module.register_weights = register_weights
    return module


@pytest.fixture
def local_plugin(monkeypatch):
    """The plugin above, alone: installed plugins are left out so names like resnet50 cannot clash."""
    monkeypatch.setenv(LOAD_VARIABLE, "")
    register_plugin(_local_plugin(), "local_plugin", distribution="local-dist")
    yield "local_plugin"
    unregister_plugin("local_plugin")


def test_listing_is_sorted_and_takes_include_and_exclude_patterns(local_plugin):
    assert list_models("resnet*") == ["resnet18", "resnet50"]
    assert list_models(["resnet*", "vit_*"], exclude="*18") == ["resnet50", "vit_small_patch16"]
    assert list_models(exclude=["resnet*"], include="*") == [name for name in list_models() if "resnet" not in name]
    assert list_models("RESNET*") == [], "patterns are case-sensitive, as names are"


def test_listing_filters_on_metadata_including_list_membership(local_plugin):
    assert list_datasets(task="segmentation", include=["Scenes*", "Lazy*"]) == ["LazyMissing", "Scenes2"]
    assert list_datasets(bands="nir") == ["Scenes2"]
    assert list_weights(sensor="sentinel2") == ["resnet50.sentinel2_all_moco"]
    assert list_weights("resnet50.*", in_chans=7) == ["resnet50.landsat_tm_toa_moco"]


def test_name_defaults_to_the_class_name_and_entries_remember_their_origin(local_plugin):
    entry = registry("dataset")["Scenes"]
    assert (entry.plugin, entry.distribution) == ("local_plugin", "local-dist")
    assert get_dataset_class("Scenes") is Scenes
    assert get_dataset("Scenes", root="somewhere").root == "somewhere"


def test_get_entry_gives_metadata_and_origin_without_importing(local_plugin):
    entry = get_entry("dataset", "Scenes2")
    assert (entry.plugin, entry.distribution) == ("local_plugin", "local-dist")
    assert entry.metadata == {"task": "segmentation", "bands": ["red", "nir"]}
    assert get_entry("dataset", "LazyMissing").plugin == "local_plugin"
    assert "not_imported_module_for_geotorch_tests" not in sys.modules
    with pytest.raises(KeyError, match=r"unknown dataset 'Scene'"):
        get_entry("dataset", "Scene")
    with pytest.raises(KeyError, match=r"unknown registry kind 'datasets'"):
        get_entry("datasets", "Scenes")


def test_import_path_entries_are_not_imported_until_built(local_plugin):
    assert "LazyMissing" in list_datasets()
    assert "not_imported_module_for_geotorch_tests" not in sys.modules
    with pytest.raises(ImportError):
        get_dataset_class("LazyMissing")


def test_get_model_passes_weights_to_the_builder(local_plugin):
    assert get_model("resnet50", weights="resnet50.sentinel2_all_moco", in_chans=13) == (
        "resnet50",
        {"in_chans": 13, "weights": "resnet50.sentinel2_all_moco"},
    )
    assert get_weight("resnet50.sentinel2_all_moco") == {"url": "https://example.invalid/a.pth"}


def test_unknown_name_is_a_key_error_listing_the_known_names(local_plugin):
    with pytest.raises(KeyError, match=r"unknown model 'resnet5'; did you mean resnet50\?.*known:.*resnet18"):
        get_model("resnet5")
    known = r"\(known: resnet50.landsat_tm_toa_moco, resnet50.sentinel2_all_moco\)"
    with pytest.raises(KeyError, match=rf"unknown weight 'nope' {known}"):
        get_weight("nope")


def test_registering_by_hand_rebuilds_registries_and_unregistering_removes(local_plugin):
    assert "Scenes" in list_datasets()
    unregister_plugin(local_plugin)
    assert "Scenes" not in list_datasets()
    register_plugin(_local_plugin(), local_plugin, distribution="local-dist")
    assert "Scenes" in list_datasets()


def test_registry_refuses_a_taken_name_naming_both_distributions():
    datasets = Registry("dataset")
    datasets.add(Entry("Scenes", Scenes, "first", "first-dist"))
    with pytest.raises(PluginError, match=r"'Scenes' is registered twice.*\(first-dist\).*\(second-dist\)"):
        datasets.add(Entry("Scenes", Scenes, "second", "second-dist"))


def test_registry_cannot_infer_a_name_for_an_anonymous_object():
    register = Registry("weight").register_callback("plugin", "dist")
    with pytest.raises(PluginError, match="pass name="):
        register(42)


def test_import_path_without_attribute_is_an_import_error():
    entry = Entry("Bad", "geotorch.core.registry", "plugin", "dist")
    with pytest.raises(ImportError, match=r"must look like 'package\.module:attr'"):
        entry.load()


def test_entry_caches_what_it_imported():
    entry = Entry("Registry", "geotorch.core.registry:Registry", "plugin", "dist")
    assert entry.load() is Registry
    assert entry.target is Registry
