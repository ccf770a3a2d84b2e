"""The ``geotorch`` program: dispatches to the subcommands that core and the plugins register."""

from __future__ import annotations

import argparse
import difflib
import importlib.metadata
import os
import sys
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType
from typing import TextIO

from geotorch.core import plugins
from geotorch.core.commands import CommandRegistrar

PROG = "geotorch"


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``geotorch [--version] [--traceback] COMMAND [ARGS ...]``.

    Plugins are loaded only once a command is needed (not for ``--version``).
    Errors are reported as one line on stderr, not as a traceback (unless
    ``--traceback`` is given).

    Args:
        argv: the arguments after the program name (``sys.argv[1:]`` when None).

    Returns:
        The exit status: 0 on success, 1 when a command fails, 2 for a usage
        error such as an unknown command.
    """
    parser = _parser()
    try:
        options = parser.parse_args(sys.argv[1:] if argv is None else list(argv))
    except SystemExit as exit_:
        return _status(exit_.code)
    try:
        with _warnings_as_messages():
            registered = plugins.commands()
            if options.help or options.command is None:
                parser.epilog = _command_list(registered)
                parser.print_help()
                return 0
            command = registered.commands.get(options.command)
            if command is None:
                parser.print_usage(sys.stderr)
                close = difflib.get_close_matches(options.command, registered.commands, n=1)
                guess = f" (did you mean {close[0]!r}?)" if close else ""
                print(
                    f"{PROG}: error: unknown command {options.command!r}; "
                    f"choose from: {', '.join(sorted(registered.commands))}{guess}",
                    file=sys.stderr,
                )
                return 2
            return command.run(options.args)
    except SystemExit as exit_:
        return _status(exit_.code)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader (``geotorch datasets | head``) went away: stop quietly, and keep
        # the interpreter from failing again when it flushes stdout at exit.
        _silence_stdout()
        return 1
    except Exception as error:
        if options.traceback:
            raise
        print(f"{PROG}: error: {_message(error)}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="GeoTorch: geospatial deep learning. Commands come from core and from installed plugins.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        add_help=False,
    )
    parser.add_argument("-h", "--help", action="store_true", help="show this help and the commands, then exit")
    parser.add_argument("--version", action="version", version=f"{PROG} {_core_version()}")
    parser.add_argument("--traceback", action="store_true", help="show the full traceback when a command fails")
    parser.add_argument("command", nargs="?", help="the command to run (listed below)")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="its arguments (`geotorch COMMAND --help`)")
    return parser


def _core_version() -> str:
    try:
        return importlib.metadata.version(plugins.CORE_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _command_list(registered: CommandRegistrar) -> str:
    names = sorted(registered.commands)
    width = max((len(name) for name in names), default=0)
    lines = ["commands:"]
    for name in names:
        command = registered.commands[name]
        origin = "" if command.distribution == plugins.CORE_DISTRIBUTION else f" [{command.distribution}]"
        lines.append(f"  {name.ljust(width)}  {command.help}{origin}")
    return "\n".join(lines)


def _status(code: object) -> int:
    """The exit status a ``SystemExit`` carries (argparse's, or a command's)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _silence_stdout() -> None:
    with suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _message(error: BaseException) -> str:
    # str(KeyError) wraps the message in quotes; its first argument is the message itself.
    if isinstance(error, KeyError) and error.args:
        return str(error.args[0])
    return str(error) or type(error).__name__


@contextmanager
def _warnings_as_messages() -> Iterator[None]:
    """Show GeoTorch's warnings (a plugin that failed to load, a skipped file) as ``geotorch: warning: ...`` lines.

    Warnings that other packages' code issues (torch, Lightning, a plugin's own) are shown as Python shows
    them, naming their file: they are not GeoTorch's to claim.
    """
    python_shows = warnings.showwarning

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
             file: TextIO | None = None, line: str | None = None) -> None:
        if _issued_by_geotorch():
            print(f"{PROG}: warning: {message}", file=sys.stderr)
        else:
            python_shows(message, category, filename, lineno, file, line)

    with warnings.catch_warnings():
        warnings.showwarning = show
        yield


def _issued_by_geotorch() -> bool:
    """Whether the code that called ``warnings.warn`` (below the ``showwarning`` hook) is GeoTorch's.

    The file a warning names is not enough: ``stacklevel`` points it at the caller (ours warn naming the
    code that used the registry, which under ``geotorch`` is the console script).
    """
    frame: FrameType | None = sys._getframe(2)
    while frame is not None and frame.f_code.co_filename == warnings.__file__:
        frame = frame.f_back
    return frame is not None and is_geotorch_file(frame.f_code.co_filename)


def is_geotorch_file(filename: str) -> bool:
    """Whether ``filename`` is a module of one of the ``geotorch`` packages (of any installed distribution)."""
    import geotorch

    try:
        path = Path(filename).resolve()
    except (OSError, ValueError):
        return False
    return any(path.is_relative_to(Path(folder).resolve()) for folder in geotorch.__path__)


if __name__ == "__main__":
    raise SystemExit(main())
