"""What makes a registered plugin unusable: misspelled hooks, hook wrappers, marks on things that are not functions.

pluggy itself refuses a hook implementation whose arguments its
specification lacks; these checks cover what it lets through.
"""

from __future__ import annotations

import difflib
import inspect

import pluggy

from geotorch.core.hookspecs import PROJECT_NAME

#: The attribute :data:`~geotorch.core.hookimpl` sets on what it marks.
IMPL_MARK = f"{PROJECT_NAME}_impl"


def hook_problems(manager: pluggy.PluginManager, plugin: object) -> list[str]:
    """Why the registered ``plugin`` cannot be used as it is; empty when it can.

    Args:
        manager: the plugin manager ``plugin`` is registered with.
        plugin: a module or object with ``@hookimpl`` functions.

    Returns:
        One sentence per problem: a hook that no specification has (with the
        closest hook name), a hook wrapper (hooks are called one plugin at a
        time, so wrappers would never run), or something marked with
        ``@hookimpl`` that is not a function (pluggy would silently skip it).
    """
    known = sorted(name for name, caller in vars(manager.hook).items() if caller.has_spec())
    problems = []
    for caller in manager.get_hookcallers(plugin) or []:
        for implementation in caller.get_hookimpls():
            if implementation.plugin is not plugin:
                continue
            if not caller.has_spec() and not implementation.optionalhook:
                close = difflib.get_close_matches(caller.name, known, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else f"; the hooks are {', '.join(known)}"
                problems.append(f"it implements {caller.name!r}, which is no geotorch hook{hint}")
            if implementation.hookwrapper or implementation.wrapper:
                problems.append(f"its {caller.name!r} is a hook wrapper; geotorch hooks take plain functions")
    for attribute in dir(plugin):
        value = inspect.getattr_static(plugin, attribute, None)
        if isinstance(value, (staticmethod, classmethod)):
            value = value.__func__
        marked = inspect.getattr_static(value, IMPL_MARK, None) is not None
        if marked and not inspect.isfunction(value):
            problems.append(f"its {attribute!r} is marked @hookimpl but is a {type(value).__name__}, not a function")
    return problems
