"""What predict_raster holds while the model runs: no batch beyond those it still needs."""

from __future__ import annotations

import threading
import weakref
from pathlib import Path

import pytest
import torch
from torch import Tensor, nn

from geotorch.trainers.predict import predict_raster

REAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "real"


class WatchingConv(nn.Module):
    """A 1x1 convolution that, before each forward pass, waits (up to 3 s) until its previous output is freed.

    Its outputs are what predict_raster blends (``output='scores'`` weights them in place), so a live previous
    output is a batch held beyond its blending.
    """

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 1)
        self.previous: weakref.ref[Tensor] | None = None
        #: Whether the previous output was freed before each forward pass after the first.
        self.freed: list[bool] = []

    def forward(self, images: Tensor) -> Tensor:
        if self.previous is not None:
            gone = threading.Event()
            for _ in range(300):
                if self.previous() is None:
                    gone.set()
                    break
                gone.wait(0.01)
            self.freed.append(gone.is_set())
        logits: Tensor = self.conv(images)
        self.previous = weakref.ref(logits)
        return logits


@pytest.mark.parametrize("workers", [0, 2])
def test_a_blended_batch_is_freed_before_the_next_forward_pass(tmp_path: Path, workers: int) -> None:
    raster = REAL / "RGB.byte.tif"
    if not raster.exists():
        pytest.skip(f"real geodata not found at {REAL.resolve()} (the project root's ../shared/data/real)")
    model = WatchingConv()
    torch.manual_seed(0)
    predict_raster(
        model,
        raster,
        tmp_path,
        patch_size=128,
        overlap=16,
        batch_size=4,
        output="scores",
        num_workers=workers,
        device="cpu",
    )
    # 791 x 718 px: 7 x 7 windows, 13 batches.
    assert len(model.freed) == 12
    assert all(model.freed), f"a blended batch still held at {model.freed.count(False)} of 12 forward passes"
