"""Every hook form pluggy accepts is either honoured or refused with a warning naming the plugin and the hook."""

from __future__ import annotations

import functools
import gc
import re
import types
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from geotorch.core import hookimpl, list_datasets, load_plugins, plugins
from geotorch.core.plugins import register_plugin, registry

GOOD = """
from geotorch.core import hookimpl

@hookimpl
def register_datasets(register):
    register("good_module:GoodScenes")
"""

#: Registers a command, so a plugin left out entirely is told apart from one left out of one registry.
COMMAND_HOOK = """
@hookimpl
def register_commands(cli):
    cli.add("bad-command", lambda argv: 0)
"""

#: A hook form pluggy accepts that geotorch cannot honour -> what the warning that leaves the plugin out says.
REFUSED = {
    "optionalhook-misspelled": (
        "@hookimpl(optionalhook=True)\ndef register_dataset(register):\n    register('os:sep', name='Bad')\n",
        r"it implements 'register_dataset', which is no geotorch hook \(optionalhook=True does not make it one\); "
        r"did you mean 'register_datasets'\?",
    ),
    "specname-unknown": (
        "@hookimpl(specname='register_dataset')\ndef datasets(register):\n    register('os:sep', name='Bad')\n",
        r"it implements 'register_dataset' \(its 'datasets', by specname\), which is no geotorch hook; "
        r"did you mean 'register_datasets'\?",
    ),
    "specname-unknown-optional": (
        "@hookimpl(specname='datasets', optionalhook=True)\ndef register_datasets(register):\n"
        "    register('os:sep', name='Bad')\n",
        r"it implements 'datasets' \(its 'register_datasets', by specname\), which is no geotorch hook "
        r"\(optionalhook=True does not make it one\); did you mean 'register_datasets'\?",
    ),
    "hookwrapper": (
        "@hookimpl(hookwrapper=True)\ndef register_datasets(register):\n    register('os:sep', name='Bad')\n"
        "    yield\n",
        "its 'register_datasets' is a hook wrapper",
    ),
    "generator": (
        "@hookimpl\ndef register_datasets(register):\n    yield register('os:sep', name='Bad')\n",
        "its 'register_datasets' is a generator function, whose body geotorch would never run",
    ),
    "coroutine": (
        "@hookimpl\nasync def register_datasets(register):\n    register('os:sep', name='Bad')\n",
        r"its 'register_datasets' is a coroutine function \(async def\), whose body geotorch would never run",
    ),
    "async-generator": (
        "@hookimpl\nasync def register_datasets(register):\n    register('os:sep', name='Bad')\n    yield\n",
        "its 'register_datasets' is an async generator function, whose body geotorch would never run",
    ),
    "unmarked": (
        "def register_datasets(register):\n    register('os:sep', name='Bad')\n",
        "its 'register_datasets' is not marked with geotorch.core.hookimpl, so it would never be called",
    ),
    "another-projects-marker": (
        "import pluggy\n\n@pluggy.HookimplMarker('llm')\ndef register_datasets(register):\n"
        "    register('os:sep', name='Bad')\n",
        "its 'register_datasets' is not marked with geotorch.core.hookimpl, so it would never be called",
    ),
    "keyword-only-argument": (
        "@hookimpl\ndef register_datasets(*, register):\n    register('os:sep', name='Bad')\n",
        r"its 'register_datasets' cannot be called as register_datasets\(\): missing a required argument: 'register'",
    ),
    "callable-object": (
        "class Hook:\n    def __call__(self, register):\n        register('os:sep', name='Bad')\n\n"
        "register_datasets = hookimpl(Hook())\n",
        "its 'register_datasets' is marked @hookimpl but is a Hook, not a function, so it would never be called",
    ),
}


