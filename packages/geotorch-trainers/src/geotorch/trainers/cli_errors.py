"""jsonargparse's parse errors, as one line a newcomer reads: the option, what was wrong, the value given."""

from __future__ import annotations

import re

#: The first line of jsonargparse's error for a value no member of an ``X | None`` union accepts.
_UNION = re.compile(r'^Parser key "(?P<key>[^"]+)":\n\s+Does not validate against any of the Union subtypes\n')
_NONE_ERROR = "Expected a <class 'NoneType'>"


def parse_error_line(message: str) -> str:
    """``message`` on one line; for an optional option (``X | None``) only what ``X`` refused, and the value given.

    ``Parser key "trainer.max_epochs": Does not validate against any of the Union subtypes ... Expected a
    <class 'int'> ... Given value: one`` becomes ``trainer.max_epochs: Expected a <class 'int'>; given: one``.
    A message of another form is kept, its lines joined.
    """
    union = _UNION.match(message)
    errors, _, given = message.partition("\n  Given value type:")
    _, found, listed = errors.partition("\n  Errors:\n")
    if union is None or not found:
        return " ".join(message.split())
    entries = [" ".join(entry.split()) for entry in re.split(r"\n    - ", "\n" + listed.rstrip("\n"))[1:]]
    kept = [entry for entry in entries if entry != _NONE_ERROR] or entries
    value = given.partition("Given value:")[2].strip()
    said = "; ".join(kept)
    suffix = f"; given: {value}" if value and "Got value" not in said and "is not accepted" not in said else ""
    return f"{union['key']}: {said}{suffix}"
