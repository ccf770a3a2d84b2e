"""Listing a benchmark's chip files, without the hidden files copied in beside them."""

from __future__ import annotations

from pathlib import Path


def chip_files(folder: Path, pattern: str = "*") -> list[Path]:
    """The files under ``folder`` matching the glob ``pattern``, sorted, hidden ones left out.

    A name starting with ``.`` anywhere below ``folder`` is hidden: macOS writes ``.DS_Store`` into
    folders it shows and an AppleDouble ``._<name>`` beside every file it copies to a disk without
    its metadata (``._airplane_001.jpg``), which a glob for the chips matches but which holds no picture.

    Args:
        folder: the folder to search.
        pattern: a glob relative to ``folder`` (``*.png``, ``*/tiles/vv/*_vv.png``).
    """
    return sorted(
        path for path in folder.glob(pattern)
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    )