@pytest.fixture
def every_warning() -> Iterator[list[warnings.WarningMessage]]:
    """Every warning issued in the test, garbage collection's included (a coroutine never awaited warns then)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught
        gc.collect()


@pytest.mark.parametrize("form", REFUSED)
def test_hook_form_geotorch_cannot_honour_leaves_the_plugin_out_naming_it_and_the_hook(
    make_distribution, every_warning, form
):
    source, reason = REFUSED[form]
    make_distribution("good-dist", "good_module", GOOD)
    make_distribution("bad-dist", "bad_module", "from geotorch.core import hookimpl\n" + source + COMMAND_HOOK)
    names = list_datasets()
    assert "GoodScenes" in names
    assert "Bad" not in names
    assert not load_plugins().has_plugin("bad_module")
    assert "bad-command" not in plugins.commands().commands
    gc.collect()
    [message] = [str(warning.message) for warning in every_warning]
    assert message.startswith("geotorch plugin 'bad_module' (bad-dist 1.0) is left out: ")
    assert re.search(reason, message), message


class StaticUnderHookimpl:
    @hookimpl
    @staticmethod
    def register_datasets(register):
        register("os:sep", name="Scenes")


class HookimplUnderStatic:
    @staticmethod
    @hookimpl
    def register_datasets(register):
        register("os:sep", name="Scenes")


class ClassmethodUnderHookimpl:
    @hookimpl
    @classmethod
    def register_datasets(cls, register):
        register("os:sep", name="Scenes")


class HookimplUnderClassmethod:
    @classmethod
    @hookimpl
    def register_datasets(cls, register):
        register("os:sep", name="Scenes")


class Methods:
    @hookimpl
    def register_datasets(self, register):
        register("os:sep", name="Scenes")


def positional_only(register, /):
    register("os:sep", name="Scenes")


def by_specname(register):
    register("os:sep", name="Scenes")


def with_a_default(register=None, extra=None):
    register("os:sep", name="Scenes")


def wrapped(function):
    @functools.wraps(function)
    def call(*args, **kwargs):
        return function(*args, **kwargs)

    return call


#: Hook forms geotorch honours: the plugin object (made fresh per test) and the name its hook registers.
HONOURED = {
    "staticmethod-under-hookimpl": lambda: StaticUnderHookimpl,
    "hookimpl-under-staticmethod": lambda: HookimplUnderStatic,
    "classmethod-under-hookimpl": lambda: ClassmethodUnderHookimpl,
    "hookimpl-under-classmethod": lambda: HookimplUnderClassmethod,
    "method-of-an-instance": lambda: Methods(),
    "positional-only": lambda: module_of(register_datasets=hookimpl(positional_only)),
    "specname-of-a-real-hook": lambda: module_of(
        datasets=hookimpl(specname="register_datasets")(by_specname)
    ),
    "optionalhook-on-a-real-hook": lambda: module_of(register_datasets=hookimpl(optionalhook=True)(by_specname)),
    "functools-wraps": lambda: module_of(register_datasets=hookimpl(wrapped(by_specname))),
    "argument-with-a-default": lambda: module_of(register_datasets=hookimpl(with_a_default)),
}


def module_of(**hooks: Any) -> types.ModuleType:
    module = types.ModuleType("form_plugin")
    vars(module).update(hooks)
    return module


@pytest.mark.parametrize("form", HONOURED)
def test_hook_form_pluggy_accepts_is_honoured(every_warning, form):
    assert register_plugin(HONOURED[form](), "form_plugin", "form-dist") is True
    assert registry("dataset")["Scenes"].plugin == "form_plugin"
    assert [str(warning.message) for warning in every_warning] == []


def test_instance_method_of_a_class_registered_as_the_plugin_is_refused_naming_the_hook(every_warning):
    assert register_plugin(Methods, "class_plugin", "class-dist") is False
    assert "Scenes" not in list_datasets()
    [message] = [str(warning.message) for warning in every_warning]
    assert message.startswith("geotorch plugin 'class_plugin' (class-dist) is left out: its 'register_datasets' "
                              "cannot be called as register_datasets(")


def test_hook_returning_a_coroutine_is_a_warning_naming_it_and_no_coroutine_is_left_unawaited(every_warning):
    async def register_later(register):
        register("os:sep", name="Scenes")

    def register_datasets(register):
        return register_later(register)

    assert register_plugin(module_of(register_datasets=hookimpl(register_datasets)), "async_plugin", "async-dist")
    assert "Scenes" not in list_datasets()
    gc.collect()
    [message] = [str(warning.message) for warning in every_warning]
    assert message.startswith("geotorch plugin 'async_plugin' (async-dist) returned a coroutine from "
                              "register_datasets, which geotorch ignores: hooks call register(...) and return None")


def test_hook_returning_a_list_is_a_warning_and_what_it_registered_counts(every_warning):
    def register_datasets(register):
        register("os:sep", name="Scenes")
        return ["Forgotten"]

    assert register_plugin(module_of(register_datasets=hookimpl(register_datasets)), "list_plugin", "list-dist")
    assert "Scenes" in list_datasets()
    [message] = [str(warning.message) for warning in every_warning]
    assert message.startswith("geotorch plugin 'list_plugin' (list-dist) returned a list from register_datasets")


def test_hook_returning_a_generator_closes_it_without_running_its_body(every_warning):
    ran: list[str] = []

    def body(register):
        ran.append("started")
        yield register("os:sep", name="Scenes")

    def register_datasets(register):
        return body(register)

    assert register_plugin(module_of(register_datasets=hookimpl(register_datasets)), "gen_plugin", "gen-dist")
    assert "Scenes" not in list_datasets()
    assert ran == []
    assert "returned a generator from register_datasets" in str(every_warning[0].message)


@pytest.mark.parametrize("option", ["tryfirst", "trylast"])
def test_tryfirst_and_trylast_are_warned_about_as_ignored_and_the_hook_still_counts(every_warning, option):
    hook = hookimpl(**{option: True})(by_specname)
    assert register_plugin(module_of(register_datasets=hook), "order_plugin", "order-dist") is True
    assert registry("dataset")["Scenes"].plugin == "order_plugin"
    [message] = [str(warning.message) for warning in every_warning]
    assert message == (f"geotorch plugin 'order_plugin' (order-dist): its 'register_datasets' is marked {option}=True, "
                       f"which geotorch ignores: hooks are called core's first, then in the order plugins load")
