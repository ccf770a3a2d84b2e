"""TorchGeo's ``torchgeo.datasets.utils`` names, with TorchGeo's signatures, over geotorch.core's implementations.

Code written for TorchGeo imports download, checksum, archive, collation and plotting helpers from
``torchgeo.datasets.utils``; after the rename it finds them here. Each name is geotorch.core's public
function, or a thin wrapper giving it TorchGeo's argument names (``from_path``/``to_path``,
``remove_finished``, checksums as ``md5=``/``sha256=`` keywords), so downloads keep core's guarantees:
verified before they get their final name, archives checked member by member before extraction.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor

from geotorch.core import BoundingBox as BoundingBox
from geotorch.core import check_integrity as _check_integrity
from geotorch.core import concat_samples as concat_samples
from geotorch.core import download_url as _download_url
from geotorch.core import extract_archive as _extract_archive
from geotorch.core import find_files as _find_files
from geotorch.core import merge_samples as merge_samples
from geotorch.core import stack_samples as stack_samples
from geotorch.core import unbind_samples as unbind_samples

__all__ = [
    "BoundingBox",
    "array_to_tensor",
    "check_integrity",
    "concat_samples",
    "download_and_extract_archive",
    "download_url",
    "extract_archive",
    "find_files",
    "merge_samples",
    "percentile_normalization",
    "stack_samples",
    "unbind_samples",
    "working_dir",
]

_CHECKSUMS = ("md5", "sha256")


def _sha256(extra: dict[str, str | None], caller: str) -> str | None:
    """The ``sha256=`` keyword among TorchGeo's checksum keywords; any other algorithm is refused by name."""
    unknown = sorted(name for name, value in extra.items() if name not in _CHECKSUMS and value)
    if unknown:
        raise ValueError(f"{caller}: checksum algorithm(s) {unknown} are not supported; give md5= or sha256=")
    return extra.get("sha256")


def check_integrity(fpath: str | Path, md5: str | None = None, **kwargs: str | None) -> bool:
    """Whether ``fpath`` is a file matching the checksums given (any file when none is).

    Args:
        fpath: the file to check.
        md5: expected MD5 checksum, hexadecimal.
        **kwargs: ``sha256=`` expected SHA-256 checksum.

    Returns:
        True if the file exists and matches every checksum given.

    Raises:
        ValueError: for a checksum algorithm other than md5 and sha256.
    """
    return _check_integrity(fpath, md5, _sha256(kwargs, "check_integrity"))


def extract_archive(from_path: str | Path, to_path: str | Path | None = None, remove_finished: bool = False) -> Path:
    """Extract a zip or tar archive, or decompress a lone .gz/.bz2/.xz file (see :func:`geotorch.core.extract_archive`).

    Args:
        from_path: the archive.
        to_path: the folder to extract into (default: the archive's folder).
        remove_finished: remove the archive once extracted.

    Returns:
        The folder the archive was extracted into.

    Raises:
        ValueError: if a member would land outside ``to_path`` or the archive is damaged.
    """
    extracted = _extract_archive(from_path, to_path)
    if remove_finished:
        os.remove(from_path)
    return extracted


def download_url(
    url: str,
    root: str | Path,
    filename: str | Path | None = None,
    md5: str | None = None,
    max_redirect_hops: int = 3,
    **kwargs: str | None,
) -> Path:
    """Download ``url`` into ``root`` and verify it before it gets its name (see :func:`geotorch.core.download_url`).

    Args:
        url: the URL.
        root: the folder to download into.
        filename: the file's name in ``root`` (default: the URL's last path segment).
        md5: expected MD5 checksum.
        max_redirect_hops: accepted for TorchGeo's signature; redirects are followed by the HTTP client.
        **kwargs: ``sha256=`` expected SHA-256 checksum.

    Returns:
        The downloaded file.

    Raises:
        geotorch.core.DownloadError: if the URL cannot be fetched completely.
        geotorch.core.ChecksumError: if the file does not match a checksum.
    """
    name = None if filename is None else os.fspath(filename)
    return _download_url(url, root, name, md5, _sha256(kwargs, "download_url"))


