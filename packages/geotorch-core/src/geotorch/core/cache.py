"""Where GeoTorch keeps what it generates or downloads for the user: ``$GEOTORCH_HOME``."""

from __future__ import annotations

import os
from pathlib import Path

HOME_VARIABLE = "GEOTORCH_HOME"


def cache_home() -> Path:
    """``$GEOTORCH_HOME``, else ``$XDG_CACHE_HOME/geotorch``, else ``~/.cache/geotorch``."""
    configured = os.environ.get(HOME_VARIABLE)
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "geotorch"
