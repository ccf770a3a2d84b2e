"""Probabilities whose bits do not depend on torch's thread count or on how windows are batched.

torch's CPU softmax across the channels of ``(B, K, H, W)`` and its sigmoid give a pixel other
bits when its threads split the batch elsewhere (another thread count, another batch, another
DDP rank); a pixel's probabilities must be its logits' alone, so that every machine writes the
same file of one model and one raster.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
import rasterio
import torch
from torch import Tensor, nn

from geotorch.trainers import SemanticSegmentationTask
from geotorch.trainers.predict import predict_raster
from geotorch.trainers.predict_logits import probabilities_of

REAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "real"


def real_raster() -> Path:
    raster = REAL / "RGB.byte.tif"
    if not raster.exists():
        pytest.skip(f"real geodata not found at {REAL.resolve()} (the project root's ../shared/data/real)")
    return raster


@contextmanager
def threads(count: int) -> Iterator[None]:
    """Run the body with ``count`` torch threads, then give back the previous count."""
    before = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def conv(classes: int) -> nn.Module:
    """A 1x1 convolution of RGB pixels (0-255) into ``classes`` logits of a few units."""
    torch.manual_seed(0)
    model = nn.Conv2d(3, classes, 1)
    with torch.no_grad():
        model.weight.mul_(0.05)
    return model


def written(path: Path) -> np.ndarray:
    """The file's pixels as unsigned integers of their width: NaNs compared bit for bit too."""
    with rasterio.open(path) as source:
        pixels = source.read()
    return pixels.view(f"uint{pixels.dtype.itemsize * 8}")


def windows_of(raster: Path, size: tuple[int, int], count: int) -> Tensor:
    """``count`` overlapping windows ``(count, 3, *size)`` of the raster's pixels (0-255), float32."""
    with rasterio.open(raster) as source:
        pixels = torch.from_numpy(source.read(window=((300, 300 + size[0] + count), (300, 300 + size[1] + count))))
    return torch.stack([pixels[:, step : step + size[0], step : step + size[1]] for step in range(count)]).float()


@pytest.mark.parametrize(("classes", "size"), [(7, (37, 41)), (1, (101, 131))], ids=["softmax", "sigmoid"])
def test_predict_rasters_probabilities_of_a_window_are_the_same_bits_in_any_batch_at_any_thread_count(
    classes: int, size: tuple[int, int]
) -> None:
    # At 2 threads torch's softmax of 8 windows of 37 x 41 px gave 5 probabilities of the last 7 windows other bits
    # than that of those 7 alone, its sigmoid of 101 x 131 px windows 1.
    model = conv(classes)
    with torch.inference_mode(), torch.backends.mkldnn.flags(enabled=False):
        logits = model(windows_of(real_raster(), size, 8))
        results = []
        for count in (1, 2):
            with threads(count):
                results += [probabilities_of(logits, False), probabilities_of(logits[1:], False)]
    whole = results[0]
    for other in results[1:]:
        part = whole[-len(other) :]
        assert torch.equal(part, other), int((part != other).sum())


@pytest.mark.parametrize(
    ("classes", "dtype", "size"),
    [(7, "uint8", (37, 41)), (7, "float16", (37, 41)), (1, "float16", (101, 131))],
    ids=["softmax-uint8", "softmax-float16", "sigmoid-float16"],
)
def test_predict_raster_writes_the_same_probabilities_whatever_the_threads_and_batches(
    tmp_path: Path, classes: int, dtype: str, size: tuple[int, int]
) -> None:
    # RGB.byte.tif (791 x 718 px), odd windows, at 1 or 2 threads, 8 or 3 windows a batch: one file. (oneDNN's
    # convolutions give other logits at another thread count, 31394 of 8 x 7 x 37 x 41 here, and so 5-248 other
    # probabilities: the model's own, which predict_raster cannot change; it runs on torch's own convolutions.)
    raster, model = real_raster(), conv(classes)
    outputs = []
    for count, batch in ((1, 8), (2, 8), (2, 3)):
        with threads(count), torch.backends.mkldnn.flags(enabled=False):
            (path,) = predict_raster(
                model, raster, tmp_path / f"{count}-{batch}", patch_size=size, overlap=6, batch_size=batch,
                output="probabilities", probability_dtype=dtype, device="cpu",  # type: ignore[arg-type]
            )
        outputs.append(written(path))
    assert all(np.array_equal(outputs[0], other) for other in outputs[1:]), [
        int((outputs[0] != other).sum()) for other in outputs[1:]
    ]


@pytest.mark.parametrize("task", ["multiclass", "multilabel"])
def test_a_tasks_predict_step_gives_a_window_the_same_bits_in_any_batch(task: str) -> None:
    # geotorch predict's writer blends predict_step's probabilities; a DDP rank, or the last batch, batches a
    # window with others. (The FCN's own convolutions give other logits at another thread count, not another batch.)
    with rasterio.open(real_raster()) as source:
        pixels = torch.from_numpy(source.read(window=((300, 403), (300, 437))).astype("float32") / 255)
    torch.manual_seed(0)
    model = SemanticSegmentationTask(
        model="fcn", in_channels=3, task=task, num_classes=7, num_labels=7, num_filters=4,
        loss="bce" if task == "multilabel" else "ce",
    ).eval()
    offsets = ((0, 0), (3, 5), (6, 2), (1, 6))
    windows = torch.stack([pixels[:, row : row + 97, column : column + 131] for row, column in offsets])
    for count in (1, 2):
        with threads(count), torch.inference_mode():
            whole = model.predict_step({"image": windows}, 0)
            part = model.predict_step({"image": windows[1:]}, 0)
        assert torch.equal(whole[1:], part), (count, int((whole[1:] != part).sum()))


@pytest.mark.parametrize(("classes", "size"), [(7, (37, 41)), (1, (101, 131))], ids=["softmax", "sigmoid"])
def test_predict_rasters_probabilities_are_written_over_the_models_output_not_a_second_batch(
    classes: int, size: tuple[int, int]
) -> None:
    # A second batch of probabilities, beside the logits, was allocated and faulted in for every forward pass.
    model = conv(classes)
    with torch.inference_mode():
        logits = model(windows_of(real_raster(), size, 8))
        expected = probabilities_of(logits, False)
        fresh = logits.clone()
        written = probabilities_of(fresh, False, owned=set())
    assert written.untyped_storage().data_ptr() == fresh.untyped_storage().data_ptr()
    assert torch.equal(written, expected)
    assert not torch.equal(expected, logits)


def test_a_models_own_tensor_given_as_logits_is_never_written_over() -> None:
    parameter = nn.Parameter(torch.randn(2, 3, 5, 7))
    before = parameter.detach().clone()
    with torch.inference_mode():
        probabilities = probabilities_of(parameter.detach(), False, owned={parameter.untyped_storage().data_ptr()})
    assert torch.equal(parameter.detach(), before)
    assert torch.equal(probabilities, probabilities_of(before, False))
