"""The plugin manager's public face: load plugins, register them by hand, and get the registries they fill."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType

import pluggy

from geotorch.core.commands import CommandRegistrar
from geotorch.core.errors import PluginError
from geotorch.core.plugin_hooks import accepted, staged_hooks
from geotorch.core.plugin_loading import (
    CORE_DISTRIBUTION,
    DEFAULT_PLUGINS,
    DISABLE_VARIABLE,
    ENTRY_POINT_GROUP,
    LOAD_VARIABLE,
    admit,
    load_into,
)
from geotorch.core.plugin_state import PluginState
from geotorch.core.plugin_warnings import reported, who
from geotorch.core.registry import Registry

__all__ = [
    "CORE_DISTRIBUTION",
    "DEFAULT_PLUGINS",
    "DISABLE_VARIABLE",
    "ENTRY_POINT_GROUP",
    "LOAD_VARIABLE",
    "REGISTRY_HOOKS",
    "PluginInfo",
    "commands",
    "list_plugins",
    "load_plugins",
    "register_plugin",
    "registry",
    "reset",
    "unregister_plugin",
]

#: Registry kind -> the hook that fills it.
REGISTRY_HOOKS = {
    "dataset": "register_datasets",
    "datamodule": "register_datamodules",
    "model": "register_models",
    "weight": "register_weights",
    "task": "register_tasks",
}


@dataclass
class PluginInfo:
    """What ``geotorch plugins`` reports about one plugin.

    Attributes:
        name: the plugin's name (its entry-point name).
        distribution: the pip distribution that ships it.
        version: that distribution's version.
        hooks: names of the hooks it implements.
        contributes: registry kind (or ``"command"``) -> names it registered there.
        builtin: whether it is one of core's :data:`DEFAULT_PLUGINS`.
    """

    name: str
    distribution: str
    version: str
    hooks: list[str]
    contributes: dict[str, list[str]] = field(default_factory=dict)
    builtin: bool = False


_state = PluginState()
#: Runs a public function holding the lock of the state in use, then issues the warnings it noted.
_reported = reported(lambda: _state)


@_reported
def load_plugins() -> pluggy.PluginManager:
    """Import core's :data:`DEFAULT_PLUGINS` and every plugin of the ``geotorch`` entry-point group, once.

    ``GEOTORCH_LOAD_PLUGINS=a,b`` loads only the named plugins;
    ``GEOTORCH_DISABLE_PLUGINS=a,b`` skips the named ones (both by entry-point
    name). Nothing a plugin does can stop the others or the program: a plugin
    that fails to import (whatever it raises, SystemExit and KeyboardInterrupt
    included), takes a plugin name already in use (core's own names are
    taken first), or has a hook GeoTorch cannot honour (see
    :mod:`geotorch.core.plugin_checks`: a hook that does not exist, a hook
    with arguments its specification lacks, a wrapper, a generator or
    coroutine, something marked that is not a function, a hook left
    unmarked) is left out with a RuntimeWarning naming it and its
    distribution. The warnings are issued once every plugin is loaded, so a
    warning that raises (warnings-as-errors) propagates once and leaves no
    plugin half-loaded. A real Ctrl-C while plugins load still stops the
    program (see :mod:`geotorch.core.plugin_guard`).

    Returns:
        The plugin manager.
    """
    state = _state
    if state.loaded or state.loading:
        return state.manager
    state.loading = True
    try:
        load_into(state)
        state.loaded = True
    finally:
        state.loading = False
    return state.manager


@_reported
def register_plugin(module: ModuleType | object, name: str, distribution: str = "local") -> bool:
    """Register a plugin object by hand (in tests or a script), as if installed.

    It is checked like an installed plugin: a taken name or unusable hooks
    leave it out with a RuntimeWarning. Registries already built are rebuilt
    on their next use so they include it.

    Args:
        module: a module or object with ``@hookimpl`` functions.
        name: the plugin's name.
        distribution: the distribution to report as its origin.

    Returns:
        Whether it was registered.

    Raises:
        TypeError: if ``name`` or ``distribution`` is not a non-empty string.
    """
    for argument, value in (("name", name), ("distribution", distribution)):
        if not isinstance(value, str) or not value.strip():
            raise TypeError(f"register_plugin: {argument}={value!r} must be a non-empty string")
    state = _state
    load_plugins()
    if name in state.distributions or state.manager.has_plugin(name):
        holder, _ = state.distributions.get(name, ("a blocked plugin", ""))
        state.deferred.note(f"{who(name, distribution)} is left out: the plugin name is taken by {holder}")
        return False
    admitted = admit(state, module, name, distribution, "unknown")
    if admitted:
        state.forget_contributions()
    return admitted


@_reported
def unregister_plugin(name: str) -> None:
    """Remove the plugin ``name`` and rebuild registries on their next use."""
    _state.manager.unregister(name=name)
    _state.distributions.pop(name, None)
    _state.forget_contributions()


def reset() -> None:
    """Forget every plugin and registry; the next use loads plugins again."""
    global _state
    _state = PluginState()


@_reported
def registry(kind: str) -> Registry:
    """Return the registry of ``kind`` (``"dataset"``, ``"model"``, ...), filling it on first use.

    Core's own plugins register first, then the others in load order. Each
    plugin registers into a staging registry, and its registrations join the
    registry only if all of them are accepted: a plugin whose hook raises
    (anything, SystemExit included), registers a name twice, registers a name
    another plugin took first, or passes ``register`` something it refuses
    contributes nothing to this registry, with a RuntimeWarning naming it
    and its distribution; every other plugin still fills it. The warnings
    are issued once the registry is cached, so a warning that raises
    (warnings-as-errors) propagates from this call only.

    Raises:
        KeyError: if ``kind`` is not a registry kind.
        PluginError: if called from a hook while this registry is being
            filled (the hook's plugin is then left out, with a warning).
    """
    if kind not in REGISTRY_HOOKS:
        raise KeyError(f"unknown registry kind {kind!r}; known: {', '.join(REGISTRY_HOOKS)}")
    hook_name = REGISTRY_HOOKS[kind]
    state = _state
    built = state.registries.get(kind)
    if built is not None:
        return built
    if kind in state.building:
        raise PluginError(f"the {kind} registry was used inside a {hook_name} hook, while it is being filled")
    load_plugins()

    stagings: list[Registry] = []

    def stage(plugin: str, distribution: str) -> tuple[Registry, object]:
        staged = Registry(kind)
        stagings.append(staged)
        return staged, staged.register_callback(plugin, distribution)

    state.building.add(kind)
    try:
        filled = Registry(kind)
        for plugin, staged in staged_hooks(state, hook_name, "register", stage):
            staged.close(hook_name)
            if accepted(state, plugin, hook_name, staged.refusals, staged, filled, kind, "registered"):
                for entry in staged.values():
                    filled.add(entry)
    finally:
        state.building.discard(kind)
        for staged in stagings:
            staged.close(hook_name)
    if not state.loading:
        state.registries[kind] = filled
    return filled


@_reported
def commands() -> CommandRegistrar:
    """Return the subcommands of the ``geotorch`` program, collected from ``register_commands`` hooks once.

    Core's commands come first; a plugin whose hook fails, or that adds a
    command name already taken or refused by ``cli.add``, contributes no
    command, with a RuntimeWarning naming it, as in :func:`registry`.
    """
    state = _state
    if state.commands is not None:
        return state.commands
    load_plugins()

    stagings: list[CommandRegistrar] = []

    def stage(plugin: str, distribution: str) -> tuple[CommandRegistrar, object]:
        staged = CommandRegistrar(plugin, distribution)
        stagings.append(staged)
        return staged, staged

    collected = CommandRegistrar()
    try:
        commands_of = list(staged_hooks(state, "register_commands", "cli", stage))
    finally:
        for staged in stagings:
            staged.close()
    for plugin, staged in commands_of:
        if accepted(state, plugin, "register_commands", staged.refusals, staged.commands, collected.commands,
                    "command", "added"):
            for command in staged.commands.values():
                collected.include(command)
    if not state.loading:
        state.commands = collected
    return collected


@_reported
def list_plugins(include_builtins: bool = False) -> list[PluginInfo]:
    """Describe every loaded plugin: name, distribution, version, hooks and contributions.

    Args:
        include_builtins: also list core's :data:`DEFAULT_PLUGINS`.

    Returns:
        One description per plugin, sorted by name.
    """
    manager = load_plugins()
    contributions: dict[str, dict[str, list[str]]] = {}
    for kind in REGISTRY_HOOKS:
        for name, entry in registry(kind).items():
            contributions.setdefault(entry.plugin, {}).setdefault(kind, []).append(name)
    for name, command in commands().commands.items():
        contributions.setdefault(command.plugin, {}).setdefault("command", []).append(name)
    infos = []
    for name, plugin in manager.list_name_plugin():
        builtin = name in DEFAULT_PLUGINS
        if plugin is None or (builtin and not include_builtins):
            continue
        distribution, version = _state.origin(name)
        hooks = sorted(caller.name for caller in manager.get_hookcallers(plugin) or [])
        contributed = {kind: sorted(names) for kind, names in contributions.get(name, {}).items()}
        infos.append(PluginInfo(name, distribution, version, hooks, contributed, builtin))
    return sorted(infos, key=lambda info: info.name)
