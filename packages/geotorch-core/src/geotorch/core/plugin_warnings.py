"""Warnings about plugins: noted while plugins load or registries fill, issued once the outermost call is done.

A warning can raise (warnings-as-errors, a ``showwarning`` hook that
raises). Issued in the middle of loading or of filling a registry, that
error would leave plugins half-loaded or the registry never cached, so every
later call would fail again. Issued after everything is loaded and cached,
it propagates once and later calls work.
"""

from __future__ import annotations

import functools
import inspect
import os
import warnings
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import ParamSpec, Protocol, TypeVar

#: Files whose frames a warning skips, so that it points at the code that used the registry.
_CORE_FOLDER = os.path.dirname(__file__) + os.sep  # as code objects spell it: not resolved

P = ParamSpec("P")
R = TypeVar("R")


def who(name: str, distribution: str, version: str = "unknown") -> str:
    """``geotorch plugin 'name' (distribution version)``: how every warning names a plugin."""
    shipped = distribution if version in ("", "unknown") else f"{distribution} {version}"
    return f"geotorch plugin {name!r} ({shipped})"


class DeferredWarnings:
    """RuntimeWarnings noted by the plugin manager's calls, waiting for the outermost call to finish."""

    def __init__(self) -> None:
        #: How many calls of the plugin manager's public functions are running (they call each other).
        self.depth = 0
        #: Warnings noted while plugins load or registries fill, issued once the outermost call is done.
        self.pending: list[str] = []

    def note(self, message: str) -> None:
        """Note a RuntimeWarning, to be issued when the plugin state is consistent again (see :func:`reported`)."""
        # One line, so the reasons pluggy and plugins give over several lines read (and match) as one message.
        lines = [line.strip() for line in message.splitlines() if line.strip()]
        self.pending.append("; ".join(lines))


class Deferring(Protocol):
    """What :func:`reported` needs of the plugin state: the lock that guards it and its deferred warnings."""

    @property
    def lock(self) -> AbstractContextManager[object]:
        """The (reentrant) lock held while the state is read or changed."""

    @property
    def deferred(self) -> DeferredWarnings:
        """The warnings noted and not yet issued."""


def reported(current: Callable[[], Deferring]) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a public function of the plugin manager: run it holding the lock, then issue what it noted.

    Args:
        current: returns the plugin state in use now (it is replaced when
            the plugin manager is reset).

    Returns:
        A decorator; the function it wraps issues the warnings noted during
        it once the outermost such call is done.
    """

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(function)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            state = current()
            with state.lock:
                deferred = state.deferred
                deferred.depth += 1
                try:
                    result = function(*args, **kwargs)
                finally:
                    deferred.depth -= 1
                if deferred.depth:
                    return result
                noted, deferred.pending = deferred.pending, []
            _issue(noted)
            return result

        return run

    return decorate


def _issue(messages: list[str]) -> None:
    """Warn each distinct message once; if warning raises, still warn the others, then raise the first error."""
    first_error: BaseException | None = None
    for message in dict.fromkeys(messages):
        try:
            warnings.warn(message, RuntimeWarning, stacklevel=_caller_level())
        except BaseException as error:  # noqa: BLE001 - whatever warning raises is raised again below
            first_error = first_error or error
    if first_error is not None:
        raise first_error


def _caller_level() -> int:
    """The ``stacklevel`` that points a warning issued by :func:`_issue` at the first caller outside geotorch.core."""
    level = 1
    frame = inspect.currentframe()
    caller = frame.f_back if frame is not None else None  # _issue, which calls warnings.warn
    while caller is not None and caller.f_code.co_filename.startswith(_CORE_FOLDER):
        level += 1
        caller = caller.f_back
    return level
