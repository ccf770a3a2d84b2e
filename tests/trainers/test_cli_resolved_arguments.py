"""``geotorch fit`` builds and saves a task with the arguments its ``__init__`` resolved, not the config's raw ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch

import geotorch.trainers
from geotorch.core.cli import main
from tests.datasets.fakes.detection import make_vhr10

ONE_STEP = """
trainer:
  accelerator: cpu
  max_steps: 1
  limit_val_batches: 1
  logger: false
  enable_progress_bar: false
  default_root_dir: {root}
"""


def fitted_hyperparameters(tmp_path: Path, config: str) -> dict[str, Any]:
    """Run ``geotorch fit`` on ``config`` for one step and return the hyperparameters of its checkpoint."""
    path = tmp_path / "config.yaml"
    path.write_text(config + ONE_STEP.format(root=tmp_path / "run"))
    assert main(["fit", "--config", str(path)]) == 0
    (checkpoint,) = (tmp_path / "run").rglob("*.ckpt")
    hyperparameters: dict[str, Any] = torch.load(checkpoint, weights_only=False)["hyper_parameters"]
    task_class = getattr(geotorch.trainers, hyperparameters["_class_path"].rsplit(".", 1)[1])
    loaded = task_class.load_from_checkpoint(checkpoint)
    assert {name: value for name, value in loaded.hparams.items() if not name.startswith("_")} == {
        name: value for name, value in hyperparameters.items() if not name.startswith("_")}
    return hyperparameters


@pytest.mark.parametrize(("task", "model"), [("ObjectDetectionTask", "faster-rcnn"),
                                             ("InstanceSegmentationTask", "mask-rcnn")])
def test_a_detection_task_without_model_fits_its_default_detector(tmp_path: Path, task: str, model: str) -> None:
    # Before: 'geotorch: error: unknown model None (known: ...)'.
    config = f"""
model:
  class_path: {task}
  init_args: {{backbone: resnet18, num_classes: 11, min_size: 64, max_size: 64}}
data:
  class_path: VHR10DataModule
  init_args: {{batch_size: 1, val_split_pct: 0.4, test_split_pct: 0.4}}
  dict_kwargs: {{root: {make_vhr10(tmp_path / "vhr10")}}}
"""
    hyperparameters = fitted_hyperparameters(tmp_path, config)
    assert hyperparameters["model"] == model
    assert hyperparameters["_class_path"] == f"geotorch.trainers.{task}"


DEMO = """
data:
  class_path: DemoDataModule
  init_args: {batch_size: 4, patch_size: 32, length: 8}
"""


@pytest.mark.parametrize(("task", "layers"), [("MoCoTask", 3), ("SimCLRTask", 3)])
def test_ssl_tasks_fit_with_their_versions_defaults(tmp_path: Path, task: str, layers: int) -> None:
    # Before: "geotorch: error: '<' not supported between instances of 'NoneType' and 'int'" (layers=None).
    config = f"""
model:
  class_path: {task}
  init_args: {{in_channels: 6, size: 32, hidden_dim: 32}}
""" + DEMO
    hyperparameters = fitted_hyperparameters(tmp_path, config)
    assert hyperparameters["layers"] == layers


def test_torchgeos_older_argument_names_set_what_they_name(tmp_path: Path) -> None:
    # Before: learning_rate was saved beside lr and the task trained, silently, at the default lr=0.001.
    config = """
model:
  class_path: BYOLTask
  init_args: {in_channels: 6, size: 32, hidden_dim: 32, output_dim: 16}
  dict_kwargs: {learning_rate: 0.05}
""" + DEMO
    hyperparameters = fitted_hyperparameters(tmp_path, config)
    assert hyperparameters["lr"] == 0.05 and "learning_rate" not in hyperparameters
