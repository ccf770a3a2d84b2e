"""Making a dataset's files present: use what is on disk, else extract, else download, else explain."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from geotorch.core.archive import extract_archive, extract_or_remove
from geotorch.core.download import calculate_md5, calculate_sha256, download_url, inside_root
from geotorch.core.errors import ChecksumError, DamagedArchiveError, DatasetNotFoundError
from geotorch.core.partial import abandoned, partial_stem, sweep


@dataclass(frozen=True)
class Resource:
    """One downloadable file of a dataset.

    Attributes:
        url: where the publisher serves it (https).
        filename: its name in the dataset's root folder.
        md5: its published MD5 checksum, when known.
        sha256: its SHA-256 checksum, when known.
        extract: unpack it into the root folder after download.
    """

    url: str
    filename: str
    md5: str | None = None
    sha256: str | None = None
    extract: bool = True

    def __post_init__(self) -> None:
        """Refuse a ``filename`` that could lead outside the root folder: it is verified, removed and extracted there.

        Raises:
            ValueError: as :func:`geotorch.core.download.inside_root`, naming the filename.
        """
        inside_root(self.filename, "Resource: filename")


def ensure_present(
    dataset: str,
    root: Path,
    resources: Sequence[Resource],
    is_present: Callable[[], bool],
    download: bool,
    checksum: bool,
    manual: str = "",
) -> None:
    """Make sure a dataset's files are in ``root``, doing as little as possible.

    In order: files already there (``is_present()``) are used as they are; an
    archive already downloaded is verified (when ``checksum``) and extracted;
    otherwise, when ``download`` is True, each resource is fetched, verified
    and extracted. A dataset with no resources cannot be downloaded and says
    where to get it. A dataset with resources and a ``manual`` hint (its
    archives need a registration or a client) is never fetched: an archive the
    user placed in ``root`` is verified and extracted, a missing one is a
    :class:`DatasetNotFoundError` carrying the hint.

    A process killed mid-way leaves no file under a final name, only hidden
    partial downloads and staging folders (:mod:`geotorch.core.partial`).
    Partial downloads abandoned in ``root`` are removed first. An extraction
    into ``root`` that was cut short leaves part of its archive's files in
    place, so ``is_present()`` is not trusted then: that archive is extracted
    again, whether or not it is among ``resources`` (fetched first if it is
    among them and missing). An abandoned extraction of an archive that is
    neither among ``resources`` nor in ``root`` belongs to no one we know
    (``root`` may be shared) and is left alone.

    An archive that no checksum verified and that fails to extract because it
    is damaged (cut short, altered, or no archive at all: an error page) is
    removed, so that it is not taken for a download already done: the next
    attempt downloads it again.

    Args:
        dataset: the dataset's name, for messages.
        root: the folder that holds (or will hold) the data.
        resources: what to download.
        is_present: whether the extracted data is complete in ``root``.
        download: fetch what is missing.
        checksum: verify archives against their published checksums.
        manual: how to obtain the data by hand, for datasets that cannot be downloaded; their
            ``resources`` then name the archives to place in ``root``.

    Raises:
        DatasetNotFoundError: if the data is missing and cannot or may not be downloaded (naming the first
            missing resource's file), or if an unverified archive was damaged (it was removed; the message says so).
        ChecksumError: if a downloaded or existing archive fails verification.
    """
    _sweep_unresumable(root, resources)
    known = {resource.filename for resource in resources}
    unfinished = _unfinished(root, known)
    if not unfinished and is_present():
        return
    # An archive whose extraction was cut short was verified before; only its name is needed to redo it.
    todo = [*resources, *(Resource("", name) for name in unfinished if name not in known)]
    if not todo:
        raise DatasetNotFoundError(dataset, root, manual or "it cannot be downloaded automatically")
    for resource in todo:
        path = root / resource.filename
        if path.is_file() and checksum:
            try:
                verify_checksum(path, resource.md5, resource.sha256)
            except ChecksumError as damaged:
                path.unlink()
                if manual or not download:
                    raise ChecksumError(path, damaged.algorithm, damaged.expected, damaged.actual) from None
        if not path.is_file():
            if manual:
                raise DatasetNotFoundError(dataset, root, f"{resource.filename} is missing; {manual}")
            if not download:
                # Name the file: the images may all be there and only a split file missing.
                raise DatasetNotFoundError(dataset, root, (
                    f"pass download=True to fetch it, or point root at a folder that holds it ({resource.filename} "
                    "is missing)"
                ))
            download_url(
                resource.url,
                root,
                resource.filename,
                md5=resource.md5 if checksum else None,
                sha256=resource.sha256 if checksum else None,
            )
        if resource.extract or resource.filename in unfinished:
            verified = checksum and (resource.md5 is not None or resource.sha256 is not None)
            _extract(dataset, path, root, verified, manual or "construct it again with download=True to fetch it")
    if not is_present():
        raise DatasetNotFoundError(dataset, root, "the files in it do not have the layout this dataset expects")


def _sweep_unresumable(root: Path, resources: Sequence[Resource]) -> None:
    """Remove the abandoned partial downloads in ``root``, but those of resources still to fetch.

    :func:`geotorch.core.download.download_url` resumes those (or removes them) when it fetches their file.
    """
    fetched = {
        partial_stem(resource.filename)
        for resource in resources
        if "/" not in resource.filename and not (root / resource.filename).is_file()
    }
    for name in abandoned(root, "part"):
        if name not in fetched:
            sweep(root, "part", name)


def _unfinished(root: Path, known: set[str]) -> list[str]:
    """The archives whose extraction into ``root`` was abandoned: among ``known`` or still in ``root``.

    Another dataset may share root: an archive that is neither this one's nor still here is left alone.
    """
    stems = abandoned(root, "extract")
    if not stems:
        return []
    # A staging folder spells a long archive name shortened: map each candidate's spelling back to its name.
    files = [entry.name for entry in os.scandir(root) if entry.is_file()]
    names = {partial_stem(name): name for name in [*files, *known]}
    return [names[stem] for stem in stems if stem in names]


def _extract(dataset: str, path: Path, root: Path, verified: bool, hint: str) -> None:
    """Extract ``path`` into ``root``; an unverified archive found damaged is removed, naming it."""
    if verified:
        extract_archive(path, root)
        return
    try:
        extract_or_remove(path, root)
    except DamagedArchiveError as err:
        raise DatasetNotFoundError(
            dataset, root, f"{path.name} was damaged ({err.damage}) and was removed; {hint}"
        ) from err


def verify_checksum(path: Path, md5: str | None = None, sha256: str | None = None) -> None:
    """Check a file against its published checksums, reading it once per checksum given.

    Unlike :func:`~geotorch.core.check_integrity`, says which checksum fails and what the file has.

    Args:
        path: the file.
        md5: its published MD5 (hexadecimal, any case), or None to skip.
        sha256: its published SHA-256 (hexadecimal, any case), or None to skip.

    Raises:
        ChecksumError: naming the file, the algorithm, the published and the actual checksum; the file is
            kept (``kept`` is True).
    """
    if md5 is not None and (actual := calculate_md5(path)) != md5.lower():
        raise ChecksumError(path, "md5", md5, actual, kept=True)
    if sha256 is not None and (actual := calculate_sha256(path)) != sha256.lower():
        raise ChecksumError(path, "sha256", sha256, actual, kept=True)
