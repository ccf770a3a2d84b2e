"""GeoTorch's tests, a package: helpers import as ``tests.<folder>.<module>`` (see pyproject's pytest section)."""
