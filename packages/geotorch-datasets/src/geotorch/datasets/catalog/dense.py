"""Catalog entries of the dense datasets: `("geotorch.datasets.module:Class", metadata)` pairs."""

from typing import Any

ENTRIES: list[tuple[str, dict[str, Any]]] = []
