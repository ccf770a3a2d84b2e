"""Loading plugins: core's own, then the selected ``geotorch`` entry points, each checked and contained."""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import re

from geotorch.core.plugin_checks import hook_problems, ignored_options
from geotorch.core.plugin_guard import Failure, contained
from geotorch.core.plugin_state import PluginState
from geotorch.core.plugin_warnings import who

ENTRY_POINT_GROUP = "geotorch"
DISABLE_VARIABLE = "GEOTORCH_DISABLE_PLUGINS"
LOAD_VARIABLE = "GEOTORCH_LOAD_PLUGINS"
CORE_DISTRIBUTION = "geotorch-core"

#: Core's own features, registered through the same hooks as any plugin
#: (datasette's DEFAULT_PLUGINS). They are always loaded: the environment
#: variables that block or select plugins do not apply to them.
DEFAULT_PLUGINS = ("geotorch.core.builtin_commands",)
#: GeoTorch's own distributions, whose entry points load before any other's: a third-party plugin
#: that takes one of their plugin names, or a name in a registry they fill (``Sentinel2``), is the
#: one left out, whatever the order of ``sys.path``. They get no other precedence.
FIRST_PARTY_DISTRIBUTIONS = ("geotorch-datasets", "geotorch-models", "geotorch-trainers")


def load_into(state: PluginState) -> None:
    """Register core's :data:`DEFAULT_PLUGINS`, then every selected plugin of the entry-point group, into ``state``.

    The entry points of :data:`FIRST_PARTY_DISTRIBUTIONS` come first, then the others in the order
    ``importlib.metadata`` lists them; where two plugins take one name, the later one is left out.

    ``GEOTORCH_LOAD_PLUGINS=a,b`` selects only the named plugins;
    ``GEOTORCH_DISABLE_PLUGINS=a,b`` skips the named ones (both by
    entry-point name). A plugin that cannot be used is left out, with a
    warning noted in ``state`` (see :func:`admit`).

    Raises:
        ImportError: if one of core's own plugins fails to import.
    """
    for module_name in DEFAULT_PLUGINS:
        if not state.manager.has_plugin(module_name):
            module = importlib.import_module(module_name)
            admit(state, module, module_name, CORE_DISTRIBUTION, _version_of(CORE_DISTRIBUTION))
    only = _names_from(LOAD_VARIABLE)
    disabled = _names_from(DISABLE_VARIABLE) or set()
    for entry_point in _entry_points(state):
        if entry_point.name in disabled or (only is not None and entry_point.name not in only):
            continue
        _load_entry_point(state, entry_point)


def admit(state: PluginState, plugin: object, name: str, distribution: str, version: str) -> bool:
    """Register ``plugin`` as ``name`` if its hooks are usable; otherwise note a warning naming it and leave it out.

    Returns:
        Whether it was registered.
    """

    def register() -> list[str]:
        other = state.manager.get_name(plugin)
        if other is not None:
            return [f"the same object is already registered as plugin {other!r}"]
        state.manager.register(plugin, name=name)
        return hook_problems(state.manager, plugin)

    problems = contained(register)
    if isinstance(problems, Failure) or problems:
        if state.manager.get_plugin(name) is plugin:
            state.manager.unregister(name=name)
        reason = problems.describe() if isinstance(problems, Failure) else "; ".join(problems)
        state.deferred.note(f"{who(name, distribution, version)} is left out: {reason}")
        return False
    state.distributions[name] = (distribution, version)
    for note in ignored_options(state.manager, plugin):
        state.deferred.note(f"{who(name, distribution, version)}: {note}")
    return True


def _names_from(variable: str) -> set[str] | None:
    value = os.environ.get(variable)
    if value is None:
        return None
    return {name.strip() for name in value.split(",") if name.strip()}


def _entry_points(state: PluginState) -> list[importlib.metadata.EntryPoint]:
    """The installed entry points of the ``geotorch`` group; none (with a warning) if the metadata cannot be read."""
    found = contained(lambda: list(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)))
    if isinstance(found, Failure):
        state.deferred.note(
            f"the installed geotorch plugins could not be listed, so none is loaded: {found.describe()}"
        )
        return []
    # Stable: each group keeps the listing's order.
    return sorted(found, key=lambda entry_point: _canonical(_origin(entry_point)[0]) not in FIRST_PARTY_DISTRIBUTIONS)


def _canonical(distribution: str) -> str:
    """A distribution name as the packaging standards compare them (case, ``_`` and ``.`` as ``-``)."""
    return re.sub(r"[-_.]+", "-", distribution).lower()


def _origin(entry_point: importlib.metadata.EntryPoint) -> tuple[str, str]:
    """``(distribution, version)`` of the distribution shipping ``entry_point``; ``"unknown"`` where unreadable."""

    def read() -> tuple[str, str]:
        distribution = entry_point.dist
        if distribution is None:
            return "unknown", "unknown"
        return str(distribution.metadata["Name"] or "unknown"), str(distribution.version or "unknown")

    found = contained(read)
    return ("unknown", "unknown") if isinstance(found, Failure) else found


def _load_entry_point(state: PluginState, entry_point: importlib.metadata.EntryPoint) -> None:
    """Import and register one installed plugin; any fault is a warning naming it and it is left out."""
    name = entry_point.name
    distribution, version = _origin(entry_point)
    if name in state.distributions:
        holder, _ = state.distributions[name]
        if holder != distribution:
            state.deferred.note(
                f"{who(name, distribution, version)} is left out: the plugin name is taken by "
                f"{holder}; rename one, or block one with {DISABLE_VARIABLE}"
            )
        return
    if importlib.metadata.EntryPoint.pattern.match(entry_point.value) is None:
        state.deferred.note(f"{who(name, distribution, version)} failed to load and is left out: its entry point "
                            f"{entry_point.value!r} is not 'module' or 'module:attribute'")
        return
    module = contained(entry_point.load)
    if isinstance(module, Failure):
        state.deferred.note(f"{who(name, distribution, version)} failed to load and is left out: {module.describe()}")
        return
    admit(state, module, name, distribution, version)


def _version_of(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"
