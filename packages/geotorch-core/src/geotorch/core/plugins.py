"""The plugin manager: discovers plugins lazily and fills the registries from their hooks."""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
import inspect
import os
import threading
import types
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import ParamSpec, TypeVar

import pluggy
from pluggy import HookImpl

from geotorch.core import hookspecs
from geotorch.core.commands import CommandRegistrar
from geotorch.core.errors import PluginError
from geotorch.core.plugin_checks import hook_problems, ignored_options
from geotorch.core.plugin_guard import Failure, contained
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

#: Files whose frames a warning skips, so that it points at the code that used the registry.
_CORE_FOLDER = os.path.dirname(__file__) + os.sep  # as code objects spell it: not resolved

P = ParamSpec("P")
R = TypeVar("R")


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
        #: True while :func:`load_plugins` runs, so a plugin that uses the registry at import gets no half-filled cache.
        self.loading = False
        #: Registry kinds being filled now: a hook that uses its own registry would recurse.
        self.building: set[str] = set()
        #: Plugin name -> (distribution, version), in the order the plugins were registered.
        self.distributions: dict[str, tuple[str, str]] = {}
        self.registries: dict[str, Registry] = {}
        self.commands: CommandRegistrar | None = None
        #: How many calls of this module's public functions are running (they call each other).
        self.depth = 0
        #: Warnings noted while plugins load or registries fill, issued once the outermost call is done.
        self.pending: list[str] = []


_state = _State()


def _names_from(variable: str) -> set[str] | None:
    value = os.environ.get(variable)
    if value is None:
        return None
    return {name.strip() for name in value.split(",") if name.strip()}


def _who(name: str, distribution: str, version: str = "unknown") -> str:
    """``geotorch plugin 'name' (distribution version)``: how every warning names a plugin."""
    shipped = distribution if version in ("", "unknown") else f"{distribution} {version}"
    return f"geotorch plugin {name!r} ({shipped})"


def _warn(state: _State, message: str) -> None:
    """Note a RuntimeWarning, to be issued when the state is consistent again (see :func:`_reported`)."""
    # One line, so the reasons pluggy and plugins give over several lines read (and match) as one message.
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    state.pending.append("; ".join(lines))


def _reported(function: Callable[P, R]) -> Callable[P, R]:
    """Run ``function`` holding the plugin lock, then issue the warnings it noted, once the outermost call is done.

    A warning can raise (warnings-as-errors, a ``showwarning`` hook that
    raises). Issued in the middle of loading or of filling a registry, that
    error would leave plugins half-loaded or the registry never cached, so
    every later call would fail again. Issued after everything is loaded
    and cached, it propagates once and later calls work.
    """

    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with _state.lock:
            state = _state
            state.depth += 1
            try:
                result = function(*args, **kwargs)
            finally:
                state.depth -= 1
            if state.depth:
                return result
            noted, state.pending = state.pending, []
        _issue(noted)
        return result

    return run


def _issue(messages: list[str]) -> None:
    """Warn each distinct message once; if warning raises, still warn the others, then raise the first error."""
    first_error: BaseException | None = None
    for message in dict.fromkeys(messages):
        try:
            warnings.warn(message, RuntimeWarning, stacklevel=_caller_level())
        except BaseException as error:  # noqa: BLE001 - whatever warning raises is raised again below
            first_error = first_error or error
    if first_error is not None:
        raise first_error


def _caller_level() -> int:
    """The ``stacklevel`` that points a warning issued by :func:`_issue` at the first caller outside geotorch.core."""
    level = 1
    frame = inspect.currentframe()
    caller = frame.f_back if frame is not None else None  # _issue, which calls warnings.warn
    while caller is not None and caller.f_code.co_filename.startswith(_CORE_FOLDER):
        level += 1
        caller = caller.f_back
    return level


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
        for module_name in DEFAULT_PLUGINS:
            if not state.manager.has_plugin(module_name):
                module = importlib.import_module(module_name)
                _admit(state, module, module_name, CORE_DISTRIBUTION, _version_of(CORE_DISTRIBUTION))
        only = _names_from(LOAD_VARIABLE)
        disabled = _names_from(DISABLE_VARIABLE) or set()
        for entry_point in _entry_points(state):
            if entry_point.name in disabled or (only is not None and entry_point.name not in only):
                continue
            _load_entry_point(state, entry_point)
        state.loaded = True
    finally:
        state.loading = False
    return state.manager


def _entry_points(state: _State) -> list[importlib.metadata.EntryPoint]:
    """The installed entry points of the ``geotorch`` group; none (with a warning) if the metadata cannot be read."""
    found = contained(lambda: list(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)))
    if isinstance(found, Failure):
        _warn(state, f"the installed geotorch plugins could not be listed, so none is loaded: {found.describe()}")
        return []
    return found


def _origin(entry_point: importlib.metadata.EntryPoint) -> tuple[str, str]:
    """``(distribution, version)`` of the distribution shipping ``entry_point``; ``"unknown"`` where unreadable."""

    def read() -> tuple[str, str]:
        distribution = entry_point.dist
        if distribution is None:
            return "unknown", "unknown"
        return str(distribution.metadata["Name"] or "unknown"), str(distribution.version or "unknown")

    found = contained(read)
    return ("unknown", "unknown") if isinstance(found, Failure) else found


