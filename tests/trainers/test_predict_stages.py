"""predict_raster's two writing stages: one thread blends, another encodes and writes, with the same bytes."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest
import rasterio
import torch

from geotorch.trainers import predict_blend, predict_grid
from geotorch.trainers.predict import predict_raster
from geotorch.trainers.predict_blend import Band, BandBlender
from geotorch.trainers.predict_cog import OutputSpec
from tests.trainers.test_predict_raster import SignedZeros, model, random_image, reference, write_image


def test_a_slow_encoding_stage_over_many_small_pieces_gives_the_reference_bits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Bands of 2 rows, each encoded slowly: the blending thread runs ahead as far as it may, and a band's values
    # overwritten while the encoding thread still reads them would differ from the reference.
    monkeypatch.setattr(predict_blend, "PIECE_ROWS", 2)
    monkeypatch.setattr(predict_grid, "COLUMN_TILE", 20)
    encode = OutputSpec.encode
    threads: set[str] = set()

    def slow_encode(self: OutputSpec, band: Band, has_data: np.ndarray | None) -> np.ndarray:
        threads.add(threading.current_thread().name)
        time.sleep(0.003)
        return encode(self, band, has_data)

    monkeypatch.setattr(OutputSpec, "encode", slow_encode)
    image = random_image(7, 75, 53)
    image[:, :7, :9] = 0
    path = write_image(tmp_path / "scene.tif", image, nodata=0)
    net = SignedZeros().eval()
    (written,) = predict_raster(net, path, tmp_path / "out", patch_size=32, overlap=8, batch_size=3, output="scores")
    expected = reference(net, image, 32, 8).numpy()
    expected[:, :7, :9] = np.nan
    with rasterio.open(written) as result:
        values = result.read()
    assert np.array_equal(values.view(np.uint32), expected.view(np.uint32))
    assert threads == {"geotorch-predict-encoder"}


@pytest.mark.parametrize(("failing", "published"), [("encode", []), ("close", ["scene1.tif"])])
def test_an_error_of_the_encoding_stage_stops_the_run_and_leaves_no_part(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str, published: list[str]
) -> None:
    # Two inputs of 4 column tiles each: the error comes once parts were written (the 6th part's closing: after
    # the first output was published, which stays).
    monkeypatch.setattr(predict_grid, "COLUMN_TILE", 24)
    threads: list[str] = []
    calls = 0

    def fail_late(*args: object, **kwargs: object) -> None:
        nonlocal calls
        calls += 1
        if calls == 6:
            threads.append(threading.current_thread().name)
            raise OSError("disk full")

    if failing == "encode":
        encode = OutputSpec.encode

        def failing_encode(self: OutputSpec, band: Band, has_data: np.ndarray | None) -> np.ndarray:
            fail_late()
            return encode(self, band, has_data)

        monkeypatch.setattr(OutputSpec, "encode", failing_encode)
    else:
        from geotorch.trainers.predict_cog import PartWriter

        close = PartWriter.close

        def failing_close(self: PartWriter) -> None:
            fail_late()
            close(self)

        monkeypatch.setattr(PartWriter, "close", failing_close)
    paths = [write_image(tmp_path / "in" / f"scene{index}.tif", random_image(index, 70, 90)) for index in (1, 2)]
    with pytest.raises(OSError, match="disk full"):
        predict_raster(model(classes=5, kernel=1), paths, tmp_path / "out", patch_size=32, overlap=8, batch_size=2)
    assert threads == ["geotorch-predict-encoder"]
    assert sorted(path.name for path in (tmp_path / "out").rglob("*") if path.is_file()) == published
    assert not any(thread.name.startswith("geotorch-predict-") for thread in threading.enumerate())


def test_a_bands_values_outlive_the_next_pieces_minus_one_bands() -> None:
    def bands_of(pieces: int) -> list[Band]:
        blender = BandBlender(height=40, width=5, channels=2, rows=(0, 40), band=10, pieces=pieces)
        bands: list[Band] = []
        for top in range(0, 31, 6):
            values = torch.arange(2 * 10 * 5, dtype=torch.float32).reshape(2, 10, 5) + top
            for band in blender.add(top, 0, values, torch.ones((10, 5))):
                bands.append(band)
                # The band ``pieces`` back is the one its buffer is taken from next.
                if len(bands) >= pieces:
                    bands[-pieces] = Band(bands[-pieces].top, bands[-pieces].values.clone(), bands[-pieces].reached)
        return bands + list(blender.finish())

    single = [band.values.clone() for band in bands_of(1)]
    for pieces in (2, 3):
        assert all(torch.equal(a.values, b) for a, b in zip(bands_of(pieces), single, strict=True))
    with pytest.raises(ValueError, match="pieces=0"):
        BandBlender(height=4, width=5, channels=1, rows=(0, 4), band=2, pieces=0)
