"""Spatiotemporal tasks on unusual but valid series: chips of no data, padded series, targets without values.

Series are read from Sentinel-2 GeoTIFF exports written in the test: tile 31TGL has three datatakes and the tile
east of it (31TGM here) one, so that a batch of a chip of each is padded to three steps by ``stack_samples``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import rasterio
import torch
from torch.utils.data import DataLoader

from geotorch.core import BoundingBox, RasterDataset, stack_samples
from geotorch.datasets import Sentinel2
from geotorch.models import LTAE, UTAE
from geotorch.trainers import SpatioTemporalSegmentationTask
from geotorch.trainers.spatiotemporal_regression import SpatioTemporalPixelwiseRegressionTask, TemporalRegressionTask
from tests.datasets.fakes.geo import write_raster
from tests.trainers.task_fakes import fast_trainer

BANDS = ("B02", "B03", "B04")
SIZE = 16
RES = 10.0
WEST, TOP = 735360.0, 4987360.0
#: Each tile's datatakes and the left edge of its exports.
TILES = {"31TGL": (("20200301T103031", "20200401T103031", "20200601T103031"), WEST),
         "31TGM": (("20200401T103031",), WEST + SIZE * RES)}  # fmt: skip


class CropLabels(RasterDataset):
    """A class per pixel over both tiles."""

    filename_glob = "labels.tif"
    is_image = False


class Biomass(RasterDataset):
    """Tonnes per hectare, float32, NaN where unmapped (read as an image: the values are not classes)."""

    filename_glob = "labels.tif"


def write_tiles(root: Path, labels: np.ndarray) -> Path:
    """Sentinel-2 exports of both tiles' datatakes (B02-B04) and ``labels.tif``, ``(SIZE, 2 * SIZE)``, over both."""
    for tile, (datatakes, left) in TILES.items():
        for step, sensed in enumerate(datatakes):
            for number, band in enumerate(BANDS):
                data = np.full((SIZE, SIZE), 1000 + 100 * number + 50 * step, "uint16")
                write_raster(root / "s2" / f"T{tile}_{sensed}_{band}_10m.tif", data, 32631, left, TOP, RES)
    write_raster(root / "labels" / "labels.tif", labels, 32631, WEST, TOP, RES)
    return root


def tile_samples(root: Path) -> list[dict[str, Any]]:
    """The two tiles' chips: a (3, 3, SIZE, SIZE) series of 31TGL and a (1, 3, SIZE, SIZE) one of 31TGM."""
    dataset = Sentinel2(root / "s2", bands=list(BANDS), time_series=True) & CropLabels(root / "labels")
    bounds = dataset.bounds
    samples = []
    for left in (WEST, WEST + SIZE * RES):
        box = BoundingBox(left, left + SIZE * RES, TOP - SIZE * RES, TOP, bounds.mint, bounds.maxt)
        samples.append(dataset[box])
    assert [len(sample["time"]) for sample in samples] == [3, 1]
    return samples


def tensors(samples: list[dict[str, Any]]) -> dict[str, Any]:
    """The tensors of ``stack_samples(samples)``, ``length`` among them for a padded batch."""
    return {key: value for key, value in stack_samples(samples).items() if isinstance(value, torch.Tensor)}


def fitted_losses(
    tmp_path: Path, task: SpatioTemporalSegmentationTask, counted: dict[str, Any], empty: dict[str, Any]
) -> tuple[float, float]:
    """Fit ``task`` on ``counted``, validate on ``counted`` and ``empty`` (a finite ``val_loss``); each one's loss."""
    trainer = fast_trainer(tmp_path, fast_dev_run=False, max_epochs=1, limit_val_batches=2, num_sanity_val_steps=0)
    trainer.fit(task, DataLoader([counted], collate_fn=tensors), DataLoader([counted, empty], collate_fn=tensors))
    assert torch.isfinite(trainer.callback_metrics["val_loss"])
    with torch.no_grad():
        counted_loss, empty_loss = (task.criterion(task.logits_of(batch), batch["mask"].long()).item()
                                    for batch in (tensors([counted]), tensors([empty])))  # fmt: skip
    return counted_loss, empty_loss


