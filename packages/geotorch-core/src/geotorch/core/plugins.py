"""The plugin manager: discovers plugins lazily and fills the registries from their hooks."""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType

import pluggy

from geotorch.core import hookspecs
from geotorch.core.commands import CommandRegistrar
from geotorch.core.errors import PluginError
from geotorch.core.registry import Registry

ENTRY_POINT_GROUP = "geotorch"
DISABLE_VARIABLE = "GEOTORCH_DISABLE_PLUGINS"
LOAD_VARIABLE = "GEOTORCH_LOAD_PLUGINS"
CORE_DISTRIBUTION = "geotorch-core"

#: Core's own features, registered through the same hooks as any plugin
#: (datasette's DEFAULT_PLUGINS). They are always loaded: the environment
#: variables that block or select plugins do not apply to them.
DEFAULT_PLUGINS = ("geotorch.core.builtin_commands",)

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


class _State:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self.manager.add_hookspecs(hookspecs)
        self.loaded = False
        self.distributions: dict[str, tuple[str, str]] = {}
        self.registries: dict[str, Registry] = {}
        self.commands: CommandRegistrar | None = None


_state = _State()


def _names_from(variable: str) -> set[str] | None:
    value = os.environ.get(variable)
    if value is None:
        return None
    return {name.strip() for name in value.split(",") if name.strip()}


def load_plugins() -> pluggy.PluginManager:
    """Import core's :data:`DEFAULT_PLUGINS` and every plugin of the ``geotorch`` entry-point group, once.

    ``GEOTORCH_LOAD_PLUGINS=a,b`` loads only the named plugins;
    ``GEOTORCH_DISABLE_PLUGINS=a,b`` skips the named ones (both by entry-point
    name). A plugin that fails to import is reported with a warning naming it
    and left out.

    Returns:
        The plugin manager.

    Raises:
        PluginError: if a plugin implements a hook that does not exist
            (usually a misspelled hook name) or with arguments its
            specification lacks, or if two distributions use one plugin name.
    """
    with _state.lock:
        if _state.loaded:
            return _state.manager
        for module_name in DEFAULT_PLUGINS:
            if not _state.manager.has_plugin(module_name):
                module = importlib.import_module(module_name)
                _register_module(module, module_name, CORE_DISTRIBUTION, _version_of(CORE_DISTRIBUTION))
        only = _names_from(LOAD_VARIABLE)
        disabled = _names_from(DISABLE_VARIABLE) or set()
        for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            if entry_point.name in disabled or (only is not None and entry_point.name not in only):
                continue
            distribution = entry_point.dist
            dist_name = distribution.metadata["Name"] if distribution else "unknown"
            dist_version = distribution.version if distribution else "unknown"
            if _state.manager.has_plugin(entry_point.name):
                previous, _ = _state.distributions.get(entry_point.name, ("local", "unknown"))
                if previous != dist_name:
                    raise PluginError(
                        f"geotorch plugin name {entry_point.name!r} is used by both {previous} and {dist_name}; "
                        f"uninstall one, or block one with {DISABLE_VARIABLE}"
                    )
                continue
            try:
                module = entry_point.load()
            except Exception as error:  # noqa: BLE001 - any import failure of a plugin is reported, not raised
                warnings.warn(
                    f"geotorch plugin {entry_point.name!r} from {dist_name} {dist_version} failed to load "
                    f"and is skipped: {type(error).__name__}: {error}",
                    RuntimeWarning,
                    stacklevel=2,
                )
                continue
            _register_module(module, entry_point.name, dist_name, dist_version)
        _state.loaded = True
        return _state.manager


