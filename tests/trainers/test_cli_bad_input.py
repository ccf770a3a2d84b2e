"""A newcomer's mistakes on the ``geotorch fit|validate|test|predict`` command line: one line naming the mistake."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from geotorch.core.cli import main


def error_of(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """The one line ``geotorch ARGV`` prints on stderr, after checking it failed with status 1."""
    assert main(argv) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


@pytest.mark.parametrize("subcommand", ["fit", "predict"])
def test_a_config_path_that_does_not_exist_is_named_in_one_line(
    subcommand: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no" / "such.yaml"
    expected = f"geotorch: error: --config {missing}: no such file"
    assert error_of([subcommand, "--config", str(missing)], capsys) == expected
    assert error_of([subcommand, f"--config={missing}"], capsys).endswith(f"--config {missing}: no such file")


def test_a_folder_given_as_the_config_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "run.yaml"
    folder.mkdir()
    assert error_of(["fit", "-c", str(folder)], capsys).endswith(f"--config {folder}: a folder, not a YAML file")


def test_broken_yaml_is_named_with_its_line_and_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "broken.yaml"
    config.write_text("trainer:\n  max_epochs: 1\nmodel: [unclosed\n")
    error = error_of(["fit", "--config", str(config)], capsys)
    assert error.startswith(f"geotorch: error: --config {config}: not valid YAML (")
    assert "at line 4, column 1" in error


@pytest.mark.parametrize(
    ("content", "holds"),
    [(b"", "nothing"), (b"# only a comment\n", "nothing"), (b"hello\n", "a str"), (b"- model\n- data\n", "a list")],
)
def test_a_config_that_is_not_a_mapping_is_named(
    content: bytes, holds: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.yaml"
    config.write_bytes(content)
    error = error_of(["validate", "--config", str(config)], capsys)
    assert error.startswith(f"geotorch: error: --config {config}: a config maps sections")
    assert error.endswith(f"this file holds {holds}")


def test_a_binary_file_given_as_the_config_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raster = tmp_path / "scene.tif"
    raster.write_bytes(b"II*\x00\x08\x00\x00\x00\xff\xfe\x00\x80")
    error = error_of(["fit", "--config", str(raster)], capsys)
    assert error.startswith(f"geotorch: error: --config {raster}: not a YAML file (not UTF-8 text")


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("missing.ckpt", None, "no such file"),
        ("empty.ckpt", b"", "an empty file"),
        ("notes.ckpt", b"hello\n", "not a PyTorch checkpoint"),
        ("scene.tif", b"II*\x00\x08\x00\x00\x00", "not a PyTorch checkpoint"),
    ],
)
def test_a_checkpoint_that_is_no_checkpoint_file_is_named_before_anything_is_built(
    name: str, content: bytes | None, says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    checkpoint = tmp_path / name
    if content is not None:
        checkpoint.write_bytes(content)
    error = error_of(["predict", "--config", "quickstart", "--ckpt_path", str(checkpoint)], capsys)
    assert error.startswith(f"geotorch: error: --ckpt_path {checkpoint}: {says}")
    assert error_of(["fit", "--config", "quickstart", f"--ckpt_path={checkpoint}"], capsys).startswith(
        f"geotorch: error: --ckpt_path {checkpoint}: {says}"
    )


def test_a_folder_given_as_the_checkpoint_or_in_a_config_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "run.yaml"
    config.write_text(f"model: SemanticSegmentationTask\nckpt_path: {tmp_path}\n")
    error = error_of(["test", "--config", str(config)], capsys)
    assert error.startswith(f"geotorch: error: --ckpt_path {tmp_path}: a folder, not a checkpoint file")


@pytest.mark.parametrize(
    "option",
    ["--trainer.max_epochs=one", "--data.batch_size=abc", "--model.init_args.modle=unet", "--trainr.max_epochs=1"],
)
def test_a_wrong_value_or_a_typo_is_one_message_naming_the_option_without_the_usage(
    option: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fit", "--config", "quickstart", option]) == 2
    error = capsys.readouterr().err
    assert error.startswith("geotorch fit: error: ")
    assert option.split("=")[0].removeprefix("--").split(".")[-1] in error
    assert "usage:" not in error and "--trainer.barebones" not in error
    assert error.rstrip().endswith("(`geotorch fit --help` lists the options)")
    assert len(error.strip().splitlines()) == 2  # the error on one line, then where to look


@pytest.mark.parametrize(
    ("option", "says"),
    [
        ("--trainer.max_epochs=one", "trainer.max_epochs: Expected a <class 'int'>; given: one"),
        ("--model.init_args.modle=unet", "model: Problem with given class_path "
         "'geotorch.trainers.SemanticSegmentationTask': Option 'modle' is not accepted (did you mean 'model'?)"),
        ("--data.batch_size=abc", "data: Problem with given class_path 'geotorch.datamodules.DemoDataModule': "
         "Parser key \"batch_size\": Expected a <class 'int'>. Got value: abc"),
    ],
)
def test_an_optional_option_names_only_what_its_type_refused(
    option: str, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fit", "--config", "quickstart", option]) == 2
    assert capsys.readouterr().err.splitlines()[0] == f"geotorch fit: error: {says}"


@pytest.mark.parametrize(
    ("option", "says"),
    [
        ("--model.init_args.ignore_index=nodata", "model: Problem with given class_path "
         "'geotorch.trainers.SemanticSegmentationTask': ignore_index: Expected a <class 'int'>; given: nodata"),
        ("--model.init_args.num_classes=six", "model: Problem with given class_path "
         "'geotorch.trainers.SemanticSegmentationTask': num_classes: Expected a <class 'int'>; given: six"),
        ("--data.init_args.length=many", "data: Problem with given class_path 'geotorch.datamodules.DemoDataModule': "
         "length: Expected a <class 'int'>; given: many"),
    ],
)
def test_an_optional_argument_of_a_task_or_datamodule_names_only_what_its_type_refused(
    option: str, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before: jsonargparse's nested union report on one line ("Parser key "ignore_index": Does not validate against
    # any of the Union subtypes Subtypes: [...] Errors: - Expected a <class 'int'> - Expected a <class 'NoneType'>
    # Given value type: ..."), ending with "; given: " and the class's whole init_args.
    assert main(["fit", "--config", "quickstart", option]) == 2
    error = capsys.readouterr().err.splitlines()[0]
    assert error == f"geotorch fit: error: {says}"


def test_ctrl_c_during_a_fit_exits_130_saying_interrupted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from geotorch.trainers import SemanticSegmentationTask

    def pressed_ctrl_c(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(SemanticSegmentationTask, "training_step", pressed_ctrl_c)
    handler = signal.getsignal(signal.SIGINT)  # Lightning ignores SIGINT while it shuts down
    tiny = ["--trainer.limit_val_batches=0", "--model.init_args.model=fcn", "--model.init_args.num_filters=4",
            "--data.init_args.num_workers=0", "--data.init_args.batch_size=2", "--trainer.enable_progress_bar=false",
            f"--trainer.default_root_dir={tmp_path}", f"--trainer.logger.init_args.save_dir={tmp_path}"]
    try:
        status = main(["fit", "--config", "quickstart", *tiny])
    finally:
        signal.signal(signal.SIGINT, handler)
    assert status == 130
    assert capsys.readouterr().err.rstrip().endswith("geotorch: interrupted")


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["fit"], "no task (model:) and no datamodule (data:) given"),
        (["validate", "--model=SemanticSegmentationTask"], "no datamodule (data:) given"),
    ],
    ids=["nothing", "no datamodule"],
)
def test_a_command_without_a_config_says_how_to_give_one(
    argv: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # A newcomer's first `geotorch fit` said "the following arguments are required: fit.data, fit.model".
    assert main(argv) == 2
    error, hint = capsys.readouterr().err.strip().splitlines()
    assert error == (f"geotorch {argv[0]}: error: {says}: give a config, --config NAME_OR_FILE (`geotorch configs` "
                     "lists the shipped ones: --config quickstart), or the classes, --model CLASS and --data CLASS")
    assert hint == f"(`geotorch {argv[0]} --help` lists the options)"


@pytest.mark.parametrize(
    ("option", "meant"),
    [("--model=SemanticSegmentationTsk", "SemanticSegmentationTask"),
     ("--model=semanticsegmentationtask", "SemanticSegmentationTask"),
     ("--data=DemoDataModuel", "DemoDataModule")],
    ids=["typo", "case", "swapped letters"],
)
def test_a_misspelt_task_or_datamodule_names_the_registered_one(
    option: str, meant: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # "unknown task 'SemanticSegmentationTsk' (known: <14 tasks>)": a hint came only for a part of a name.
    assert main(["fit", "--config", "quickstart", option]) == 1
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert f"; did you mean {meant}? (known: " in line


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["fit", "--config="], "--config is empty (an unset shell variable?): give a shipped config's name "
                               "(`geotorch configs` lists them) or a YAML file's path"),
        (["fit", "-c", ""], "--config is empty (an unset shell variable?): give a shipped config's name "
                            "(`geotorch configs` lists them) or a YAML file's path"),
        (["predict", "--config", "quickstart", "--ckpt_path="], "--ckpt_path is empty (an unset shell variable?): "
                                                                "give a checkpoint file, as `geotorch fit` names one "
                                                                "at its end"),
    ],
    ids=["--config=", "-c ''", "--ckpt_path="],
)
def test_an_empty_path_is_named_as_empty(argv: list[str], says: str, capsys: pytest.CaptureFixture[str]) -> None:
    # `--ckpt_path=$CKPT` with CKPT unset said "--ckpt_path .: a folder, not a checkpoint file", --config= alike.
    assert error_of(argv, capsys) == f"geotorch: error: {says}"


@pytest.mark.parametrize(
    ("config", "says"),
    [
        ("trainer:\n  max_epoch: 3\n", "Subcommand 'fit' does not accept option 'trainer.max_epoch' "
                                       "(did you mean 'trainer.max_epochs'?)"),
        ("seed_everythin: 3\n", "Subcommand 'fit' does not accept option 'seed_everythin' "
                                "(did you mean 'seed_everything'?)"),
        ("data:\n  init_args:\n    batchsize: 3\n", "data: Problem with given class_path "
         "'geotorch.datamodules.DemoDataModule': Option 'batchsize' is not accepted (did you mean 'batch_size'?)"),
        ("model:\n  init_args:\n    numclasses: 3\n", "model: Problem with given class_path "
         "'geotorch.trainers.SemanticSegmentationTask': Option 'numclasses' is not accepted "
         "(did you mean 'num_classes'?)"),
    ],
    ids=["trainer", "top level", "datamodule", "task"],
)
def test_a_misspelt_key_in_a_config_names_the_key_meant(
    config: str, says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A key one letter off (max_epoch, batchsize) was refused without naming the key it meant.
    mine = tmp_path / "mine.yaml"
    mine.write_text(config)
    assert main(["fit", "--config", "quickstart", "--config", str(mine)]) == 2
    assert capsys.readouterr().err.splitlines()[0] == f"geotorch fit: error: {says}"


def test_config_and_checkpoint_paths_spelt_with_a_tilde_are_read_from_the_home_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The shell leaves '~' in --config=~/run.yaml and --ckpt_path=~/fit.ckpt (not a word of its own), and both
    # said "no such file", though dataset paths spelt so are read from home (e79f82b).
    from tests.trainers.test_predict_checkpoints import CONFIG, fcn_checkpoint

    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "run.yaml").write_text(CONFIG % (tmp_path / "run"))
    fcn_checkpoint(tmp_path / "fit.ckpt")
    argv = ["validate", "--config=~/run.yaml", "--ckpt_path=~/fit.ckpt", "--trainer.limit_val_batches=1"]
    assert main(argv) == 0
    assert main(["validate", "-c", "~/run.yaml", "--ckpt_path", "~/fit.ckpt", "--trainer.limit_val_batches=1"]) == 0


@pytest.mark.parametrize(
    ("word", "meant"),
    [("quickstart", "quickstart"), ("Quickstart", "quickstart"), ("quickstrat", "quickstart"),
     ("run.yaml", "run.yaml")],
    ids=["shipped name", "case", "typo", "yaml file"],
)
def test_a_config_given_without_the_config_option_says_how_to_give_it(
    word: str, meant: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # `geotorch fit quickstart` (the word --config forgotten) said only "unrecognized arguments: quickstart".
    monkeypatch.chdir(tmp_path)
    (tmp_path / "run.yaml").write_text("trainer:\n  max_epochs: 1\n")
    assert main(["fit", word]) == 2
    error = capsys.readouterr().err.strip().splitlines()[0]
    assert error == (f"geotorch fit: error: unrecognized arguments: {word}: a config is given with --config: "
                     f"`geotorch fit --config {meant}`")


def test_an_unrecognized_argument_like_no_config_gets_no_config_hint(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fit", "--config", "quickstart", "everything"]) == 2
    assert capsys.readouterr().err.splitlines()[0] == "geotorch fit: error: unrecognized arguments: everything"


CHECKPOINTS_INTO = """trainer:
  callbacks:
    - class_path: lightning.pytorch.callbacks.ModelCheckpoint
      init_args:
        dirpath: %s
