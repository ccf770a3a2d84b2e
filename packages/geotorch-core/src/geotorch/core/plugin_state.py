"""What the plugin manager knows: the plugins registered, where each comes from, and the registries built."""

from __future__ import annotations

import threading

import pluggy

from geotorch.core import hookspecs
from geotorch.core.commands import CommandRegistrar
from geotorch.core.plugin_warnings import DeferredWarnings
from geotorch.core.registry import Registry


class PluginState:
    """The plugin manager's state; a fresh one forgets every plugin and registry."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self.manager.add_hookspecs(hookspecs)
        self.loaded = False
        #: True while plugins load, so a plugin that uses the registry at import gets no half-filled cache.
        self.loading = False
        #: Registry kinds being filled now: a hook that uses its own registry would recurse.
        self.building: set[str] = set()
        #: Plugin name -> (distribution, version), in the order the plugins were registered.
        self.distributions: dict[str, tuple[str, str]] = {}
        self.registries: dict[str, Registry] = {}
        self.commands: CommandRegistrar | None = None
        self.deferred = DeferredWarnings()

    def origin(self, plugin: str) -> tuple[str, str]:
        """``(distribution, version)`` of the registered ``plugin``; ``("local", "unknown")`` for one not admitted."""
        return self.distributions.get(plugin, ("local", "unknown"))

    def forget_contributions(self) -> None:
        """Drop the built registries and commands, so they are built again, with the plugins now registered."""
        self.registries.clear()
        self.commands = None
