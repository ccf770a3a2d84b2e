"""``geotorch fit`` reads signed URLs as given and writes them into its run folder without their credentials."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import torch

from geotorch.core import plugins
from geotorch.datamodules import ImageLabelDataModule
from geotorch.trainers.cli import run
from tests.conftest import LocalHTTPServer
from tests.trainers.test_plugin_datasets_in_datamodules import _stranger_plugin, write_scene_and_labels

#: A presigned S3 URL's query, an Azure SAS token's, and a password: none may reach the run's folder.
SIGNED = "?X-Amz-Signature=SECRET5EC&X-Amz-Credential=AKIASECRET%2F20261203&X-Amz-Expires=60"
SAS = "?sv=2024-05-04&se=2026-12-04T00%3A00%3A00Z&sr=b&sp=r&sig=SASSECRET%3D"
SECRETS = ("SECRET5EC", "AKIASECRET", "SASSECRET", "PWSECRET")


class RecordingDataModule(ImageLabelDataModule):
    """ImageLabelDataModule saving its arguments as hyperparameters, as many third-party datamodules do."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.save_hyperparameters()


class HparamsDataModule(RecordingDataModule):
    """A datamodule building its datasets from ``self.hparams`` in ``setup``, as Lightning's docs show."""

    def setup(self, stage: str) -> None:
        self.image_arguments = dict(self.hparams["image_kwargs"])
        self.label_arguments = dict(self.hparams["label_kwargs"])
        super().setup(stage)


@pytest.fixture(autouse=True)
def stranger_plugin() -> Iterator[None]:
    """StrangerScenes and StrangerLabels (a plugin's RasterDatasets) registered in this process."""
    plugins.reset()
    plugins.register_plugin(_stranger_plugin(), "stranger_plugin", distribution="stranger-dist")
    yield
    plugins.unregister_plugin("stranger_plugin")
    plugins.reset()


def _fit(
    server: LocalHTTPServer, output: Path, image: str, labels: str, datamodule: str, extra: tuple[str, ...] = ()
) -> None:
    run("fit", [*extra,
        "--model=SemanticSegmentationTask", "--model.init_args.model=fcn", "--model.init_args.in_channels=2",
        "--model.init_args.num_classes=4", "--model.init_args.num_filters=4", f"--data={datamodule}",
        "--data.init_args.image_dataset=StrangerScenes", "--data.init_args.label_dataset=StrangerLabels",
        "--data.init_args.image_kwargs=" + json.dumps({"paths": image}),
        "--data.init_args.label_kwargs=" + json.dumps({"paths": [labels]}),
        "--data.init_args.patch_size=8", "--data.dict_kwargs.splits=[0.5,0.25,0.25]", "--data.init_args.length=4",
        "--data.init_args.batch_size=2", "--trainer.max_epochs=1", "--trainer.accelerator=cpu",
        "--trainer.enable_progress_bar=false", f"--trainer.default_root_dir={output}",
    ])


@pytest.mark.parametrize(
    ("datamodule", "extra"),
    [
        ("ImageLabelDataModule", ()),
        (f"{__name__}.RecordingDataModule", ()),
        (f"{__name__}.HparamsDataModule", ()),
        # Lightning calls no callback for a weights-only checkpoint: it kept the URLs whole (74b09db).
        (f"{__name__}.RecordingDataModule", ("--trainer.callbacks+=ModelCheckpoint",
                                             "--trainer.callbacks.save_weights_only=true")),
    ],
    ids=["ImageLabelDataModule", "RecordingDataModule", "HparamsDataModule", "weights-only"],
)
def test_signed_urls_are_read_and_the_run_folder_keeps_them_without_credentials(
    http_server: LocalHTTPServer, tmp_path: Path, datamodule: str, extra: tuple[str, ...]
) -> None:
    # Before: config.yaml held the URLs whole (X-Amz-Signature=SECRET5EC, sig=SASSECRET, reader:PWSECRET@), and
    # a datamodule saving its hyperparameters put them into hparams.yaml and the checkpoint too. Then (228d300) the
    # hyperparameters a datamodule or task is given were redacted, so HparamsDataModule read 'SASSECRET%3D' as
    # '...': HTTP 403 from a real store; here the labels' GETs were 0 (the server ignores the query) and the fit
    # read with the password redacted (401 from the server, which asks for it). Now only what is written is.
    http_server.ranges = True
    http_server.required_headers = {"Authorization": "Basic " + base64.b64encode(b"reader:PWSECRET").decode()}
    write_scene_and_labels(http_server.root)
    scene = http_server.url("scenes/scene_1.tif").replace("http://", "http://reader:PWSECRET@")
    labels = http_server.url("labels/labels_1.tif").replace("http://", "http://reader:PWSECRET@")
    _fit(http_server, tmp_path / "run", scene + SIGNED, labels + SAS, datamodule, extra)
    assert http_server.gets("scenes/scene_1.tif") > 0 and http_server.gets("labels/labels_1.tif") > 0
    version = tmp_path / "run" / "lightning_logs" / "version_0"
    (checkpoint,) = (version / "checkpoints").glob("*.ckpt")
    stored = torch.load(checkpoint, weights_only=False, map_location="cpu")
    written = {
        "config.yaml": (version / "config.yaml").read_text(),
        "hparams.yaml": (version / "hparams.yaml").read_text(),
        "checkpoint": repr((stored["hyper_parameters"], stored.get("datamodule_hyper_parameters"))),
    }
    for name, text in written.items():
        assert not [secret for secret in SECRETS if secret in text], f"{name}: {text}"
    shown_signed = SIGNED.replace("SECRET5EC", "...").replace("AKIASECRET%2F20261203", "...")
    shown_scene = scene.replace("PWSECRET", "...") + shown_signed
    shown_labels = labels.replace("PWSECRET", "...") + SAS.replace("SASSECRET%3D", "...")
    assert shown_scene in written["config.yaml"] and shown_labels in written["config.yaml"]
    if datamodule != "ImageLabelDataModule":
        assert shown_scene in written["hparams.yaml"] and shown_scene in written["checkpoint"]