def download_and_extract_archive(
    url: str,
    download_root: str | Path,
    extract_root: str | Path | None = None,
    filename: str | Path | None = None,
    md5: str | None = None,
    remove_finished: bool = False,
    **kwargs: str | None,
) -> Path:
    """Download an archive with :func:`download_url`, then extract it with :func:`extract_archive`.

    Args:
        url: the archive's URL.
        download_root: the folder to download into.
        extract_root: the folder to extract into (default: ``download_root``).
        filename: the archive's name in ``download_root`` (default: the URL's last path segment).
        md5: expected MD5 checksum of the archive.
        remove_finished: remove the archive once extracted.
        **kwargs: ``sha256=`` expected SHA-256 checksum of the archive.

    Returns:
        The folder the archive was extracted into.
    """
    archive = download_url(url, download_root, filename, md5, sha256=_sha256(kwargs, "download_and_extract_archive"))
    return extract_archive(archive, extract_root or download_root, remove_finished)


def find_files(path: str | Path | Sequence[str | Path], filename_glob: str = "*") -> list[str]:
    """Files matching ``filename_glob`` under the folders (searched recursively) and the files named.

    Args:
        path: a folder, a file, or a sequence of both.
        filename_glob: the pattern file names must match.

    Returns:
        The matching files, as strings.
    """
    paths = [path] if isinstance(path, str | Path) else list(path)
    return [str(found) for found in _find_files([Path(each) for each in paths], filename_glob)]


@contextmanager
def working_dir(dirname: str | Path, create: bool = False) -> Iterator[None]:
    """Make ``dirname`` the working directory inside the ``with`` block, then return to the previous one.

    Args:
        dirname: the folder to work in.
        create: create the folder (and its parents) first.
    """
    if create:
        os.makedirs(dirname, exist_ok=True)
    previous = os.getcwd()
    os.chdir(dirname)
    try:
        yield
    finally:
        os.chdir(previous)


def percentile_normalization(
    img: np.ndarray[Any, Any],
    lower: float = 2,
    upper: float = 98,
    axis: int | Sequence[int] | None = None,
    nodata: float = 0,
) -> np.ndarray[Any, Any]:
    """Scale ``img`` so that its ``lower`` percentile becomes 0 and its ``upper`` percentile 1, clipped to ``[0, 1]``.

    Args:
        img: the image, any shape.
        lower: the percentile drawn as 0, in ``[0, 100]``.
        upper: the percentile drawn as 1, in ``[0, 100]``, above ``lower``.
        axis: the axes the percentiles are taken along (default: all), over the pixels that are not ``nodata``.
        nodata: the value left out of the percentiles.

    Returns:
        The scaled image, float; ``img`` unchanged when every pixel is ``nodata``.

    Raises:
        ValueError: if ``lower`` is not below ``upper``.
    """
    if lower >= upper:
        raise ValueError(f"percentile_normalization: lower={lower} must be below upper={upper}")
    valid = img[img != nodata]
    if valid.size == 0:
        return img
    low = np.percentile(valid, lower, axis=axis)
    high = np.percentile(valid, upper, axis=axis)
    return np.asarray(np.clip((img - low) / (high - low + 1e-5), 0, 1))


def array_to_tensor(array: np.ndarray[Any, Any]) -> Tensor:
    """A tensor of ``array``'s values, in a dtype torch has (uint16 becomes int32, uint32 becomes int64).

    Args:
        array: a numpy array.

    Returns:
        A tensor sharing nothing with ``array``'s unsupported dtypes.
    """
    widened = {np.dtype(np.uint16): np.int32, np.dtype(np.uint32): np.int64}
    dtype = widened.get(array.dtype)
    return torch.from_numpy(array.astype(dtype) if dtype is not None else array)
