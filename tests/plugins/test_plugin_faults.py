"""Faulty plugins, installed as real distributions: each fault is reported, naming the plugin, and contained."""

from __future__ import annotations

import pytest

from geotorch.core import PluginError, list_datasets, list_plugins, list_weights, load_plugins, plugins
from geotorch.core.plugins import registry

GOOD = """
from geotorch.core import hookimpl

@hookimpl
def register_datasets(register):
    register("good_module:GoodScenes", task="segmentation")
"""


def test_fake_distribution_is_discovered_with_its_name_and_version(make_distribution):
    make_distribution("good-dist", "good_module", GOOD)
    info = {info.name: info for info in list_plugins()}["good_module"]
    assert (info.distribution, info.version, info.hooks) == ("good-dist", "1.0", ["register_datasets"])
    assert list_datasets(task="segmentation", include="Good*") == ["GoodScenes"]


def test_plugin_that_fails_to_import_is_a_warning_naming_it_and_the_rest_works(make_distribution):
    make_distribution("good-dist", "good_module", GOOD)
    make_distribution("broken-dist", "broken_module", "import a_module_that_does_not_exist\n")
    with pytest.warns(RuntimeWarning, match=r"'broken_module' from broken-dist 1.0 failed to load.*a_module_that"):
        names = list_datasets()
    assert "GoodScenes" in names
    assert "broken_module" not in {info.name for info in list_plugins()}


def test_plugin_that_raises_at_import_is_skipped(make_distribution):
    make_distribution("raising-dist", "raising_module", "raise RuntimeError('no licence server')\n")
    with pytest.warns(RuntimeWarning, match="'raising_module'.*RuntimeError: no licence server"):
        load_plugins()
    assert not plugins.load_plugins().has_plugin("raising_module")


def test_plugin_whose_hook_raises_contributes_nothing_there_and_the_rest_works(make_distribution):
    make_distribution("good-dist", "good_module", GOOD)
    make_distribution(
        "half-dist",
        "half_module",
        """
        from geotorch.core import hookimpl

        @hookimpl
        def register_datasets(register):
            register("half_module:Registered")
            raise ImportError("optional dependency missing")

        @hookimpl
        def register_weights(register):
            register("half_module:WEIGHT", name="half.weight")
        """,
    )
    with pytest.warns(RuntimeWarning, match="'half_module' \\(half-dist\\) failed in register_datasets"):
        names = list_datasets()
    assert "GoodScenes" in names
    assert "Registered" not in names
    assert list_weights("half.*") == ["half.weight"]


def test_duplicate_dataset_name_is_refused_naming_both_distributions(make_distribution):
    make_distribution("good-dist", "good_module", GOOD)
    make_distribution("copycat-dist", "copycat_module", GOOD.replace("good_module:", "copycat_module:"))
    with pytest.raises(PluginError, match="'GoodScenes' is registered twice") as raised:
        list_datasets()
    assert "good-dist" in str(raised.value)
    assert "copycat-dist" in str(raised.value)


def test_duplicate_name_with_a_disabled_plugin_is_no_conflict(make_distribution, monkeypatch):
    make_distribution("good-dist", "good_module", GOOD)
    make_distribution("copycat-dist", "copycat_module", GOOD.replace("good_module:", "copycat_module:"))
    monkeypatch.setenv(plugins.DISABLE_VARIABLE, "copycat_module")
    assert registry("dataset")["GoodScenes"].distribution == "good-dist"


def test_duplicate_command_is_refused_naming_both_distributions(make_distribution):
    command = """
    from geotorch.core import hookimpl

    @hookimpl
    def register_commands(cli):
        cli.add("datasets", lambda argv: 0, help="shadows core's command")
    """
    make_distribution("shadow-dist", "shadow_module", command)
    with pytest.raises(PluginError, match="command 'datasets' is added twice") as raised:
        plugins.commands()
    assert "geotorch-core" in str(raised.value)
    assert "shadow-dist" in str(raised.value)


def test_two_distributions_using_one_plugin_name_is_an_error_naming_both(make_distribution):
    make_distribution("good-dist", "good_module", GOOD, entry_point="scenes")
    make_distribution("other-dist", "other_module", GOOD.replace("good_module:", "other_module:"), entry_point="scenes")
    with pytest.raises(PluginError, match="plugin name 'scenes' is used by both") as raised:
        load_plugins()
    assert "good-dist" in str(raised.value)
    assert "other-dist" in str(raised.value)


def test_misspelled_hook_fails_loudly_naming_the_plugin(make_distribution):
    make_distribution(
        "typo-dist",
        "typo_module",
        """
        from geotorch.core import hookimpl

        @hookimpl
        def register_dataset(register):
            register("typo_module:Scenes")
        """,
    )
    with pytest.raises(PluginError, match=r"'typo_module' \(typo-dist\).*register_dataset"):
        list_datasets()


def test_hook_with_a_wrong_argument_name_fails_loudly(make_distribution):
    make_distribution(
        "argument-dist",
        "argument_module",
        """
        from geotorch.core import hookimpl

        @hookimpl
        def register_datasets(add):
            add("argument_module:Scenes")
        """,
    )
    with pytest.raises(PluginError, match="argument_module"):
        load_plugins()


def test_reset_forgets_plugins_so_a_new_distribution_is_found(make_distribution):
    assert "GoodScenes" not in list_datasets()
    make_distribution("good-dist", "good_module", GOOD)
    assert "GoodScenes" not in list_datasets(), "plugins load once per process"
    plugins.reset()
    assert "GoodScenes" in list_datasets()
