"""Nothing a plugin raises or does ends or disables the host: SystemExit, KeyboardInterrupt, bad registrations."""

from __future__ import annotations

import contextlib
import signal
import sys
import types

import pytest

from geotorch.core import (
    get_dataset_class,
    hookimpl,
    list_datamodules,
    list_datasets,
    list_models,
    list_tasks,
    list_weights,
    load_plugins,
    plugins,
)
from geotorch.core.plugin_guard import Failure, contained
from geotorch.core.plugins import register_plugin, registry

GOOD = """
from geotorch.core import hookimpl

@hookimpl
def register_datasets(register):
    register("good_module:GoodScenes")

@hookimpl
def register_commands(cli):
    cli.add("good", lambda argv: 0)
"""

#: What a plugin may raise that is not an Exception, as source text.
ESCAPES = {
    "SystemExit": "SystemExit(3)",
    "SystemExit-0": "SystemExit(0)",
    "KeyboardInterrupt": "KeyboardInterrupt()",
    "GeneratorExit": "GeneratorExit()",
    "BaseException": "BaseException('custom')",
    "subclass": "type('Abort', (BaseException,), {})('own kind')",
}

#: Every hook with the listing that calls it.
HOOKS = {
    "register_datasets": list_datasets,
    "register_datamodules": list_datamodules,
    "register_models": list_models,
    "register_weights": list_weights,
    "register_tasks": list_tasks,
    "register_commands": lambda: sorted(plugins.commands().commands),
}


def assert_the_host_works(names: list[str] | None = None) -> None:
    """The good plugin and core's own commands are still there."""
    assert "GoodScenes" in (names if names is not None else list_datasets())
    added = plugins.commands().commands
    assert {"good", "plugins", "datasets", "download"} <= set(added)


@pytest.mark.parametrize("escape", ESCAPES)
def test_base_exception_at_import_is_a_warning_naming_the_plugin(make_distribution, escape):
    make_distribution("good-dist", "good_module", GOOD)
    make_distribution("exit-dist", "exit_module", f"raise {ESCAPES[escape]}\n")
    with pytest.warns(RuntimeWarning, match=r"'exit_module' \(exit-dist 1.0\) failed to load and is left out"):
        names = list_datasets()
    assert_the_host_works(names)
    assert not load_plugins().has_plugin("exit_module")


@pytest.mark.parametrize("escape", ["SystemExit", "KeyboardInterrupt", "GeneratorExit", "subclass"])
@pytest.mark.parametrize("hook", HOOKS)
def test_base_exception_in_any_hook_is_a_warning_and_the_plugins_other_hooks_still_count(
    make_distribution, hook, escape
):
    make_distribution("good-dist", "good_module", GOOD)
    argument = "cli" if hook == "register_commands" else "register"
    other = "register_datasets" if hook != "register_datasets" else "register_weights"
    make_distribution(
        "exit-dist",
        "exit_module",
        f"""
        from geotorch.core import hookimpl

        @hookimpl
        def {hook}({argument}):
            raise {ESCAPES[escape]}

        @hookimpl
        def {other}(register):
            register("exit_module:Kept", name="exit.kept")
        """,
    )
    with pytest.warns(RuntimeWarning, match=rf"'exit_module' \(exit-dist 1.0\) failed in {hook}"):
        HOOKS[hook]()
    assert_the_host_works()
    assert "exit.kept" in (list_datasets() if other == "register_datasets" else list_weights())


@pytest.mark.parametrize(
    ("module_source", "reason"),
    [
        ("raise SystemExit(2)\n", "SystemExit: 2"),
        ("raise KeyboardInterrupt\n", "KeyboardInterrupt"),
        ("import a_module_that_does_not_exist\n", "ModuleNotFoundError"),
        ("OTHER = 1\n", "AttributeError"),
    ],
    ids=["SystemExit", "KeyboardInterrupt", "missing-module", "missing-attribute"],
)
def test_lazy_entry_whose_import_fails_names_the_entry_and_its_plugin(
    make_distribution, module_source, reason
):
    info = make_distribution(
        "lazy-dist",
        "lazy_module",
        """
        from geotorch.core import hookimpl

        @hookimpl
        def register_datasets(register):
            register("lazy_heavy_module:Scenes", name="LazyScenes")
        """,
    )
    # The module the entry names, beside the plugin but no plugin itself.
    (info.parent / "lazy_heavy_module.py").write_text(module_source)
    pattern = rf"'LazyScenes', registered by plugin 'lazy_module' \(lazy-dist\): importing .*{reason}"
    try:
        with pytest.raises(ImportError, match=pattern):
            get_dataset_class("LazyScenes")
    finally:
        sys.modules.pop("lazy_heavy_module", None)
    assert "LazyScenes" in list_datasets()


