"""``geotorch quickstart`` refuses bad options before any work, naming them; its bar follows GEOTORCH_PROGRESS."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from geotorch.datasets.demo_area import generate_demo_area
from geotorch.datasets.quickstart import run


@pytest.fixture(scope="module")
def area(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_demo_area(tmp_path_factory.mktemp("demo") / "area")


@pytest.mark.parametrize(
    ("option", "value", "says"),
    [
        ("--batches", "0", "'0' is not a whole number >= 1"),
        ("--batch-size", "-3", "'-3' is not a whole number >= 1"),
        ("--size", "0", "'0' is not a whole number >= 1"),
        ("--size", "abc", "'abc' is not a whole number >= 1"),
        ("--workers", "-1", "'-1' is not a whole number >= 0"),
        ("--seed", str(2**64),
         f"'{2**64}' is outside -9223372036854775808..18446744073709551615, the seeds torch takes"),
        ("--seed", "1.5", "'1.5' is not a whole number"),
    ],
)
def test_a_count_out_of_range_names_the_option(
    option: str, value: str, says: str, area: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        run(["--root", str(area), "--out", str(tmp_path / "out"), option, value])
    assert exit_.value.code == 2
    assert f"error: argument {option}: {says}" in capsys.readouterr().err


def test_an_out_folder_that_cannot_be_made_is_named_before_sampling(
    area: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    taken = tmp_path / "a-file"
    taken.write_text("")
    with pytest.raises(SystemExit) as exit_:
        run(["--root", str(area), "--out", str(taken / "out")])
    assert exit_.value.code == 2
    printed = capsys.readouterr()
    assert f"error: --out {taken / 'out'}: cannot make this folder (Not a directory)" in printed.err
    assert "images:" not in printed.out  # nothing was sampled first


@pytest.mark.parametrize(("mode", "bar"), [(None, False), ("never", False), ("always", True)])
def test_the_batches_bar_follows_geotorch_progress(
    mode: str | None, bar: bool, area: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if mode is None:
        monkeypatch.delenv("GEOTORCH_PROGRESS", raising=False)
    else:
        monkeypatch.setenv("GEOTORCH_PROGRESS", mode)
    arguments = ["--root", str(area), "--out", str(tmp_path), "--batches", "2", "--batch-size", "2", "--size", "32"]
    assert run(arguments) == 0
    # stderr is not a terminal here: by default (auto) no bar, as the README's troubleshooting says.
    assert ("batches:" in capsys.readouterr().err) is bar


def test_help_gives_every_option_a_text_and_its_default() -> None:
    shown = subprocess.run(
        [sys.executable, "-m", "geotorch.core.cli", "quickstart", "--help"], capture_output=True, text=True,
        check=True, env={**os.environ, "COLUMNS": "200"},
    ).stdout
    text = " ".join(shown.split())
    for option, says in [
        ("--root ROOT", "demo area folder (default: the GeoTorch cache)"),
        ("--out OUT", "folder for the PNG and summary (default: quickstart-output)"),
        ("--size SIZE", "patch size in pixels (default: 128)"),
        ("--batch-size BATCH_SIZE", "patches in a batch (default: 16)"),
        ("--batches BATCHES", "number of batches to draw (default: 16)"),
        ("--workers WORKERS", "DataLoader worker processes (default: 0)"),
        ("--seed SEED", "seed of the random patch positions: the same seed draws the same patches (default: 0)"),
    ]:
        assert f" {option} {says}" in text, option
