"""Subcommands of the ``geotorch`` program, as registered by core and by plugins."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from geotorch.core.errors import PluginError
from geotorch.core.registry import taken_twice

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
        #: Why each :meth:`add` was refused, even if the plugin caught the error.
        self.refusals: list[str] = []
        self._closed = False

    def close(self) -> None:
        """Refuse every later :meth:`add`: the ``register_commands`` hook that received this registrar returned."""
        self._closed = True

    def add(self, name: str, run: Run, help: str = "") -> None:
        """Add the subcommand ``name``; ``run(argv)`` gets the arguments after it and returns an exit status.

        Raises:
            PluginError: if ``name`` is taken or is not one word (not starting
                with ``-``), ``run`` is not callable or ``help`` is not a string,
                or the registrar is closed (:meth:`close`); the refusal is also
                noted in :attr:`refusals`.
        """
        try:
            if self._closed:
                raise PluginError(f"cli.add({name!r}, ...) was called after register_commands returned, so it would "
                                  "add nothing: call cli.add inside the hook")
            if not isinstance(name, str) or not name or name.startswith("-") or len(name.split()) != 1:
                raise PluginError(f"cli.add(name={name!r}): a command name must be one word, not starting with '-'")
            if not callable(run):
                raise PluginError(
                    f"cli.add({name!r}, ...): run must be a callable taking argv, not a {type(run).__name__}"
                )
            if not isinstance(help, str):
                raise PluginError(f"cli.add({name!r}, ...): help must be a string, not a {type(help).__name__}")
            self.include(Command(name, run, help, self.plugin, self.distribution))
        except PluginError as error:
            self.refusals.append(str(error))
            raise

    def include(self, command: Command) -> None:
        """Add a command another registrar collected, keeping who added it.

        Raises:
            PluginError: if ``command.name`` is already taken, naming both distributions.
        """
        previous = self.commands.get(command.name)
        if previous is not None:
            raise taken_twice(f"command {command.name!r}", "added", previous, command)
        self.commands[command.name] = command
