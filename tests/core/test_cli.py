"""The ``geotorch`` program: subcommands from core and plugins, listings, and errors as messages."""

from __future__ import annotations

import importlib.metadata
import json
import shutil
import subprocess
import sys
import types
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from geotorch.core import DatasetNotFoundError, GeoDataset, hookimpl, plugins
from geotorch.core.cli import main

FIRST_PARTY = {"geotorch_datasets": "geotorch-datasets", "geotorch_models": "geotorch-models",
               "geotorch_trainers": "geotorch-trainers"}


def installed(distribution: str) -> bool:
    try:
        importlib.metadata.distribution(distribution)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


@pytest.fixture(autouse=True)
def fresh_plugins(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv(plugins.DISABLE_VARIABLE, raising=False)
    monkeypatch.delenv(plugins.LOAD_VARIABLE, raising=False)
    plugins.reset()
    yield
    plugins.reset()


def add_plugin(name: str = "local_plugin", **hooks: Callable[..., Any]) -> None:
    """Register a plugin made of ``hooks`` (hook name -> function) as if installed by ``local-dist``.

    Installed plugins are then left out, so the names used here cannot clash with real ones.
    """
    module = types.ModuleType(name)
    for hook_name, function in hooks.items():
        function.__name__ = hook_name
        setattr(module, hook_name, hookimpl(function))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(plugins.LOAD_VARIABLE, "")
        plugins.register_plugin(module, name, distribution="local-dist")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


# -- the program --------------------------------------------------------------


def test_version_names_the_core_version_without_loading_plugins(capsys):
    status, out, _ = run(capsys, "--version")
    assert status == 0
    assert out.strip() == f"geotorch {importlib.metadata.version('geotorch-core')}"
    assert not plugins._state.loaded


def test_no_command_prints_the_help_with_every_command(capsys):
    add_plugin(register_commands=lambda cli: cli.add("greet", lambda argv: 0, help="say hi"))
    status, out, _ = run(capsys)
    assert status == 0
    assert "usage: geotorch" in out
    for name in ("datasets", "download", "plugins"):
        assert f"\n  {name} " in out
    assert "say hi [local-dist]" in out


def test_help_flag_prints_the_help(capsys):
    status, out, _ = run(capsys, "--help")
    assert status == 0
    assert "commands:" in out


def test_unknown_command_exits_2_listing_the_commands(capsys):
    status, out, err = run(capsys, "fitt")
    assert status == 2
    assert out == ""
    # geotorch-trainers' `configs`, when installed, comes first.
    assert "unknown command 'fitt'; choose from: datasets, download" in err.replace("configs, ", "")
    assert "Traceback" not in err


def test_plugin_command_gets_the_arguments_after_its_name(capsys):
    received = []

    def greet(argv):
        received.append(list(argv))
        print("hi")
        return 3

    add_plugin(register_commands=lambda cli: cli.add("greet", greet))
    status, out, _ = run(capsys, "greet", "--loud", "world")
    assert (status, out, received) == (3, "hi\n", [["--loud", "world"]])


def test_example_plugin_command_runs(capsys):
    if not installed("geotorch-example-plugin"):
        pytest.skip("geotorch-example-plugin is not installed: pip install tests/plugins/geotorch-example-plugin")
    status, out, _ = run(capsys, "hello", "GeoTorch")
    assert (status, out) == (0, "Hello, GeoTorch, from geotorch-example-plugin!\n")


def test_failing_command_is_a_message_on_stderr_not_a_traceback(capsys):
    def fail(argv):
        raise ValueError("band 'nir' is not in this product")

    add_plugin(register_commands=lambda cli: cli.add("fail", fail))
    status, _, err = run(capsys, "fail")
    assert status == 1
    assert err == "geotorch: error: band 'nir' is not in this product\n"


def test_traceback_flag_lets_the_error_through(capsys):
    def fail(argv):
        raise ValueError("boom")

    add_plugin(register_commands=lambda cli: cli.add("fail", fail))
    with pytest.raises(ValueError, match="boom"):
        main(["--traceback", "fail"])


def test_command_usage_error_exits_2(capsys):
    status, _, err = run(capsys, "plugins", "--no-such-flag")
    assert status == 2
    assert "unrecognized arguments: --no-such-flag" in err


def test_command_help_exits_0(capsys):
    status, out, _ = run(capsys, "datasets", "--help")
    assert status == 0
    assert "usage: geotorch datasets" in out


def test_plugin_adding_a_taken_command_is_left_out_with_a_warning_naming_both(capsys):
    add_plugin(register_commands=lambda cli: cli.add("datasets", lambda argv: 0))
    status, _, err = run(capsys, "plugins")
    assert status == 0
    assert "geotorch: warning: geotorch plugin 'local_plugin' (local-dist) is left out of register_commands" in err
    assert "command 'datasets' is already added by plugin 'geotorch.core.builtin_commands' (geotorch-core)" in err


def test_plugin_warnings_are_shown_as_messages(capsys):
    def register_datasets(register):
        raise ImportError("needs h5py")

    add_plugin(register_datasets=register_datasets)
    status, _, err = run(capsys, "datasets")
    assert status == 0
    assert "geotorch: warning: geotorch plugin 'local_plugin' (local-dist) failed in register_datasets" in err


def test_warnings_other_code_issues_are_not_labelled_as_geotorch_s(capsys):
    def warn(argv):
        warnings.warn("`LeafSpec` is deprecated", FutureWarning, stacklevel=1)
        return 0

    add_plugin(register_commands=lambda cli: cli.add("warn", warn))
    # Left to the showwarning hook in place (Python's prints "file:line: FutureWarning: ..."; pytest's records).
    with pytest.warns(FutureWarning, match="LeafSpec") as shown:
        status, _, err = run(capsys, "warn")
    assert status == 0
    assert shown[0].filename == __file__
    assert "geotorch: warning" not in err


def test_console_script_is_installed_and_runs():
    script = shutil.which("geotorch", path=str(Path(sys.executable).parent))
    if script is None:
        pytest.skip("the geotorch console script is not installed next to this Python")
    result = subprocess.run([script, "plugins", "--json"], capture_output=True, text=True, check=True)
    assert isinstance(json.loads(result.stdout), list)


def test_module_runs_as_a_program():
    result = subprocess.run([sys.executable, "-m", "geotorch.core.cli", "nope"], capture_output=True, text=True)
    assert result.returncode == 2
    assert "unknown command 'nope'" in result.stderr


# -- geotorch plugins ---------------------------------------------------------


def test_plugins_json_parses_and_lists_the_first_party_plugins(capsys):
    missing = [distribution for distribution in FIRST_PARTY.values() if not installed(distribution)]
    if missing:
        pytest.skip(f"first-party plugin distribution(s) not installed: {', '.join(missing)}")
    status, out, _ = run(capsys, "plugins", "--json")
    assert status == 0
    listed = {plugin["name"]: plugin for plugin in json.loads(out)}
    for name, distribution in FIRST_PARTY.items():
        assert listed[name]["distribution"] == distribution
        assert listed[name]["version"] == importlib.metadata.version(distribution)
        assert set(listed[name]) == {"name", "distribution", "version", "hooks", "contributes", "builtin"}
    assert {"DemoImagery", "DemoLandCover"} <= set(listed["geotorch_datasets"]["contributes"]["dataset"])


def test_plugins_text_shows_distribution_version_hooks_and_contributions(capsys):
    add_plugin(register_datasets=lambda register: register("nowhere:Scenes"),
               register_commands=lambda cli: cli.add("greet", lambda argv: 0))
    status, out, _ = run(capsys, "plugins")
    assert status == 0
    block = out[out.index("local_plugin (local-dist unknown)"):]
    assert "    hooks: register_commands, register_datasets\n" in block
    assert "    datasets: Scenes\n" in block
    assert "    commands: greet\n" in block


def test_plugins_all_includes_core_builtins(capsys):
    _, out, _ = run(capsys, "plugins", "--json")
    assert "geotorch.core.builtin_commands" not in {plugin["name"] for plugin in json.loads(out)}
    _, out, _ = run(capsys, "plugins", "--json", "--all")
    builtin = {plugin["name"]: plugin for plugin in json.loads(out)}["geotorch.core.builtin_commands"]
    assert builtin["distribution"] == "geotorch-core"
    assert builtin["contributes"] == {"command": ["datasets", "download", "plugins"]}


def test_plugins_json_lists_the_example_plugin(capsys):
    if not installed("geotorch-example-plugin"):
        pytest.skip("geotorch-example-plugin is not installed: pip install tests/plugins/geotorch-example-plugin")
    _, out, _ = run(capsys, "plugins", "--json")
    example = {plugin["name"]: plugin for plugin in json.loads(out)}["example"]
    assert example["distribution"] == "geotorch-example-plugin"
    assert example["contributes"]["command"] == ["hello"]


# -- geotorch datasets --------------------------------------------------------


class Scenes(GeoDataset):
    """Declares its facts as class attributes; never built here."""

    task = "change_detection"
    license = "CC-BY-4.0"
    size = 1_500_000_000


def test_datasets_lists_the_demo_datasets(capsys):
    if not installed("geotorch-datasets"):
        pytest.skip("geotorch-datasets is not installed")
    status, out, _ = run(capsys, "datasets", "Demo*")
    assert status == 0
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "TASK", "GEO", "SIZE", "LICENSE", "DISTRIBUTION"]
    rows = {line.split()[0]: line for line in lines[1:]}
    assert set(rows) >= {"DemoImagery", "DemoLandCover"}
    for row in rows.values():
        assert "segmentation" in row
        assert "CC0-1.0" in row
        assert row.endswith("geotorch-datasets")


