"""Read the same fixed queries with one library and save the pixels, so both libraries can be compared.

``python pixels.py --library geotorch|torchgeo --data DIR --out FILE.npz``
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from scenarios import PATCH, build

QUERIES = 12


def _extent(dataset: object) -> tuple[float, float, float, float]:
    """``(minx, maxx, miny, maxy)`` of a dataset's bounds, in either library's representation."""
    bounds = dataset.bounds  # type: ignore[attr-defined]
    if hasattr(bounds, "minx"):
        return bounds.minx, bounds.maxx, bounds.miny, bounds.maxy
    # TorchGeo >= 0.8: a tuple of x, y and t slices
    x, y = bounds[0], bounds[1]
    return float(x.start), float(x.stop), float(y.start), float(y.stop)


def queries(dataset: object, count: int, res: float) -> list[tuple[float, float]]:
    """Top-left corners of ``count`` patches inside both operands' bounds, from a fixed seed.

    The operands' own bounds (the files' footprints) are the same in both libraries; the
    intersection's are not (GeoTorch cuts it on the imagery's pixels), so they are not used.
    """
    extents = [_extent(operand) for operand in dataset.datasets]  # type: ignore[attr-defined]
    minx, maxx = max(extent[0] for extent in extents), min(extent[1] for extent in extents)
    miny, maxy = max(extent[2] for extent in extents), min(extent[3] for extent in extents)
    rng = np.random.default_rng(1)
    width = PATCH * res
    corners = []
    for _ in range(count):
        left = minx + np.floor(rng.uniform(0.25, 0.75) * (maxx - minx - width) / res) * res
        top = maxy - np.floor(rng.uniform(0.25, 0.75) * (maxy - miny - width) / res) * res
        corners.append((float(left), float(top)))
    return corners


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--library", choices=["geotorch", "torchgeo"], required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    options = parser.parse_args()
    arrays = {}
    for scenario in ("a", "d"):
        dataset = build(options.library, options.data, scenario)
        res = float(dataset.res[0])
        for number, (left, top) in enumerate(queries(dataset, QUERIES, res)):
            sample = dataset[left : left + PATCH * res, top - PATCH * res : top]
            arrays[f"{scenario}_{number}_image"] = np.asarray(sample["image"].numpy(), dtype=np.float32)
            arrays[f"{scenario}_{number}_mask"] = np.asarray(sample["mask"].numpy()).reshape(PATCH, PATCH)
    np.savez_compressed(options.out, **arrays)


if __name__ == "__main__":
    main()
