"""Calling plugins' hooks: core's first, each call contained, each plugin's contributions taken whole or not at all."""

from __future__ import annotations

import types
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TypeVar

from pluggy import HookImpl

from geotorch.core.plugin_guard import Failure, contained
from geotorch.core.plugin_loading import DEFAULT_PLUGINS
from geotorch.core.plugin_state import PluginState
from geotorch.core.plugin_warnings import who
from geotorch.core.registry import Contribution

S = TypeVar("S")


def staged_hooks(
    state: PluginState, hook_name: str, argument: str, stage: Callable[[str, str], tuple[S, object]]
) -> Iterator[tuple[str, S]]:
    """Call every plugin's ``hook_name``, each with its own staging area; yield those whose hook did not fail.

    Core's own plugins are called first, then the others in the order they
    were registered.

    Args:
        state: the plugin state whose plugins are called.
        hook_name: the hook to call (``"register_datasets"``, ...).
        argument: the name of the hook's one argument (``"register"``, ``"cli"``).
        stage: ``stage(plugin, distribution)`` returns a fresh staging area
            and what to pass to that plugin's hook as ``argument``.

    Yields:
        ``(plugin, staging area)`` for each plugin whose hook ran without
        raising; a hook that failed was warned about, naming its plugin.
    """
    for implementation in _in_order(state, getattr(state.manager.hook, hook_name).get_hookimpls()):
        plugin = implementation.plugin_name
        staged, passed = stage(plugin, state.origin(plugin)[0])
        if _call_hook(state, implementation, hook_name, **{argument: passed}):
            yield plugin, staged


def accepted(
    state: PluginState,
    plugin: str,
    hook_name: str,
    refusals: list[str],
    staged: Iterable[str],
    taken: Mapping[str, Contribution],
    what: str,
    verb: str,
) -> bool:
    """Whether ``plugin``'s staged names may join ``taken``: none was refused and none is taken already.

    Otherwise a warning naming the plugin is noted, giving every refusal
    and every clash (``"{what} 'name' is already {verb} by plugin ..."``).
    """
    clashes = [
        f"{what} {name!r} is already {verb} by plugin {taken[name].plugin!r} ({taken[name].distribution})"
        for name in staged
        if name in taken
    ]
    if not refusals and not clashes:
        return True
    state.deferred.note(f"{who(plugin, *state.origin(plugin))} is left out of {hook_name}: "
                        f"{'; '.join([*refusals, *clashes])}")
    return False


def _in_order(state: PluginState, implementations: list[HookImpl]) -> list[HookImpl]:
    """Core's own plugins first, then the others in the order they were registered.

    pluggy's own order (reversed registration, moved by ``tryfirst``) is not
    used, so no plugin can claim a name before core does.
    """
    order = {name: number for number, name in enumerate(state.distributions)}

    def rank(implementation: HookImpl) -> tuple[bool, int]:
        plugin = implementation.plugin_name
        return plugin not in DEFAULT_PLUGINS, order.get(plugin, len(order))

    return sorted(implementations, key=rank)


def _call_hook(state: PluginState, implementation: HookImpl, hook_name: str, **arguments: object) -> bool:
    """Call one plugin's hook with the arguments it declares; a failure of any kind is a warning naming it.

    The arguments go by position, in the order the hook declares them, as
    pluggy passes them (so positional-only parameters work); one declared
    with a default (``register=None``), which pluggy would leave out, is
    passed by keyword, as its author expects. A hook that
    returns something (a list it meant to register, or the generator or
    coroutine of a function wrapped so that it looks plain) is warned about,
    naming it: geotorch uses only what it passed to the callback.

    Returns:
        Whether the hook ran without raising.
    """
    plugin = implementation.plugin_name
    named = who(plugin, *state.origin(plugin))
    declared = [arguments[name] for name in implementation.argnames]
    defaulted = {name: arguments[name] for name in implementation.kwargnames if name in arguments}
    outcome = contained(lambda: implementation.function(*declared, **defaulted))
    if isinstance(outcome, Failure):
        state.deferred.note(f"{named} failed in {hook_name} and contributes nothing there: {outcome.describe()}")
        return False
    if outcome is not None:
        if isinstance(outcome, (types.CoroutineType, types.GeneratorType)):
            # Its body never ran; closing it keeps Python from warning that a coroutine was never awaited,
            # a warning that would name no plugin. A started one runs plugin code as it closes: contain it.
            contained(outcome.close)
        callback = next(iter(arguments))
        state.deferred.note(f"{named} returned a {type(outcome).__name__} from {hook_name}, which geotorch ignores: "
                            f"hooks call {callback}(...) and return None, and must be plain functions, "
                            f"not generators or coroutines")
    return True
