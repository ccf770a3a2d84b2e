"""Faulty plugins, installed as real distributions: each fault is reported, naming the plugin, and contained."""

from __future__ import annotations

import re

import pytest

from geotorch.core import list_datasets, list_plugins, list_weights, load_plugins, plugins
from geotorch.core.plugins import registry

GOOD = """
from geotorch.core import hookimpl

@hookimpl
def register_datasets(register):
    register("good_module:GoodScenes", task="segmentation")
"""

WEIGHT = """
@hookimpl
def register_weights(register):
    register("{module}:WEIGHT", name="{module}.weight")
"""

COMMAND_HOOK = """
@hookimpl
def register_commands(cli):
    cli.add("bad-command", lambda argv: 0)
"""

COMMAND_PLUGIN = """
from geotorch.core import hookimpl

@hookimpl
def register_commands(cli):
    cli.add("impostor", lambda argv: 0)
"""


def test_fake_distribution_is_discovered_with_its_name_and_version(make_distribution):
    make_distribution("good-dist", "good_module", GOOD)
    info = {info.name: info for info in list_plugins()}["good_module"]
    assert (info.distribution, info.version, info.hooks) == ("good-dist", "1.0", ["register_datasets"])
    assert list_datasets(task="segmentation", include="Good*") == ["GoodScenes"]


def test_plugin_that_fails_to_import_is_a_warning_naming_it_and_the_rest_works(make_distribution):
    make_distribution("good-dist", "good_module", GOOD)
    make_distribution("broken-dist", "broken_module", "import a_module_that_does_not_exist\n")
    with pytest.warns(RuntimeWarning, match=r"'broken_module' \(broken-dist 1.0\) failed to load.*a_module_that"):
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
    with pytest.warns(RuntimeWarning, match=r"'half_module' \(half-dist 1.0\) failed in register_datasets"):
        names = list_datasets()
    assert "GoodScenes" in names
    assert "Registered" not in names
    assert list_weights("half.*") == ["half.weight"]


def test_taken_dataset_name_leaves_the_later_plugin_out_of_that_registry_naming_both(make_distribution):
    make_distribution("good-dist", "good_module", GOOD + WEIGHT.format(module="good_module"))
    make_distribution("copycat-dist", "copycat_module", GOOD.replace("good_module:", "copycat_module:")
                      + WEIGHT.format(module="copycat_module"))
    with pytest.warns(RuntimeWarning, match="'GoodScenes' is already registered by plugin") as caught:
        names = list_datasets()
    [warning] = [str(warning.message) for warning in caught if "GoodScenes" in str(warning.message)]
    holder = registry("dataset")["GoodScenes"]
    loser = "copycat_module" if holder.plugin == "good_module" else "good_module"
    assert f"geotorch plugin {loser!r}" in warning
    assert "good-dist" in warning
    assert "copycat-dist" in warning
    assert names.count("GoodScenes") == 1
    assert set(list_weights("*_module.weight")) == {"good_module.weight", "copycat_module.weight"}


def test_name_registered_twice_by_one_plugin_leaves_it_out_even_if_it_catches_the_error(make_distribution):
    make_distribution("good-dist", "good_module", GOOD)
    make_distribution(
        "twice-dist",
        "twice_module",
        """
        from geotorch.core import PluginError, hookimpl

        @hookimpl
        def register_datasets(register):
            register("twice_module:Scenes", name="TwiceScenes")
            try:
                register("twice_module:Other", name="TwiceScenes")
            except PluginError:
                pass
            register("twice_module:Third")
        """,
    )
    with pytest.warns(RuntimeWarning, match=r"'twice_module' \(twice-dist 1.0\).*'TwiceScenes' is registered twice"):
        names = list_datasets()
    assert "GoodScenes" in names
    assert not {"TwiceScenes", "Third"} & set(names)


def test_duplicate_name_with_a_disabled_plugin_is_no_conflict(make_distribution, monkeypatch):
    make_distribution("good-dist", "good_module", GOOD)
    make_distribution("copycat-dist", "copycat_module", GOOD.replace("good_module:", "copycat_module:"))
    monkeypatch.setenv(plugins.DISABLE_VARIABLE, "copycat_module")
    assert registry("dataset")["GoodScenes"].distribution == "good-dist"


