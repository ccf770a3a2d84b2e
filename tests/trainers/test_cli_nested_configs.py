"""A key given twice in a YAML file that a config names (``model: model.yaml``) is refused as in the config itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from geotorch.trainers.configs import read_config
from tests.trainers.test_cli_bad_input import error_of

#: A task written in a file of its own, its learning rate given twice.
MODEL = "class_path: SemanticSegmentationTask\ninit_args:\n  model: fcn\n  lr: 0.1\n  lr: 0.2\n"
#: A callback written in a file of its own, its monitored metric given twice.
CALLBACK = "class_path: lightning.pytorch.callbacks.ModelCheckpoint\ninit_args:\n  monitor: a\n  monitor: b\n"
TWICE = "YAML keeps only the last, silently: give it once"


def _run_folder_that_is_a_file(tmp_path: Path) -> Path:
    """A file given as the run's folder: were the nested key not refused, the command would stop on it at once."""
    notes = tmp_path / "notes.txt"
    notes.write_text("not a folder\n")
    return notes


def test_a_key_given_twice_in_a_model_file_a_config_names_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before: jsonargparse read sub/model.yaml (relative to run.yaml) with lr 0.2, the last, silently.
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "model.yaml").write_text(MODEL)
    config = tmp_path / "run.yaml"
    config.write_text(f"model: sub/model.yaml\ndata: DemoDataModule\ntrainer:\n"
                      f"  default_root_dir: {_run_folder_that_is_a_file(tmp_path)}\n")
    assert error_of(["fit", "--config", str(config)], capsys) == (
        f"geotorch: error: --config {config}: model: {tmp_path / 'sub' / 'model.yaml'}: init_args.lr is given twice "
        f"(lines 4 and 5); {TWICE}"
    )


def test_a_key_given_twice_in_a_callback_file_of_an_options_trainer_file_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before: --trainer t/trainer.yaml's callbacks: [cb.yaml] (relative to t/) monitored b, the last, silently.
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "cb.yaml").write_text(CALLBACK)
    trainer = tmp_path / "t" / "trainer.yaml"
    trainer.write_text(f"default_root_dir: {_run_folder_that_is_a_file(tmp_path)}\ncallbacks:\n  - cb.yaml\n")
    assert error_of(["fit", "--config", "quickstart", "--trainer", str(trainer)], capsys) == (
        f"geotorch: error: --trainer {trainer}: callbacks: {tmp_path / 't' / 'cb.yaml'}: init_args.monitor is given "
        f"twice (lines 3 and 4); {TWICE}"
    )


def test_files_named_by_files_are_checked_at_every_depth_and_well_formed_ones_are_read(tmp_path: Path) -> None:
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "cb.yaml").write_text(CALLBACK.replace("  monitor: b\n", ""))
    (tmp_path / "t" / "trainer.yaml").write_text("max_epochs: 1\ncallbacks: [cb.yaml]\n")
    config = tmp_path / "run.yaml"
    config.write_text("model: SemanticSegmentationTask\ntrainer: t/trainer.yaml\n")
    assert read_config(config)["trainer"] == "t/trainer.yaml"
    (tmp_path / "t" / "cb.yaml").write_text(CALLBACK)
    with pytest.raises(ValueError, match=r"trainer: .*trainer\.yaml: callbacks: .*cb\.yaml: init_args\.monitor is "):
        read_config(config)


@pytest.mark.parametrize("name", ["Model.YAML", "model.Yml"])
def test_a_yaml_file_whose_suffix_is_in_capitals_is_checked_as_jsonargparse_reads_it(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before: jsonargparse read sub/Model.YAML (any existing file it is named) with lr 0.2, the last, silently,
    # and '--model sub/model.Yml' alike: only names ending in lower-case .yaml or .yml were checked.
    (tmp_path / "sub").mkdir()
    model = tmp_path / "sub" / name
    model.write_text(MODEL)
    config = tmp_path / "run.yaml"
    config.write_text(f"model: sub/{name}\ndata: DemoDataModule\ntrainer:\n"
                      f"  default_root_dir: {_run_folder_that_is_a_file(tmp_path)}\n")
    assert error_of(["fit", "--config", str(config)], capsys) == (
        f"geotorch: error: --config {config}: model: {model}: init_args.lr is given twice (lines 4 and 5); {TWICE}"
    )
    assert error_of(["fit", "--config", "quickstart", "--model", str(model)], capsys) == (
        f"geotorch: error: --model {model}: init_args.lr is given twice (lines 4 and 5); {TWICE}"
    )
