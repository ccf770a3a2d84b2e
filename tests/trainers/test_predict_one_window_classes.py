"""``predict_raster``'s classes of pixels one window alone covers, chosen from its logits: the blend's, bit for bit.

The model gives each pixel logits of its own (the same bits in any window) built to tie exactly,
to differ by one float32 step or by less than the margin under which the blend decides, to be
NaN or infinite; the reference blends every window's softmax on a whole canvas, as the blend of
overlapping windows has always been computed, and takes the first largest class.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
import torch
from affine import Affine
from torch import Tensor, nn

from geotorch.trainers import predict_grid
from geotorch.trainers.predict import predict_raster
from geotorch.trainers.probabilities import softmax
from tests.core.rasters import write_raster

TRANSFORM = Affine(10, 0, 500_000, 0, -10, 4_000_000)

#: What the second band's value (modulo 8) makes of a pixel's channel 1, beside channel 0's logit ``x``.
CASES = ("tie", "one step above", "far below", "NaN", "+inf", "far above", "within the margin", "-inf everywhere")


class PixelLogits(nn.Module):
    """Five logits per pixel from its own bands alone: exact ties, one-step and sub-margin near ties, NaN, inf."""

    def forward(self, batch: Tensor) -> Tensor:
        x = batch[:, 0] / 16 - 7
        case = torch.remainder(batch[:, 1], 8)
        second = torch.where(case == 0, x, x - 0.5)
        second = torch.where(case == 1, torch.nextafter(x, torch.tensor(float("inf"))), second)
        second = torch.where(case == 3, torch.tensor(float("nan")), second)
        second = torch.where(case == 4, torch.tensor(float("inf")), second)
        second = torch.where(case == 5, x + 1, second)
        second = torch.where(case == 6, x + 3e-6, second)
        logits = torch.stack([x, second, batch[:, 2] / 40 - 5, -batch[:, 1] / 30, x - 2e-5], dim=1)
        return torch.where((case == 7)[:, None], torch.tensor(float("-inf")), logits)


def starts(length: int, size: int, stride: int) -> list[int]:
    """Window starts as documented: every stride, the last one moved back to end at the edge; 0 if too short."""
    if length <= size:
        return [0]
    return [*range(0, length - size, stride), length - size]


def blended_classes(net: nn.Module, image: np.ndarray, size: int, overlap: int) -> np.ndarray:
    """Each window's softmax blended on a whole canvas, window after window; the first largest class, 255 for NaN."""
    bands, height, width = image.shape
    padded = torch.zeros((bands, max(height, size), max(width, size)))
    padded[:, :height, :width] = torch.from_numpy(np.nan_to_num(image.astype("float32"), nan=0.0))
    ramp = torch.arange(size, dtype=torch.float32)
    edge = torch.minimum(ramp + 1, size - ramp)
    weights = torch.minimum(edge[:, None], edge[None, :])
    total = torch.zeros((5, *padded.shape[1:]))
    weight = torch.zeros(padded.shape[1:])
    for top in starts(height, size, size - overlap):
        for left in starts(width, size, size - overlap):
            probabilities = softmax(net(padded[None, :, top : top + size, left : left + size]), dim=1)[0]
            total[:, top : top + size, left : left + size] += probabilities * weights
            weight[top : top + size, left : left + size] += weights
    values = (total / weight)[:, :height, :width]
    classes = values.argmax(dim=0).numpy().astype("uint8")
    classes[values.isnan().any(dim=0).numpy()] = 255
    return classes


def one_window_pixels(height: int, width: int, size: int, overlap: int) -> np.ndarray:
    """``(height, width)`` booleans: the pixels one window alone covers."""
    rows, columns = np.zeros(height, dtype=int), np.zeros(width, dtype=int)
    for top in starts(height, size, size - overlap):
        rows[max(top, 0) : top + size] += 1
    for left in starts(width, size, size - overlap):
        columns[max(left, 0) : left + size] += 1
    return (rows[:, None] == 1) & (columns[None, :] == 1)


@pytest.mark.parametrize(
    ("height", "width", "tile", "threads"),
    [(150, 173, None, 1), (150, 173, 70, 1), (131, 190, None, 2), (40, 50, None, 1)],
    ids=["odd sizes", "column tiles", "2 threads", "smaller than a window"],
)
def test_classes_of_one_window_and_overlap_pixels_equal_the_blends_with_ties_and_nan_logits(
    tmp_path: Path, height: int, width: int, tile: int | None, threads: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    if tile is not None:
        monkeypatch.setattr(predict_grid, "COLUMN_TILE", tile)
    image = np.random.default_rng(3).integers(1, 255, (3, height, width)).astype("float32")
    image[:, :6, :9] = 0  # nodata
    image[1, 20:23, 30:33] = np.nan  # NaN input: no class
    path = write_raster(tmp_path / "in" / "scene.tif", image, "EPSG:32633", TRANSFORM, nodata=0)
    net = PixelLogits()
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        expected = blended_classes(net, image, 64, 16)
        with pytest.warns(UserWarning, match="NaN or infinite values"):
            (written,) = predict_raster(net, path, tmp_path / "out", patch_size=64, overlap=16, batch_size=3)
    finally:
        torch.set_num_threads(previous)
    expected[:6, :9] = 255
    expected[20:23, 30:33] = 255
    with rasterio.open(written) as result:
        classes = result.read(1)
    assert np.array_equal(classes, expected)
    # Every case lies both where one window alone covers a pixel and where windows overlap.
    alone = one_window_pixels(height, width, 64, 16)
    case = np.nan_to_num(image[1]).astype(int) % 8
    for number, name in enumerate(CASES):
        assert (alone & (case == number)).any(), name
        if height > 64:
            assert (~alone & (case == number)).any(), name
    # Ties and steps too small for the softmax went to the first class, as in the blend.
    assert (classes[alone & (case == 1)] == 0).any() and (classes[alone & (case == 0)] != 1).all()
