"""The checkpoint caches: find a weights file where torch.hub or Hugging Face keeps it, else fetch it once, verified.

A URL's file is looked for, without any request, in torch.hub's checkpoint folder under the name
``torch.hub.load_state_dict_from_url`` gives it (where TorchGeo's weights land), then for ``hf.co`` URLs in the
Hugging Face cache, then in the folder earlier GeoTorch versions used. Only when none holds a copy is it
downloaded: ``hf.co`` files with ``huggingface_hub`` into the Hugging Face cache, other URLs into torch.hub's
checkpoint folder. It knows URLs, file names and hashes only; :mod:`geotorch.models.weights` hands it a
checkpoint's address. Files are read without running code (:func:`load_checkpoint`).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pathlib
import pickle
import re
import urllib.parse
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import torch
from torch import Tensor

from geotorch.core import ChecksumError, DownloadError, cache_home, download_url
from geotorch.models.errors import UnsafeCheckpointError
from geotorch.models.huggingface import (
    cached_hub_file,
    download_hub_file,
    hf_offline,
    hub_file,
    remove_hub_file,
)
from geotorch.models.verified import forget, known_sha256

#: The torchvision convention: a checkpoint's file name ends in ``-<first hex digits of its sha256>.<ext>``.
_HASH_SUFFIX = re.compile(r"-([0-9a-f]{8,64})\.[A-Za-z0-9]+$")

#: Keys under which checkpoints wrap their state dict: Lightning's ``state_dict``, others' ``model``.
_WRAPPERS = ("state_dict", "model")
#: How the files ``torch.save`` writes begin: a zip archive, or (the legacy format) a pickle's protocol opcode.
_ZIP_MAGIC, _PICKLE_PROTOCOL = b"PK\x03\x04", b"\x80"
#: What training scripts keep beside the weights (MAE's, SatMAE's and Scale-MAE's misc.save_model, timm's train.py:
#: their parsed arguments, paths among them); rebuilt from plain values, they run no code when read.
_SCRIPT_ARGUMENTS = (argparse.Namespace, pathlib.PosixPath, pathlib.PurePosixPath, pathlib.PureWindowsPath)
#: How torch names the first class its weights-only unpickler refused (``GLOBAL timm.models.resnet.ResNet``).
_GLOBAL = re.compile(r"GLOBAL ([\w.]+)")
#: How many bytes tell a safetensors file: its header's length (8 bytes, little-endian), then the header's ``{``.
_SAFETENSORS_HEAD = 9


def torch_hub_dir() -> Path:
    """torch.hub's checkpoint folder, ``$TORCH_HOME/hub/checkpoints`` (``torch.hub.get_dir()``, read at each call)."""
    return Path(torch.hub.get_dir()) / "checkpoints"


def torch_hub_filename(url: str) -> str:
    """The name ``torch.hub.load_state_dict_from_url`` saves ``url`` under: its path's last segment, as written."""
    return os.path.basename(urllib.parse.urlparse(url).path)


def weights_dir() -> Path:
    """The folder earlier GeoTorch versions downloaded checkpoints into, ``$GEOTORCH_HOME/weights``; still read."""
    return cache_home() / "weights"


def url_filename(url: str) -> str:
    """The file name at the end of ``url``'s path, unquoted."""
    return PurePosixPath(urllib.parse.unquote(urllib.parse.urlsplit(url).path)).name


def hash_prefix(filename: str) -> str | None:
    """The leading hex digits of a file's SHA-256 carried in its name (``name-1a2b3c4d.pth``), if any."""
    match = _HASH_SUFFIX.search(filename)
    return match.group(1) if match else None


@dataclass(frozen=True)
class Checksum:
    """What a checkpoint's SHA-256 must be: the publisher's full digest, else the hash suffix of its file name.

    Attributes:
        sha256: the full digest, or None.
        prefix: the leading hex digits from the file name, or None.
    """

    sha256: str | None
    prefix: str | None

    @classmethod
    def of(cls, url: str, sha256: str | None) -> Checksum:
        """The checksum of the file at ``url``: ``sha256`` when given, and the hash suffix of its name."""
        return cls(sha256.lower() if sha256 else None, hash_prefix(url_filename(url)))

    @property
    def expected(self) -> str:
        """The digest, or its known prefix followed by ``...``, for messages."""
        return self.sha256 or f"{self.prefix}..."

    def require(self, url: str, what: str = "") -> None:
        """Refuse a file that cannot be verified.

        Raises:
            ValueError: if there is neither a full digest nor a hash suffix, naming ``what`` (else ``url``).
        """
        if self.sha256 is None and self.prefix is None:
            raise ValueError(
                f"{what or url}: no sha256 and no hash suffix in {url_filename(url)!r}; refusing an unverifiable file"
            )

    def matches(self, digest: str) -> bool:
        """Whether a file with SHA-256 ``digest`` is the checkpoint."""
        return digest == self.sha256 if self.sha256 else digest.startswith(self.prefix or "")


