"""What makes a registered plugin unusable before any hook runs: hook forms pluggy accepts that GeoTorch cannot honour.

pluggy itself refuses a hook implementation whose arguments its
specification lacks. It accepts, and GeoTorch refuses, a hook no
specification has (also when ``optionalhook=True`` or ``specname`` hides the
misspelling), a hook wrapper (``wrapper=True`` or ``hookwrapper=True``: hooks
are called one plugin at a time, so a wrapper would never wrap anything), a
generator, coroutine or async generator function (their bodies would never
run), a function that cannot be called with the arguments pluggy passes (an
instance method of a class registered as the plugin), and something marked
``@hookimpl`` that pluggy silently skips (a class, a callable object, a
partial) or a hook-named function left unmarked, and a plugin that implements
no hook at all (an entry point naming the wrong object). ``tryfirst``/``trylast``
are accepted but ignored (see :func:`ignored_options`).
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Iterator

import pluggy
from pluggy import HookCaller, HookImpl

from geotorch.core.hookspecs import PROJECT_NAME

#: The attribute :data:`~geotorch.core.hookimpl` sets on what it marks.
IMPL_MARK = f"{PROJECT_NAME}_impl"


def hook_problems(manager: pluggy.PluginManager, plugin: object) -> list[str]:
    """Why the registered ``plugin`` cannot be used as it is; empty when it can.

    Args:
        manager: the plugin manager ``plugin`` is registered with.
        plugin: a module, class or object with ``@hookimpl`` functions.

    Returns:
        One sentence per problem, naming the hook or attribute (and for an
        unknown hook, the closest hook name).
    """
    known = sorted(name for name, caller in vars(manager.hook).items() if caller.has_spec())
    problems = []
    implemented = set()
    for caller, implementation in _implementations(manager, plugin):
        implemented.add(caller.name)
        problems.extend(_implementation_problems(caller, implementation, known))
    for attribute in dir(plugin):
        if manager.parse_hookimpl_opts(plugin, attribute) is None:
            problems.extend(_skipped_problems(plugin, attribute, known, implemented))
    if not implemented and not problems:
        # An entry point naming the wrong object (a constant, a function, another module) is caught here.
        problems.append(f"it implements no geotorch hook, so it would contribute nothing (it is a "
                        f"{type(plugin).__name__}; a plugin is a module, class or object with @hookimpl functions)")
    return problems


def ignored_options(manager: pluggy.PluginManager, plugin: object) -> list[str]:
    """The ``@hookimpl`` options of ``plugin`` that GeoTorch accepts but does not act on.

    ``tryfirst`` and ``trylast`` would let a plugin move ahead of core's
    hooks (and so claim core's names); GeoTorch calls core's plugins first,
    then the others in load order, whatever those options say.

    Returns:
        One sentence per ignored option, naming the hook.
    """
    notes = []
    for caller, implementation in _implementations(manager, plugin):
        for option in ("tryfirst", "trylast"):
            if getattr(implementation, option):
                notes.append(f"its {caller.name!r} is marked {option}=True, which geotorch ignores: "
                             f"hooks are called core's first, then in the order plugins load")
    return notes


def _implementations(manager: pluggy.PluginManager, plugin: object) -> Iterator[tuple[HookCaller, HookImpl]]:
    """Each hook implementation of ``plugin`` that pluggy registered, with the hook it implements."""
    for caller in manager.get_hookcallers(plugin) or []:
        for implementation in caller.get_hookimpls():
            if implementation.plugin is plugin:
                yield caller, implementation


def _implementation_problems(caller: HookCaller, implementation: HookImpl, known: list[str]) -> list[str]:
    """What is wrong with one hook implementation pluggy registered."""
    function = implementation.function
    attribute = getattr(function, "__name__", caller.name)
    if not caller.has_spec():
        close = difflib.get_close_matches(caller.name, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f"; the hooks are {', '.join(known)}"
        through = f" (its {attribute!r}, by specname)" if attribute != caller.name else ""
        hidden = " (optionalhook=True does not make it one)" if implementation.optionalhook else ""
        return [f"it implements {caller.name!r}{through}, which is no geotorch hook{hidden}{hint}"]
    if implementation.hookwrapper or implementation.wrapper:
        return [f"its {caller.name!r} is a hook wrapper; geotorch hooks take plain functions"]
    for kind, test in (
        ("an async generator function", inspect.isasyncgenfunction),
        ("a coroutine function (async def)", inspect.iscoroutinefunction),
        ("a generator function", inspect.isgeneratorfunction),
    ):
        if test(function):
            return [f"its {caller.name!r} is {kind}, whose body geotorch would never run; "
                    f"hooks must be plain functions that call what they receive"]
    return _call_problems(caller.name, implementation)


def _call_problems(hook: str, implementation: HookImpl) -> list[str]:
    """Whether the function can be called as the plugin manager calls it: the declared arguments, by position."""
    try:
        signature = inspect.signature(implementation.function)
    except (TypeError, ValueError):  # no signature to read (a builtin): the call itself will tell
        return []
    try:
        signature.bind(*implementation.argnames)
    except TypeError as error:
        arguments = ", ".join(implementation.argnames)
        return [f"its {hook!r} cannot be called as {hook}({arguments}): {error} (an instance method of a "
                f"class registered as the plugin? register an instance, or make it a staticmethod)"]
    return []


def _skipped_problems(plugin: object, attribute: str, known: list[str], implemented: set[str]) -> list[str]:
    """Why ``attribute``, which pluggy skipped, looks meant as a hook: it is marked, or named like a missing hook."""
    value = inspect.getattr_static(plugin, attribute, None)
    holders = (value, inspect.getattr_static(value, "__func__", None))
    if any(inspect.getattr_static(holder, IMPL_MARK, None) is not None for holder in holders if holder is not None):
        return [f"its {attribute!r} is marked @hookimpl but is a {type(value).__name__}, not a function, "
                f"so it would never be called"]
    if attribute in known and attribute not in implemented and callable(value):
        return [f"its {attribute!r} is not marked with geotorch.core.hookimpl, so it would never be called"]
    return []
