"""jsonargparse's parse errors, as one line a newcomer reads: the option, what was wrong, the value given."""

from __future__ import annotations

import re
import textwrap

#: The first line of jsonargparse's error for a value no member of an ``X | None`` union accepts.
_UNION = re.compile(r'^Parser key "(?P<key>[^"]+)":\n\s+Does not validate against any of the Union subtypes\n')
_NONE_ERROR = "Expected a <class 'NoneType'>"
#: How argparse begins its error for required options not given.
_REQUIRED = "the following arguments are required: "
#: What each section a subcommand requires holds, as a newcomer's error names it.
_SECTIONS = {"model": "task (model:)", "data": "datamodule (data:)"}


def parse_error_line(message: str) -> str:
    """``message`` on one line; for an optional option (``X | None``) only what ``X`` refused, and the value given.

    ``Parser key "trainer.max_epochs": Does not validate against any of the Union subtypes ... Expected a
    <class 'int'> ... Given value: one`` becomes ``trainer.max_epochs: Expected a <class 'int'>; given: one``.
    An optional argument of a configured class (``model``'s ``ignore_index: nodata``) is reported inside its
    class's entry, condensed the same way: ``model: Problem with given class_path '...SemanticSegmentationTask':
    ignore_index: Expected a <class 'int'>; given: nodata``, not the class's whole ``init_args``. A message of
    another form is kept, its lines joined.
    """
    missing = _missing_sections(message)
    if missing:
        return (f"no {' and no '.join(missing)} given: give a config, --config NAME_OR_FILE (`geotorch configs` "
                "lists the shipped ones: --config quickstart), or the classes, --model CLASS and --data CLASS")
    union = _UNION.match(message)
    errors, _, given = message.partition("\n  Given value type:")
    _, found, listed = errors.partition("\n  Errors:\n")
    if union is None or not found:
        return " ".join(message.split())
    entries = [_entry_line(entry) for entry in re.split(r"\n    - ", "\n" + listed.rstrip("\n"))[1:]]
    kept = [entry for entry in entries if entry != _NONE_ERROR] or entries
    value = given.partition("Given value:")[2].strip()
    said = "; ".join(kept)
    quiet = ("Got value", "is not accepted", "; given: ")
    suffix = f"; given: {value}" if value and not any(words in said for words in quiet) else ""
    return f"{union['key']}: {said}{suffix}"


def _entry_line(entry: str) -> str:
    """One entry of a union's errors on one line; a union error nested under its first line condensed too."""
    head, _, rest = entry.partition("\n")
    nested = textwrap.dedent(rest)
    if _UNION.match(nested):
        return f"{' '.join(head.split())} {parse_error_line(nested)}"
    return " ".join(entry.split())


def _missing_sections(message: str) -> list[str]:
    """What the ``model`` and ``data`` sections hold, for those a "required" error names (``fit.model``); else []."""
    if not message.startswith(_REQUIRED):
        return []
    keys = [key.strip().rpartition(".")[2] for key in message.removeprefix(_REQUIRED).split(",")]
    if not keys or any(key not in _SECTIONS for key in keys):
        return []
    return [_SECTIONS[section] for section in _SECTIONS if section in keys]
