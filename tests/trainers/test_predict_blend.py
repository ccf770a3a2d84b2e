"""``BandBlender``: the bands it hands on equal a weighted mean over a canvas, bit for bit, whatever the windows."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
import torch

from geotorch.trainers.predict_blend import Band, BandBlender


def canvas_reference(
    height: int, width: int, windows: list[tuple[int, int, np.ndarray, np.ndarray]]
) -> tuple[np.ndarray, np.ndarray]:
    """Blended values ``(C, H, W)`` (0 where no window reached) and which pixels any window reached, in numpy.

    Each window's weighted values are added, in order, to a zeroed float32 canvas, as the blender documents.
    """
    channels = windows[0][2].shape[0]
    total = np.zeros((channels, height, width), dtype=np.float32)
    weight = np.zeros((height, width), dtype=np.float32)
    for top, left, values, weights in windows:
        rows, columns = values.shape[1:]
        inside = (slice(max(top, 0), min(top + rows, height)), slice(max(left, 0), min(left + columns, width)))
        cut = (slice(inside[0].start - top, inside[0].stop - top), slice(inside[1].start - left, inside[1].stop - left))
        total[(slice(None), *inside)] += values[(slice(None), *cut)] * weights[cut]
        weight[inside] += weights[cut]
    reached = weight > 0
    blended = total / np.maximum(weight, np.float32(1e-12))
    blended[:, ~reached] = 0
    return blended, reached


def blend(
    blender: BandBlender, windows: list[tuple[int, int, np.ndarray, np.ndarray]], *, weighted: bool
) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """Every band handed on, as ``(top, values, reached)`` copies (a band's memory is the next one's)."""
    copies: list[tuple[int, np.ndarray, np.ndarray]] = []

    def keep(bands: Iterator[Band]) -> None:
        copies.extend((band.top, band.values.numpy().copy(), band.reached.numpy().copy()) for band in bands)

    for top, left, values, weights in windows:
        given = values * weights if weighted else values
        keep(blender.add(top, left, torch.from_numpy(given), torch.from_numpy(weights), weighted=weighted))
    keep(blender.finish())
    return copies


def grid_windows(
    rng: np.random.Generator, height: int, width: int, size: int, stride: int, channels: int
) -> list[tuple[int, int, np.ndarray, np.ndarray]]:
    """Windows every ``stride`` pixels top row first, some values ``-0.0`` and ties, weights rising inwards."""
    ramp = np.arange(size, dtype=np.float32)
    edge = np.minimum(ramp + 1, size - ramp)
    weights = np.minimum(edge[:, None], edge[None, :])
    windows = []
    for top in range(0, max(1, height - size + stride), stride):
        for left in range(-3, width, stride):
            values = rng.standard_normal((channels, size, size)).astype(np.float32).round(1)
            values[:, :3, :3] = -0.0
            windows.append((top, left, values, weights))
    return windows


@pytest.mark.parametrize("weighted", [True, False])
@pytest.mark.parametrize(("height", "width", "size", "stride"), [(61, 47, 16, 12), (40, 33, 16, 16), (23, 50, 10, 4)])
def test_bands_equal_a_zeroed_canvas_weighted_mean_bit_for_bit(
    height: int, width: int, size: int, stride: int, weighted: bool
) -> None:
    windows = grid_windows(np.random.default_rng(height), height, width, size, stride, channels=3)
    expected, reached = canvas_reference(height, width, windows)
    bands = blend(BandBlender(height, width, 3, (0, height), size), windows, weighted=weighted)
    assert [row for top, values, _ in bands for row in range(top, top + values.shape[1])] == list(range(height))
    values = np.concatenate([values for _, values, _ in bands], axis=1)
    # Bits compared: -0.0 is not 0.0 (a window's own -0.0 blends to 0.0, as 0.0 + -0.0 is).
    assert np.array_equal(values.view(np.uint32), expected.view(np.uint32))
    assert np.array_equal(np.concatenate([found for _, _, found in bands]), reached)


def test_pixels_no_window_reached_are_zeros_whatever_the_band_held_there_before() -> None:
    rng = np.random.default_rng(7)
    # Windows of 8 rows and short ones of 3 (the rows below a short one held an earlier window's sums), narrow
    # ones leaving columns 5..8 and 14.. unreached, a missing row of windows (rows 26..33) and none at the bottom.
    windows = []
    for top, rows in ((0, 8), (6, 8), (12, 3), (20, 8), (34, 3), (40, 8)):
        for left in (0, 9):
            windows.append((top, left, rng.standard_normal((2, rows, 5)).astype(np.float32), np.ones((rows, 5), "f4")))
    expected, reached = canvas_reference(56, 16, windows)
    bands = blend(BandBlender(56, 16, 2, (0, 56), 8), windows, weighted=True)
    values = np.concatenate([values for _, values, _ in bands], axis=1)
    assert not reached[15:20].any() and not reached[:, 5:9].any()
    assert np.array_equal(values.view(np.uint32), expected.view(np.uint32))
    assert np.array_equal(np.concatenate([found for _, _, found in bands]), reached)


def test_a_chunks_rows_below_its_top_are_blended_from_its_halo_windows_bit_for_bit() -> None:
    # The chunk writes rows 20..45; windows from row 8 reach into it (their rows above 20 are another chunk's).
    windows = grid_windows(np.random.default_rng(3), 60, 30, 16, 12, channels=2)
    windows = [window for window in windows if window[0] + 16 > 20 and window[0] < 45]
    expected, reached = canvas_reference(60, 30, windows)
    bands = blend(BandBlender(60, 30, 2, (20, 45), 16), windows, weighted=True)
    assert bands[0][0] == 20 and sum(values.shape[1] for _, values, _ in bands) == 25
    values = np.concatenate([values for _, values, _ in bands], axis=1)
    assert np.array_equal(values.view(np.uint32), expected[:, 20:45].view(np.uint32))
    assert np.array_equal(np.concatenate([found for _, _, found in bands]), reached[20:45])
