"""Named registries of what plugins contribute: light entries, imported on use."""

from __future__ import annotations

import fnmatch
import importlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from geotorch.core.errors import PluginError


class Register(Protocol):
    """The callback a ``register_*`` hook receives."""

    def __call__(self, obj: object, name: str | None = None, **metadata: Any) -> None:
        """Register ``obj`` (an object or an ``"module:attr"`` path) as ``name``."""


@dataclass
class Entry:
    """One registered thing: its name, where it comes from, and how to load it.

    Attributes:
        name: the registered name.
        target: the object itself, or an import path ``"package.module:attr"``.
        plugin: name of the plugin that registered it.
        distribution: distribution (pip package) that ships the plugin.
        metadata: free-form facts given at registration (task, licence, ...).
    """

    name: str
    target: object
    plugin: str
    distribution: str
    metadata: dict[str, Any] = field(default_factory=dict)

    def load(self) -> Any:
        """Return the registered object, importing its module if needed.

        Raises:
            ImportError: if the import path does not resolve.
        """
        if not isinstance(self.target, str):
            return self.target
        module_name, _, attribute = self.target.partition(":")
        if not attribute:
            raise ImportError(f"{self.name}: import path {self.target!r} must look like 'package.module:attr'")
        value: Any = importlib.import_module(module_name)
        for part in attribute.split("."):
            value = getattr(value, part)
        self.target = value
        return value


def _default_name(obj: object) -> str:
    if isinstance(obj, str):
        return obj.rpartition(":")[2].rpartition(".")[2]
    name = getattr(obj, "name", None)
    if isinstance(name, str):
        return name
    qualname = getattr(obj, "__name__", None)
    if isinstance(qualname, str):
        return qualname
    raise PluginError(f"cannot infer a name for {obj!r}; pass name=...")


class Registry(Mapping[str, Entry]):
    """Entries of one kind (datasets, models, ...), keyed by unique name."""

    def __init__(self, kind: str) -> None:
        """Create an empty registry.

        Args:
            kind: what it holds, singular (``"dataset"``), used in messages.
        """
        self.kind = kind
        self._entries: dict[str, Entry] = {}

    def add(self, entry: Entry) -> None:
        """Add ``entry``.

        Raises:
            PluginError: if its name is taken, naming both distributions.
        """
        previous = self._entries.get(entry.name)
        if previous is not None:
            raise PluginError(
                f"{self.kind} {entry.name!r} is registered twice: by plugin {previous.plugin!r} "
                f"({previous.distribution}) and by plugin {entry.plugin!r} ({entry.distribution}); "
                f"rename one, or disable a plugin with GEOTORCH_DISABLE_PLUGINS"
            )
        self._entries[entry.name] = entry

    def register_callback(self, plugin: str, distribution: str) -> Register:
        """Return the ``register`` callback handed to one plugin's hook."""

        def register(obj: object, name: str | None = None, **metadata: Any) -> None:
            self.add(Entry(name or _default_name(obj), obj, plugin, distribution, dict(metadata)))

        return register

    def names(self, include: str | Iterable[str] | None = None, exclude: str | Iterable[str] | None = None,
              **metadata: Any) -> list[str]:
        """Sorted names matching the fnmatch patterns and metadata filters.

        Args:
            include: pattern(s) a name must match (all names when None).
            exclude: pattern(s) a name must not match.
            **metadata: key=value pairs an entry's metadata must equal; a list
                in the metadata matches when it contains the value.

        Returns:
            The matching names in alphabetical order.
        """
        included = [include] if isinstance(include, str) else list(include or ["*"])
        excluded = [exclude] if isinstance(exclude, str) else list(exclude or [])
        found = []
        for name, entry in self._entries.items():
            if not any(fnmatch.fnmatchcase(name, pattern) for pattern in included):
                continue
            if any(fnmatch.fnmatchcase(name, pattern) for pattern in excluded):
                continue
            if all(_matches(entry.metadata.get(key), wanted) for key, wanted in metadata.items()):
                found.append(name)
        return sorted(found)

    def __getitem__(self, name: str) -> Entry:
        """Return the entry named ``name``.

        Raises:
            KeyError: naming the unknown name and listing the known ones.
        """
        try:
            return self._entries[name]
        except KeyError:
            known = ", ".join(sorted(self._entries)) or "none registered"
            close = fnmatch.filter(sorted(self._entries), f"*{name}*")
            hint = f"; did you mean {', '.join(close[:5])}?" if close else ""
            raise KeyError(f"unknown {self.kind} {name!r}{hint} (known: {known})") from None

    def __iter__(self) -> Iterator[str]:
        """Iterate over registered names in registration order."""
        return iter(self._entries)

    def __len__(self) -> int:
        """Number of entries."""
        return len(self._entries)


def _matches(value: Any, wanted: Any) -> bool:
    if isinstance(value, (list, tuple, set, frozenset)) and not isinstance(wanted, (list, tuple)):
        return wanted in value
    return bool(value == wanted)