def test_datasets_listing_imports_no_dataset_module(capsys):
    add_plugin(register_datasets=lambda register: register(
        "geotorch_module_that_does_not_exist_yet:Future", task="classification", geospatial=False))
    status, out, _ = run(capsys, "datasets", "--json", "Fut*")
    assert status == 0
    assert json.loads(out) == [{
        "name": "Future", "task": "classification", "geospatial": False, "size": None, "license": None,
        "plugin": "local_plugin", "distribution": "local-dist",
    }]
    assert "geotorch_module_that_does_not_exist_yet" not in sys.modules


def test_datasets_reads_class_attributes_when_the_registration_gives_none(capsys):
    add_plugin(register_datasets=lambda register: register(Scenes))
    _, out, _ = run(capsys, "datasets", "--json", "Scenes")
    assert json.loads(out) == [{
        "name": "Scenes", "task": "change_detection", "geospatial": True, "size": 1_500_000_000,
        "license": "CC-BY-4.0", "plugin": "local_plugin", "distribution": "local-dist",
    }]
    _, out, _ = run(capsys, "datasets", "Scenes")
    assert out.splitlines()[1].split() == ["Scenes", "change_detection", "yes", "1.5", "GB", "CC-BY-4.0",
                                           "local-dist"]


def test_datasets_registration_metadata_wins_over_class_attributes(capsys):
    add_plugin(register_datasets=lambda register: register(Scenes, name="Renamed", task="segmentation",
                                                           size="about 2 GB"))
    _, out, _ = run(capsys, "datasets", "--json", "Renamed")
    row = json.loads(out)[0]
    assert (row["task"], row["size"], row["license"]) == ("segmentation", "about 2 GB", "CC-BY-4.0")


