"""Subcommands of the ``geotorch`` program, as registered by core and by plugins."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from geotorch.core.errors import PluginError

Run = Callable[[Sequence[str]], int]


@dataclass(frozen=True)
class Command:
    """A subcommand: its name, one-line help and the function that runs it."""

    name: str
    run: Run
    help: str
    plugin: str


class CommandRegistrar:
    """The ``cli`` object handed to ``register_commands`` hooks."""

    def __init__(self) -> None:
        """Start with no commands."""
        self.commands: dict[str, Command] = {}
        self.plugin = "geotorch-core"

    def add(self, name: str, run: Run, help: str = "") -> None:
        """Add the subcommand ``name``; ``run(argv)`` gets the arguments after it and returns an exit status.

        Raises:
            PluginError: if another plugin already added ``name``.
        """
        previous = self.commands.get(name)
        if previous is not None:
            raise PluginError(f"command {name!r} is added twice: by {previous.plugin!r} and by {self.plugin!r}")
        self.commands[name] = Command(name, run, help, self.plugin)
