"""PASTISDataModule on fake PASTIS-R: random fold-free splits, series padded per batch with their lengths."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from geotorch.core import get_datamodule, get_dataset_class, get_entry
from geotorch.datamodules import PASTIS100DataModule, PASTISDataModule, pad_time_series
from geotorch.trainers import SpatioTemporalSegmentationTask
from tests.datasets.fakes.time_series import PATCHES, SIZE, make_pastis
from tests.trainers.task_fakes import fast_trainer

#: The number of Sentinel-2 steps of each fake patch, by id.
STEPS = {patch: len(dates) for patch, (_, dates) in PATCHES.items()}


@pytest.fixture(scope="module")
def pastis_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_pastis(tmp_path_factory.mktemp("pastis"))


def series(steps: int, value: float, bands: int = 2) -> dict[str, torch.Tensor]:
    return {"image": torch.full((steps, bands, 4, 4), value), "mask": torch.zeros(4, 4, dtype=torch.long),
            "time": torch.arange(steps, dtype=torch.float64)}


def test_series_are_padded_to_the_longest_with_their_lengths() -> None:
    batch = pad_time_series([series(2, 1.0), series(5, 2.0), series(3, 3.0)])
    assert batch["image"].shape == (3, 5, 2, 4, 4)
    assert batch["length"].dtype == torch.int64 and batch["length"].tolist() == [2, 5, 3]
    assert batch["image"][:, :, 0, 0, 0].tolist() == [[1, 1, 0, 0, 0], [2] * 5, [3, 3, 3, 0, 0]]
    assert batch["mask"].shape == (3, 4, 4)
    times = batch["time"]
    assert times.dtype == torch.float64 and times[0, :2].tolist() == [0, 1] and times[0, 2:].isnan().all()


def test_a_fixed_padding_length_pads_and_cuts_longer_series_with_a_warning() -> None:
    batch = pad_time_series([series(2, 1.0), series(3, 2.0)], padding_length=4, padding_value=-1.0)
    assert batch["image"][:, :, 0, 0, 0].tolist() == [[1, 1, -1, -1], [2, 2, 2, -1]]
    with pytest.warns(UserWarning, match=r"truncated 1 series to padding_length=2"):
        cut = pad_time_series([series(2, 1.0), series(3, 2.0)], padding_length=2)
    assert cut["image"].shape == (2, 2, 2, 4, 4) and cut["length"].tolist() == [2, 2]


def test_series_of_different_bands_are_refused_naming_the_shapes() -> None:
    with pytest.raises(ValueError, match=r"'image' steps have different shapes \[\(2, 4, 4\), \(3, 4, 4\)\]"):
        pad_time_series([series(2, 1.0), series(2, 1.0, bands=3)])


def test_integer_times_beside_float_ones_are_padded_with_nan_as_float64_seconds() -> None:
    # A transform's int64 seconds padded with int64's minimum, -9.2e18, read as a time after stacking.
    short = {**series(1, 1.0), "time": torch.tensor([1_600_000_000])}
    long = {**series(3, 2.0), "time": torch.tensor([1.6e9, 1.7e9, 1.8e9], dtype=torch.float64)}
    for samples in ([short, long], [short, {**long, "time": long["time"].long()}]):
        times = pad_time_series(samples)["time"]
        assert times.dtype == torch.float64
        assert times[0, 0].item() == 1.6e9 and times[0, 1:].isnan().all()
        assert times[1].tolist() == [1.6e9, 1.7e9, 1.8e9]


def test_integer_times_float64_would_round_are_refused_naming_the_value() -> None:
    nanoseconds = {**series(1, 1.0), "time": torch.tensor([1_600_000_000_000_000_001])}
    with pytest.raises(ValueError, match=r"'time' holds 1600000000000000001, beyond 2\*\*53"):
        pad_time_series([nanoseconds, series(2, 1.0)])
    with pytest.raises(ValueError, match=r"'time' is a bool tensor"):
        pad_time_series([{**series(1, 1.0), "time": torch.tensor([True])}, series(2, 1.0)])


def test_splits_are_torchgeo_s_random_sixty_twenty_twenty_of_the_chosen_folds(pastis_root: Path) -> None:
    datamodule = PASTISDataModule(root=pastis_root)
    datamodule.setup("fit")
    parts = [datamodule.train_dataset, datamodule.val_dataset, datamodule.test_dataset]
    indices = [list(part.indices) for part in parts]  # type: ignore[union-attr]
    assert [len(part) for part in indices] == [4, 1, 1]
    assert sorted(index for part in indices for index in part) == list(range(6))
    again = PASTISDataModule(root=pastis_root)
    again.setup("fit")
    assert list(again.train_dataset.indices) == indices[0]  # type: ignore[union-attr]
    folds = PASTISDataModule(root=pastis_root, folds=(1, 2, 3), val_split_pct=0.4, test_split_pct=0.3)
    folds.setup("fit")
    # Four patches in folds 1-3: 30 %, 40 %, 30 % of them, the remainder going to training.
    held = (folds.train_dataset, folds.val_dataset, folds.test_dataset)
    assert [len(part) for part in held] == [2, 1, 1]  # type: ignore[arg-type]


def test_batches_hold_padded_series_lengths_and_masks(pastis_root: Path) -> None:
    datamodule = PASTISDataModule(root=pastis_root, batch_size=6, val_split_pct=0.2, test_split_pct=0.2)
    datamodule.setup("fit")
    batch = next(iter(datamodule.train_dataloader()))
    assert batch["image"].shape == (4, 61, 10, SIZE, SIZE) and batch["image"].dtype == torch.float32
    assert batch["mask"].shape == (4, SIZE, SIZE) and batch["mask"].dtype == torch.int64
    lengths = batch["length"].tolist()
    train = datamodule.train_dataset
    patches = train.dataset.patches  # type: ignore[union-attr]
    assert sorted(lengths) == sorted(STEPS[patches[index].id] for index in train.indices)  # type: ignore[union-attr]
    for row, length in zip(batch["image"], lengths, strict=True):
        assert bool((row[length:] == 0).all()) and bool((row[:length] > 0).all())


def test_longest_in_batch_padding_and_normalisation_on_the_device(pastis_root: Path) -> None:
    datamodule = PASTISDataModule(root=pastis_root, folds=(1,), batch_size=2, padding_length=None,
                                  val_split_pct=0.0, test_split_pct=0.0)
    loader = datamodule._loader(datamodule.build(None), "fit", shuffle=False)
    batch = next(iter(loader))
    assert batch["image"].shape == (2, 5, 10, SIZE, SIZE) and batch["length"].tolist() == [3, 5]
    raw = batch["image"].clone()
    moved = datamodule.on_after_batch_transfer(datamodule.transfer_batch_to_device(batch, torch.device("cpu"), 0), 0)
    assert torch.allclose(moved["image"], raw / 255)
    assert moved["length"].tolist() == [3, 5] and moved["time"].shape == (2, 5)


def test_instance_targets_are_listed_per_sample(pastis_root: Path) -> None:
    datamodule = PASTISDataModule(root=pastis_root, folds=(2, 3), mode="instance", bands=("B04", "B03", "B02"),
                                  batch_size=2, padding_length=None)
    assert datamodule.num_channels == 3
    loader = datamodule._loader(datamodule.build(None), "fit", shuffle=False)
    batch = datamodule.transfer_batch_to_device(next(iter(loader)), torch.device("cpu"), 0)
    assert batch["image"].shape == (2, 4, 3, SIZE, SIZE)
    assert batch["mask"].shape == (2, 4, SIZE, SIZE) and batch["label"].tolist() == [[1, 1, 3, 19]] * 2


def test_instance_batches_of_patches_with_different_parcel_counts_are_normalised(tmp_path: Path) -> None:
    """Patches of 3 and 4 parcels failed after the transfer: "sample['mask'] must be a tensor ..., got list"."""
    root = make_pastis(tmp_path, {patch: PATCHES[patch] for patch in (20000, 30000)})
    path = root / "PASTIS-R" / "INSTANCE_ANNOTATIONS" / "INSTANCES_20000.npy"
    instances = np.load(path)
    np.save(path, np.where(instances == instances.max(), 0, instances))
    datamodule = PASTISDataModule(root=root, mode="instance", bands=("B04", "B03", "B02"), batch_size=2,
                                  padding_length=None, val_split_pct=0, test_split_pct=0)
    loader = datamodule._loader(datamodule.build(None), "fit", shuffle=False)
    batch = datamodule.transfer_batch_to_device(next(iter(loader)), torch.device("cpu"), 0)
    raw = batch["image"].clone()
    moved = datamodule.on_after_batch_transfer(batch, 0)
    assert torch.allclose(moved["image"], raw / 255)
    assert [len(labels) for labels in moved["label"]] == [3, 4]
    assert [tuple(mask.shape) for mask in moved["mask"]] == [(3, SIZE, SIZE), (4, SIZE, SIZE)]


@pytest.mark.parametrize(("arguments", "message"), [
    ({"val_split_pct": 0.5, "test_split_pct": 0.5}, r"add up to less than 1"),
    ({"padding_length": 0}, r"padding_length must be a whole number of steps, at least 1, or None, got 0"),
    # These were accepted, then failed in the first batch's collation (slicing by 2.5) or in the check ('61' < 1).
    ({"padding_length": 2.5}, r"padding_length must be a whole number .* got 2.5"),
    ({"padding_length": "61"}, r"padding_length must be a whole number .* got '61'"),
    ({"padding_length": True}, r"padding_length must be a whole number .* got True"),
])
def test_bad_settings_are_refused(arguments: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PASTISDataModule(**arguments)  # type: ignore[arg-type]


def test_pastis100_datamodule_builds_the_pastis100_dataset(pastis_root: Path) -> None:
    datamodule = PASTIS100DataModule(root=pastis_root, batch_size=4)
    assert datamodule.dataset_class is get_dataset_class("PASTIS100")
    assert len(datamodule.build(None)) == 6


def test_both_datamodules_are_registered_with_their_datasets() -> None:
    assert get_entry("datamodule", "PASTISDataModule").load() is PASTISDataModule
    assert get_entry("datamodule", "PASTIS100DataModule").metadata["dataset"] == "PASTIS100"
    datamodule = get_datamodule("PASTIS100DataModule", root="nowhere", batch_size=4)
    assert isinstance(datamodule, PASTIS100DataModule) and datamodule.batch_size == 4


@pytest.mark.parametrize(("precision", "dtype"), [("bf16-true", torch.bfloat16), ("64-true", torch.float64)])
def test_series_reach_the_model_in_the_trainers_precision(
    pastis_root: Path, tmp_path: Path, precision: str, dtype: torch.dtype
) -> None:
    datamodule = PASTISDataModule(root=pastis_root, batch_size=2, padding_length=None)
    task = SpatioTemporalSegmentationTask(model="conv3dlstm", in_channels=10, num_classes=20, ignore_index=19,
                                          conv3d_dim=4, hidden_dim=4)  # fmt: skip
    trainer = fast_trainer(tmp_path, precision=precision)
    trainer.fit(task, datamodule=datamodule)
    assert torch.isfinite(trainer.callback_metrics["train_loss"])
    (probabilities, *_) = trainer.predict(task, datamodule=datamodule) or []
    assert probabilities.dtype == dtype and probabilities.shape == (1, 20, SIZE, SIZE)  # the one test patch


@pytest.mark.parametrize("precision", ["16-true", "bf16-true", "64-true"])
def test_acquisition_times_keep_float64_in_any_precision(pastis_root: Path, tmp_path: Path, precision: str) -> None:
    # Lightning's conversion made POSIX seconds (1.54e9) inf in float16 and rounded them by up to 4e6 s
    # (about 46 days) in bfloat16.
    datamodule = PASTISDataModule(root=pastis_root, batch_size=2, padding_length=None)
    datamodule.trainer = fast_trainer(tmp_path, precision=precision)
    loader = datamodule._loader(datamodule.build(None), "fit", shuffle=False)
    batch = datamodule.transfer_batch_to_device(next(iter(loader)), torch.device("cpu"), 0)
    times = batch["time"].clone()
    moved = datamodule.on_after_batch_transfer(batch, 0)
    assert moved["time"].dtype == torch.float64 and torch.equal(moved["time"].nan_to_num(), times.nan_to_num())
    assert moved["image"].dtype == {"16-true": torch.float16, "bf16-true": torch.bfloat16}.get(precision, torch.float64)


@pytest.mark.parametrize(("arguments", "error", "message"), [
    ({"val_split_pct": "0.2"}, TypeError, r"PASTISDataModule: val_split_pct='0.2' must be a number from 0 to below 1"),
    ({"test_split_pct": None}, TypeError, r"PASTISDataModule: test_split_pct=None must be a number from 0 to below 1"),
    ({"val_split_pct": True}, TypeError, r"PASTISDataModule: val_split_pct=True must be a number from 0 to below 1"),
    ({"val_split_pct": 20}, ValueError, r"PASTISDataModule: val_split_pct=20 must be a share from 0 to below 1 \(a "
     r"percentage\? give 0.2\)"),
])
def test_a_held_out_share_that_is_no_share_is_refused_naming_it(
    arguments: dict[str, object], error: type[Exception], message: str
) -> None:
    # Before: TypeError "'>=' not supported between instances of 'str' and 'int'" ('NoneType' and 'int'), naming no
    # argument; True and 20 were named only as not adding up to less than 1 with the other share.
    with pytest.raises(error, match=message):
        PASTISDataModule(**arguments)  # type: ignore[arg-type]