def test_datasets_without_a_match_says_so(capsys):
    status, out, _ = run(capsys, "datasets", "NoSuchDataset*")
    assert (status, out) == (0, "no datasets registered matching NoSuchDataset*\n")
    _, out, _ = run(capsys, "datasets", "--json", "NoSuchDataset*")
    assert json.loads(out) == []


# -- geotorch download --------------------------------------------------------


class Downloadable:
    """Writes a file into ``root`` when asked to download; otherwise it is missing."""

    calls: ClassVar[list[dict[str, Any]]] = []

    def __init__(self, root: Path, download: bool = False, checksum: bool = False) -> None:
        Downloadable.calls.append({"root": root, "download": download, "checksum": checksum})
        if not download:
            raise DatasetNotFoundError("Downloadable", root)
        root.mkdir(parents=True, exist_ok=True)
        (root / "data.bin").write_bytes(b"\0")
        self.root = root

    def __str__(self) -> str:
        return f"Downloadable with 1 file in {self.root}"


class NotDownloadable:
    def __init__(self, root: Path, download: bool = False, checksum: bool = False) -> None:
        raise DatasetNotFoundError("NotDownloadable", root, "it has no URL; copy the files there by hand")


@pytest.fixture
def downloadable() -> None:
    Downloadable.calls.clear()

    def register_datasets(register):
        register(Downloadable)
        register(NotDownloadable)

    add_plugin(register_datasets=register_datasets)


