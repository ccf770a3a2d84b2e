"""The decode floor of bench/time_series.py: plain rasterio reading only the source pixels a chip needs.

For each chip and date, the files of that date are taken in turn; a file is read only where the chip still
lacks pixels after the files before it (its footprint in the chip's CRS, EPSG:32631), in the file's own grid
and at its own resolution, over the bounding box of that remainder plus one pixel for a bilinear kernel. No
warp, no mosaic, no nodata handling, no stacking: what is left is decoding the tiles any reader of these
pixels must decode. GeoTorch and TorchGeo 0.10.1 both decode at least this, so ``TorchGeo's CPU / the floor's``
bounds the CPU ratio any reader of identical pixels can reach over TorchGeo on this series.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

NAME = re.compile(r"^T(?P<tile>\d{3})_(?P<date>\d{8})\.tif$")
#: The chips' CRS (bench/time_series.py's queries are slices of EPSG:32631 metres).
CHIP_CRS = "EPSG:32631"


class FloorReads:
    """A map-style dataset of chips ``(x slice, y slice)`` -> the source windows' decoded arrays, per date.

    Args:
        data: the folder bench/time_series.py's ``generate`` wrote (``T{zone}{row}_{date}.tif``).

    Raises:
        FileNotFoundError: no series file in ``data``.
    """

    def __init__(self, data: Path) -> None:
        import rasterio
        from rasterio.warp import transform
        from shapely.geometry import Polygon

        self.files: dict[str, list[str]] = defaultdict(list)
        self.footprints: dict[str, Any] = {}
        for path in sorted(data.glob("T*.tif")):
            match = NAME.match(path.name)
            if match is None:
                continue
            self.files[match["date"]].append(str(path))
            with rasterio.open(path) as source:
                left, bottom, right, top = source.bounds
                # The outline densified to 16 points a side, in the chips' CRS.
                steps = [i / 16 for i in range(16)]
                xs = [left + (right - left) * s for s in steps] + [right] * 16
                ys = [bottom] * 16 + [bottom + (top - bottom) * s for s in steps]
                xs += [right - (right - left) * s for s in steps] + [left] * 16
                ys += [top] * 16 + [top - (top - bottom) * s for s in steps]
                outline_x, outline_y = transform(source.crs, CHIP_CRS, xs, ys)
            self.footprints[str(path)] = Polygon(zip(outline_x, outline_y, strict=True))
        if not self.files:
            raise FileNotFoundError(f"no T*.tif series file in {data}")
        self.handles: dict[str, Any] = {}

    def _open(self, path: str) -> Any:
        import rasterio

        if path not in self.handles:
            self.handles[path] = rasterio.open(path)
        return self.handles[path]

    def __getitem__(self, chip: tuple[slice, slice]) -> dict[str, Any]:
        """The arrays decoded for ``chip``: ``image`` a list (one per file read) of ``(C, h, w)`` uint16 arrays."""
        from rasterio.warp import transform_bounds
        from rasterio.windows import Window, from_bounds
        from shapely.geometry import box

        xs, ys = chip
        arrays = []
        for paths in self.files.values():
            missing = box(xs.start, ys.start, xs.stop, ys.stop)
            for path in paths:
                needed = missing.intersection(self.footprints[path])
                if needed.is_empty or needed.area == 0:
                    continue
                missing = missing.difference(self.footprints[path])
                source = self._open(path)
                bounds = transform_bounds(CHIP_CRS, source.crs, *needed.bounds, densify_pts=21)
                window = from_bounds(*bounds, transform=source.transform)
                col, row = int(window.col_off) - 1, int(window.row_off) - 1
                width, height = int(window.width) + 3, int(window.height) + 3
                window = Window(col, row, width, height).intersection(Window(0, 0, source.width, source.height))
                arrays.append(source.read(window=window))
                if missing.is_empty:
                    break
        return {"image": arrays}