def find_checkpoint(url: str, sha256: str | None = None, check_hash: bool = True, what: str = "") -> Path | None:
    """The cached copy of ``url``'s file, found without any request, or None when no cache holds a good one.

    The places, in order: torch.hub's checkpoint folder under torch.hub's name for ``url``, the Hugging Face cache
    (``hf.co`` URLs), then :func:`weights_dir`. With ``check_hash``, a copy counts only if its SHA-256 matches;
    one that does not is passed over with a warning (it is the user's file: it is not removed here). A digest is
    computed once per version of a file and remembered (:mod:`geotorch.models.verified`): loading the same file
    again reads no byte of it to verify it, and a file written or replaced since is hashed again.

    Args:
        url: the checkpoint's address.
        sha256: the file's full SHA-256, when the publisher states it.
        check_hash: whether to verify a copy before using it.
        what: what the file is (a registered weight name), for messages.

    Returns:
        The first good copy, or None.

    Raises:
        ValueError: if ``check_hash`` and there is neither ``sha256`` nor a hash suffix to verify with.
    """
    checksum = Checksum.of(url, sha256)
    if check_hash:
        checksum.require(url, what)
    file = hub_file(url)
    places = [torch_hub_dir() / torch_hub_filename(url), weights_dir() / url_filename(url)]
    if file is not None and (cached := cached_hub_file(file)) is not None:
        places.insert(1, cached)
    for path in places:
        if not path.is_file():
            continue
        if not check_hash or checksum.matches(digest := known_sha256(path)):
            return path
        warnings.warn(
            f"{what or url}: {path} is not the published file (sha256 {digest}, expected {checksum.expected}); "
            "not used",
            stacklevel=3,
        )
    return None


def download_checkpoint(
    url: str,
    sha256: str | None = None,
    root: str | Path | None = None,
    progress: bool = True,
    what: str = "",
    check_hash: bool = True,
) -> Path:
    """The checkpoint at ``url``: a cached copy (:func:`find_checkpoint`), else downloaded once and verified.

    A download is always verified, whatever ``check_hash`` says: its SHA-256 must equal ``sha256``, else start
    with the hash suffix of its file name (torchvision's convention). ``hf.co`` files go into the Hugging Face
    cache through ``huggingface_hub`` (``HF_HOME``, ``HF_HUB_CACHE``, ``HF_ENDPOINT`` and ``HF_HUB_OFFLINE``
    honoured), replacing a copy there that does not match (damaged); a download that does not match is removed
    from it. Other URLs go into torch.hub's checkpoint folder
    through :func:`geotorch.core.download_url`, which checks the bytes as they arrive, into a locked partial file
    that gets the final name only once it matches: a download killed at any point (SIGKILL included) leaves only
    that partial file, which the next download of the same file removes, while one still being written by
    another process is left alone.

    Args:
        url: the https address of the checkpoint.
        sha256: the file's full SHA-256, when the publisher states it.
        root: a folder to keep it in instead of the caches (only that folder is looked in and written to); a
            copy there is always verified (its digest remembered per version of the file, as in the caches).
        progress: whether to show a progress bar (``hf.co`` downloads show huggingface_hub's, unless
            ``HF_HUB_DISABLE_PROGRESS_BARS`` is set).
        what: what the file is (a registered weight name), for messages; the URL when empty.
        check_hash: whether a cached copy is verified before it is used (torch.hub's ``check_hash``).

    Returns:
        The path of the file.

    Raises:
        ValueError: if there is neither ``sha256`` nor a hash suffix in the file name.
        geotorch.core.ChecksumError: if the received file does not match; it is not kept.
        geotorch.core.DownloadError: if the file is in no cache and cannot be fetched (no network, HTTP error,
            ``HF_HUB_OFFLINE`` set for an ``hf.co`` file); the one-line message says where to put the file.
    """
    checksum = Checksum.of(url, sha256)
    checksum.require(url, what)
    if root is not None:
        kept = Path(root).expanduser() / url_filename(url)
        if kept.is_file() and checksum.matches(known_sha256(kept)):
            return kept
        return _download_url(url, Path(root), url_filename(url), checksum, progress)
    found = find_checkpoint(url, sha256, check_hash, what)
    if found is not None:
        return found
    file = hub_file(url)
    if file is None:
        return _download_url(url, torch_hub_dir(), torch_hub_filename(url), checksum, progress)
    place = torch_hub_dir() / torch_hub_filename(url)
    if hf_offline():
        raise DownloadError(url, f"HF_HUB_OFFLINE is set and no cache holds the file; put it at {place}")
    try:
        # A copy the cache holds here failed verification above; hf_hub_download would hand it back as it is.
        path = download_hub_file(file, force=cached_hub_file(file) is not None)
    except OSError as error:
        raise DownloadError(url, f"{error}; to work offline, put the file at {place}") from None
    actual = known_sha256(path)
    if not checksum.matches(actual):
        forget(path)
        remove_hub_file(path)
        raise ChecksumError(path, "sha256", checksum.expected, actual)
    return path


