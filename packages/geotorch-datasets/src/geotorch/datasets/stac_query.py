"""The STAC query extension's object from ``--query`` strings, each checked: none is dropped unread."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

#: The query extension's operators, by the sign a ``PROPERTY<OP>VALUE`` string uses (pystac-client's signs).
OPERATORS = {">=": "gte", "<=": "lte", "<>": "neq", "=": "eq", ">": "gt", "<": "lt"}
_CONDITION = re.compile(r"\s*(?P<name>[^<>=\s][^<>=]*?)\s*(?P<sign>>=|<=|<>|=|>|<)\s*(?P<value>[^<>=\s].*?)\s*")


def query_object(texts: Sequence[str]) -> dict[str, Any]:
    """The query extension's object the strings ``texts`` ask for, merged.

    Each string is a JSON object (``{"eo:cloud_cover": {"lt": 20}}``) or ``PROPERTY<OP>VALUE`` with OP one
    of ``>= <= <> = > <`` (``eo:cloud_cover<20``). A VALUE that is a JSON number, boolean or quoted string
    is sent as that (``20`` as the number 20, not the text "20"), else as its text (``2020-01-01``).
    Conditions on one property are merged (``eo:cloud_cover>=5`` and ``eo:cloud_cover<20``).

    Raises:
        ValueError: naming the string, if it is JSON but no object, or no ``PROPERTY<OP>VALUE``
            (``foo``, ``eo:cloud_cover<<20``): pystac-client leaves such a string out of the search.
    """
    query: dict[str, Any] = {}
    for text in texts:
        if text.lstrip().startswith(("{", "[")):
            try:
                given = json.loads(text)
            except json.JSONDecodeError as error:
                raise ValueError(f"query {text!r} is not valid JSON: {error}") from None
            if not isinstance(given, dict) or not all(isinstance(value, dict) for value in given.values()):
                raise ValueError(f"query {text!r}: a JSON query maps properties to conditions "
                                 '({"eo:cloud_cover": {"lt": 20}})')
            for name, conditions in given.items():
                query.setdefault(name, {}).update(conditions)
            continue
        match = _CONDITION.fullmatch(text)
        if match is None:
            raise ValueError(f"query {text!r} is no PROPERTY<OP>VALUE (OP one of {' '.join(OPERATORS)}, as in "
                             "eo:cloud_cover<20) nor a JSON object")
        query.setdefault(match["name"], {})[OPERATORS[match["sign"]]] = _value(match["value"])
    return query


def _value(text: str) -> Any:
    """A condition's value: the JSON number, boolean or string ``text`` spells, else ``text`` itself."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return text
    return value if isinstance(value, (int, float, bool, str)) else text
