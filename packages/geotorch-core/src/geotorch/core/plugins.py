"""The plugin manager: discovers plugins lazily and fills the registries from their hooks."""

from __future__ import annotations

import importlib.metadata
import os
import threading
import warnings
from dataclasses import dataclass, field
from types import ModuleType

import pluggy

from geotorch.core import hookspecs
from geotorch.core.errors import PluginError
from geotorch.core.registry import Registry

ENTRY_POINT_GROUP = "geotorch"
DISABLE_VARIABLE = "GEOTORCH_DISABLE_PLUGINS"
LOAD_VARIABLE = "GEOTORCH_LOAD_PLUGINS"

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
        contributes: registry kind -> names it registered there.
    """

    name: str
    distribution: str
    version: str
    hooks: list[str]
    contributes: dict[str, list[str]] = field(default_factory=dict)


class _State:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self.manager.add_hookspecs(hookspecs)
        self.loaded = False
        self.distributions: dict[str, tuple[str, str]] = {}
        self.registries: dict[str, Registry] = {}


_state = _State()


def _names_from(variable: str) -> set[str] | None:
    value = os.environ.get(variable)
    if value is None:
        return None
    return {name.strip() for name in value.split(",") if name.strip()}


def load_plugins() -> pluggy.PluginManager:
    """Import every plugin of the ``geotorch`` entry-point group, once.

    ``GEOTORCH_LOAD_PLUGINS=a,b`` loads only the named plugins;
    ``GEOTORCH_DISABLE_PLUGINS=a,b`` skips the named ones. A plugin that fails
    to import is reported with a warning naming it and left out.

    Returns:
        The plugin manager.

    Raises:
        PluginError: if a plugin implements a hook that does not exist
            (usually a misspelled hook name).
    """
    with _state.lock:
        if _state.loaded:
            return _state.manager
        only = _names_from(LOAD_VARIABLE)
        disabled = _names_from(DISABLE_VARIABLE) or set()
        for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            if entry_point.name in disabled or (only is not None and entry_point.name not in only):
                continue
            if _state.manager.has_plugin(entry_point.name):
                continue
            distribution = entry_point.dist
            dist_name = distribution.metadata["Name"] if distribution else "unknown"
            dist_version = distribution.version if distribution else "unknown"
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


def _register_module(module: object, name: str, distribution: str, version: str) -> None:
    _state.manager.register(module, name=name)
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
        _state.registries.clear()


def unregister_plugin(name: str) -> None:
    """Remove the plugin ``name`` and rebuild registries on their next use."""
    with _state.lock:
        _state.manager.unregister(name=name)
        _state.distributions.pop(name, None)
        _state.registries.clear()


def reset() -> None:
    """Forget every plugin and registry; the next use loads plugins again."""
    global _state
    _state = _State()


def registry(kind: str) -> Registry:
    """Return the registry of ``kind`` (``"dataset"``, ``"model"``, ...), filling it on first use.

    Raises:
        KeyError: if ``kind`` is not a registry kind.
    """
    if kind not in REGISTRY_HOOKS:
        raise KeyError(f"unknown registry kind {kind!r}; known: {', '.join(REGISTRY_HOOKS)}")
    with _state.lock:
        built = _state.registries.get(kind)
        if built is not None:
            return built
        manager = load_plugins()
        filled = Registry(kind)
        caller = getattr(manager.hook, REGISTRY_HOOKS[kind])
        for implementation in reversed(caller.get_hookimpls()):
            distribution, _ = _state.distributions.get(implementation.plugin_name, ("local", "unknown"))
            implementation.function(register=filled.register_callback(implementation.plugin_name, distribution))
        _state.registries[kind] = filled
        return filled


def list_plugins() -> list[PluginInfo]:
    """Describe every loaded plugin: name, distribution, version, hooks and contributions."""
    manager = load_plugins()
    contributions: dict[str, dict[str, list[str]]] = {}
    for kind in REGISTRY_HOOKS:
        for name, entry in registry(kind).items():
            contributions.setdefault(entry.plugin, {}).setdefault(kind, []).append(name)
    infos = []
    for name, plugin in manager.list_name_plugin():
        if plugin is None:
            continue
        distribution, version = _state.distributions.get(name, ("local", "unknown"))
        hooks = sorted(caller.name for caller in manager.get_hookcallers(plugin) or [])
        infos.append(PluginInfo(name, distribution, version, hooks, contributions.get(name, {})))
    return sorted(infos, key=lambda info: info.name)
