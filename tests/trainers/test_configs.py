"""Configs shipped inside geotorch-trainers: named on the command line, listed by ``geotorch configs``."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from geotorch.core import plugins
from geotorch.core.cli import main
from geotorch.trainers import configs
from geotorch.trainers.configs import CONFIG_FOLDER, config_description, resolve_config, shipped_configs

ROOT = Path(__file__).resolve().parents[2]
#: Overrides that make a quickstart run one tiny validation batch of a small model, inside tmp_path.
TINY = ["--trainer.limit_val_batches=1", "--model.init_args.model=fcn", "--model.init_args.num_filters=4",
        "--data.init_args.num_workers=0", "--data.init_args.batch_size=2", "--trainer.enable_progress_bar=false"]


def in_tmp(tmp_path: Path) -> list[str]:
    return [f"--trainer.default_root_dir={tmp_path}", f"--trainer.logger.init_args.save_dir={tmp_path}"]


@pytest.fixture(autouse=True)
def fresh_plugins() -> None:
    plugins.reset()


def test_the_configs_ship_inside_the_package_and_name_what_they_train() -> None:
    shipped = shipped_configs()

    assert {"quickstart", "eurosat", "naip_chesapeake"} <= set(shipped)
    assert all(path.parent == CONFIG_FOLDER for path in shipped.values())
    assert CONFIG_FOLDER.parent.name == "trainers" and CONFIG_FOLDER.parent.parent.name == "geotorch"
    assert config_description(shipped["quickstart"]).startswith("The quickstart: land cover from the demo area")
    assert all(config_description(path) for path in shipped.values())


def test_the_repository_conf_folder_is_the_shipped_folder_so_no_second_copy_can_drift() -> None:
    conf, source = ROOT / "conf", ROOT / "packages" / "geotorch-trainers" / "src" / "geotorch" / "trainers" / "conf"
    if not conf.exists() or not source.is_dir():
        pytest.skip("not run from a clone: no conf/ folder")

    assert conf.is_symlink()
    assert conf.resolve() == source.resolve()
    # The installed package (editable, or a wheel built from the clone) holds the same configs.
    installed = sorted(path.name for path in CONFIG_FOLDER.glob("*.yaml"))
    assert installed == sorted(path.name for path in source.glob("*.yaml"))


def test_a_config_added_to_the_folder_is_listed_and_found_by_name(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "mine.yaml").write_text("# My own run: a U-Net on my scenes.\nmodel: SemanticSegmentationTask\n")
    (tmp_path / "notes.txt").write_text("not a config")
    monkeypatch.setattr(configs, "CONFIG_FOLDER", tmp_path)

    assert list(shipped_configs()) == ["mine"]
    assert resolve_config("mine") == str(tmp_path / "mine.yaml")


def test_a_name_resolves_to_the_shipped_config_and_a_path_stays_a_path(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_config("quickstart") == str(CONFIG_FOLDER / "quickstart.yaml")
    own = tmp_path / "quickstart.yaml"
    own.write_text("# mine\n")
    assert resolve_config(str(own)) == str(own)
    assert resolve_config("conf/eurosat.yaml") == "conf/eurosat.yaml"
    monkeypatch.chdir(tmp_path)
    (tmp_path / "quickstart").write_text("# a file in the working folder wins over the shipped name\n")
    assert resolve_config("quickstart") == "quickstart"


def test_an_unknown_name_lists_the_shipped_configs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fit", "--config", "landsat9"]) == 1
    error = capsys.readouterr().err
    assert "no config file 'landsat9' and no shipped config of that name" in error
    assert "quickstart" in error and "eurosat" in error and "geotorch configs" in error


def test_geotorch_configs_lists_each_name_with_its_description(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["configs"]) == 0
    lines = capsys.readouterr().out.splitlines()

    assert len(lines) == len(shipped_configs())
    quickstart = next(line for line in lines if line.startswith("quickstart "))
    assert quickstart.split(maxsplit=1)[1].startswith("The quickstart: land cover from the demo area")

    assert main(["configs", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [row["name"] for row in rows] == list(shipped_configs())
    assert Path(rows[0]["path"]).is_file()


def test_fit_by_name_runs_the_shipped_config_without_lightning_tips(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)

    assert main(["validate", "--config", "quickstart", *in_tmp(tmp_path), *TINY]) == 0

    # Lightning's own messages reach the log (the tips would go the same way), its advertising does not.
    assert "GPU available" in caplog.text
    printed = capsys.readouterr()
    assert "Tip:" not in caplog.text + printed.out + printed.err
    assert "litlogger" not in caplog.text + printed.out + printed.err


def test_every_spelling_of_the_config_option_is_resolved() -> None:
    from geotorch.trainers.configs import resolve_config_arguments

    argv = ["--config=quickstart", "-c", "eurosat", "--trainer.max_epochs=1", "--config", "conf/x.yaml"]
    assert resolve_config_arguments(argv) == [
        f"--config={CONFIG_FOLDER / 'quickstart.yaml'}", "-c", str(CONFIG_FOLDER / "eurosat.yaml"),
        "--trainer.max_epochs=1", "--config", "conf/x.yaml",
    ]


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("quickstrat", "no config file 'quickstrat' and no shipped config of that name: did you mean 'quickstart'?"),
        ("Quickstart", "no config file 'Quickstart' and no shipped config of that name: did you mean 'quickstart'?"),
        ("quickstart.yaml", "--config quickstart.yaml: no such file; the shipped config of that name is "
                            "`--config quickstart`"),
        ("conf/euroSAT.yml", "--config conf/euroSAT.yml: no such file; the shipped config 'eurosat' is "
                             "`--config eurosat`"),
    ],
    ids=["typo", "capital", "file name outside the repository", "path of another case"],
)
def test_a_name_or_path_near_a_shipped_config_names_it(
    given: str, says: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Outside a clone (pip install), `--config quickstart.yaml` or the config's own comment's
    # `conf/quickstart.yaml` said only "no such file"; a misspelt name listed all 20 configs, leaving the
    # reader to spot the one meant.
    monkeypatch.chdir(tmp_path)
    assert main(["fit", "--config", given]) == 1
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"geotorch: error: {says}")


def test_a_missing_path_like_no_shipped_config_is_only_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["fit", "--config", "runs/my_scenes.yaml"]) == 1
    assert capsys.readouterr().err.strip() == "geotorch: error: --config runs/my_scenes.yaml: no such file"
