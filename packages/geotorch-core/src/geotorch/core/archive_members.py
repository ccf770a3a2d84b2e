"""Which members of an archive may be extracted: names, links and layouts that keep every file inside its folder."""

from __future__ import annotations

import os
import posixpath
import re
import stat
import tarfile
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from geotorch.core.partial import NAME_MAX, is_partial

_SEPARATOR = re.compile(r"[/\\]")
_DRIVE = re.compile(r"[A-Za-z]:")


def _escape(name: str) -> str | None:
    """Why a member name or link target would leave the extraction folder, or None if it stays inside."""
    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        return "absolute path"
    if ".." in _SEPARATOR.split(name):
        return "'..' path component"
    return None


def name_problem(name: str) -> str | None:
    """Why a member may not be extracted under ``name``, or None if its name is fine."""
    if (reason := _escape(name)) is not None:
        return reason
    parts = _SEPARATOR.split(name)
    if any(is_partial(part) for part in parts):
        # Extracted, it would pass for an unfinished download or extraction: hidden from searches, swept.
        return "a path component named like an unfinished download or extraction"
    if any(len(os.fsencode(part)) > NAME_MAX for part in parts):
        return f"a path component longer than the {NAME_MAX} bytes file systems allow"
    return None


def layout_problems(members: Iterable[tuple[str, bool]]) -> Iterator[tuple[str, str | None]]:
    """(name, why it cannot be written beside the members before it, or None) of each (name, is a folder).

    Paths are compared as the extractors write them: without empty and ``.`` components.
    """
    folders: dict[tuple[str, ...], bool] = {}  # each path written so far: whether it is a folder
    for name, is_folder in members:
        parts = tuple(part for part in _SEPARATOR.split(name) if part not in ("", "."))
        above = [parts[:depth] for depth in range(1, len(parts))]
        if not parts:
            reason = None if is_folder else "a file named as the extraction folder itself"
        elif any(folders.get(path) is False for path in above):
            reason = "inside a path that an earlier member holds as a file or link"
        elif folders.get(parts, is_folder) != is_folder:
            earlier = "file" if is_folder else "folder"
            reason = f"a {'folder' if is_folder else 'file'} where an earlier member is a {earlier}"
        else:
            reason = None
            folders.update(dict.fromkeys(above, True))
            folders[parts] = is_folder
        yield name, reason


def tar_member_problem(member: tarfile.TarInfo) -> str | None:
    """Why extracting ``member`` is unsafe, or None if it is a plain file, folder or link that stays inside."""
    if (reason := name_problem(member.name)) is not None:
        return reason
    if member.issym():
        return symlink_problem(member.name, member.linkname)
    if member.islnk():
        if (reason := _escape(member.linkname)) is not None:
            return f"hard link to {member.linkname!r} ({reason})"
    elif not (member.isfile() or member.isdir()):
        return "device file or FIFO"
    return None


def symlink_problem(name: str, target: str) -> str | None:
    """Why a symlink ``name`` to ``target`` would point outside the extraction folder, or None."""
    if target.startswith(("/", "\\")) or _DRIVE.match(target):
        return f"symlink to the absolute path {target!r}"
    # A symlink's target is relative to the folder holding the link.
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(name), target))
    if resolved == ".." or resolved.startswith("../"):
        return f"symlink to {target!r}, outside the extraction folder"
    return None


def hard_link_problems(members: Iterable[tarfile.TarInfo]) -> Iterator[tuple[str, str | None]]:
    """(name, why it cannot be made, or None) of each member: a hard link must name an earlier file member.

    tarfile makes a hard link from the member it names, looked up among the members before it (paths
    normalised); any other target fails half-way through the extraction.
    """
    files: set[str] = set()
    for member in members:
        name = posixpath.normpath(member.name)
        if member.islnk():
            if posixpath.normpath(member.linkname) not in files:
                yield member.name, f"hard link to {member.linkname!r}, which no earlier member holds as a file"
                continue
            files.add(name)
        elif member.isfile():
            files.add(name)
        else:
            files.discard(name)
        yield member.name, None


def refuse_unsafe(src: Path, problems: Iterable[tuple[str, str | None]]) -> None:
    """Refuse the archive ``src`` at the first member of ``problems`` that has a reason, before anything is written.

    Args:
        src: the archive, for the message.
        problems: (member name, why it may not be extracted, or None) of each member.

    Raises:
        ValueError: naming the archive, the member and the reason.
    """
    for name, reason in problems:
        if reason is not None:
            raise ValueError(
                f"{src}: refusing to extract member {name!r} ({reason}); nothing was extracted. "
                "The archive is damaged or malicious: do not extract it by hand"
            )


def is_zip_symlink(info: zipfile.ZipInfo) -> bool:
    """Whether a zip member is a symlink: made on Unix (or with Unix modes) with the file type S_IFLNK."""
    return stat.S_ISLNK(info.external_attr >> 16)


def resolved_outside(folder: Path, link: Path) -> str | None:
    """Why ``link`` leads outside ``folder`` once every link on its way is followed (a chain), or None."""
    if link.resolve().is_relative_to(folder.resolve()):
        return None
    return f"symlink to {os.readlink(link)!r}, which leads outside the extraction folder through other links"
