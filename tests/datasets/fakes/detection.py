"""Fake object-detection benchmark in its real layout: NWPU VHR-10."""

from __future__ import annotations

import json
from pathlib import Path

from geotorch.datasets import VHR10
from tests.datasets.fakes.dense import rgb, write_raster

FOLDER = "NWPU VHR-10 dataset"
SIZES = {1: (20, 24), 2: (16, 16), 3: (18, 18)}  # positive image number: (height, width)


def annotation(ident: int, image: int, category: int, bbox: list[float], crowd: int = 0) -> dict:
    x, y, w, h = bbox
    polygon = [x, y, x + w, y, x + w, y + h, x, y + h]
    return {"id": ident, "image_id": image, "category_id": category, "bbox": bbox, "segmentation": [polygon],
            "area": w * h, "iscrowd": crowd}


COCO = {
    "images": [{"id": n - 1, "file_name": f"{n:03d}.jpg", "height": h, "width": w} for n, (h, w) in SIZES.items()],
    "annotations": [
        annotation(1, 0, 1, [2, 3, 6, 4]),        # airplane
        annotation(2, 0, 10, [20, 10, 10, 5]),    # vehicle running off the right edge: clipped to x = 24
        annotation(3, 1, 5, [4, 4, 8, 8]),        # tennis court
        annotation(4, 1, 2, [30, 30, 5, 5]),      # ship entirely outside the image: dropped
        annotation(5, 2, 3, [1, 1, 4, 4], crowd=1),  # crowd: left out
    ],
    "categories": [{"id": k, "name": name} for k, name in enumerate(VHR10.classes) if k],
}


def make_vhr10(root: Path) -> Path:
    """Three positive and two negative JPEGs (sizes differ), and the annotations of the positive ones."""
    for number, (height, width) in SIZES.items():
        write_raster(root / FOLDER / "positive image set" / f"{number:03d}.jpg", rgb((height, width)))
    for number in (1, 2):
        write_raster(root / FOLDER / "negative image set" / f"{number:03d}.jpg", rgb(12))
    (root / FOLDER / "annotations.json").write_text(json.dumps(COCO))
    return root