def test_command_shadowing_cores_is_left_out_and_cores_wins_even_when_tried_first(make_distribution):
    command = """
    from geotorch.core import hookimpl

    @hookimpl(tryfirst=True)
    def register_commands(cli):
        cli.add("hello-shadow", lambda argv: 0, help="a command of its own")
        cli.add("datasets", lambda argv: 0, help="shadows core's command")
    """
    make_distribution("shadow-dist", "shadow_module", command)
    with pytest.warns(RuntimeWarning) as caught:
        added = plugins.commands().commands
    messages = [str(warning.message) for warning in caught]
    [shadowed] = [message for message in messages if "is left out of register_commands" in message]
    assert "'shadow_module' (shadow-dist 1.0) is left out of register_commands: command 'datasets' is already added" \
        in shadowed
    assert "geotorch-core" in shadowed
    assert any("'shadow_module' (shadow-dist 1.0): its 'register_commands' is marked tryfirst=True, which geotorch "
               "ignores" in message for message in messages)
    assert added["datasets"].distribution == "geotorch-core"
    assert "hello-shadow" not in added


def test_two_distributions_using_one_plugin_name_leave_the_second_out_naming_both(make_distribution):
    make_distribution("good-dist", "good_module", GOOD, entry_point="scenes")
    make_distribution("other-dist", "other_module", GOOD.replace("good_module:", "other_module:"), entry_point="scenes")
    with pytest.warns(RuntimeWarning, match="plugin name is taken by") as caught:
        load_plugins()
    message = str(caught[0].message)
    assert "good-dist" in message
    assert "other-dist" in message
    assert plugins._state.distributions["scenes"][0] in {"good-dist", "other-dist"}
    assert list_datasets("GoodScenes") == ["GoodScenes"]


def test_plugin_taking_a_core_plugin_name_is_left_out_and_core_keeps_working(make_distribution):
    make_distribution("impostor-dist", "impostor_module", COMMAND_PLUGIN, entry_point="geotorch.core.builtin_commands")
    with pytest.warns(RuntimeWarning, match=r"'geotorch.core.builtin_commands' \(impostor-dist 1.0\) is left out"):
        added = plugins.commands().commands
    assert added["plugins"].distribution == "geotorch-core"
    assert "impostor" not in added


#: A plugin's faulty hook -> what the warning that leaves it out says.
UNUSABLE = {
    "misspelled": (
        "@hookimpl\ndef register_dataset(register):\n    pass\n",
        r"'register_dataset', which is no geotorch hook; did you mean 'register_datasets'\?",
    ),
    "extra-argument": (
        "@hookimpl\ndef register_datasets(register, extra):\n    pass\n",
        r"register_datasets\(register, extra\); Argument\(s\) \{'extra'\} are declared in the hookimpl",
    ),
    "renamed-argument": (
        "@hookimpl\ndef register_datasets(add):\n    pass\n",
        r"Argument\(s\) \{'add'\} are declared in the hookimpl",
    ),
    "not-a-function": (
        "import functools\nregister_datasets = hookimpl(functools.partial(print))\n",
        "'register_datasets' is marked @hookimpl but is a partial, not a function",
    ),
    "a-class": (
        "@hookimpl\nclass register_datasets:\n    def __init__(self, register):\n        pass\n",
        "'register_datasets' is marked @hookimpl but is a type, not a function",
    ),
    "wrapper": (
        "@hookimpl(wrapper=True)\ndef register_datasets(register):\n    return (yield)\n",
        "'register_datasets' is a hook wrapper",
    ),
}


@pytest.mark.parametrize("fault", UNUSABLE)
def test_plugin_with_an_unusable_hook_is_left_out_naming_it_and_the_rest_works(make_distribution, fault):
    source, reason = UNUSABLE[fault]
    make_distribution("good-dist", "good_module", GOOD)
    make_distribution("bad-dist", "bad_module", "from geotorch.core import hookimpl\n" + source + COMMAND_HOOK)
    with pytest.warns(RuntimeWarning, match=rf"'bad_module' \(bad-dist 1.0\) is left out: .*{reason}"):
        names = list_datasets()
    assert "GoodScenes" in names
    assert not load_plugins().has_plugin("bad_module")
    assert "bad-command" not in plugins.commands().commands
    assert "plugins" in plugins.commands().commands


