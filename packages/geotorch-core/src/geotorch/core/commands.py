"""Subcommands of the ``geotorch`` program, as registered by core and by plugins."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from geotorch.core.errors import PluginError

Run = Callable[[Sequence[str]], int]


@dataclass(frozen=True)
class Command:
    """A subcommand: its name, one-line help, the function that runs it and who added it."""

    name: str
    run: Run
    help: str
    plugin: str
    distribution: str = "unknown"


class CommandRegistrar:
    """The ``cli`` object handed to ``register_commands`` hooks."""

    def __init__(self, plugin: str = "local", distribution: str = "local") -> None:
        """Start with no commands.

        Args:
            plugin: the plugin whose hook receives this registrar.
            distribution: the distribution that ships that plugin.
        """
        self.commands: dict[str, Command] = {}
        self.plugin = plugin
        self.distribution = distribution

    def add(self, name: str, run: Run, help: str = "") -> None:
        """Add the subcommand ``name``; ``run(argv)`` gets the arguments after it and returns an exit status.

        Raises:
            PluginError: if ``name`` is already taken.
        """
        self.include(Command(name, run, help, self.plugin, self.distribution))

    def include(self, command: Command) -> None:
        """Add a command another registrar collected, keeping who added it.

        Raises:
            PluginError: if ``command.name`` is already taken, naming both distributions.
        """
        previous = self.commands.get(command.name)
        if previous is not None:
            raise PluginError(
                f"command {command.name!r} is added twice: by plugin {previous.plugin!r} ({previous.distribution}) "
                f"and by plugin {command.plugin!r} ({command.distribution}); rename one, or disable a plugin "
                f"with GEOTORCH_DISABLE_PLUGINS"
            )
        self.commands[command.name] = command
