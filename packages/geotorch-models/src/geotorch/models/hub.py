"""The checkpoint cache: download a URL once, verify its hash, read the file without running code.

It knows URLs, file names and hashes only; :mod:`geotorch.models.weights` hands it a checkpoint's address.
"""

from __future__ import annotations

import pickle
import re
import urllib.parse
from pathlib import Path, PurePosixPath

import torch
from torch import Tensor

from geotorch.core import cache_home, download_url
from geotorch.models.errors import UnsafeCheckpointError

#: The torchvision convention: a checkpoint's file name ends in ``-<first hex digits of its sha256>.<ext>``.
_HASH_SUFFIX = re.compile(r"-([0-9a-f]{8,64})\.[A-Za-z0-9]+$")

#: Keys under which checkpoints wrap their state dict: Lightning's ``state_dict``, others' ``model``.
_WRAPPERS = ("state_dict", "model")


def weights_dir() -> Path:
    """The folder downloaded checkpoints are kept in."""
    return cache_home() / "weights"


def url_filename(url: str) -> str:
    """The file name at the end of ``url``'s path, unquoted."""
    return PurePosixPath(urllib.parse.unquote(urllib.parse.urlsplit(url).path)).name


def hash_prefix(filename: str) -> str | None:
    """The leading hex digits of a file's SHA-256 carried in its name (``name-1a2b3c4d.pth``), if any."""
    match = _HASH_SUFFIX.search(filename)
    return match.group(1) if match else None


def download_checkpoint(
    url: str, sha256: str | None = None, root: str | Path | None = None, progress: bool = True, what: str = ""
) -> Path:
    """Fetch the checkpoint at ``url`` into the cache unless a verified copy is already there.

    The file's SHA-256 must equal ``sha256``, else start with the hash suffix of its file name (torchvision's
    convention). :func:`geotorch.core.download_url` checks it as the bytes arrive, into a locked partial file
    that gets the final name only once it matches: a download killed at any point (SIGKILL included) leaves
    only that partial file, which the next download of the same file removes, while one still being written
    by another process is left alone. A cached file that no longer matches is removed and downloaded again.

    Args:
        url: the https address of the checkpoint.
        sha256: the file's full SHA-256, when the publisher states it.
        root: the folder to keep it in (:func:`weights_dir` when None).
        progress: whether to show a progress bar.
        what: what the file is (a registered weight name), for messages; the URL when empty.

    Returns:
        The path of the verified file.

    Raises:
        ValueError: if there is neither ``sha256`` nor a hash suffix in the file name.
        geotorch.core.ChecksumError: if the received file does not match; it is not kept.
        geotorch.core.DownloadError: if the URL cannot be fetched.
    """
    folder = Path(root) if root is not None else weights_dir()
    filename = url_filename(url)
    if sha256 is not None:
        return download_url(url, folder, filename, sha256=sha256, progress=progress)
    prefix = hash_prefix(filename)
    if prefix is None:
        raise ValueError(f"{what or url}: no sha256 and no hash suffix in {filename!r}; refusing an unverifiable file")
    return download_url(url, folder, filename, progress=progress, sha256_prefix=prefix)


def load_checkpoint(path: str | Path) -> dict[str, Tensor]:
    """Read a state dict saved with ``torch.save``, refusing anything that would need code to unpickle.

    A checkpoint that wraps its state dict under ``state_dict`` (a Lightning ``.ckpt``) or ``model`` is
    unwrapped; its keys are returned as saved (prefixes such as a task's ``model.`` included).

    Args:
        path: the checkpoint file.

    Returns:
        The parameter name -> tensor mapping.

    Raises:
        UnsafeCheckpointError: if the file holds objects ``torch.load(..., weights_only=True)`` refuses.
        ValueError: if the file is not a readable checkpoint or holds no state dict.
    """
    try:
        content = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as error:
        raise UnsafeCheckpointError(
            f"{path}: refused, it holds objects other than tensors and plain containers, and unpickling them "
            "could run code; GeoTorch loads weights only with torch.load(weights_only=True)"
        ) from error
    except (RuntimeError, EOFError, OSError) as error:
        raise ValueError(f"{path}: not a readable PyTorch checkpoint ({error})") from error
    if isinstance(content, dict):
        for key in _WRAPPERS:
            if isinstance(content.get(key), dict):
                content = content[key]
                break
    if not isinstance(content, dict) or not all(isinstance(value, Tensor) for value in content.values()):
        raise ValueError(f"{path}: holds no state dict (a mapping of parameter names to tensors)")
    return {str(key): value for key, value in content.items()}
