"""MkDocs hook: run every tutorial's code while the site is built, and show what it printed and drew.

Each page under ``tutorials/`` runs top to bottom in its own empty working folder: its ``python``
blocks in one namespace (so later blocks see earlier names), its ``bash`` blocks in a shell. A block
whose fence says ``norun`` (```` ```python norun ````) is shown, not run. After a block, what it
printed is shown in an output block, and every matplotlib figure it left open is saved as a PNG
beside the page in the built site and shown below the block. A block that fails fails the build,
naming the page and the block.

The tutorials share one ``$GEOTORCH_HOME`` for the build (so the demo area is generated once), and
need no network: they make their data themselves.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

#: A fenced code block: its fence, info string (language and options) and body.
FENCE = re.compile(r"^(?P<fence>```+)(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$", re.MULTILINE | re.DOTALL)
#: Most lines of output shown under a block; the rest is cut with a note saying how many.
MAX_OUTPUT_LINES = 30
RUNNABLE = {"python", "bash"}

_home = tempfile.TemporaryDirectory(prefix="geotorch-docs-home-")


def on_startup(command: str, dirty: bool) -> None:
    """Point GeoTorch's cache at a folder of this build, draw figures without a display, stay offline."""
    os.environ["GEOTORCH_HOME"] = _home.name
    os.environ["MPLBACKEND"] = "Agg"
    # The shell blocks find the docs environment's `geotorch` and `python` first.
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Run a tutorial's blocks in order; return its Markdown with outputs and figures inserted."""
    if not page.file.src_uri.startswith("tutorials/"):
        return markdown
    slug = Path(page.file.src_uri).stem
    figures = Path(config["site_dir"]) / _page_dir(page.url)
    namespace: dict[str, Any] = {"__name__": "__main__"}
    pieces: list[str] = []
    last = 0
    count = 0
    with tempfile.TemporaryDirectory(prefix=f"geotorch-docs-{slug}-") as workdir, _inside(workdir):
        for number, match in enumerate(FENCE.finditer(markdown), start=1):
            words = match["info"].split()
            language = words[0] if words else ""
            run = language in RUNNABLE and "norun" not in words
            info = " ".join(word for word in words if word != "norun")
            pieces.append(markdown[last : match.start()])
            pieces.append(f"{match['fence']}{info}\n{match['body']}{match['fence']}")
            last = match.end()
            if not run:
                continue
            where = f"{page.file.src_uri}, code block {number}"
            output = (
                _run_python(match["body"], namespace, where)
                if language == "python"
                else _run_bash(match["body"], where)
            )
            if output.strip():
                pieces.append("\n\n```text\n" + _shorten(output) + "\n```")
            for image in _save_figures(figures, slug, count):
                count += 1
                pieces.append(f'\n\n<img class="tutorial-figure" src="{image}" alt="Figure {count} of {page.title}">')
    pieces.append(markdown[last:])
    return "".join(pieces)


def _page_dir(url: str) -> str:
    """The site folder a page's relative links resolve in: the page's own folder for directory URLs."""
    return url if url.endswith("/") or not url else url.rpartition("/")[0]


@contextlib.contextmanager
def _inside(folder: str) -> Any:
    previous = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(previous)


def _run_python(source: str, namespace: dict[str, Any], where: str) -> str:
    printed = io.StringIO()
    try:
        code = compile(source, f"<{where}>", "exec")
        with contextlib.redirect_stdout(printed):
            exec(code, namespace)  # the tutorial's own code, run as a reader would
    except Exception as error:
        raise PluginError(f"{where} failed:\n{traceback.format_exc()}\n{printed.getvalue()}") from error
    return printed.getvalue()


def _run_bash(source: str, where: str) -> str:
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", source], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise PluginError(f"{where} exited with {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _shorten(output: str) -> str:
    lines = output.rstrip("\n").splitlines()
    if len(lines) <= MAX_OUTPUT_LINES:
        return "\n".join(lines)
    return "\n".join([*lines[:MAX_OUTPUT_LINES], f"... ({len(lines) - MAX_OUTPUT_LINES} more lines)"])


def _save_figures(folder: Path, slug: str, first: int) -> list[str]:
    """Save and close every open matplotlib figure as ``<slug>-<n>.png`` in ``folder``; their names."""
    if "matplotlib.pyplot" not in sys.modules:
        return []
    import matplotlib.pyplot as plt

    names = []
    for offset, number in enumerate(plt.get_fignums(), start=first + 1):
        name = f"{slug}-{offset}.png"
        folder.mkdir(parents=True, exist_ok=True)
        plt.figure(number).savefig(folder / name, dpi=80, bbox_inches="tight")
        names.append(name)
    plt.close("all")
    return names
