"""``geotorch fit|validate|test|predict``: the quickstart config, names from the registry, bad input."""

from __future__ import annotations

import csv
import types
from pathlib import Path

import pytest
import rasterio
from lightning.pytorch import LightningModule

from geotorch.core import hookimpl
from geotorch.core.cli import main
from geotorch.core.plugins import register_plugin, unregister_plugin
from geotorch.trainers import SemanticSegmentationTask

CONF = Path(__file__).resolve().parents[2] / "conf"
QUICKSTART = CONF / "quickstart.yaml"
#: Mean IoU of guessing: the five classes' IoU when predicting each in proportion to its share is
#: at most about 0.2 here; the quickstart must reach far above it.
CHANCE_MIOU = 0.2


def small_run(tmp_path: Path) -> list[str]:
    """Overrides that keep a quickstart run in ``tmp_path``."""
    return [f"--trainer.default_root_dir={tmp_path}", f"--trainer.logger.init_args.save_dir={tmp_path}"]


def metrics(tmp_path: Path) -> list[dict[str, str]]:
    (path,) = tmp_path.glob("quickstart/version_*/metrics.csv")
    with path.open() as file:
        return list(csv.DictReader(file))


@pytest.mark.slow
def test_the_quickstart_trains_above_chance_in_48_steps_then_predicts_geotiffs(tmp_path: Path) -> None:
    status = main(["fit", "--config", str(QUICKSTART), *small_run(tmp_path), "--trainer.max_epochs=1",
                   "--data.init_args.length=768", "--trainer.enable_progress_bar=false"])
    assert status == 0
    rows = [row for row in metrics(tmp_path) if row.get("val_JaccardIndex")]
    assert int(rows[-1]["step"]) == 47
    assert float(rows[-1]["val_JaccardIndex"]) > 3 * CHANCE_MIOU
    (checkpoint,) = tmp_path.glob("quickstart/version_0/checkpoints/last.ckpt")

    status = main(["predict", "--config", str(QUICKSTART), *small_run(tmp_path), f"--ckpt_path={checkpoint}",
                   "--trainer.enable_progress_bar=false", "--trainer.logger=false"])
    assert status == 0
    # The test strip, the prediction area, is the eastern scene's (in EPSG:32617, read on the 32616 grid).
    written = sorted((tmp_path / "predictions").glob("*.tif"))
    assert [path.stem for path in written] == ["DEMO_32617_20230621"]
    with rasterio.open(written[0]) as result:
        assert result.crs.to_epsg() == 32616 and result.res == (30.0, 30.0)
        classes = result.read(1)
    assert set(classes[classes != 255].ravel().tolist()) <= {0, 1, 2, 3, 4, 5}


def test_an_unknown_task_lists_the_registered_ones(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fit", "--config", str(QUICKSTART), "--model=SegmentationTsk"]) == 1
    error = capsys.readouterr().err
    assert "unknown task 'SegmentationTsk'" in error
    assert "SemanticSegmentationTask" in error and "ClassificationTask" in error


def test_an_unknown_datamodule_in_a_config_lists_the_registered_ones(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text(QUICKSTART.read_text().replace("class_path: DemoDataModule", "class_path: DemoDataModul"))
    assert main(["fit", "--config", str(config)]) == 1
    error = capsys.readouterr().err
    assert "unknown datamodule 'DemoDataModul'; did you mean" in error and "EuroSATDataModule" in error


def test_a_band_count_the_datamodule_does_not_give_fails_before_training(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["fit", "--config", str(QUICKSTART), *small_run(tmp_path), "--model.init_args.in_channels=3"])
    assert status == 1
    assert "DemoDataModule gives images of 6 bands but SemanticSegmentationTask has in_channels=3" in (
        capsys.readouterr().err
    )
    assert not list(tmp_path.rglob("*.ckpt"))


def test_a_checkpoint_the_bands_cannot_take_fails_before_training(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import torch

    encoder = SemanticSegmentationTask(model="unet", backbone="resnet18", in_channels=3).model.encoder.model
    torch.save(encoder.state_dict(), tmp_path / "rgb.pth")
    status = main(["fit", "--config", str(QUICKSTART), *small_run(tmp_path),
                   f"--model.init_args.weights={tmp_path / 'rgb.pth'}"])
    assert status == 1
    assert "take 3 bands but the task has in_channels=6" in capsys.readouterr().err
    assert not list(tmp_path.rglob("*.ckpt"))


class ThirdPartyTask(SemanticSegmentationTask):
    """A stranger's task: registered by a plugin, found by the command line under its name."""


@pytest.fixture
def third_party_plugin() -> types.ModuleType:
    plugin = types.ModuleType("geotorch_stranger")

    @hookimpl
    def register_tasks(register):
        register(ThirdPartyTask)

    plugin.register_tasks = register_tasks  # type: ignore[attr-defined]
    register_plugin(plugin, "geotorch_stranger", "geotorch-stranger")
    yield plugin
    unregister_plugin("geotorch_stranger")


def test_a_third_party_task_is_found_by_its_registered_name(tmp_path: Path, third_party_plugin: object) -> None:
    status = main(["fit", "--config", str(QUICKSTART), *small_run(tmp_path), "--model=ThirdPartyTask",
                   "--model.init_args.model=fcn", "--model.init_args.num_filters=4", "--model.init_args.in_channels=6",
                   "--model.init_args.num_classes=6", "--trainer.fast_dev_run=true", "--data.init_args.patch_size=32",
                   "--data.init_args.num_workers=0", "--trainer.enable_progress_bar=false"])
    assert status == 0


def test_validate_and_test_run_from_a_config(tmp_path: Path) -> None:
    for command in ("validate", "test"):
        status = main([command, "--config", str(QUICKSTART), *small_run(tmp_path), "--trainer.fast_dev_run=true",
                       "--model.init_args.model=fcn", "--model.init_args.num_filters=4",
                       "--data.init_args.num_workers=0", "--trainer.enable_progress_bar=false"])
        assert status == 0


@pytest.mark.parametrize("config", sorted(CONF.glob("*.yaml")), ids=lambda path: path.stem)
def test_every_config_builds_its_task_datamodule_and_trainer(config: Path, tmp_path: Path) -> None:
    from geotorch.trainers.cli import GeoTorchCLI, check_names, load_registered

    check_names(["--config", str(config)])
    load_registered()
    cli = GeoTorchCLI(args=["--config", str(config), f"--trainer.default_root_dir={tmp_path}"], run=False)
    assert isinstance(cli.model, LightningModule)
    bands = getattr(cli.datamodule, "num_channels", None)
    assert bands is None or bands == cli.model.hparams["in_channels"]
