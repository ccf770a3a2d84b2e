"""Writing fake dense benchmark data (chips, label chips, archives) and serving it for download tests."""

from __future__ import annotations

import hashlib
import warnings
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
from affine import Affine
from rasterio.errors import NotGeoreferencedWarning

from geotorch.core import Resource

_DRIVERS = {".tif": "GTiff", ".jpg": "JPEG", ".png": "PNG"}
RNG = np.random.default_rng(0)


def write_raster(path: Path, array: np.ndarray, crs: str | None = None) -> Path:
    """Write a (C, H, W) array in the format its suffix names; georeferenced (10 m pixels) when ``crs`` is given."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count, height, width = array.shape
    profile: dict[str, Any] = {"driver": _DRIVERS[path.suffix.lower()], "count": count, "height": height,
                               "width": width, "dtype": array.dtype.name}
    if crs is not None:
        profile.update(crs=crs, transform=Affine(10, 0, 500000, 0, -10, 5000000))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with rasterio.open(path, "w", **profile) as target:
            target.write(array)
    return path


def rgb(size: int | tuple[int, int], bands: int = 3, dtype: str = "uint8") -> np.ndarray:
    """A random (bands, height, width) image; ``size`` is both sides, or (height, width)."""
    height, width = (size, size) if isinstance(size, int) else size
    top = 255 if dtype == "uint8" else 10000
    return RNG.integers(0, top, (bands, height, width)).astype(dtype)


def labels(size: int, values: Iterable[int]) -> np.ndarray:
    """A (1, size, size) uint8 label chip using every one of ``values``, in horizontal stripes."""
    chosen = np.array(list(values), dtype="uint8")
    return np.repeat(chosen, -(-size // len(chosen)))[:size, None].repeat(size, 1)[None]


def zip_members(root: Path, names: Iterable[str], archive: Path) -> Path:
    """Zip the files and folders ``names`` under ``root`` (members named relative to ``root``) into ``archive``."""
    archive.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive, "w") as bundle:
        for name in names:
            top = root / name
            for path in sorted([top, *top.rglob("*")] if top.is_dir() else [top]):
                bundle.write(path, path.relative_to(root).as_posix())
    return archive


def md5(path: Path) -> str:
    """The MD5 of a file."""
    return hashlib.md5(path.read_bytes()).hexdigest()


def served(http_server: Any, path: Path, filename: str | None = None, extract: bool = True) -> Resource:
    """Copy ``path`` into the local server's folder; the Resource fetching it as ``filename``, with its MD5."""
    (http_server.root / path.name).write_bytes(path.read_bytes())
    return Resource(http_server.url(path.name), filename or path.name, md5=md5(path), extract=extract)


def damaged(resource: Resource) -> Resource:
    """The same download with a checksum no file has."""
    return Resource(resource.url, resource.filename, md5="0" * 32, extract=resource.extract)
