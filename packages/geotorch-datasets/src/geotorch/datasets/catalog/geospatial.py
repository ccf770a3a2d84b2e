"""Catalog entries of the geospatial datasets: `("geotorch.datasets.module:Class", metadata)` pairs."""

from typing import Any

ENTRIES: list[tuple[str, dict[str, Any]]] = []
