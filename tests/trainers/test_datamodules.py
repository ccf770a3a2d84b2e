"""Every benchmark datamodule runs a fast_dev_run on fake data written in the real layout."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lightning.pytorch import LightningModule

from geotorch.core import get_datamodule, list_datamodules
from geotorch.datamodules import (
    BaseDataModule,
    BigEarthNetDataModule,
    DeepGlobeLandCoverDataModule,
    ETCI2021DataModule,
    EuroSAT100DataModule,
    EuroSATDataModule,
    EuroSATSpatialDataModule,
    InriaAerialImageLabelingDataModule,
    LandCoverAIDataModule,
    LEVIRCDDataModule,
    LoveDADataModule,
    OSCDDataModule,
    PatternNetDataModule,
    RESISC45DataModule,
    So2SatDataModule,
    UCMercedDataModule,
)
from geotorch.trainers import (
    ChangeDetectionTask,
    ClassificationTask,
    MultiLabelClassificationTask,
    SemanticSegmentationTask,
)
from tests.datasets.fakes.change import make_levircd, make_oscd
from tests.datasets.fakes.classification import (
    make_bigearthnet,
    make_eurosat,
    make_patternnet,
    make_resisc45,
    make_ucmerced,
    write_so2sat,
)
from tests.datasets.fakes.segmentation import make_deepglobe, make_etci, make_inria, make_landcoverai, make_loveda
from tests.trainers.task_fakes import fast_trainer


def eurosat_variants(root: Path) -> Path:
    make_eurosat(root)
    for prefix in ("eurosat-spatial", "eurosat-100"):
        for split in ("train", "val", "test"):
            shutil.copy(root / f"eurosat-{split}.txt", root / f"{prefix}-{split}.txt")
    return root


def so2sat(root: Path) -> Path:
    for name in ("training.h5", "validation.h5", "testing.h5"):
        write_so2sat(root / name)
    return root


def classifier(classes: int) -> Callable[[int], LightningModule]:
    return lambda bands: ClassificationTask(model="resnet18", in_channels=bands, num_classes=classes)


def segmenter(classes: int) -> Callable[[int], LightningModule]:
    return lambda bands: SemanticSegmentationTask(model="fcn", num_filters=4, in_channels=bands,
                                                  num_classes=classes)


def change_detector(bands: int) -> LightningModule:
    return ChangeDetectionTask(model="fcsiamdiff", backbone="resnet18", in_channels=bands)


#: datamodule class, fake data writer, datamodule arguments, task builder (from the band count).
CASES: list[tuple[type[BaseDataModule], Callable[[Path], Path], dict[str, Any], Callable[[int], Any]]] = [
    (EuroSATDataModule, eurosat_variants, {}, classifier(10)),
    (EuroSATSpatialDataModule, eurosat_variants, {"bands": ["B04", "B03", "B02"]}, classifier(10)),
    (EuroSAT100DataModule, eurosat_variants, {}, classifier(10)),
    (UCMercedDataModule, make_ucmerced, {"image_size": 16}, classifier(21)),
    (RESISC45DataModule, make_resisc45, {"image_size": 16}, classifier(45)),
    (PatternNetDataModule, make_patternnet, {"image_size": 16}, classifier(38)),
    (So2SatDataModule, so2sat, {}, classifier(17)),
    (BigEarthNetDataModule, make_bigearthnet, {},
     lambda bands: MultiLabelClassificationTask(model="resnet18", in_channels=bands, num_classes=19)),
    (LoveDADataModule, make_loveda, {"patch_size": 16}, segmenter(8)),
    (LandCoverAIDataModule, make_landcoverai, {"patch_size": 16}, segmenter(5)),
    (InriaAerialImageLabelingDataModule, make_inria, {"patch_size": 16}, segmenter(2)),
    # Two labelled training chips: half of them validate.
    (DeepGlobeLandCoverDataModule, make_deepglobe, {"patch_size": 16, "val_split_pct": 0.5}, segmenter(7)),
    (ETCI2021DataModule, make_etci, {"val_split_pct": 0.5}, segmenter(2)),
    (LEVIRCDDataModule, make_levircd, {}, change_detector),
    # Two training cities, one held out: a batch of one, which batch norm cannot train on; the FCN has none.
    (OSCDDataModule, make_oscd, {"val_split_pct": 0.5},
     lambda bands: ChangeDetectionTask(model="fcn", in_channels=bands)),
]


@pytest.fixture(autouse=True)
def small_landcoverai_chips(monkeypatch: pytest.MonkeyPatch) -> None:
    from geotorch.datasets import LandCoverAI

    monkeypatch.setattr(LandCoverAI, "chip_size", 16)


@pytest.mark.parametrize(("datamodule_class", "write", "arguments", "task"), CASES,
                         ids=[case[0].__name__ for case in CASES])
def test_every_benchmark_datamodule_fits_and_tests(tmp_path: Path, datamodule_class: type[BaseDataModule],
                                                   write: Callable[[Path], Path], arguments: dict[str, Any],
                                                   task: Callable[[int], Any]) -> None:
    root = write(tmp_path / "data")
    datamodule = datamodule_class(root=root, batch_size=2, **arguments)  # type: ignore[call-arg]
    model = task(datamodule.num_channels or 3)
    trainer = fast_trainer(tmp_path)
    trainer.fit(model, datamodule=datamodule)
    trainer.test(model, datamodule=datamodule)
    assert "test_loss" in trainer.callback_metrics


def test_every_datamodule_is_registered_and_built_by_name(tmp_path: Path) -> None:
    registered = set(list_datamodules())
    assert {case[0].__name__ for case in CASES} | {"GeoDataModule", "NonGeoDataModule", "DemoDataModule"} <= registered
    datamodule = get_datamodule("InriaAerialImageLabelingDataModule", root=str(tmp_path), batch_size=64,
                                num_workers=6)
    assert (datamodule.batch_size, datamodule.num_workers) == (64, 6)


def test_the_seeds_inria_spelling_trains(tmp_path: Path) -> None:
    datamodule = InriaAerialImageLabelingDataModule(root=make_inria(tmp_path / "inria"), batch_size=2,
                                                    num_workers=0, patch_size=16)
    task = SemanticSegmentationTask(segmentation_model="fcn", num_classes=2, learning_rate=0.1, num_filters=4)
    fast_trainer(tmp_path).fit(model=task, datamodule=datamodule)


def test_training_batches_are_augmented_after_transfer(tmp_path: Path) -> None:
    datamodule = EuroSATDataModule(root=eurosat_variants(tmp_path / "eurosat"), batch_size=4)
    datamodule.setup("fit")
    batch = next(iter(datamodule.val_dataloader()))
    normalised = datamodule.on_after_batch_transfer(dict(batch), 0)
    assert abs(float(normalised["image"].mean())) < abs(float(batch["image"].mean()))


def test_a_benchmark_without_splits_is_cut_into_three_disjoint_subsets_the_same_way_every_time(tmp_path: Path) -> None:
    root = make_patternnet(tmp_path / "patternnet")
    subsets = []
    for _ in range(2):
        datamodule = PatternNetDataModule(root=root, image_size=16)
        datamodule.setup("fit")
        parts = (datamodule.train_dataset, datamodule.val_dataset, datamodule.test_dataset)
        subsets.append([sorted(part.indices) for part in parts])  # type: ignore[union-attr]
    assert subsets[0] == subsets[1]
    assert sorted(index for subset in subsets[0] for index in subset) == list(range(9)) and all(subsets[0])
    with pytest.raises(ValueError, match="val_split_pct \\+ test_split_pct"):
        PatternNetDataModule(root=root, val_split_pct=0.5, test_split_pct=0.5).setup("fit")


def test_a_split_share_of_zero_holds_out_nothing(tmp_path: Path) -> None:
    """0 is a share, not "the default": it used to become 0.2, silently."""
    datamodule = PatternNetDataModule(root=make_patternnet(tmp_path / "patternnet"), image_size=16, test_split_pct=0)
    datamodule.setup("fit")
    sizes = [len(part) for part in (datamodule.train_dataset, datamodule.val_dataset, datamodule.test_dataset)]  # type: ignore[arg-type]
    assert sizes == [8, 1, 0]  # torch splits 9 items by 0.8, 0.2, 0


def test_etci_trains_on_the_flood_label_and_predicts_on_unlabelled_chips(tmp_path: Path) -> None:
    datamodule = ETCI2021DataModule(root=make_etci(tmp_path / "etci"), batch_size=2, val_split_pct=0.5)
    datamodule.setup("fit")
    batch = next(iter(datamodule.train_dataloader()))
    assert batch["image"].shape[1] == 6 and batch["mask"].ndim == 3
    assert int(batch["mask"][:, :5].min()) == 1 and int(batch["mask"][:, 5:].max()) == 0, "the flood rows"
    datamodule.setup("predict")
    assert "mask" not in next(iter(datamodule.predict_dataloader()))