@pytest.mark.parametrize(
    ("east", "arguments"),
    [
        # A chip wholly of no data (255) with ignore_index=255: torch's mean was 0 / 0.
        (255, {"ignore_index": 255}),
        # A chip of one class weighted 0 (a background left out of the loss).
        (0, {"class_weights": [0.0, 1.0, 1.0, 1.0, 1.0]}),
    ],
)
def test_a_chip_with_no_counted_label_adds_zero_loss_not_nan(
    tmp_path: Path, east: int, arguments: dict[str, Any]
) -> None:
    west = (np.arange(SIZE * SIZE).reshape(SIZE, SIZE) % 4 + 1).astype("uint8")
    labels = np.concatenate([west, np.full((SIZE, SIZE), east, "uint8")], axis=1)
    counted, empty = tile_samples(write_tiles(tmp_path, labels))
    task = SpatioTemporalSegmentationTask(in_channels=3, num_classes=5, hidden_dim=4, **arguments)
    # Before, val_loss (the mean of both batches) was NaN.
    counted_loss, empty_loss = fitted_losses(tmp_path, task, counted, empty)
    assert counted_loss > 0.0 and empty_loss == 0.0


def test_focal_loss_ignores_no_data_in_multilabel_masks_and_gives_zero_on_a_chip_of_none(tmp_path: Path) -> None:
    # Two labels per pixel (bands of labels.tif): 0/1, and 255 (no data) over a quarter of the west tile and the
    # whole east one.
    west = np.stack([np.arange(SIZE * SIZE).reshape(SIZE, SIZE) % 2, np.eye(SIZE, dtype=int)]).astype("uint8")
    west[:, : SIZE // 2, : SIZE // 2] = 255
    labels = np.concatenate([west, np.full((2, SIZE, SIZE), 255, "uint8")], axis=2)
    counted, empty = tile_samples(write_tiles(tmp_path, labels))
    assert counted["mask"].shape == (2, SIZE, SIZE)
    task = SpatioTemporalSegmentationTask(in_channels=3, task="multilabel", num_labels=2, loss="focal",
                                          ignore_index=255, hidden_dim=4)  # fmt: skip
    # Before: IndexError 'too many indices for tensor of dimension 3' in segmentation-models-pytorch's FocalLoss.
    counted_loss, empty_loss = fitted_losses(tmp_path, task, counted, empty)
    assert counted_loss > 0.0 and empty_loss == 0.0
    binary = SpatioTemporalSegmentationTask(in_channels=3, task="binary", loss="focal", ignore_index=255, hidden_dim=4)
    with torch.no_grad():
        batch = tensors([empty])
        # Before: NaN, the mean of no pixel.
        assert binary.criterion(binary.logits_of(batch), batch["mask"][:, 0].long()).item() == 0.0


def test_regression_targets_without_values_are_named_before_they_poison_the_weights(tmp_path: Path) -> None:
    biomass = np.linspace(0, 300, 2 * SIZE * SIZE, dtype="float32").reshape(SIZE, 2 * SIZE)
    biomass[3, 5:8] = np.nan
    root = write_tiles(tmp_path, biomass)
    series, values = Sentinel2(root / "s2", bands=list(BANDS), time_series=True), Biomass(root / "labels")
    box = BoundingBox(WEST, WEST + SIZE * RES, TOP - SIZE * RES, TOP, series.bounds.mint, series.bounds.maxt)
    west = series[box] | {"mask": values[BoundingBox(*box[:4], values.bounds.mint, values.bounds.maxt)]["image"][0]}
    assert int(west["mask"].isnan().sum()) == 3
    task = SpatioTemporalPixelwiseRegressionTask(in_channels=3, hidden_dim=4)
    # Before: train_loss NaN, and after the step every weight of the model was NaN.
    with pytest.raises(ValueError, match=r"batch\['mask'\] holds 3 NaN or infinite value\(s\) of 256 \(no data\?\)"):
        fast_trainer(tmp_path).fit(task, DataLoader([west], collate_fn=tensors))
    assert all(bool(weight.isfinite().all()) for weight in task.parameters())
    west["mask"] = west["mask"].nan_to_num(0.0)
    trainer = fast_trainer(tmp_path)
    trainer.fit(task, DataLoader([west], collate_fn=tensors))
    assert torch.isfinite(trainer.callback_metrics["train_loss"])


def test_nan_in_padded_steps_changes_no_output_of_the_attention_models(tmp_path: Path) -> None:
    labels = np.zeros((SIZE, 2 * SIZE), "uint8")
    counted, short = tile_samples(write_tiles(tmp_path, labels))
    batch = stack_samples([counted, short])
    assert batch["length"].tolist() == [3, 1] and bool(batch["time"][1, 1:].isnan().all())
    # Days since each series' first step: NaN at the padded steps, whose time is NaN. A user's own padding with
    # NaN (no data) likewise.
    positions = (batch["time"] - batch["time"][:, :1]) / 86400
    series = batch["image"].clone()
    series[1, 1:] = float("nan")
    alone = {"image": short["image"][None], "positions": positions[1:, :1]}
    torch.manual_seed(0)
    utae = UTAE(3, num_classes=2, encoder_widths=(4, 8), decoder_widths=(4, 8), out_conv=(4,), n_head=2, d_model=8)
    ltae = LTAE(in_channels=3, n_head=2, d_k=4, d_model=8, n_neurons=(8, 4), num_classes=2)
    for model, given, single in [
        (utae.eval(), series, alone["image"]),
        (ltae.eval(), series.mean(dim=(3, 4)), alone["image"].mean(dim=(3, 4))),
    ]:
        output = model(given, lengths=batch["length"], positions=positions)
        # Before: UTAE's and LTAE's outputs of the short series were all NaN.
        assert bool(output.isfinite().all()), type(model).__name__
        # Within float32 rounding of convolutions over batches of other sizes: 1.5e-5 apart on an AMD EPYC.
        torch.testing.assert_close(output[1:], model(single, positions=alone["positions"]), atol=1e-4, rtol=1e-4)
        model.train()
        model(given, lengths=batch["length"], positions=positions).square().sum().backward()
        assert all(bool(weight.grad.isfinite().all()) for weight in model.parameters() if weight.grad is not None)


def read_band(path: Path) -> np.ndarray:
    with rasterio.open(path) as source:
        return source.read(1)


@pytest.mark.parametrize("dtype", ["float64", "uint16"])
def test_temporal_regression_takes_sequences_of_numpys_types(tmp_path: Path, dtype: str) -> None:
    root = write_tiles(tmp_path, np.zeros((SIZE, 2 * SIZE), "uint8"))
    # A user's dataset: each row of the tile is a station whose (T, C) bands are read with rasterio, as numpy gives
    # them (a row's mean is float64, a pixel uint16); its last step is the target.
    pixels = np.stack([[read_band(root / "s2" / f"T31TGL_{sensed}_{band}_10m.tif") for band in BANDS]
                       for sensed in TILES["31TGL"][0]])  # fmt: skip
    rows = pixels.mean(axis=3) if dtype == "float64" else pixels[..., 0]
    sequences = torch.from_numpy(np.ascontiguousarray(rows.transpose(2, 0, 1)))
    samples = [{"input": sequence, "target": sequence[-1:].double()} for sequence in sequences]
    assert samples[0]["input"].dtype == getattr(torch, dtype) and samples[0]["input"].shape == (3, 3)
    task = TemporalRegressionTask(in_channels=3, num_outputs=3, n_head=2, d_k=4, d_model=8, n_neurons=[8, 4])
    trainer = fast_trainer(tmp_path)
    # Before: RuntimeError 'mixed dtype (CPU): all inputs must share same datatype.' in L-TAE's layer norm.
    trainer.fit(task, DataLoader(samples, batch_size=4), DataLoader(samples, batch_size=4))
    assert torch.isfinite(trainer.callback_metrics["val_loss"])
    (forecast, *_) = trainer.predict(task, DataLoader(samples, batch_size=4)) or []
    assert forecast.dtype == torch.float32 and forecast.shape == (4, 1, 3)


def test_a_last_batch_of_one_sequence_names_the_fix(tmp_path: Path) -> None:
    root = write_tiles(tmp_path, np.zeros((SIZE, 2 * SIZE), "uint8"))
    pixels = np.stack([[read_band(root / "s2" / f"T31TGL_{sensed}_{band}_10m.tif") for band in BANDS]
                       for sensed in TILES["31TGL"][0]]).astype("float32")  # fmt: skip
    # 16 stations (the tile's rows) in batches of 5: the epoch's last batch holds one.
    samples = [{"input": torch.from_numpy(pixels[:, :, row].mean(axis=2)), "target": torch.zeros(1, 1)}
               for row in range(SIZE)]  # fmt: skip
    task = TemporalRegressionTask(in_channels=3, n_head=2, d_k=4, d_model=8, n_neurons=[8, 4])
    trainer = fast_trainer(tmp_path, fast_dev_run=False, max_epochs=1, limit_val_batches=0)
    # Before: torch's 'Expected more than 1 value per channel when training, got input size torch.Size([1, 4])'.
    message = r"LTAE in training takes at least 2 sequences per batch: its MLP n_neurons=\[8, 4\] .* drop_last=True"
    with pytest.raises(ValueError, match=message):
        trainer.fit(task, DataLoader(samples, batch_size=5))
    trainer = fast_trainer(tmp_path, fast_dev_run=False, max_epochs=1, limit_val_batches=0)
    trainer.fit(task, DataLoader(samples, batch_size=5, drop_last=True))
    assert torch.isfinite(trainer.callback_metrics["train_loss"])
    task.eval()
    with torch.no_grad():
        assert task.predict_step({"input": samples[0]["input"][None]}, 0).shape == (1, 1, 1)
