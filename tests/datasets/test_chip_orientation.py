"""Scene chips saved by cameras with an EXIF orientation are read as every viewer shows them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image, ImageOps

from geotorch.datasets import RESISC45
from tests.datasets.fakes.classification import make_resisc45

#: The EXIF tag of a picture's orientation.
ORIENTATION = 0x0112


def _save_turned(chip: Path, orientation: int, height: int = 12, width: int = 20) -> None:
    """A ``height`` x ``width`` RGB JPEG of distinct corners at ``chip``, tagged with the EXIF ``orientation``."""
    pixels = np.zeros((height, width, 3), np.uint8)
    pixels[: height // 2, : width // 2] = (250, 10, 10)
    pixels[: height // 2, width // 2 :] = (10, 250, 10)
    pixels[height // 2 :, : width // 2] = (10, 10, 250)
    pixels[height // 2 :, width // 2 :] = (250, 250, 250)
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    Image.fromarray(pixels).save(chip, exif=exif, quality=100, subsampling=0)


def _as_shown(chip: Path) -> torch.Tensor:
    """The picture as PIL shows it, turned by its EXIF orientation, float32 (3, H, W)."""
    with Image.open(chip) as picture:
        shown = np.asarray(ImageOps.exif_transpose(picture).convert("RGB"))
    return torch.from_numpy(np.moveaxis(shown, -1, 0).astype(np.float32))


@pytest.mark.parametrize("orientation", range(1, 9))
def test_a_scene_chip_is_read_turned_as_its_exif_orientation_says(orientation: int, tmp_path: Path) -> None:
    root = make_resisc45(tmp_path)
    chip = root / RESISC45.images_folder / "airplane" / "airplane_002.jpg"
    _save_turned(chip, orientation)
    image = RESISC45(root, split="val")[0]["image"]
    assert image.shape == ((3, 20, 12) if orientation >= 5 else (3, 12, 20))
    # GDAL's JPEG decoder and PIL's differ by a few levels; a picture turned otherwise differs by some 240.
    assert torch.allclose(image, _as_shown(chip), atol=8)


class _SizedRESISC45(RESISC45):
    """RESISC45 declaring a chip size, as UC Merced does, so every chip is resampled to 16 x 16."""

    image_size = (16, 16)


def test_a_turned_chip_is_resampled_to_the_products_size_after_turning(tmp_path: Path) -> None:
    root = make_resisc45(tmp_path)
    chip = root / RESISC45.images_folder / "airplane" / "airplane_002.jpg"
    _save_turned(chip, 6, height=16, width=32)
    image = _SizedRESISC45(root, split="val")[0]["image"]
    assert image.shape == (3, 16, 16)
    # Turned clockwise, the stored top-left quarter (red) is shown top right, the top-right one (green) bottom right.
    assert image[0, :6, 10:].mean() > 200 and image[1, :6, 10:].mean() < 60
    assert image[1, 10:, 10:].mean() > 200 and image[0, 10:, 10:].mean() < 60
