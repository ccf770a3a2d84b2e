"""Reading a benchmark's JSON annotations and label files, a damaged or foreign one named."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def read_json(path: Path, owner: str, keys: Sequence[str]) -> dict[str, Any]:
    """The JSON object in ``path``, checked to hold ``keys``.

    Args:
        path: the file (UTF-8, with or without a byte-order mark).
        owner: the dataset's name, for messages.
        keys: the keys the dataset reads.

    Raises:
        ValueError: if the file is not JSON (a download cut short, an HTML error page saved under its name),
            not a JSON object, or lacks one of ``keys``, naming it.
    """
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{owner}: {path} is not a JSON file ({error}): fetch or extract it again") from error
    found: dict[str, Any] = document if isinstance(document, dict) else {}
    missing = [key for key in keys if key not in found]
    if missing:
        raise ValueError(f"{owner}: {path} holds no {missing}: it is not the dataset's file; fetch or extract it again")
    return found
