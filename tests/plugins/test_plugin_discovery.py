"""Installed plugins are discovered through the ``geotorch`` entry-point group, lazily and once."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import textwrap

import pytest

from geotorch.core import (
    get_dataset_class,
    get_model,
    get_weight,
    list_datasets,
    list_models,
    list_plugins,
    list_weights,
    load_plugins,
    plugins,
)
from geotorch.core.plugins import registry


def _plugin(name: str) -> plugins.PluginInfo:
    found = {info.name: info for info in list_plugins()}
    assert name in found, f"plugin {name!r} not listed; listed: {sorted(found)}"
    return found[name]


def test_example_plugin_is_listed_with_its_distribution_version_and_hooks(example_plugin):
    info = _plugin("example")
    assert info.distribution == example_plugin
    assert info.version == importlib.metadata.version(example_plugin)
    assert info.hooks == ["register_commands", "register_datasets", "register_models", "register_weights"]
    assert info.contributes == {
        "dataset": ["ExampleScenes"],
        "model": ["example_cnn"],
        "weight": ["example_cnn.seed0"],
        "command": ["hello"],
    }


def test_example_contributions_are_in_the_listings_under_its_distribution(example_plugin):
    assert "ExampleScenes" in list_datasets()
    assert "example_cnn" in list_models()
    assert "example_cnn.seed0" in list_weights(sensor="rgb")
    for kind, name in (("dataset", "ExampleScenes"), ("model", "example_cnn"), ("weight", "example_cnn.seed0")):
        entry = registry(kind)[name]
        assert (entry.plugin, entry.distribution) == ("example", example_plugin)
    assert plugins.commands().commands["hello"].distribution == example_plugin


def test_example_dataset_model_and_weight_can_be_built(example_plugin):
    from geotorch.core import RasterDataset

    assert issubclass(get_dataset_class("ExampleScenes"), RasterDataset)
    weight = get_weight("example_cnn.seed0")
    first = get_model("example_cnn", weights="example_cnn.seed0")
    second = get_model("example_cnn", weights=weight)
    for (name, left), (_, right) in zip(first.state_dict().items(), second.state_dict().items(), strict=True):
        assert left.equal(right), name


def test_first_party_plugins_register_like_any_other(first_party):
    listed = {info.name: info for info in list_plugins()}
    for name, distribution in first_party.items():
        assert listed[name].distribution == distribution
        assert listed[name].version == importlib.metadata.version(distribution)
    assert {"DemoImagery", "DemoLandCover"} <= set(list_datasets())
    assert registry("dataset")["DemoImagery"].distribution == "geotorch-datasets"


def test_builtin_commands_come_from_a_default_plugin_listed_only_on_request():
    assert "geotorch.core.builtin_commands" not in {info.name for info in list_plugins()}
    builtin = {info.name: info for info in list_plugins(include_builtins=True)}["geotorch.core.builtin_commands"]
    assert builtin.builtin
    assert builtin.distribution == "geotorch-core"
    assert builtin.contributes == {"command": ["datasets", "download", "plugins"]}


def test_disable_plugins_blocks_the_named_plugins(example_plugin, monkeypatch):
    monkeypatch.setenv(plugins.DISABLE_VARIABLE, "example, some_other_plugin")
    assert "example" not in {info.name for info in list_plugins()}
    assert "ExampleScenes" not in list_datasets()
    assert "hello" not in plugins.commands().commands


def test_load_plugins_loads_only_the_named_plugins(example_plugin, monkeypatch):
    monkeypatch.setenv(plugins.LOAD_VARIABLE, "example")
    assert [info.name for info in list_plugins()] == ["example"]


def test_load_plugins_selection_keeps_the_builtin_commands(monkeypatch):
    monkeypatch.setenv(plugins.LOAD_VARIABLE, "")
    assert list_plugins() == []
    assert {"datasets", "download", "plugins"} <= set(plugins.commands().commands)


def test_load_plugins_is_idempotent(example_plugin, monkeypatch):
    calls = []
    real = importlib.metadata.entry_points

    def counting(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(importlib.metadata, "entry_points", counting)
    manager = load_plugins()
    before = manager.list_name_plugin()
    assert load_plugins() is manager
    list_datasets()
    list_models()
    assert manager.list_name_plugin() == before
    assert len(calls) == 1


def test_registries_are_built_once():
    assert registry("dataset") is registry("dataset")
    assert plugins.commands() is plugins.commands()


def test_importing_core_loads_no_plugin():
    code = textwrap.dedent(
        """
        import sys
        import geotorch.core
        import geotorch.core.plugins as plugins
        loaded = sorted(name for name in sys.modules if name.endswith(".plugin") or name.startswith(
            ("geotorch_example_plugin", "geotorch.datasets", "geotorch.models", "geotorch.trainers")))
        print(plugins._state.loaded, plugins._state.manager.list_name_plugin(), loaded)
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False [] []"


def test_registry_use_loads_plugins():
    assert not plugins._state.loaded
    list_datasets()
    assert plugins._state.loaded


def test_unknown_registry_kind_is_a_key_error_listing_the_kinds():
    with pytest.raises(KeyError, match="known: dataset, datamodule, model, weight, task"):
        registry("datasets")
