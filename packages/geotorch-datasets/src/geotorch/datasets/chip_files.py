"""Listing a benchmark's chip files, without the hidden files copied in beside them."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from geotorch.core import DatasetNotFoundError, check_utf8_path


def is_hidden(name: str) -> bool:
    """Whether a file or folder name is one macOS adds beside the chips, holding no picture.

    macOS writes ``.DS_Store`` into folders it shows, an AppleDouble ``._<name>`` beside every file it copies
    to a disk without its metadata (``._airplane_001.jpg``, which a glob for the chips matches), and puts
    those of a zip it makes under ``__MACOSX/``; any other name starting with ``.`` is hidden too.
    """
    return name.startswith(".") or name == "__MACOSX"


def chip_files(folder: Path, pattern: str = "*") -> list[Path]:
    """The files under ``folder`` matching the glob ``pattern``, sorted, hidden ones left out.

    A file is hidden when its name or a folder's below ``folder`` is (:func:`is_hidden`).

    Args:
        folder: the folder to search.
        pattern: a glob relative to ``folder`` (``*.png``, ``*/tiles/vv/*_vv.png``).

    Raises:
        ValueError: if a file's name is not UTF-8 (a Latin-1 name from an old archive), naming its bytes:
            GDAL could not open it.
    """
    found = sorted(
        path for path in folder.glob(pattern)
        if path.is_file() and not any(is_hidden(part) for part in path.relative_to(folder).parts)
    )
    for path in found:
        check_utf8_path(path)
    return found


def check_files_present(dataset: str, where: Path, files: Iterable[Path]) -> None:
    """Check that every file the samples of a dataset name is there, before the first sample is read.

    A label or partner file missing from an archive extracted in part would otherwise fail at its first read,
    which may come hours into training.

    Args:
        dataset: the dataset's name, for the message.
        where: the folder the dataset was opened on.
        files: the files its samples read.

    Raises:
        DatasetNotFoundError: if a file is missing, naming the first three and their count.
    """
    missing = [path for path in files if not path.is_file()]
    if missing:
        shown = ", ".join(str(path) for path in missing[:3]) + (", ..." if len(missing) > 3 else "")
        raise DatasetNotFoundError(dataset, where, (
            f"{len(missing)} file(s) its samples read are missing ({shown}): the archive was extracted in part; "
            "extract it again"
        ))
