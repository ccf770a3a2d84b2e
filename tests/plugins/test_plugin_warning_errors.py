"""A plugin warning that raises (warnings-as-errors, a raising showwarning) propagates once; the host keeps working."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import pytest

from geotorch.core import (
    get_dataset_class,
    list_datamodules,
    list_datasets,
    list_models,
    list_plugins,
    list_tasks,
    list_weights,
    load_plugins,
    plugins,
)

#: Every hook with the listing that calls it.
HOOKS: dict[str, Callable[[], object]] = {
    "register_datasets": list_datasets,
    "register_datamodules": list_datamodules,
    "register_models": list_models,
    "register_weights": list_weights,
    "register_tasks": list_tasks,
    "register_commands": lambda: sorted(plugins.commands().commands),
}

GOOD = """
from geotorch.core import hookimpl

class GoodScenes:
    pass

@hookimpl
def register_datasets(register):
    register("good_module:GoodScenes")

@hookimpl
def register_weights(register):
    register("good_module:GoodScenes", name="good.weight")

@hookimpl
def register_commands(cli):
    cli.add("good", lambda argv: 0)
"""


def exiting_in(hook: str) -> str:
    """A plugin whose ``hook`` raises SystemExit(3), as source text."""
    argument = "cli" if hook == "register_commands" else "register"
    return f"from geotorch.core import hookimpl\n\n@hookimpl\ndef {hook}({argument}):\n    raise SystemExit(3)\n"


def assert_the_host_works() -> None:
    """Core's, the good plugin's and the registries' contents are all there, and no call warns any more."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert "GoodScenes" in list_datasets()
        assert get_dataset_class("GoodScenes").__name__ == "GoodScenes"
        assert list_weights("good.*") == ["good.weight"]
        assert {"good", "plugins", "datasets", "download"} <= set(plugins.commands().commands)
        assert "good_module" in {info.name for info in list_plugins()}


@pytest.mark.parametrize("hook", HOOKS)
def test_warnings_as_errors_raise_once_for_a_failing_hook_and_every_later_call_works(make_distribution, hook):
    make_distribution("good-dist", "good_module", GOOD)
    make_distribution("exit-dist", "exit_module", exiting_in(hook))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(RuntimeWarning, match=rf"'exit_module' \(exit-dist 1.0\) failed in {hook}.*SystemExit: 3"):
            HOOKS[hook]()
        HOOKS[hook]()
    assert_the_host_works()


def test_warnings_as_errors_while_plugins_load_leave_none_half_loaded(make_distribution):
    make_distribution("broken-dist", "broken_module", "raise SystemExit(4)\n")
    make_distribution("good-dist", "good_module", GOOD)
    make_distribution("typo-dist", "typo_module", "from geotorch.core import hookimpl\n\n"
                      "@hookimpl\ndef register_dataset(register):\n    pass\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(RuntimeWarning, match=r"'(broken|typo)_module'"):
            load_plugins()
        manager = load_plugins()
    assert manager.has_plugin("good_module")
    assert not manager.has_plugin("broken_module")
    assert not manager.has_plugin("typo_module")
    assert_the_host_works()


def test_a_raising_showwarning_gets_every_warning_and_its_error_propagates_once(make_distribution):
    make_distribution("good-dist", "good_module", GOOD)
    make_distribution("broken-dist", "broken_module", "raise KeyboardInterrupt\n")
    make_distribution("exit-dist", "exit_module", exiting_in("register_datasets"))
    shown: list[str] = []

    def show(message: Warning | str, *args: object, **kwargs: object) -> None:
        shown.append(str(message))
        raise ValueError("the host's warning display is broken")

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = show
        with pytest.raises(ValueError, match="warning display is broken"):
            list_datasets()
        assert "GoodScenes" in list_datasets()
    assert [message.split(" (")[0] for message in shown] == [
        "geotorch plugin 'broken_module'", "geotorch plugin 'exit_module'"
    ]
    assert_the_host_works()


@pytest.mark.parametrize(
    "call",
    [list_datasets, load_plugins, lambda: list_plugins(), lambda: plugins.registry("dataset")],
    ids=["list_datasets", "load_plugins", "list_plugins", "registry"],
)
def test_plugin_warnings_point_at_the_code_that_used_the_registry(make_distribution, call: Callable[[], object]):
    make_distribution("broken-dist", "broken_module", "raise SystemExit(4)\n")
    with pytest.warns(RuntimeWarning, match="'broken_module'") as caught:
        call()
    assert [warning.filename for warning in caught] == [__file__]