@pytest.mark.parametrize(
    "call",
    [
        "register(None)",
        "register(42)",
        "register(object(), name=3)",
        "register(object(), name='')",
        "register('not an import path')",
        "register('module_without_attribute')",
        "register(object(), name='Good*')",
        "register(object(), name='Scenes[12]')",
        "register(object(), name='Wrong?')",
        "register(object(), name=' Padded')",
        "register(object(), name='Line\\nBreak')",
    ],
)
def test_wrong_things_passed_to_register_leave_the_plugin_out_of_that_registry(make_distribution, call):
    make_distribution("good-dist", "good_module", GOOD)
    make_distribution(
        "wrong-dist",
        "wrong_module",
        f"""
        from geotorch.core import hookimpl

        @hookimpl
        def register_datasets(register):
            register("wrong_module:Fine", name="WrongFine")
            {call}

        @hookimpl
        def register_weights(register):
            register("wrong_module:WEIGHT", name="wrong.weight")
        """,
    )
    with pytest.warns(RuntimeWarning, match=r"'wrong_module' \(wrong-dist 1.0\) failed in register_datasets"):
        names = list_datasets()
    assert "WrongFine" not in names
    assert list_weights("wrong.*") == ["wrong.weight"]
    assert_the_host_works(names)


@pytest.mark.parametrize(
    "call",
    ["cli.add(3, lambda argv: 0)", "cli.add('two words', lambda argv: 0)", "cli.add('--flag', lambda argv: 0)",
     "cli.add('x', 'not callable')", "cli.add('x', lambda argv: 0, help=3)"],
)
def test_wrong_things_passed_to_cli_add_leave_the_plugin_out_of_the_commands(make_distribution, call):
    make_distribution("good-dist", "good_module", GOOD)
    make_distribution(
        "wrong-dist",
        "wrong_module",
        f"""
        from geotorch.core import hookimpl

        @hookimpl
        def register_commands(cli):
            cli.add("wrong-fine", lambda argv: 0)
            try:
                {call}
            except Exception:
                pass
        """,
    )
    with pytest.warns(RuntimeWarning, match=r"'wrong_module' \(wrong-dist 1.0\) is left out of register_commands"):
        added = plugins.commands().commands
    assert "wrong-fine" not in added
    assert_the_host_works()


def test_real_ctrl_c_while_a_plugin_imports_still_stops_the_program(make_distribution):
    make_distribution(
        "slow-dist",
        "slow_module",
        """
        import os, signal, time
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)
        """,
    )
    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        load_plugins()
    assert signal.getsignal(signal.SIGINT) is before


def test_plugin_that_swallows_a_real_ctrl_c_still_stops_the_program():
    def swallow() -> None:
        with contextlib.suppress(KeyboardInterrupt):
            signal.raise_signal(signal.SIGINT)

    with pytest.raises(KeyboardInterrupt):
        contained(swallow)