def _load_entry_point(state: _State, entry_point: importlib.metadata.EntryPoint) -> None:
    """Import and register one installed plugin; any fault is a warning naming it and it is left out."""
    name = entry_point.name
    distribution, version = _origin(entry_point)
    if name in state.distributions:
        holder, _ = state.distributions[name]
        if holder != distribution:
            _warn(
                state,
                f"{_who(name, distribution, version)} is left out: the plugin name is taken by "
                f"{holder}; rename one, or block one with {DISABLE_VARIABLE}"
            )
        return
    module = contained(entry_point.load)
    if isinstance(module, Failure):
        _warn(state, f"{_who(name, distribution, version)} failed to load and is left out: {module.describe()}")
        return
    _admit(state, module, name, distribution, version)


def _version_of(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _admit(state: _State, plugin: object, name: str, distribution: str, version: str) -> bool:
    """Register ``plugin`` as ``name`` if its hooks are usable; otherwise warn naming it and leave it out.

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
        _warn(state, f"{_who(name, distribution, version)} is left out: {reason}")
        return False
    state.distributions[name] = (distribution, version)
    for note in ignored_options(state.manager, plugin):
        _warn(state, f"{_who(name, distribution, version)}: {note}")
    return True


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
        _warn(state, f"{_who(name, distribution)} is left out: the plugin name is taken by {holder}")
        return False
    admitted = _admit(state, module, name, distribution, "unknown")
    if admitted:
        _forget_contributions()
    return admitted


@_reported
def unregister_plugin(name: str) -> None:
    """Remove the plugin ``name`` and rebuild registries on their next use."""
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


def _in_order(state: _State, implementations: list[HookImpl]) -> list[HookImpl]:
    """Core's own plugins first, then the others in the order they were registered.

    pluggy's own order (reversed registration, moved by ``tryfirst``) is not
    used, so no plugin can claim a name before core does.
    """
    order = {name: number for number, name in enumerate(state.distributions)}

    def rank(implementation: HookImpl) -> tuple[bool, int]:
        plugin = implementation.plugin_name
        return plugin not in DEFAULT_PLUGINS, order.get(plugin, len(order))

    return sorted(implementations, key=rank)


def _call_hook(state: _State, implementation: HookImpl, hook_name: str, **arguments: object) -> bool:
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
    who = _who(plugin, *state.distributions.get(plugin, ("local", "unknown")))
    declared = [arguments[name] for name in implementation.argnames]
    defaulted = {name: arguments[name] for name in implementation.kwargnames if name in arguments}
    outcome = contained(lambda: implementation.function(*declared, **defaulted))
    if isinstance(outcome, Failure):
        _warn(state, f"{who} failed in {hook_name} and contributes nothing there: {outcome.describe()}")
        return False
    if outcome is not None:
        if isinstance(outcome, (types.CoroutineType, types.GeneratorType)):
            # Its body never ran; closing it keeps Python from warning that a coroutine was never awaited,
            # a warning that would name no plugin. A started one runs plugin code as it closes: contain it.
            contained(outcome.close)
        callback = next(iter(arguments))
        _warn(state, f"{who} returned a {type(outcome).__name__} from {hook_name}, which geotorch ignores: "
                     f"hooks call {callback}(...) and return None, and must be plain functions, "
                     f"not generators or coroutines")
    return True


def _refused(state: _State, plugin: str, hook_name: str, refusals: list[str], clashes: list[str]) -> bool:
    """Warn, naming the plugin, if its registrations were refused or take names already taken; say whether."""
    if not refusals and not clashes:
        return False
    distribution, version = state.distributions.get(plugin, ("local", "unknown"))
    _warn(state, f"{_who(plugin, distribution, version)} is left out of {hook_name}: "
                 f"{'; '.join([*refusals, *clashes])}")
    return True


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
    manager = load_plugins()
    state.building.add(kind)
    try:
        filled = Registry(kind)
        for implementation in _in_order(state, getattr(manager.hook, hook_name).get_hookimpls()):
            plugin = implementation.plugin_name
            staged = Registry(kind)
            callback = staged.register_callback(plugin, state.distributions.get(plugin, ("local", ""))[0])
            if not _call_hook(state, implementation, hook_name, register=callback):
                continue
            clashes = [
                f"{kind} {name!r} is already registered by plugin {filled[name].plugin!r} "
                f"({filled[name].distribution})"
                for name in staged
                if name in filled
            ]
            if not _refused(state, plugin, hook_name, staged.refusals, clashes):
                for entry in staged.values():
                    filled.add(entry)
    finally:
        state.building.discard(kind)
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
    manager = load_plugins()
    collected = CommandRegistrar()
    for implementation in _in_order(state, manager.hook.register_commands.get_hookimpls()):
        plugin = implementation.plugin_name
        staged = CommandRegistrar(plugin, state.distributions.get(plugin, ("local", ""))[0])
        if not _call_hook(state, implementation, "register_commands", cli=staged):
            continue
        clashes = [
            f"command {name!r} is already added by plugin {collected.commands[name].plugin!r} "
            f"({collected.commands[name].distribution})"
            for name in staged.commands
            if name in collected.commands
        ]
        if not _refused(state, plugin, "register_commands", staged.refusals, clashes):
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
        distribution, version = _state.distributions.get(name, ("local", "unknown"))
        hooks = sorted(caller.name for caller in manager.get_hookcallers(plugin) or [])
        contributed = {kind: sorted(names) for kind, names in contributions.get(name, {}).items()}
        infos.append(PluginInfo(name, distribution, version, hooks, contributed, builtin))
    return sorted(infos, key=lambda info: info.name)