def _version_of(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _register_module(module: object, name: str, distribution: str, version: str) -> None:
    """Register ``module``; a hook it implements wrongly (misspelled, wrong arguments) is a PluginError."""
    try:
        _state.manager.register(module, name=name)
    except pluggy.PluginValidationError as error:
        raise PluginError(f"geotorch plugin {name!r} ({distribution}): {error}") from error
    _state.distributions[name] = (distribution, version)
    try:
        _state.manager.check_pending()
    except pluggy.PluginValidationError as error:
        _state.manager.unregister(name=name)
        _state.distributions.pop(name)
        raise PluginError(f"geotorch plugin {name!r} ({distribution}): {error}") from error


def register_plugin(module: ModuleType | object, name: str, distribution: str = "local") -> None:
    """Register a plugin object by hand (in tests or a script), as if installed.

    Registries already built are rebuilt on their next use so they include it.

    Args:
        module: a module or object with ``@hookimpl`` functions.
        name: the plugin's name.
        distribution: the distribution to report as its origin.
    """
    with _state.lock:
        load_plugins()
        _register_module(module, name, distribution, "unknown")
        _forget_contributions()


def unregister_plugin(name: str) -> None:
    """Remove the plugin ``name`` and rebuild registries on their next use."""
    with _state.lock:
        _state.manager.unregister(name=name)
        _state.distributions.pop(name, None)
        _forget_contributions()


def _forget_contributions() -> None:
    _state.registries.clear()
    _state.commands = None


def reset() -> None:
    """Forget every plugin and registry; the next use loads plugins again."""
    global _state
    _state = _State()


def registry(kind: str) -> Registry:
    """Return the registry of ``kind`` (``"dataset"``, ``"model"``, ...), filling it on first use.

    Each plugin registers into a staging registry first, so a plugin whose
    hook raises contributes nothing (a warning names it) and the others still
    fill the registry.

    Raises:
        KeyError: if ``kind`` is not a registry kind.
        PluginError: if two plugins register the same name.
    """
    if kind not in REGISTRY_HOOKS:
        raise KeyError(f"unknown registry kind {kind!r}; known: {', '.join(REGISTRY_HOOKS)}")
    with _state.lock:
        built = _state.registries.get(kind)
        if built is not None:
            return built
        manager = load_plugins()
        filled = Registry(kind)
        hook_name = REGISTRY_HOOKS[kind]
        for implementation in reversed(getattr(manager.hook, hook_name).get_hookimpls()):
            plugin = implementation.plugin_name
            distribution, _ = _state.distributions.get(plugin, ("local", "unknown"))
            staged = Registry(kind)
            if _call_hook(implementation.function, hook_name, plugin, distribution,
                          register=staged.register_callback(plugin, distribution)):
                for entry in staged.values():
                    filled.add(entry)
        _state.registries[kind] = filled
        return filled


def commands() -> CommandRegistrar:
    """Return the subcommands of the ``geotorch`` program, collected from ``register_commands`` hooks once.

    Raises:
        PluginError: if two plugins add the same command.
    """
    with _state.lock:
        if _state.commands is not None:
            return _state.commands
        manager = load_plugins()
        collected = CommandRegistrar()
        for implementation in reversed(manager.hook.register_commands.get_hookimpls()):
            plugin = implementation.plugin_name
            distribution, _ = _state.distributions.get(plugin, ("local", "unknown"))
            staged = CommandRegistrar(plugin, distribution)
            if _call_hook(implementation.function, "register_commands", plugin, distribution, cli=staged):
                for command in staged.commands.values():
                    collected.include(command)
        _state.commands = collected
        return collected


def _call_hook(function: Callable[..., object], hook_name: str, plugin: str, distribution: str,
               **arguments: object) -> bool:
    """Call one plugin's hook; a failure other than a PluginError is a warning naming the plugin."""
    try:
        function(**arguments)
    except PluginError:
        raise
    except Exception as error:  # noqa: BLE001 - a broken plugin must not break the others
        warnings.warn(
            f"geotorch plugin {plugin!r} ({distribution}) failed in {hook_name} and contributes nothing "
            f"there: {type(error).__name__}: {error}",
            RuntimeWarning,
            stacklevel=4,
        )
        return False
    return True


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
        distribution, version = _state.distributions.get(name, ("local", "unknown"))
        hooks = sorted(caller.name for caller in manager.get_hookcallers(plugin) or [])
        contributed = {kind: sorted(names) for kind, names in contributions.get(name, {}).items()}
        infos.append(PluginInfo(name, distribution, version, hooks, contributed, builtin))
    return sorted(infos, key=lambda info: info.name)