def test_plugin_that_ignores_ctrl_c_at_import_does_not_disable_it_for_the_host(make_distribution):
    make_distribution("good-dist", "good_module", GOOD)
    make_distribution("deaf-dist", "deaf_module", "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                      + GOOD.replace("good_module:GoodScenes", "deaf_module:DeafScenes"))
    before = signal.getsignal(signal.SIGINT)
    load_plugins()
    assert signal.getsignal(signal.SIGINT) is before


def test_error_whose_message_cannot_be_read_is_still_reported(make_distribution):
    make_distribution("good-dist", "good_module", GOOD)
    make_distribution(
        "mute-dist",
        "mute_module",
        """
        class Mute(Exception):
            def __str__(self):
                raise SystemExit("from __str__")

        raise Mute()
        """,
    )
    with pytest.warns(RuntimeWarning, match=r"'mute_module' \(mute-dist 1.0\).*Mute: <the error's message"):
        names = list_datasets()
    assert_the_host_works(names)


def test_plugin_that_uses_the_registry_at_import_gets_no_recursion_and_caches_nothing_partial(make_distribution):
    make_distribution(
        "eager-dist",
        "eager_module",
        """
        from geotorch.core import hookimpl, list_datasets

        SEEN = list_datasets()

        @hookimpl
        def register_datasets(register):
            register("eager_module:EagerScenes")
        """,
    )
    make_distribution("good-dist", "good_module", GOOD)
    names = list_datasets()
    assert {"EagerScenes", "GoodScenes"} <= set(names)
    assert registry("dataset") is registry("dataset")


def test_hook_that_uses_its_own_registry_is_left_out_and_the_rest_works(make_distribution):
    make_distribution("good-dist", "good_module", GOOD)
    make_distribution(
        "loop-dist",
        "loop_module",
        """
        from geotorch.core import hookimpl, list_datasets

        @hookimpl
        def register_datasets(register):
            for name in list_datasets():
                register("loop_module:Copy", name=name + "Copy")
        """,
    )
    refused = r"'loop_module' \(loop-dist 1.0\) failed in register_datasets.*being filled"
    with pytest.warns(RuntimeWarning, match=refused):
        names = list_datasets()
    assert not [name for name in names if name.endswith("Copy")]
    assert_the_host_works(names)


def test_hook_declaring_no_argument_is_called_without_any(make_distribution):
    make_distribution(
        "quiet-dist",
        "quiet_module",
        """
        from geotorch.core import hookimpl

        CALLS = []

        @hookimpl
        def register_datasets():
            CALLS.append(1)
        """,
    )
    list_datasets()
    import quiet_module  # type: ignore[import-not-found]

    assert quiet_module.CALLS == [1]


def test_register_plugin_by_hand_is_checked_like_an_installed_one():
    module = types.ModuleType("typo_by_hand")

    @hookimpl
    def register_dataset(register):
        register(object, name="Never")

    module.register_dataset = register_dataset  # type: ignore[attr-defined]
    with pytest.warns(RuntimeWarning, match=r"'typo_by_hand' \(hand-dist\) is left out.*register_dataset"):
        assert register_plugin(module, "typo_by_hand", distribution="hand-dist") is False
    assert "Never" not in list_datasets()
    assert "plugins" in plugins.commands().commands


def test_register_plugin_refuses_a_taken_name_with_a_warning():
    with pytest.warns(RuntimeWarning, match=r"'geotorch.core.builtin_commands' \(mine\) is left out.*geotorch-core"):
        assert register_plugin(types.ModuleType("mine"), "geotorch.core.builtin_commands", "mine") is False
    assert plugins.commands().commands["plugins"].distribution == "geotorch-core"


@pytest.mark.parametrize("name", [None, "", 3])
def test_register_plugin_needs_a_name(name):
    with pytest.raises(TypeError, match="register_plugin: name="):
        register_plugin(types.ModuleType("anonymous"), name)


def test_failure_describes_the_error_by_class_and_message():
    assert Failure(SystemExit(3)).describe() == "SystemExit: 3"
    assert Failure(KeyboardInterrupt()).describe() == "KeyboardInterrupt"
    assert contained(lambda: 5) == 5


def test_register_kept_and_called_after_its_hook_returned_is_refused_naming_the_plugin(make_distribution):
    make_distribution("good-dist", "good_module", GOOD)
    make_distribution(
        "late-dist",
        "late_module",
        """
        from geotorch.core import hookimpl

        class Late:
            pass

        kept = []

        @hookimpl
        def register_datasets(register):
            kept.append(register)

        @hookimpl
        def register_weights(register):
            register("late_module:Late", name="late.weight")
            for register_dataset in kept:
                register_dataset(Late)
        """,
    )
    list_datasets()
    with pytest.warns(RuntimeWarning, match=r"'late_module' \(late-dist 1.0\) failed in register_weights and "
                                            r"contributes nothing there: PluginError: register\(<class "
                                            r"'late_module.Late'>\) was called after register_datasets returned"):
        weights = list_weights("late.*")
    assert weights == []
    assert "Late" not in list_datasets()
    assert_the_host_works()


def test_cli_kept_and_called_after_register_commands_returned_is_refused_naming_the_plugin(make_distribution):
    make_distribution("good-dist", "good_module", GOOD)
    make_distribution(
        "late-dist",
        "late_module",
        """
        from geotorch.core import hookimpl

        kept = []

        @hookimpl
        def register_commands(cli):
            kept.append(cli)

        @hookimpl
        def register_weights(register):
            register("late_module:kept", name="late.weight")
            for cli in kept:
                cli.add("late", lambda argv: 0)
        """,
    )
    plugins.commands()
    with pytest.warns(RuntimeWarning, match=r"'late_module' \(late-dist 1.0\) failed in register_weights and "
                                            r"contributes nothing there: PluginError: cli.add\('late', ...\) was "
                                            r"called after register_commands returned"):
        weights = list_weights("late.*")
    assert weights == []
    assert "late" not in plugins.commands().commands
    assert_the_host_works()