def test_the_same_module_under_two_plugin_names_is_registered_once(make_distribution):
    info = make_distribution("good-dist", "good_module", GOOD)
    (info / "entry_points.txt").write_text("[geotorch]\nfirst = good_module\nsecond = good_module\n")
    with pytest.warns(RuntimeWarning, match="is left out: the same object is already registered as plugin"):
        names = list_datasets()
    assert names.count("GoodScenes") == 1


def test_reset_forgets_plugins_so_a_new_distribution_is_found(make_distribution):
    assert "GoodScenes" not in list_datasets()
    make_distribution("good-dist", "good_module", GOOD)
    assert "GoodScenes" not in list_datasets(), "plugins load once per process"
    plugins.reset()
    assert "GoodScenes" in list_datasets()


TAKES_SENTINEL2 = """
from geotorch.core import hookimpl

class Sentinel2:
    pass

@hookimpl
def register_datasets(register):
    register(Sentinel2)
"""


def test_a_plugin_listed_before_geotorchs_own_cannot_take_their_names(make_distribution, first_party):
    # make_distribution's folder is first on sys.path: its entry points are listed before every other.
    make_distribution("aaa-dist", "aaa_module", TAKES_SENTINEL2)
    make_distribution("impostor-dist", "impostor_module", GOOD.replace("good_module:", "impostor_module:"),
                      entry_point="geotorch_datasets")
    with pytest.warns(RuntimeWarning) as caught:
        names = list_datasets()
    messages = [str(warning.message) for warning in caught]
    assert any("'aaa_module' (aaa-dist 1.0) is left out of register_datasets: dataset 'Sentinel2' is already "
               "registered by plugin 'geotorch_datasets'" in message for message in messages), messages
    assert any("'geotorch_datasets' (impostor-dist 1.0) is left out: the plugin name is taken by geotorch-datasets"
               in message for message in messages), messages
    assert registry("dataset")["Sentinel2"].plugin == "geotorch_datasets"
    assert {"Sentinel2", "Landsat8", "NAIP", "EuroSAT"} <= set(names)
    assert {info.name: info.distribution for info in list_plugins()}["geotorch_datasets"] == "geotorch-datasets"


@pytest.mark.parametrize(
    ("source", "target", "kind"),
    [("NUMBER = 3\n", "none_module:NUMBER", "int"), ("def helper():\n    pass\n", "none_module:helper", "function"),
     ("'''A module without hooks.'''\n", "none_module", "module")],
    ids=["a-constant", "a-function", "a-module-without-hooks"],
)
def test_an_entry_point_naming_no_hooks_is_left_out_naming_it(make_distribution, source, target, kind):
    make_distribution("good-dist", "good_module", GOOD)
    info = make_distribution("none-dist", "none_module", source)
    (info / "entry_points.txt").write_text(f"[geotorch]\nnone = {target}\n")
    with pytest.warns(RuntimeWarning, match=rf"'none' \(none-dist 1.0\) is left out: it implements no geotorch hook, "
                                            rf"so it would contribute nothing \(it is a {kind};"):
        names = list_datasets()
    assert "GoodScenes" in names
    assert "none" not in {info.name for info in list_plugins()}


@pytest.mark.parametrize("value", ["none_module:a:b", "none_module:", "-none_module", "none module"])
def test_a_malformed_entry_point_is_left_out_naming_it_and_its_value(make_distribution, value):
    make_distribution("good-dist", "good_module", GOOD)
    info = make_distribution("none-dist", "none_module", GOOD.replace("good_module:", "none_module:"))
    (info / "entry_points.txt").write_text(f"[geotorch]\nnone = {value}\n")
    with pytest.warns(RuntimeWarning, match=rf"'none' \(none-dist 1.0\) failed to load and is left out: its entry "
                                            rf"point {re.escape(repr(value))} is not 'module' or 'module:attribute'"):
        names = list_datasets()
    assert names.count("GoodScenes") == 1
