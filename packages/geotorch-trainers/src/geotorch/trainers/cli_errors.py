"""jsonargparse's parse errors, as one line a newcomer reads: the option, what was wrong, the value given."""

from __future__ import annotations

import difflib
import importlib
import inspect
import re
import shlex
import textwrap
from collections.abc import Iterable
from pathlib import Path

from geotorch.trainers.configs import SUFFIXES, nearest_config

#: The first line of jsonargparse's error for a value no member of an ``X | None`` union accepts.
_UNION = re.compile(r'^Parser key "(?P<key>[^"]+)":\n\s+Does not validate against any of the Union subtypes\n')
_NONE_ERROR = "Expected a <class 'NoneType'>"
#: jsonargparse's refusal of a key no section has (``trainer.max_epoch``), and of an argument a class does not take.
_UNKNOWN_KEY = re.compile(r"does not accept option '(?P<key>[^']+)'")
_UNKNOWN_ARGUMENT = re.compile(r"Problem with given class_path '(?P<class_path>[^']+)': Option '(?P<key>[^']+)' "
                               r"is not accepted")
#: jsonargparse's error for a class-typed option given a name no class has (``--optimizer=Adamw``).
_NO_CLASS = re.compile(r'^Parser key "(?P<key>[^"]+)":\s+- Expected a path but (?P<value>.+) either not accessible '
                       r"or invalid\n\s+- Does not validate against any of the Union subtypes\n\s+Subtypes: "
                       r"\[[^\n]*?<class '(?P<base>[\w.]+)'>")
#: How argparse begins its error for arguments no option takes (``geotorch fit quickstart``).
_UNRECOGNIZED = "unrecognized arguments: "
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
    no_class = _NO_CLASS.match(message)
    if no_class is not None:
        return _no_class_line(no_class["key"], no_class["value"], no_class["base"])
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


def _no_class_line(key: str, value: str, base: str) -> str:
    """``optimizer: 'Adamw' names no importable subclass of torch.optim.optimizer.Optimizer (did you mean 'AdamW'?)``.

    The class meant is the subclass of ``base`` (imported so far) whose name is nearest the given one's last part,
    in any case (``Adamw``: ``AdamW``; ``lightning.pytorch.loggers.CSVLoger``: ``CSVLogger``).
    """
    module, _, name = base.rpartition(".")
    try:
        known = sorted({found.__name__ for found in _subclasses(getattr(importlib.import_module(module), name))
                        if not found.__name__.startswith("_")})
    except (ImportError, AttributeError):
        known = []
    given = value.rpartition(".")[2]
    folded = {candidate.casefold(): candidate for candidate in known}
    close = difflib.get_close_matches(given.casefold(), list(folded), n=1, cutoff=0.8)
    hint = (f" (did you mean {folded[close[0]]!r}?)" if close
            else "; give a class name or its import path (module.Class)")
    return f"{key}: {value!r} names no importable subclass of {base}{hint}"


def _subclasses(base: type) -> set[type]:
    """Every subclass of ``base`` defined so far, at any depth."""
    found: set[type] = set()
    pending: list[type] = [base]
    while pending:
        subclass: type
        for subclass in pending.pop().__subclasses__():
            if subclass not in found:
                found.add(subclass)
                pending.append(subclass)
    return found


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


def with_key_meant(line: str, keys: Iterable[str]) -> str:
    """``line`` naming the key a refused one most likely means: ``... option 'trainer.max_epoch' (did you mean ...)``.

    Args:
        line: a parse error, as :func:`parse_error_line` gives it.
        keys: every key the subcommand accepts (``trainer.max_epochs``, ``seed_everything``, ...), for a key
            no section has; an argument a class does not take is compared with its ``__init__``'s.

    Returns:
        ``line`` with `` (did you mean 'KEY'?)`` when a key is spelt near the refused one; for another argument
        of a class that passes keywords it does not name on (``**kwargs``: a datamodule's to its dataset, as
        ``root``), with how jsonargparse takes those (``--data.dict_kwargs.root``); else ``line``.
    """
    unknown = _UNKNOWN_KEY.search(line)
    argument = _UNKNOWN_ARGUMENT.search(line)
    if unknown is not None:
        refused, known = unknown["key"], list(keys)
    elif argument is not None:
        refused, known = argument["key"], _init_arguments(argument["class_path"])
    else:
        return line
    close = difflib.get_close_matches(refused, known, n=1, cutoff=0.8)
    if close:
        return f"{line} (did you mean {close[0]!r}?)"
    if argument is not None and _passes_keywords_on(argument["class_path"]):
        section = line.partition(":")[0]
        return (f"{line}: {argument['class_path'].rpartition('.')[2]} passes the keywords it does not name on "
                f"(**kwargs): give it as --{section}.dict_kwargs.{refused}=VALUE, or under dict_kwargs: in the "
                f"config's {section}: section")
    return line


def _passes_keywords_on(class_path: str) -> bool:
    """Whether the class ``class_path`` takes keywords it does not name (``**kwargs``); False if not importable."""
    module, _, name = class_path.rpartition(".")
    try:
        parameters = inspect.signature(getattr(importlib.import_module(module), name)).parameters
    except (ImportError, AttributeError, ValueError, TypeError):
        return False
    return any(parameter.kind is inspect.Parameter.VAR_KEYWORD for parameter in parameters.values())


def _init_arguments(class_path: str) -> list[str]:
    """The names of the arguments the class ``class_path`` is built with; [] if it cannot be imported."""
    module, _, name = class_path.rpartition(".")
    try:
        parameters = inspect.signature(getattr(importlib.import_module(module), name)).parameters
    except (ImportError, AttributeError, ValueError, TypeError):
        return []
    variadic = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    return [parameter.name for parameter in parameters.values() if parameter.kind not in variadic]


def with_config_option(line: str, command: str) -> str:
    """``line`` saying how a config is given when an argument no option took is one (``geotorch fit quickstart``).

    Args:
        line: a parse error, as :func:`parse_error_line` gives it.
        command: the command that failed (``geotorch fit``), repeated in the command the hint suggests.

    Returns:
        ``line`` with ``: a config is given with --config: `geotorch fit --config quickstart``` when an
        unrecognized argument is a YAML file's name or (in any case, or spelt near) a shipped config's, else ``line``.
    """
    if not line.startswith(_UNRECOGNIZED):
        return line
    for word in line.removeprefix(_UNRECOGNIZED).split():
        meant = word if Path(word).suffix in SUFFIXES else nearest_config(word)
        if meant is not None:
            return f"{line}: a config is given with --config: `{command} --config {shlex.quote(meant)}`"
    return line
