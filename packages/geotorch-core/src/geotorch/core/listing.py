"""What the registries hold, described for listing commands: names, metadata and origin, nothing imported."""

from __future__ import annotations

from typing import Any

from geotorch.core.catalog import Patterns
from geotorch.core.plugins import registry
from geotorch.core.registry import Entry

#: Facts every dataset description carries (None when unknown), read from registration metadata or class attributes.
DATASET_FACTS = ("task", "geospatial", "size", "license")


def describe(kind: str, name: str) -> dict[str, Any]:
    """What the registry knows about one entry, without importing it.

    A dataset's description always has the keys of :data:`DATASET_FACTS`: registration
    metadata wins; when the entry holds a class already (registered as a class, or built
    before), its ``task``, ``license`` and ``size`` attributes fill the gaps and its base
    class tells whether it is ``geospatial`` (a ``GeoDataset``); facts still unknown are None.

    Args:
        kind: ``"dataset"``, ``"datamodule"``, ``"model"``, ``"weight"`` or ``"task"``.
        name: a registered name (see :func:`entries` and the ``list_*`` functions).

    Returns:
        A new dict: ``name``, then the registration metadata (``task``, ``sensor``, ``license``, ...),
        then ``plugin`` (the plugin that registered it) and ``distribution`` (the pip distribution
        shipping that plugin).

    Raises:
        KeyError: if ``kind`` is not a registry kind, or no entry of that kind has ``name``; the
            message lists the known ones.
    """
    entry = registry(kind)[name]
    facts: dict[str, Any] = {"name": entry.name, **entry.metadata}
    if kind == "dataset":
        facts.update(_dataset_facts(entry))
    facts.update(plugin=entry.plugin, distribution=entry.distribution)
    return facts


def entries(kind: str, include: Patterns = None, exclude: Patterns = None, **metadata: Any) -> list[dict[str, Any]]:
    """Descriptions (see :func:`describe`) of the entries of ``kind`` matching patterns and metadata, by name.

    Args:
        kind: ``"dataset"``, ``"datamodule"``, ``"model"``, ``"weight"`` or ``"task"``.
        include: fnmatch pattern(s) a name must match (every name when None).
        exclude: fnmatch pattern(s) a name must not match.
        **metadata: key=value pairs an entry's registration metadata must equal (a list in the
            metadata matches when it holds the value), e.g. ``task="segmentation"``.

    Returns:
        One description per matching entry, in alphabetical order of names; nothing is imported.

    Raises:
        KeyError: if ``kind`` is not a registry kind.
    """
    return [describe(kind, name) for name in registry(kind).names(include, exclude, **metadata)]


def _dataset_facts(entry: Entry) -> dict[str, Any]:
    facts: dict[str, Any] = {key: entry.metadata.get(key) for key in DATASET_FACTS}
    target = entry.target
    if not isinstance(target, type):
        return facts
    for key in ("task", "license", "size"):
        declared = getattr(target, key, None)
        if facts[key] is None and isinstance(declared, (str, int, float)):
            facts[key] = declared
    if facts["geospatial"] is None:
        # Imported here, not with this module, so that listing models or weights never loads torch and rtree.
        from geotorch.core.geo import GeoDataset
        from geotorch.core.nongeo import NonGeoDataset

        if issubclass(target, (GeoDataset, NonGeoDataset)):
            facts["geospatial"] = issubclass(target, GeoDataset)
    return facts
