"""Named registries of what plugins contribute: light entries, imported on use."""

from __future__ import annotations

import difflib
import fnmatch
import functools
import importlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from geotorch.core.errors import PluginError
from geotorch.core.plugin_guard import Failure, contained


class Contribution(Protocol):
    """Something a plugin's hook contributed (a registry entry, a command), and who contributed it."""

    @property
    def plugin(self) -> str:
        """The name of the plugin whose hook contributed it."""

    @property
    def distribution(self) -> str:
        """The distribution that ships that plugin."""


def taken_twice(what: str, verb: str, previous: Contribution, new: Contribution) -> PluginError:
    """The error for contributing a name already taken: ``"{what} 'name' is {verb} twice: by plugin ..."``.

    Args:
        what: what the name names, with the name (``"dataset 'x'"``).
        verb: how it was contributed (``"registered"``, ``"added"``).
        previous: what took the name first.
        new: what tried to take it again.
    """
    return PluginError(
        f"{what} is {verb} twice: by plugin {previous.plugin!r} ({previous.distribution}) and by plugin "
        f"{new.plugin!r} ({new.distribution}); rename one, or disable a plugin with GEOTORCH_DISABLE_PLUGINS"
    )


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

        The import runs the plugin's code: whatever it raises, SystemExit and
        KeyboardInterrupt included (a real Ctrl-C excepted), becomes an
        ImportError naming this entry and its plugin.

        Raises:
            ImportError: if the import path is malformed, its module fails to
                import, or the attribute is missing; the message names the
                entry, its plugin and distribution.
        """
        if not isinstance(self.target, str):
            return self.target
        path = self.target
        if not is_import_path(path):
            raise ImportError(f"{self._origin()}: import path {path!r} must look like 'package.module:attr'")
        module_name, _, attribute = path.partition(":")

        def resolve() -> Any:
            return functools.reduce(getattr, attribute.split("."), importlib.import_module(module_name))

        loaded = contained(resolve)
        if isinstance(loaded, Failure):
            raise ImportError(f"{self._origin()}: importing {path!r} failed: {loaded.describe()}") from loaded.error
        self.target = loaded
        return loaded

    def _origin(self) -> str:
        return f"{self.name!r}, registered by plugin {self.plugin!r} ({self.distribution})"


def is_import_path(text: str) -> bool:
    """Whether ``text`` looks like ``"package.module:attr"`` (dotted identifiers on both sides of one colon)."""
    module_name, colon, attribute = text.partition(":")
    return bool(colon) and all(
        part.isidentifier() for part in [*module_name.split("."), *attribute.split(".")]
    )


def _default_name(obj: object) -> str:
    if isinstance(obj, str):
        return obj.rpartition(":")[2].rpartition(".")[2]
    name = getattr(obj, "name", None)
    if isinstance(name, str) and name:
        return name
    qualname = getattr(obj, "__name__", None)
    if isinstance(qualname, str) and qualname:
        return qualname
    raise PluginError(f"cannot infer a name for a {type(obj).__name__}; pass name=...")


def _checked_name(obj: object, name: object) -> str:
    """The name to register ``obj`` under: ``name``, or one inferred from ``obj``.

    Raises:
        PluginError: if ``obj`` is None or a malformed import path, or
            ``name`` is not a non-empty string, or holds pattern characters
            (``* ? [ ]``), surrounding spaces or unprintable characters.
    """
    if obj is None:
        raise PluginError("register(None): pass the object to register, or its 'package.module:attr' import path")
    if isinstance(obj, str) and not is_import_path(obj):
        raise PluginError(f"register({obj!r}): a string must be an import path like 'package.module:attr'")
    if name is None:
        return _default_name(obj)
    if not isinstance(name, str) or not name.strip():
        raise PluginError(f"register(..., name={name!r}): name must be a non-empty string")
    if name != name.strip() or any(character in name for character in "*?[]") or not name.isprintable():
        # Listings take fnmatch patterns: a name holding one would match others, or be hard to ask for.
        raise PluginError(f"register(..., name={name!r}): name must not hold the pattern characters * ? [ ], "
                          "surrounding spaces or unprintable characters")
    return name


class Registry(Mapping[str, Entry]):
    """Entries of one kind (datasets, models, ...), keyed by unique name."""

    def __init__(self, kind: str) -> None:
        """Create an empty registry.

        Args:
            kind: what it holds, singular (``"dataset"``), used in messages.
        """
        self.kind = kind
        self._entries: dict[str, Entry] = {}
        #: Why each registration through :meth:`register_callback` was refused, even if the plugin caught the error.
        self.refusals: list[str] = []
        #: The hook whose callbacks :meth:`close` ended, if any.
        self._closed_after: str | None = None

    def close(self, hook: str) -> None:
        """Refuse every later call of this registry's callbacks: ``hook``, which received them, has returned.

        A plugin that keeps ``register`` and calls it from another hook, a thread or later code would
        otherwise register into a staging registry already read, and its entries would vanish silently.
        """
        self._closed_after = hook

    def add(self, entry: Entry) -> None:
        """Add ``entry``.

        Raises:
            PluginError: if its name is taken, naming both distributions.
        """
        previous = self._entries.get(entry.name)
        if previous is not None:
            raise taken_twice(f"{self.kind} {entry.name!r}", "registered", previous, entry)
        self._entries[entry.name] = entry

    def register_callback(self, plugin: str, distribution: str) -> Register:
        """Return the ``register`` callback handed to one plugin's hook.

        The callback raises :class:`PluginError` for a taken name, a name that
        is not a non-empty string, ``None`` or a malformed import path, and
        notes the refusal in :attr:`refusals`; it also raises once the registry
        is closed (:meth:`close`).
        """

        def register(obj: object, name: str | None = None, **metadata: Any) -> None:
            if self._closed_after is not None:
                raise PluginError(f"register({obj!r}) was called after {self._closed_after} returned, so it would "
                                  f"register nothing: call register inside the hook")
            try:
                self.add(Entry(_checked_name(obj, name), obj, plugin, distribution, dict(metadata)))
            except PluginError as error:
                self.refusals.append(str(error))
                raise

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
            close = _near(name, sorted(self._entries))
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


def _near(name: str, names: list[str]) -> list[str]:
    """The registered ``names`` that ``name`` most likely means: those holding it, else one of another case or spelling.

    ``Segmentation`` -> every ``*Segmentation*``; ``semanticsegmentationtask`` or ``SemanticSegmentationTsk``
    -> ``SemanticSegmentationTask``.
    """
    holding = fnmatch.filter(names, f"*{name}*")
    if holding:
        return holding
    folded = {known.casefold(): known for known in names}
    wanted = str(name).casefold()
    if wanted in folded:
        return [folded[wanted]]
    return [folded[close] for close in difflib.get_close_matches(wanted, list(folded), n=1, cutoff=0.8)]
