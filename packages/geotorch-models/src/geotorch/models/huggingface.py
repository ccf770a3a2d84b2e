"""Files on the Hugging Face Hub (``hf.co`` URLs): where the Hugging Face cache keeps them, and fetching them there.

The environment is read at each call, not at import: ``HF_HUB_CACHE``, ``HF_HOME`` and ``XDG_CACHE_HOME``
place the cache, ``HF_HUB_OFFLINE`` forbids requests and ``HF_ENDPOINT`` names the server, as
``huggingface_hub`` reads them.
"""

from __future__ import annotations

import os
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

#: Hosts whose ``/<owner>/<repo>/resolve/<revision>/<file>`` URLs are files of a Hugging Face repository.
HF_HOSTS = ("hf.co", "huggingface.co", "www.huggingface.co")

#: Path prefixes of repositories that are not models.
_REPO_TYPES = {"datasets": "dataset", "spaces": "space"}

#: The spellings of true that ``huggingface_hub`` accepts in its boolean variables.
_TRUE = ("1", "ON", "YES", "TRUE")


@dataclass(frozen=True)
class HubFile:
    """One file of a Hugging Face repository, at one revision.

    Attributes:
        repo_id: ``owner/name`` (``torchgeo/dofa``).
        filename: the file's path in the repository.
        revision: a commit hash, branch or tag.
        repo_type: ``model``, ``dataset`` or ``space``.
    """

    repo_id: str
    filename: str
    revision: str
    repo_type: str = "model"


def hub_file(url: str) -> HubFile | None:
    """The repository file an ``https://hf.co/<owner>/<repo>/resolve/<revision>/<file>`` URL names, else None."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "https" or parts.hostname not in HF_HOSTS:
        return None
    segments = [urllib.parse.unquote(segment) for segment in parts.path.strip("/").split("/")]
    repo_type = _REPO_TYPES.get(segments[0], "model") if segments else "model"
    if repo_type != "model":
        segments = segments[1:]
    if len(segments) < 5 or segments[2] != "resolve":
        return None
    owner, name, _, revision, *path = segments
    return HubFile(f"{owner}/{name}", "/".join(path), revision, repo_type)


def hf_cache_dir() -> Path:
    """The Hugging Face cache: ``$HF_HUB_CACHE``, else ``$HF_HOME/hub``, else ``$XDG_CACHE_HOME/huggingface/hub``."""
    configured = os.environ.get("HF_HUB_CACHE") or os.environ.get("HUGGINGFACE_HUB_CACHE")
    if configured:
        return Path(os.path.expandvars(configured)).expanduser()
    home = os.environ.get("HF_HOME")
    if not home:
        home = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.join("~", ".cache"), "huggingface")
    return Path(os.path.expandvars(home)).expanduser() / "hub"


def hf_offline() -> bool:
    """Whether ``HF_HUB_OFFLINE`` (or ``TRANSFORMERS_OFFLINE``) forbids requests to the Hub, now or at its import."""
    from huggingface_hub import constants

    value = os.environ.get("HF_HUB_OFFLINE") or os.environ.get("TRANSFORMERS_OFFLINE") or ""
    return value.upper() in _TRUE or bool(constants.HF_HUB_OFFLINE)


def cached_hub_file(file: HubFile) -> Path | None:
    """The file in the Hugging Face cache, without any request, or None when it is not there."""
    from huggingface_hub import try_to_load_from_cache

    found = try_to_load_from_cache(
        file.repo_id, file.filename, cache_dir=hf_cache_dir(), revision=file.revision, repo_type=file.repo_type
    )
    return Path(found) if isinstance(found, str) else None


def download_hub_file(file: HubFile, force: bool = False) -> Path:
    """Fetch the file into the Hugging Face cache with ``hf_hub_download`` (which writes it atomically).

    huggingface_hub shows its own progress bar, unless ``HF_HUB_DISABLE_PROGRESS_BARS`` is set.

    Args:
        file: the repository file.
        force: fetch it even though the cache holds a copy (one found damaged), replacing that copy.

    Returns:
        The cached file (a link into the cache's blobs on systems with links).

    Raises:
        OSError: if it cannot be fetched (no network, HTTP error, ``HF_HUB_OFFLINE`` set); the message is the
            Hub client's.
    """
    from huggingface_hub import hf_hub_download

    try:
        found = hf_hub_download(
            file.repo_id,
            file.filename,
            revision=file.revision,
            repo_type=file.repo_type,
            cache_dir=hf_cache_dir(),
            local_files_only=hf_offline(),
            force_download=force,
            endpoint=os.environ.get("HF_ENDPOINT") or None,
        )
    except (OSError, ConnectionError) as error:
        raise OSError(str(error).splitlines()[0] if str(error) else type(error).__name__) from error
    return Path(found)


def remove_hub_file(path: Path) -> None:
    """Remove a cached file and the blob its link points at, so a damaged download does not stay in the cache."""
    blob = path.resolve()
    path.unlink(missing_ok=True)
    if blob != path:
        blob.unlink(missing_ok=True)
