"""Running plugin code so that nothing it raises, not even SystemExit, ends or disables the host.

Plugins are imported and their hooks called inside :func:`contained`: any
exception, including :class:`SystemExit`, :class:`KeyboardInterrupt`,
:class:`GeneratorExit` and other :class:`BaseException` subclasses, comes back
as a :class:`Failure` for the caller to report, naming the plugin.

A KeyboardInterrupt *raised by a plugin* is contained like any other error,
but a real Ctrl-C pressed while plugin code runs still stops the program:
for the duration of the call a SIGINT handler notes the key press (then
hands the signal on to the handler that was there before), and the
interruption is raised again once the plugin code has returned or failed.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Failure:
    """What plugin code raised instead of returning.

    Attributes:
        error: the exception, of any :class:`BaseException` subclass.
    """

    error: BaseException

    def describe(self) -> str:
        """``"SystemExit: 3"``: the error's class and message, even when its ``str()`` itself fails."""
        try:
            text = str(self.error)
        except BaseException:  # noqa: BLE001 - a broken __str__ of foreign code must not escape either
            text = "<the error's message could not be read>"
        return f"{type(self.error).__name__}: {text}" if text else type(self.error).__name__


def contained(call: Callable[[], T]) -> T | Failure:
    """Run plugin code; return its result, or a :class:`Failure` holding whatever it raised.

    Args:
        call: the plugin code, with no arguments (bind them with a lambda).

    Returns:
        ``call()``'s result, or a Failure.

    Raises:
        KeyboardInterrupt: if the user pressed Ctrl-C while ``call`` ran,
            whatever ``call`` did with the interruption.
    """
    pressed = threading.Event()
    restore = _watch_ctrl_c(pressed)
    try:
        result = call()
    except BaseException as error:  # foreign code may raise anything, SystemExit included; the caller reports it
        if pressed.is_set():
            if isinstance(error, KeyboardInterrupt):
                raise
            raise KeyboardInterrupt from error
        return Failure(error)
    finally:
        restore()
    if pressed.is_set():
        # The plugin swallowed the user's Ctrl-C; the user still meant to stop.
        raise KeyboardInterrupt
    return result


def _watch_ctrl_c(pressed: threading.Event) -> Callable[[], None]:
    """Note SIGINT in ``pressed`` (then pass it on) until the returned function is called.

    Signals reach only the main thread, and a handler that is not a Python
    function (ignored, default, or set outside Python) raises nothing, so
    then there is nothing to tell apart and nothing is installed.
    """
    if threading.current_thread() is not threading.main_thread():
        return _nothing
    previous = signal.getsignal(signal.SIGINT)
    if not callable(previous):
        return _nothing
    handler = previous

    def note(number: int, frame: FrameType | None) -> None:
        pressed.set()
        handler(number, frame)

    try:
        signal.signal(signal.SIGINT, note)
    except ValueError:  # not the main interpreter
        return _nothing

    def restore() -> None:
        # Also undoes any SIGINT handler the plugin code installed for itself.
        signal.signal(signal.SIGINT, handler)

    return restore


def _nothing() -> None:
    """Restore nothing: no handler was installed."""