def test_download_builds_the_dataset_with_download_and_checksum(capsys, tmp_path, downloadable):
    status, out, _ = run(capsys, "download", "Downloadable", "--root", str(tmp_path / "dl"))
    assert status == 0
    assert Downloadable.calls == [{"root": tmp_path / "dl", "download": True, "checksum": True}]
    assert (tmp_path / "dl" / "data.bin").is_file()
    root = tmp_path / "dl"
    assert out.splitlines() == [f"Downloadable is ready in {root}", f"Downloadable with 1 file in {root}"]


def test_download_failure_is_the_dataset_message(capsys, tmp_path, downloadable):
    status, out, err = run(capsys, "download", "NotDownloadable", "--root", str(tmp_path))
    assert status == 1
    assert out == ""
    advice = "it has no URL; copy the files there by hand"
    assert err == f"geotorch: error: NotDownloadable: no data found in {tmp_path}; {advice}\n"


def test_download_of_an_unknown_dataset_lists_the_known_ones(capsys, tmp_path, downloadable):
    status, _, err = run(capsys, "download", "Downloadabel", "--root", str(tmp_path))
    assert status == 1
    assert err.startswith("geotorch: error: unknown dataset 'Downloadabel'")
    assert "Downloadable" in err.partition("known:")[2]
    assert "Traceback" not in err


def test_download_needs_a_root(capsys, downloadable):
    status, _, err = run(capsys, "download", "Downloadable")
    assert status == 2
    assert "--root" in err
    assert Downloadable.calls == []


@pytest.mark.parametrize(("typed", "meant"), [("dataset", "datasets"), ("plugin", "plugins"), ("donwload", "download")])
def test_a_misspelled_command_is_answered_with_the_closest_one(capsys, typed: str, meant: str) -> None:
    status, _, err = run(capsys, typed)
    assert status == 2
    assert err.rstrip().endswith(f"(did you mean {meant!r}?)")


def test_a_command_like_no_other_gets_no_guess(capsys) -> None:
    status, _, err = run(capsys, "xyzzy")
    assert status == 2
    assert "did you mean" not in err


def test_datasets_patterns_match_names_in_any_case(capsys):
    # `geotorch datasets eurosat` said "no datasets registered matching eurosat" beside EuroSAT.
    add_plugin(register_datasets=lambda register: (register(Scenes), register(Scenes, name="SceneSeries")))
    _, out, _ = run(capsys, "datasets", "--json", "scenes")
    assert [row["name"] for row in json.loads(out)] == ["Scenes"]
    _, out, _ = run(capsys, "datasets", "SCENE*")
    assert [line.split()[0] for line in out.splitlines()[1:]] == ["SceneSeries", "Scenes"]


def test_download_of_a_name_in_another_case_names_the_registered_one(capsys, tmp_path, downloadable):
    # "unknown dataset 'downloadable' (known: ...)" left the reader to find the name that differs in case.
    status, _, err = run(capsys, "download", "downloadable", "--root", str(tmp_path))
    assert (status, Downloadable.calls) == (1, [])
    assert err == ("geotorch: error: unknown dataset 'downloadable': did you mean 'Downloadable'? "
                   "(names are case-sensitive; `geotorch datasets` lists them)\n")


@pytest.mark.parametrize("below", ["", "sub"], ids=["the file", "a folder under it"])
def test_download_into_a_file_names_the_root(capsys, tmp_path, downloadable, below):
    # "[Errno 17] File exists: '.../notes.txt'" (or the dataset's own [Errno 20] of a file inside) named no option.
    notes = tmp_path / "notes.txt"
    notes.write_text("mine")
    root = notes / below if below else notes
    status, _, err = run(capsys, "download", "Downloadable", "--root", str(root))
    assert (status, Downloadable.calls) == (1, [])
    assert err == f"geotorch: error: --root {root}: {notes} is a file, not a folder; give a folder to download into\n"
    assert notes.read_text() == "mine"


def test_download_into_a_folder_that_cannot_be_made_names_the_root(capsys, tmp_path, downloadable):
    # "[Errno 36] File name too long: '...'" (or "[Errno 13] Permission denied") named no option, and a folder that
    # cannot be made under /proc was "[Errno 2] No such file or directory".
    root = tmp_path / ("a" * 300)
    status, _, err = run(capsys, "download", "Downloadable", "--root", str(root))
    assert (status, Downloadable.calls) == (1, [])
    assert err == (f"geotorch: error: --root {root}: cannot make this folder (File name too long); give a folder "
                   "you can write to\n")
