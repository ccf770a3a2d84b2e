"""``predict_raster``'s reading and hand-over: threads of the one process, and batches never overwritten in use."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import rasterio
import torch
from affine import Affine
from torch import Tensor, nn

from geotorch.trainers import predict_reading
from geotorch.trainers.predict import predict_raster
from geotorch.trainers.predict_handoff import Handoff
from geotorch.trainers.predict_reading import WindowReader
from tests.core.rasters import write_raster

TRANSFORM = Affine(10, 0, 500_000, 0, -10, 4_000_000)


def write_image(path: Path, image: np.ndarray) -> Path:
    return write_raster(path, image, "EPSG:32633", TRANSFORM)


def image_of(seed: int, height: int, width: int, bands: int = 3) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 255, (bands, height, width)).astype("uint8")


def read(path: Path) -> np.ndarray:
    with rasterio.open(path) as opened:
        return opened.read()


def test_workers_are_threads_of_this_process_and_give_the_same_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_image(tmp_path / "in" / "scene.tif", image_of(0, 150, 130))
    seen: set[tuple[int, str]] = set()
    original_read = WindowReader._read

    def recording(self: WindowReader, *args: Any) -> None:
        seen.add((os.getpid(), threading.current_thread().name.rsplit("_", 1)[0]))
        original_read(self, *args)

    monkeypatch.setattr(WindowReader, "_read", recording)
    torch.manual_seed(0)
    net = nn.Conv2d(3, 5, 3, padding=1).eval()
    (alone,) = predict_raster(net, path, tmp_path / "zero", patch_size=32, overlap=8, batch_size=2)
    assert seen == {(os.getpid(), "MainThread")}
    seen.clear()
    (threaded,) = predict_raster(net, path, tmp_path / "three", patch_size=32, overlap=8, batch_size=2, num_workers=3)
    assert seen == {(os.getpid(), "geotorch-predict-reader")}
    assert np.array_equal(read(alone), read(threaded))


def test_threads_share_one_dataset_per_local_input_and_close_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Neighbouring windows share compressed tiles: a dataset per thread decoded each shared tile once per thread.
    paths = [write_image(tmp_path / "in" / f"scene_{number}.tif", image_of(number, 90, 70)) for number in range(3)]
    opened: list[tuple[str, rasterio.io.DatasetReader]] = []
    open_raster = predict_reading.open_raster

    def recording_open(path: str) -> rasterio.io.DatasetReader:
        dataset = open_raster(path)
        opened.append((threading.current_thread().name, dataset))
        return dataset

    original_read = WindowReader._read
    readers: set[str] = set()

    def slow_read(self: WindowReader, *args: Any) -> None:
        readers.add(threading.current_thread().name)
        time.sleep(0.02)  # the threads get windows to read at once
        original_read(self, *args)

    monkeypatch.setattr(predict_reading, "open_raster", recording_open)
    monkeypatch.setattr(WindowReader, "_read", slow_read)
    torch.manual_seed(0)
    net = nn.Conv2d(3, 4, 1).eval()
    threaded = predict_raster(net, paths, tmp_path / "three", patch_size=32, overlap=8, batch_size=1, num_workers=3)
    # At most READ_AHEAD batches (here windows) are read at once, so two threads read side by side; whether the
    # pool ever starts its third depends on timing.
    assert len(readers) >= 2
    by_readers = [dataset for name, dataset in opened if name.startswith("geotorch-predict-reader")]
    assert len(by_readers) == len(paths)
    assert all(dataset.closed for _, dataset in opened)
    alone = predict_raster(net, paths, tmp_path / "zero", patch_size=32, overlap=8, batch_size=1)
    assert all(np.array_equal(read(one), read(other)) for one, other in zip(threaded, alone, strict=True))


@pytest.mark.parametrize("threads", [2, 16])
def test_threads_read_at_most_two_batches_ahead_of_the_model_however_many(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, threads: int
) -> None:
    # Each batch read ahead holds its pixels: 16 threads held 16 batches, memory grew with num_workers.
    path = write_image(tmp_path / "in" / "scene.tif", image_of(4, 160, 160))
    read_window = predict_reading.read_window
    windows_read = 0
    count = threading.Lock()

    def counting(*args: object, **kwargs: object) -> None:
        nonlocal windows_read
        read_window(*args, **kwargs)  # type: ignore[arg-type]
        with count:
            windows_read += 1

    class Slow(nn.Module):
        """Notes the windows read beyond those of the batches given so far, while the threads have time to read."""

        def __init__(self) -> None:
            super().__init__()
            self.net = nn.Conv2d(3, 2, 1)
            self.given = 0
            self.ahead: list[int] = []

        def forward(self, batch: Tensor) -> Tensor:
            self.given += batch.shape[0]
            time.sleep(0.05)
            with count:
                self.ahead.append(windows_read - self.given)
            return self.net(batch)

    monkeypatch.setattr(predict_reading, "read_window", counting)
    torch.manual_seed(0)
    net = Slow().eval()
    (threaded,) = predict_raster(
        net, path, tmp_path / "threads", patch_size=32, overlap=8, batch_size=2, num_workers=threads
    )
    assert len(net.ahead) == 25 and max(net.ahead) <= predict_reading.READ_AHEAD * 2
    (alone,) = predict_raster(net, path, tmp_path / "alone", patch_size=32, overlap=8, batch_size=2)
    assert np.array_equal(read(alone), read(threaded))


def test_a_model_returning_its_input_gets_batches_that_are_not_read_into_again(tmp_path: Path) -> None:
    # The logits are the batch read: recycling its memory for the next read while the writer blends it
    # would mix windows. The classes must be those of the blended image itself.
    image = image_of(1, 97, 83)
    path = write_image(tmp_path / "scene.tif", image)

    class Slow(nn.Module):
        def forward(self, batch: Tensor) -> Tensor:
            time.sleep(0.01)  # the readers run ahead
            return batch

    (written,) = predict_raster(Slow(), path, tmp_path / "out", patch_size=32, overlap=8, batch_size=1, num_workers=2)
    (expected,) = predict_raster(
        nn.Identity(), path, tmp_path / "plain", patch_size=32, overlap=8, batch_size=1, num_workers=0
    )
    assert np.array_equal(read(written), read(expected))
    # Away from the windows' overlaps each pixel is its own window's: its brightest band.
    assert np.array_equal(read(written)[0, :24, :24], image[:, :24, :24].argmax(axis=0))


def test_the_models_own_tensors_are_never_weighted_in_place(tmp_path: Path) -> None:
    path = write_image(tmp_path / "scene.tif", image_of(2, 40, 40))

    class Constant(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.register_buffer("logits", torch.rand((2, 4, 32, 32), generator=torch.Generator().manual_seed(0)))

        def forward(self, batch: Tensor) -> Tensor:
            return self.logits[: batch.shape[0]]

    net = Constant()
    before = net.logits.clone()
    predict_raster(net, path, tmp_path / "out", patch_size=32, overlap=8, batch_size=2)
    assert torch.equal(net.logits, before)


def test_inputs_with_different_band_counts_are_refused_naming_both(tmp_path: Path) -> None:
    three = write_image(tmp_path / "in" / "three.tif", image_of(3, 40, 40))
    five = write_image(tmp_path / "in" / "five.tif", image_of(4, 40, 40, bands=5))
    with pytest.raises(ValueError, match=r"five\.tif has 5 bands but .*three\.tif has 3"):
        predict_raster(nn.Conv2d(3, 2, 1), [five, three], tmp_path / "out", patch_size=32)


def test_with_depth_0_a_put_returns_once_every_earlier_item_is_consumed() -> None:
    done: list[int] = []

    def consume(item: int) -> None:
        time.sleep(0.002)
        done.append(item)

    with Handoff(consume, depth=0) as handoff:
        for item in range(30):
            handoff.put(item)
            # Every earlier item is consumed; the item just put may be too when this thread was slow to run again.
            assert done in (list(range(item)), list(range(item + 1)))
    assert done == list(range(30))