"""


@pytest.mark.parametrize(
    ("subcommand", "option", "says"),
    [
        ("predict", "--trainer.default_root_dir={file}", "--trainer.default_root_dir {file}"),
        ("fit", "--trainer.logger.init_args.save_dir={file}/runs", "trainer.logger's CSVLogger save_dir {file}/runs"),
        ("fit", "--config={config}", "trainer.callbacks's ModelCheckpoint dirpath {file}/checkpoints"),
    ],
    ids=["predict into a file", "logs under a file", "checkpoints under a file"],
)
def test_an_output_folder_that_is_a_file_is_named_before_anything_is_built(
    subcommand: str, option: str, says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Lightning failed once the data was set up with "[Errno 17] File exists: '<file>'" (predict) or
    # "[Errno 20] Not a directory: '<file>/runs/quickstart'" (fit), naming no option.
    file = tmp_path / "notes.txt"
    file.write_text("not a folder\n")
    config = tmp_path / "checkpoints.yaml"
    config.write_text(CHECKPOINTS_INTO % (file / "checkpoints"))
    argv = [subcommand, "--config", "quickstart", option.format(file=file, config=config)]
    assert main(argv) == 1
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error == (f"geotorch: error: {says.format(file=file)}: {file} is a file, not a folder; give a folder for "
                     "the run to write into")


@pytest.mark.parametrize("choice", ["last", "best"])
@pytest.mark.parametrize("subcommand", ["predict", "validate"])
def test_a_checkpoint_choice_that_loads_no_checkpoint_is_refused_not_run_untrained(
    subcommand: str, choice: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str]
) -> None:
    # `geotorch predict --config quickstart --ckpt_path last` after a fit warned that Lightning found "no last
    # checkpoint" and wrote an untrained task's predictions; `best` said ModelCheckpoint "is not configured to
    # save the best model", though the config saves one.
    monkeypatch.chdir(tmp_path)
    argv = [subcommand, "--config", "quickstart", f"--ckpt_path={choice}", "--trainer.limit_val_batches=1",
            "--trainer.limit_predict_batches=1"]
    assert main(argv) == 1
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith(f"geotorch: error: --ckpt_path {choice}: ")
    assert error.endswith("give the checkpoint file `geotorch fit` names at its end "
                          "(--ckpt_path=<run>/checkpoints/<file>.ckpt)")
    assert not list(tmp_path.rglob("*.tif"))


def test_a_last_checkpoint_lightning_finds_in_a_checkpoint_folder_is_loaded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    from tests.trainers.test_predict_checkpoints import CONFIG, fcn_checkpoint

    (tmp_path / "checkpoints").mkdir()
    last = fcn_checkpoint(tmp_path / "checkpoints" / "last.ckpt")
    (tmp_path / "run.yaml").write_text(CONFIG % (tmp_path / "run"))
    (tmp_path / "checkpoints.yaml").write_text(CHECKPOINTS_INTO % (tmp_path / "checkpoints"))
    configs = ["-c", str(tmp_path / "run.yaml"), "-c", str(tmp_path / "checkpoints.yaml")]
    with caplog.at_level("INFO"):
        assert main(["predict", *configs, "--ckpt_path", "last"]) == 0
    assert f"Loaded model weights from the checkpoint at {last}" in caplog.text + capsys.readouterr().err
    assert len(list((tmp_path / "run" / "predictions").glob("*.tif"))) == 1


@pytest.mark.parametrize(
    ("option", "says"),
    [
        ("--optimizer=Adamw", "optimizer: 'Adamw' names no importable subclass of torch.optim.optimizer.Optimizer "
                              "(did you mean 'AdamW'?)"),
        ("--trainer.logger=lightning.pytorch.loggers.CSVLoger", "trainer.logger: 'lightning.pytorch.loggers.CSVLoger' "
         "names no importable subclass of lightning.pytorch.loggers.logger.Logger (did you mean 'CSVLogger'?)"),
        ("--trainer.callbacks+=EarlyStoping", "trainer.callbacks: 'EarlyStoping' names no importable subclass of "
                                              "lightning.pytorch.callbacks.callback.Callback (did you mean "
                                              "'EarlyStopping'?)"),
        ("--model=geotorch.trainers.SemanticSegmentationTsk", "model: 'geotorch.trainers.SemanticSegmentationTsk' "
         "names no importable subclass of lightning.pytorch.core.module.LightningModule (did you mean "
         "'SemanticSegmentationTask'?)"),
        ("--optimizer=torch.nn.Linear", "optimizer: 'torch.nn.Linear' names no importable subclass of "
                                        "torch.optim.optimizer.Optimizer; give a class name or its import path "
                                        "(module.Class)"),
    ],
    ids=["optimizer", "logger path", "callback", "task path", "no optimizer"],
)
def test_a_misspelt_class_of_an_option_names_the_class_meant(
    option: str, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Each said 'Parser key "optimizer": - Expected a path but Adamw either not accessible or invalid - Does not
    # validate against any of the Union subtypes Subtypes: [...] Errors: - Expected a dot import path string: ...'.
    assert main(["fit", "--config", "quickstart", option]) == 2
    assert capsys.readouterr().err.splitlines()[0] == f"geotorch fit: error: {says}"


@pytest.mark.parametrize(
    "given", [["--data.root=data/eurosat"], ["--data.init_args.root=data/eurosat"], ["--config", "{config}"]],
    ids=["option", "init_args option", "config"],
)
def test_a_dataset_keyword_given_to_the_datamodule_says_how_to_pass_it_on(
    given: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # eurosat.yaml's own comment passes root as --data.dict_kwargs.root; --data.root (or root: under the data
    # section's init_args) said only "Option 'root' is not accepted".
    config = tmp_path / "root.yaml"
    config.write_text("data:\n  init_args:\n    root: data/eurosat\n")
    assert main(["fit", "--config", "eurosat", *(word.format(config=config) for word in given)]) == 2
    assert capsys.readouterr().err.splitlines()[0] == (
        "geotorch fit: error: data: Problem with given class_path 'geotorch.datamodules.EuroSATDataModule': Option "
        "'root' is not accepted: EuroSATDataModule passes the keywords it does not name on (**kwargs): give it as "
        "--data.dict_kwargs.root=VALUE, or under dict_kwargs: in the config's data: section"
    )


@pytest.mark.parametrize(("section", "holds"), [("trainer: 5\n", "5 (int)"),
                                                ("trainer:\n  - max_epochs: 3\n", "[{'max_epochs': 3}] (list)")],
                         ids=["a number", "a list"])
def test_a_trainer_section_that_is_not_a_mapping_is_named(
    section: str, holds: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # "'int' object is not a mapping" (Lightning's Trainer(**trainer)) once the seed was set, naming no file or key.
    config = tmp_path / "trainer.yaml"
    config.write_text(section)
    assert error_of(["fit", "--config", "quickstart", "--config", str(config)], capsys) == (
        f"geotorch: error: --config {config}: trainer: holds {holds}, not the trainer's settings: write them as a "
        "mapping under it (trainer: {max_epochs: 3})"
    )


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("trainer:\n  max_epochs: 3\n  accelerator: cpu\n  max_epochs: 1\n",
         "trainer.max_epochs is given twice (lines 2 and 4)"),
        ("seed_everything: 1\ntrainer: {max_epochs: 1}\nseed_everything: 2\n",
         "seed_everything is given twice (lines 1 and 3)"),
        ("trainer:\n  callbacks: [{class_path: a, class_path: b}]\n",
         "trainer.callbacks.class_path is given twice (line 2)"),
    ],
)
def test_a_key_given_twice_in_a_config_is_named_not_read_as_the_last(
    content: str, says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before: PyYAML kept the last value silently (max_epochs 1, seed 2).
    config = tmp_path / "twice.yaml"
    config.write_text(content)
    expected = f"geotorch: error: --config {config}: {says}; YAML keeps only the last, silently: give it once"
    assert error_of(["fit", "--config", str(config)], capsys) == expected


def test_yaml_merge_keys_and_aliases_are_not_keys_given_twice(tmp_path: Path) -> None:
    from geotorch.trainers.configs import read_config, shipped_configs

    config = tmp_path / "merged.yaml"
    config.write_text("base: &base {max_epochs: 1}\ntrainer:\n  <<: *base\n  accelerator: cpu\nlist: &l [1, *l]\n")
    assert read_config(config)["trainer"] == {"max_epochs": 1, "accelerator": "cpu"}
    for shipped in shipped_configs().values():
        read_config(shipped)


@pytest.mark.parametrize(("subcommand", "classes", "filters"), [("predict", 3, 4), ("validate", 6, 8)])
def test_a_last_checkpoint_of_other_hyperparameters_is_read_as_its_file_would_be(
    subcommand: str, classes: int, filters: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before: the task was built as configured (6 classes, 4 filters) and Lightning loaded last.ckpt into it:
    # 'Error(s) in loading state_dict for SemanticSegmentationTask: size mismatch ...', where
    # --ckpt_path=<checkpoints>/last.ckpt built the checkpoint's task.
    import rasterio

    from geotorch.trainers import SemanticSegmentationTask
    from tests.trainers.test_predict_checkpoints import CONFIG, fcn_checkpoint, save_checkpoint

    (tmp_path / "checkpoints").mkdir()
    fcn_checkpoint(tmp_path / "checkpoints" / "last-v1.ckpt", num_classes=6)
    os.utime(tmp_path / "checkpoints" / "last-v1.ckpt", (1, 1))  # the older: Lightning takes the newest
    task = SemanticSegmentationTask(model="fcn", in_channels=6, num_classes=classes, num_filters=filters)
    save_checkpoint(task, tmp_path / "checkpoints" / "last.ckpt")
    (tmp_path / "run.yaml").write_text(CONFIG % (tmp_path / "run"))
    (tmp_path / "checkpoints.yaml").write_text(CHECKPOINTS_INTO % (tmp_path / "checkpoints"))
    configs = ["-c", str(tmp_path / "run.yaml"), "-c", str(tmp_path / "checkpoints.yaml")]
    assert main([subcommand, *configs, "--ckpt_path", "last"]) == 0, capsys.readouterr().err
    if subcommand == "predict":
        (written,) = (tmp_path / "run" / "predictions").glob("*.tif")
        with rasterio.open(written) as result:
            assert result.tags()["class_names"] == '["class_0", "class_1", "class_2"]'


def test_a_key_given_twice_in_a_yaml_file_an_option_names_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before: --data data.yaml trained with batch_size 4 (the last), silently.
    data = tmp_path / "data.yaml"
    data.write_text("class_path: DemoDataModule\ninit_args:\n  batch_size: 2\n  batch_size: 4\n")
    assert error_of(["fit", "--config", "quickstart", "--data", str(data)], capsys) == (
        f"geotorch: error: --data {data}: init_args.batch_size is given twice (lines 3 and 4); YAML keeps only the "
        "last, silently: give it once"
    )


@pytest.mark.parametrize("given", [["--seed_everything", "5000000000"], ["--seed_everything=-1"]])
def test_a_seed_numpy_cannot_take_names_seed_everything(given: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    # Before: 'geotorch: error: 5000000000 is not in bounds, numpy accepts from 0 to 4294967295', naming no option.
    seed = given[-1].removeprefix("--seed_everything=")
    assert error_of(["fit", "--config", "quickstart", *given], capsys) == (
        f"geotorch: error: seed_everything {seed}: not a seed numpy takes (0..4294967295); give one of those, true "
        "for a random one, or false to seed nothing"
    )