def _download_url(url: str, folder: Path, filename: str, checksum: Checksum, progress: bool) -> Path:
    """Download ``url`` into ``folder`` through :func:`geotorch.core.download_url`, verified by ``checksum``."""
    try:
        if checksum.sha256 is not None:
            return download_url(url, folder, filename, sha256=checksum.sha256, progress=progress)
        return download_url(url, folder, filename, progress=progress, sha256_prefix=checksum.prefix)
    except DownloadError as error:
        raise DownloadError(url, f"{error.reason}; to work offline, put the file at {folder / filename}") from None


def load_checkpoint(path: str | Path, map_location: str | torch.device = "cpu") -> dict[str, Tensor]:
    """Read a state dict saved with ``torch.save`` or as a safetensors file, running no code from it.

    A checkpoint that wraps its state dict under ``state_dict`` (a Lightning ``.ckpt``) or ``model`` is
    unwrapped; its keys are returned as saved (prefixes such as a task's ``model.`` included). A training
    script's checkpoint holding its parsed arguments (an ``argparse.Namespace``, paths in it) is read too. A safetensors
    file (Hugging Face's format, whatever its name) is known by its header and read with ``safetensors``.

    Args:
        path: the checkpoint file.
        map_location: where to put the tensors (``torch.load``'s ``map_location``).

    Returns:
        The parameter name -> tensor mapping.

    Raises:
        UnsafeCheckpointError: if the file holds objects ``torch.load(..., weights_only=True)`` refuses.
        ValueError: if the file is not a readable checkpoint (a truncated or damaged one) or holds no state dict.
    """
    try:
        with open(path, "rb") as file:
            head = file.read(_SAFETENSORS_HEAD)
        if is_safetensors(head):
            return _load_safetensors(path, map_location)
        if head[:4] != _ZIP_MAGIC and head[:1] != _PICKLE_PROTOCOL:
            found = "an empty file" if not head else "neither torch.save's zip archive nor a pickle"
            raise ValueError(f"{path}: not a PyTorch checkpoint ({found})")
        with _allowing_script_arguments():
            content = torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as error:
        refused = _GLOBAL.search(str(error))
        raise UnsafeCheckpointError(
            f"{path}: refused, it holds objects other than tensors and plain containers"
            f"{f' ({refused.group(1)})' if refused else ''}, and unpickling them could run code; GeoTorch loads "
            "weights only with torch.load(weights_only=True): a whole model saved with torch.save(model), or a "
            "training checkpoint with its arguments? save the model's state_dict() alone"
        ) from error
    except (RuntimeError, EOFError, OSError) as error:
        if is_torchscript(path):
            raise ValueError(
                f"{path}: a TorchScript archive (torch.jit.save), not a state dict; GeoTorch reads weights without "
                "running code: save the model's state_dict() with torch.save and give that file"
            ) from error
        raise ValueError(f"{path}: not a readable PyTorch checkpoint ({error})") from error
    if isinstance(content, dict):
        for key in _WRAPPERS:
            if isinstance(content.get(key), dict):
                content = content[key]
                break
    if not isinstance(content, dict) or not all(isinstance(value, Tensor) for value in content.values()):
        raise ValueError(f"{path}: holds no state dict (a mapping of parameter names to tensors)")
    return {str(key): value for key, value in content.items()}


def _allowing_script_arguments() -> contextlib.AbstractContextManager[object]:
    """A context in which ``torch.load(weights_only=True)`` also rebuilds :data:`_SCRIPT_ARGUMENTS` (torch 2.5+)."""
    allowing = getattr(torch.serialization, "safe_globals", None)
    return allowing(list(_SCRIPT_ARGUMENTS)) if allowing is not None else contextlib.nullcontext()


def is_torchscript(path: str | Path) -> bool:
    """Whether ``path`` is a TorchScript archive: a zip archive holding the model's code and ``constants.pkl``."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (OSError, zipfile.BadZipFile):
        return False
    return any(name.endswith("/constants.pkl") for name in names) and any("/code/" in name for name in names)


def is_safetensors(head: bytes) -> bool:
    """Whether a file beginning with ``head`` is a safetensors file: 8 bytes of header length, then its JSON."""
    return len(head) >= _SAFETENSORS_HEAD and head[8:9] == b"{" and 2 <= int.from_bytes(head[:8], "little") < 1 << 32


def _load_safetensors(path: str | Path, map_location: str | torch.device) -> dict[str, Tensor]:
    """The tensors of a safetensors file on ``map_location``, or ValueError naming the file if it is damaged."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    try:
        return load_file(path, device=str(map_location))
    except (SafetensorError, OSError, RuntimeError) as error:
        raise ValueError(f"{path}: not a readable safetensors file ({error})") from error
