"""docs/hooks/tutorials.py: a tutorial's blocks run in order, their output and figures go into the page."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def hook() -> ModuleType:
    """The hook module (it imports mkdocs: skipped where the docs' tools are not installed)."""
    if importlib.util.find_spec("mkdocs") is None or importlib.util.find_spec("matplotlib") is None:
        pytest.skip("mkdocs or matplotlib is not installed: run `nox -s docs`")
    spec = importlib.util.spec_from_file_location("geotorch_docs_tutorials", ROOT / "docs/hooks/tutorials.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _page(src_uri: str) -> SimpleNamespace:
    stem = Path(src_uri).stem
    return SimpleNamespace(file=SimpleNamespace(src_uri=src_uri), url=f"tutorials/{stem}/", title=stem)


def test_blocks_run_in_one_namespace_with_output_and_figures(hook: ModuleType, tmp_path: Path) -> None:
    markdown = (
        "# T\n\n```python\nx = 21\nprint('first')\n```\n\n"
        "```python norun\nraise SystemExit('not run')\n```\n\n"
        "```python\nimport matplotlib.pyplot as plt\nplt.plot([0, x * 2])\nprint(x * 2)\n```\n\n"
        "```bash\necho from bash; pwd > where.txt\n```\n"
    )
    result = hook.on_page_markdown(markdown, _page("tutorials/t.md"), {"site_dir": str(tmp_path)}, None)
    assert "```text\nfirst\n```" in result
    assert "```text\n42\n```" in result
    assert "```text\nfrom bash\n```" in result
    assert "```python\nraise SystemExit('not run')\n```" in result  # shown, marker gone, not run
    assert '<img class="tutorial-figure" src="t-1.png"' in result
    figure = tmp_path / "tutorials" / "t" / "t-1.png"
    assert figure.read_bytes().startswith(b"\x89PNG")


def test_a_failing_block_fails_the_build_naming_it(hook: ModuleType, tmp_path: Path) -> None:
    from mkdocs.exceptions import PluginError

    markdown = "```python\nok = 1\n```\n\n```python\n1 / 0\n```\n"
    with pytest.raises(PluginError, match=r"tutorials/broken\.md, code block 2 failed:(.|\n)*ZeroDivisionError"):
        hook.on_page_markdown(markdown, _page("tutorials/broken.md"), {"site_dir": str(tmp_path)}, None)
    with pytest.raises(PluginError, match=r"code block 1 exited with 3"):
        hook.on_page_markdown("```bash\nexit 3\n```\n", _page("tutorials/b.md"), {"site_dir": str(tmp_path)}, None)


def test_pages_outside_tutorials_are_left_alone(hook: ModuleType, tmp_path: Path) -> None:
    markdown = "```python\n1 / 0\n```\n"
    assert hook.on_page_markdown(markdown, _page("index.md"), {"site_dir": str(tmp_path)}, None) == markdown
