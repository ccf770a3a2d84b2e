"""Fake PASTIS-R in its real layout: .npy series, targets and parcel instances per patch, and metadata.geojson."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

#: Pixels per side of a patch (the real ones are 128).
SIZE = 16

#: Patch id -> (fold, Sentinel-2 dates in the order the .npy stores its steps). Patch 10000's steps are
#: stored out of time order, and its metadata lists its dates as JSON text (both forms occur in readers).
PATCHES: dict[int, tuple[int, tuple[int, ...]]] = {
    10000: (1, (20181004, 20180924, 20181109)),
    10001: (1, (20180924, 20181004, 20181014, 20181103, 20181228)),
    20000: (2, (20180929, 20181029, 20181118, 20190102)),
    30000: (3, (20181001, 20181101)),
    40000: (4, (20180924, 20181009, 20181024, 20181108, 20181123, 20181208)),
    50000: (5, (20180925, 20181130, 20190205)),
}
#: Sentinel-1 ascending and descending dates of every patch (their own, more frequent calendar).
S1_DATES = {"S1A": (20180920, 20180926, 20181002, 20181008), "S1D": (20180921, 20180927)}

#: The semantic target: rows 0-3 background, a meadow parcel in each half of rows 4-7, corn in rows 8-11,
#: a void parcel in rows 12-15; parcel ids 0 (none), 1, 2, 3, 4.
CLASSES = np.repeat(np.array([0, 1, 3, 19], "uint8"), 4)[:, None].repeat(SIZE, 1)
INSTANCES = np.zeros((SIZE, SIZE), "int64")
INSTANCES[4:8, :8], INSTANCES[4:8, 8:], INSTANCES[8:12], INSTANCES[12:] = 1, 2, 3, 4
#: The parcels' (xmin, ymin, xmax, ymax) boxes and classes, in id order.
BOXES = [[0, 4, 7, 7], [8, 4, 15, 7], [0, 8, 15, 11], [0, 12, 15, 15]]
LABELS = [1, 1, 3, 19]


def series(steps: int, bands: int, patch: int) -> np.ndarray:
    """A (steps, bands, SIZE, SIZE) int16 series whose value is 100 x stored step + band + patch % 7."""
    values = 100 * np.arange(steps)[:, None] + np.arange(bands)[None, :] + patch % 7
    return np.broadcast_to(values[:, :, None, None], (steps, bands, SIZE, SIZE)).astype("int16")


def _dates(dates: tuple[int, ...]) -> dict[str, int]:
    # Keys listed last step first: readers must go by key, not by order in the file.
    return {str(step): date for step, date in reversed(list(enumerate(dates)))}


def make_pastis(root: Path, patches: dict[int, tuple[int, tuple[int, ...]]] = PATCHES) -> Path:
    """Write ``root/PASTIS-R`` with ``patches``: S2, S1A, S1D series, targets, instances and the metadata."""
    folder = root / "PASTIS-R"
    for name in ("DATA_S2", "DATA_S1A", "DATA_S1D", "ANNOTATIONS", "INSTANCE_ANNOTATIONS"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    target = np.stack([CLASSES, np.full_like(CLASSES, 255), np.full_like(CLASSES, 255)])
    features = []
    for patch, (fold, dates) in patches.items():
        np.save(folder / "DATA_S2" / f"S2_{patch}.npy", series(len(dates), 10, patch))
        for sensor, sensor_dates in S1_DATES.items():
            np.save(folder / f"DATA_{sensor}" / f"{sensor}_{patch}.npy", series(len(sensor_dates), 3, patch))
        np.save(folder / "ANNOTATIONS" / f"TARGET_{patch}.npy", target)
        np.save(folder / "INSTANCE_ANNOTATIONS" / f"INSTANCES_{patch}.npy", INSTANCES)
        dates_s2: object = _dates(dates)
        if patch == 10000:
            dates_s2 = json.dumps(dates_s2)
        x, y = 600000 + 1280 * (patch % 10), 6800000 + 1280 * (patch // 10000)
        features.append({
            "type": "Feature",
            "geometry": {"type": "Polygon",
                         "coordinates": [[[x, y], [x + 1280, y], [x + 1280, y + 1280], [x, y + 1280], [x, y]]]},
            "properties": {"ID_PATCH": patch, "N_Parcel": 4, "Parcel_Cover": 0.75, "TILE": "t30uxv", "Fold": fold,
                           "dates-S2": dates_s2, **{f"dates-{sensor}": _dates(sensor_dates)
                                                    for sensor, sensor_dates in S1_DATES.items()}},
        })
    metadata = {"type": "FeatureCollection", "name": "metadata",
                "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2154"}}, "features": features}
    (folder / "metadata.geojson").write_text(json.dumps(metadata))
    return root
