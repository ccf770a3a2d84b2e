"""TorchGeo 0.10.1's README and docstring examples for datamodules, tasks, models, losses and the command line,
with ``geotorch`` in place of ``torchgeo``, in TorchGeo's argument orders and names, on generated benchmark
files; tiny models, one step on CPU, nothing downloaded."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import timm
import torch
from rasterio.warp import transform_bounds
from torch.utils.data import DataLoader

from geotorch.core import DownloadError
from geotorch.datamodules import (
    DeepGlobeLandCoverDataModule,
    InriaAerialImageLabelingDataModule,
    LEVIRCDDataModule,
    LoveDADataModule,
    OSCDDataModule,
    PatternNetDataModule,
    Sentinel2CDLDataModule,
    So2SatDataModule,
    VHR10DataModule,
)
from geotorch.datamodules.utils import collate_fn_detection
from geotorch.datasets import VHR10
from geotorch.losses import QRLoss, RQLoss
from geotorch.main import main
from geotorch.models import DOFA, FarSeg, ResNet18_Weights, get_model, get_model_weights, get_weight, unet
from geotorch.tasks import (
    BYOL,
    ChangeDetection,
    Classification,
    InstanceSegmentation,
    ObjectDetection,
    PixelwiseRegression,
    Regression,
    SemanticSegmentation,
)
from tests.datasets.fakes.change import make_levircd, make_oscd
from tests.datasets.fakes.classification import make_eurosat, make_patternnet, write_so2sat
from tests.datasets.fakes.detection import make_vhr10
from tests.datasets.fakes.geo import reflectance, stripes, write_raster
from tests.datasets.fakes.segmentation import make_deepglobe, make_inria, make_loveda
from tests.trainers.task_fakes import fast_trainer


def test_readme_vhr10_batches_with_collate_fn_detection(tmp_path: Path) -> None:
    dataset = VHR10(root=make_vhr10(tmp_path))
    dataloader = DataLoader(dataset, batch_size=2, shuffle=True, num_workers=0, collate_fn=collate_fn_detection)
    for batch in dataloader:
        assert isinstance(batch["image"], list) and isinstance(batch["bbox_xyxy"], list)
        assert isinstance(batch["label"], list) and isinstance(batch["mask"], list)
        assert batch["bbox_xyxy"][0].shape[-1] == 4


def test_readme_inria_binary_segmentation_fits(tmp_path: Path) -> None:
    datamodule = InriaAerialImageLabelingDataModule(
        root=make_inria(tmp_path / "inria"), batch_size=2, num_workers=0, patch_size=16
    )
    task = SemanticSegmentation(
        model="unet", backbone="resnet18", weights=None, in_channels=3, task="binary", loss="bce"
    )
    fast_trainer(tmp_path).fit(model=task, datamodule=datamodule)


def test_readme_config_through_geotorch_main(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_eurosat(tmp_path / "eurosat100")
    for split in ("train", "val", "test"):
        (root / f"eurosat-100-{split}.txt").write_text((root / f"eurosat-{split}.txt").read_text())
    config = tmp_path / "config.yaml"
    config.write_text(
        "trainer:\n  max_epochs: 1\n  limit_train_batches: 1\n  limit_val_batches: 1\n  accelerator: cpu\n"
        "  logger: false\n  enable_checkpointing: false\n  enable_progress_bar: false\n"
        f"  default_root_dir: {tmp_path}\n"
        "model:\n  class_path: TASK\n  init_args:\n    model: 'resnet18'\n    in_channels: 13\n"
        "    num_classes: 10\n"
        "data:\n  class_path: EuroSAT100DataModule\n  init_args:\n    batch_size: 8\n"
        f"  dict_kwargs:\n    download: true\n    root: {root}\n"
    )
    text = config.read_text()
    config.write_text(text.replace("TASK", "Classification"))
    assert main(["fit", "--config", str(config)]) == 0
    assert "geotorch fit: done" in capsys.readouterr().out
    config.write_text(text.replace("TASK", "geotorch.tasks.Classification"))
    assert main(["validate", "--config", str(config), "--model", "Classification"]) == 0
    config.write_text(text.replace("TASK", "Segmentation"))
    assert main(["fit", "--config", str(config)]) == 1
    assert "unknown task 'Segmentation'" in capsys.readouterr().err


def test_python_m_geotorch_lists_the_commands() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "geotorch", "--help"], capture_output=True, text=True, check=False, timeout=300
    )
    assert result.returncode == 0 and "fit" in result.stdout


def test_datamodules_take_torchgeos_positional_order(tmp_path: Path) -> None:
    deepglobe = DeepGlobeLandCoverDataModule(2, 16, 0.5, 0, root=make_deepglobe(tmp_path / "deepglobe"))
    assert (deepglobe.batch_size, deepglobe.patch_size, deepglobe.val_split_pct, deepglobe.num_workers) == (
        2,
        16,
        0.5,
        0,
    )
    deepglobe.setup("fit")
    assert deepglobe.val_dataset is not None and len(deepglobe.val_dataset) > 0  # type: ignore[arg-type]
    loveda = LoveDADataModule(2, 0, root=make_loveda(tmp_path / "loveda"))
    assert (loveda.batch_size, loveda.num_workers) == (2, 0)
    patternnet = PatternNetDataModule(2, 0, 0.25, 0.25, root=make_patternnet(tmp_path / "patternnet"), image_size=16)
    assert (patternnet.val_split_pct, patternnet.test_split_pct) == (0.25, 0.25)
    patternnet.setup("fit")
    assert patternnet.train_dataset is not None


def test_so2sat_datamodule_band_set(tmp_path: Path) -> None:
    root = tmp_path / "so2sat"
    for name in ("training.h5", "validation.h5", "testing.h5"):
        write_so2sat(root / name)
    datamodule = So2SatDataModule(batch_size=2, band_set="rgb", root=root)
    datamodule.setup("fit")
    batch = next(iter(datamodule.train_dataloader()))
    assert batch["image"].shape == (2, 3, 32, 32)
    with pytest.raises(ValueError, match="band_set"):
        So2SatDataModule(band_set="thermal", root=root)


@pytest.mark.parametrize(
    ("datamodule_class", "write"), [(OSCDDataModule, make_oscd), (LEVIRCDDataModule, make_levircd)]
)
def test_change_datamodules_crop_pairs_to_patch_size(tmp_path: Path, datamodule_class: type, write: object) -> None:
    datamodule = datamodule_class(batch_size=2, patch_size=8, root=write(tmp_path / "data"))  # type: ignore[operator]
    datamodule.setup("fit")
    batch = next(iter(datamodule.train_dataloader()))
    assert batch["image"].shape[-2:] == (8, 8) and batch["mask"].shape[-2:] == (8, 8)
    augmented = datamodule.train_aug({"image": batch["image"].float(), "mask": batch["mask"]})
    assert augmented["image"].shape[-2:] == (8, 8) and augmented["mask"].shape[-2:] == (8, 8)
    datamodule.setup("test")
    assert next(iter(datamodule.test_dataloader()))["image"].shape[-2:] == (8, 8)


def test_vhr10_datamodule_resizes_images_and_boxes_to_patch_size(tmp_path: Path) -> None:
    datamodule = VHR10DataModule(
        batch_size=2, patch_size=32, root=make_vhr10(tmp_path), val_split_pct=0.0, test_split_pct=0.0
    )
    datamodule.setup("fit")
    batch = next(iter(datamodule.train_dataloader()))
    before = [box.clone() for box in batch["boxes"]]
    sizes = [image.shape[-2:] for image in batch["image"]]
    resized = datamodule.on_after_batch_transfer(batch, 0)
    assert all(image.shape[-2:] == (32, 32) for image in resized["image"])
    for box, old, (height, width) in zip(resized["boxes"], before, sizes, strict=True):
        assert torch.allclose(box[:, 0], old[:, 0] * 32 / width) and torch.allclose(box[:, 1], old[:, 1] * 32 / height)


def test_sentinel2_cdl_datamodule_in_torchgeos_positional_order(tmp_path: Path) -> None:
    # 192 px: the validation and test strips (0.1 each) are at least a 16 px patch wide.
    size, left, top = 192, 500000.0, 4650000.0
    for number, band in enumerate(("B02", "B03", "B04", "B08")):
        write_raster(
            tmp_path / "s2" / f"T16TDL_20210101T103331_{band}_10m.tif",
            reflectance((size, size), number),
            32616,
            left,
            top,
            10.0,
        )
    west, south, east, north = transform_bounds("EPSG:32616", "EPSG:5070", left, top - size * 10, left + size * 10, top)
    x, y = np.floor(west / 30) * 30 - 30, np.ceil(north / 30) * 30 + 30
    side = int(np.ceil(max(east - west, north - south) / 30)) + 4
    write_raster(
        tmp_path / "cdl" / "2021_30m_cdls.tif", stripes((side, side), (1, 5, 24), width=2), 5070, x, y, 30.0, nodata=0
    )
    datamodule = Sentinel2CDLDataModule(
        2,
        16,
        4,
        0,
        sentinel2_paths=tmp_path / "s2",
        sentinel2_bands=["B04", "B03", "B02", "B08"],
        cdl_paths=tmp_path / "cdl",
        cdl_years=[2021],
    )
    assert (datamodule.batch_size, datamodule.patch_size, datamodule.length) == (2, 16, 4)
    datamodule.setup("fit")
    batch = next(iter(datamodule.train_dataloader()))
    assert batch["image"].shape == (2, 4, 16, 16) and batch["mask"].shape == (2, 16, 16)


def test_change_detection_0_10_arguments_fit_on_levircd(tmp_path: Path) -> None:
    root = make_levircd(tmp_path / "levircd", {"train": 2, "val": 2, "test": 1})
    datamodule = LEVIRCDDataModule(batch_size=2, patch_size=8, root=root)
    task = ChangeDetection(model="unet", backbone="resnet18", in_channels=3, task="binary", loss="bce")
    assert task.eval()(torch.rand(1, 2, 3, 32, 32)).shape == (1, 1, 32, 32)
    fcn = ChangeDetection(model="fcn", in_channels=3, task="binary", loss="dice", num_filters=4)
    fast_trainer(tmp_path).fit(model=fcn, datamodule=datamodule)
    assert torch.isfinite(fcn.trainer.callback_metrics["train_loss"])
    multiclass = ChangeDetection(
        model="fcsiamdiff", backbone="resnet18", in_channels=3, task="multiclass", num_classes=3, loss="ce"
    )
    assert multiclass.eval()(torch.rand(1, 2, 3, 32, 32)).shape == (1, 3, 32, 32)


def test_tasks_take_torchgeos_positional_order() -> None:
    classification = Classification(
        "resnet18", None, 3, "multiclass", 5, None, None, None, "ce", None, None, 0.01, 4, True
    )
    assert classification.hparams["freeze_backbone"] is True and classification.hparams["patience"] == 4
    # A U-Net: an FCN has no decoder to freeze (refused since ff98dfc).
    segmentation = SemanticSegmentation(
        "unet", "resnet18", None, 3, "multiclass", 4, None, None, 4, None, "ce", None, None, 0.01, 4, False, True
    )
    assert segmentation.hparams["freeze_decoder"] is True
    pixelwise = PixelwiseRegression("unet", "resnet18", None, 3, 1).eval()
    assert pixelwise.hparams["backbone"] == "resnet18"
    assert pixelwise(torch.rand(1, 3, 32, 32)).shape == (1, 1, 32, 32)
    detection = ObjectDetection("faster-rcnn", "resnet18", None, 3, 11, 3, 1e-3, 7, True)
    assert (detection.hparams["lr"], detection.hparams["patience"], detection.hparams["freeze_backbone"]) == (
        1e-3,
        7,
        True,
    )
    byol = BYOL("resnet18", None, 3, 0.05, 6)
    assert (byol.hparams["lr"], byol.hparams["patience"]) == (0.05, 6)


def test_regression_labels_and_instance_segmentation_weights_backbone() -> None:
    regression = Regression(model="resnet18", num_outputs=2, labels=["biomass", "height"])
    assert regression.hparams["labels"] == ["biomass", "height"]
    instances = InstanceSegmentation("mask-rcnn", "resnet18", None, None, 3, 3, min_size=64, max_size=64)
    assert instances.hparams["num_classes"] == 3
    with pytest.raises(ValueError, match="weights_backbone"):
        InstanceSegmentation(weights=True, weights_backbone=True)


def test_readme_timm_model_with_enum_weights_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    weights = ResNet18_Weights.SENTINEL2_ALL_MOCO
    model = timm.create_model("resnet18", in_chans=weights.meta["in_chans"], num_classes=10)
    assert model.conv1.in_channels == 13
    with pytest.raises(DownloadError, match="torch/hub/checkpoints"):
        weights.get_state_dict(progress=True, check_hash=True, weights_only=True)


def test_model_registry_functions() -> None:
    assert isinstance(get_model("resnet18", weights=None), torch.nn.Module)
    assert ResNet18_Weights.SENTINEL2_ALL_MOCO in list(get_model_weights("resnet18"))
    assert get_weight("ResNet18_Weights.SENTINEL2_ALL_MOCO") is ResNet18_Weights.SENTINEL2_ALL_MOCO


def test_segmentation_builders_in_torchgeos_order() -> None:
    model = unet(None, 3, encoder_name="resnet18", in_channels=4).eval()
    assert model(torch.rand(1, 4, 32, 32)).shape == (1, 3, 32, 32)
    farseg = FarSeg("resnet18", 4, None).eval()
    assert farseg(torch.rand(1, 3, 32, 32)).shape == (1, 4, 32, 32)
    dofa = DOFA(32, 16, 0.0, 32, 1, 2, 16, 4).eval()
    assert dofa(torch.rand(1, 3, 32, 32), [0.665, 0.56, 0.49]).shape == (1, 4)


def test_losses_of_0_10() -> None:
    probs = torch.rand(2, 4, 8, 8).softmax(dim=1)
    target = torch.rand(2, 4, 8, 8).softmax(dim=1)
    assert torch.isfinite(QRLoss()(probs, target)) and torch.isfinite(RQLoss()(probs, target))
