"""Writing fake benchmark data in the real layouts: chips, archives, and serving them for download tests."""

from __future__ import annotations

import hashlib
import tarfile
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import rasterio
from affine import Affine
from rasterio.errors import NotGeoreferencedWarning

from geotorch.core import Resource
from geotorch.datasets.image_folder import ClassFolderDataset

_DRIVERS = {".tif": "GTiff", ".jpg": "JPEG", ".png": "PNG"}


def write_chip(path: Path, array: np.ndarray, georeferenced: bool = False) -> Path:
    """Write a (C, H, W) array as the image format its suffix names (GeoTIFF, JPEG, PNG)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count, height, width = array.shape
    profile: dict[str, Any] = {
        "driver": _DRIVERS[path.suffix.lower()], "count": count, "height": height, "width": width,
        "dtype": array.dtype.name,
    }
    if georeferenced:
        profile.update(crs="EPSG:32632", transform=Affine(10, 0, 500000, 0, -10, 5000000))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with rasterio.open(path, "w", **profile) as target:
            target.write(array)
    return path


def random_chip(rng: np.random.Generator, bands: int, size: int, dtype: str = "uint8") -> np.ndarray:
    """A (bands, size, size) chip of random values in the dtype's useful range."""
    top = 255 if dtype == "uint8" else 10000
    return rng.integers(0, top, (bands, size, size)).astype(dtype)


def write_class_folders(
    root: Path, images_folder: str, names: Iterable[tuple[str, str]], bands: int, size: int, dtype: str,
    georeferenced: bool = False,
) -> list[str]:
    """Write ``<root>/<images_folder>/<class>/<file>`` chips for each (class, file) pair; return the file names."""
    rng = np.random.default_rng(0)
    written = []
    for folder, name in names:
        write_chip(root / images_folder / folder / name, random_chip(rng, bands, size, dtype), georeferenced)
        written.append(name)
    return written


def write_split_file(path: Path, names: Sequence[str]) -> Path:
    """Write a split file: one image name a line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{name}\n" for name in names))
    return path


def zip_tree(source: Path, top: str, archive: Path) -> Path:
    """Zip the folder ``source / top`` (members named from ``top``) into ``archive``."""
    archive.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive, "w") as bundle:
        for path in sorted((source / top).rglob("*")):
            bundle.write(path, path.relative_to(source).as_posix())
    return archive


def tar_tree(source: Path, top: str, archive: Path) -> Path:
    """Tar and gzip the folder ``source / top`` (members named from ``top``) into ``archive``."""
    archive.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "w:gz") as bundle:
        bundle.add(source / top, arcname=top)
    return archive


def md5(path: Path) -> str:
    """The MD5 of a file."""
    return hashlib.md5(path.read_bytes()).hexdigest()


def served(http_server: Any, path: Path, extract: bool = True) -> Resource:
    """Copy ``path`` into the local server's folder; the Resource that fetches it from there, with its MD5."""
    (http_server.root / path.name).write_bytes(path.read_bytes())
    return Resource(http_server.url(path.name), path.name, md5=md5(path), extract=extract)



def publish_class_folders(
    http_server: Any,
    monkeypatch: pytest.MonkeyPatch,
    dataset: type[ClassFolderDataset],
    staging: Path,
    split: str | None,
) -> None:
    """Zip ``staging``'s images folder as ``dataset.archive`` and serve it (and the ``split`` file) locally.

    Only the dataset's resources change (their URLs, and the checksums of the fake files), not the download code.
    """
    top = dataset.images_folder.split("/")[0]
    archive = zip_tree(staging, top, staging.parent / "upload" / dataset.archive.filename)
    monkeypatch.setattr(dataset, "archive", served(http_server, archive))
    if split is not None:
        split_file = staging / dataset.split_files[split].filename
        resources = {**dataset.split_files, split: served(http_server, split_file, extract=False)}
        monkeypatch.setattr(dataset, "split_files", resources)
