"""Scenario d's second reference: plain rasterio reading the samples GeoTorch returns, the mosaic included.

The plain rasterio limit (``runner.same_windows_limit``) reads each query's window from the one file
GeoTorch reads first. GeoTorch's samples also hold, where that file's rotated nodata collar leaves the
patch empty, the pixels of the overlapping scenes' later files. This reference reads exactly those:
each query's window from the first file, then each later file (GeoTorch's order: index order) only
over the box of the pixels still lacking data, copied where it has data by a masked copy; the label
window as the limit reads it. No R-tree (the files of each query are found before the clock starts),
no grids, no type or nodata bookkeeping beyond the files' own nodata: what is left is the reads any
reader of GeoTorch's samples must make, so ``GeoTorch's CPU - this reference's`` is GeoTorch's overhead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

#: One sample to read: the query's ``(left, bottom, right, top)`` and the files GeoTorch mosaics, first first.
Read = tuple[tuple[float, float, float, float], list[str]]


def drawn_reads(data: Path, count: int, seed: int) -> list[Read]:
    """The queries GeoTorch's scenario d draws (its RandomGeoSampler, ``seed``), each with its files in read order.

    A file is one GeoTorch reads for the query: its index entry overlaps the query with positive
    area (an entry merely touching the window's edge is not read), in index order.
    """
    import torch
    from scenarios import PATCH, build

    from geotorch.samplers import RandomGeoSampler

    dataset = build("geotorch", data, "d")
    scenes = dataset.datasets[0]
    generator = torch.Generator().manual_seed(seed)
    reads: list[Read] = []
    for query in RandomGeoSampler(dataset, size=PATCH, length=count, generator=generator):
        hits = sorted(scenes.index.intersection(tuple(query), objects=True), key=lambda hit: hit.id)
        paths = [str(hit.object) for hit in hits
                 if min(hit.bounds[1], query.maxx) > max(hit.bounds[0], query.minx)
                 and min(hit.bounds[3], query.maxy) > max(hit.bounds[2], query.miny)]
        reads.append(((query.minx, query.miny, query.maxx, query.maxy), list(dict.fromkeys(paths))))
    return reads


class MosaicReads:
    """A map-style dataset: index -> ``{"image": float32 (C, H, W), "mask": int64 (H, W)}`` as GeoTorch's d gives.

    Args:
        reads: the samples (see :func:`drawn_reads`).
        labels: the label file, read over each query's window.
    """

    def __init__(self, reads: list[Read], labels: str) -> None:
        self.reads = reads
        self.labels = labels
        self.handles: dict[str, Any] = {}
        #: How many later files each sample read (beyond its first), for tests.
        self.later_reads = [0] * len(reads)

    def _open(self, path: str) -> Any:
        import rasterio

        if path not in self.handles:
            self.handles[path] = rasterio.open(path)
        return self.handles[path]

    def __len__(self) -> int:
        return len(self.reads)

    @staticmethod
    def _read(source: Any, left: float, top: float, out: Any) -> bool:
        """Read the part of ``source`` under ``out`` (``(C, h, w)``, top-left corner at ``left, top``) into it.

        The query's grid is the files' own (pre-warped onto the labels' grid), so the window is a whole
        number of pixels from the file's corner. Returns whether the file has any pixel there.
        """
        from rasterio.windows import Window

        transform = source.transform
        col, row = round((left - transform.c) / transform.a), round((top - transform.f) / transform.e)
        height, width = out.shape[1:]
        col0, row0 = max(col, 0), max(row, 0)
        col1, row1 = min(col + width, source.width), min(row + height, source.height)
        if col1 <= col0 or row1 <= row0:
            return False
        source.read(window=Window(col0, row0, col1 - col0, row1 - row0),
                    out=out[:, row0 - row : row1 - row, col0 - col : col1 - col])
        return True

    def __getitem__(self, index: int) -> dict[str, Any]:
        import numpy as np
        import torch
        from rasterio.windows import from_bounds

        (left, bottom, right, top), paths = self.reads[index]
        first = self._open(paths[0])
        res_x, res_y = first.transform.a, -first.transform.e
        shape = (first.count, round((top - bottom) / res_y), round((right - left) / res_x))
        nodata = first.nodata or 0
        image = np.full(shape, nodata, dtype=first.dtypes[0])
        self._read(first, left, top, image)
        lacking = (image == nodata).all(axis=0)
        for path in paths[1:]:
            if not lacking.any():
                break
            rows, cols = np.flatnonzero(lacking.any(axis=1)), np.flatnonzero(lacking.any(axis=0))
            rows, cols = slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1)
            source = self._open(path)
            part = np.full((source.count, rows.stop - rows.start, cols.stop - cols.start), source.nodata or 0,
                           dtype=source.dtypes[0])
            if not self._read(source, left + cols.start * res_x, top - rows.start * res_y, part):
                continue
            self.later_reads[index] += 1
            valid = (part != (source.nodata or 0)).any(axis=0)
            box = lacking[rows, cols]
            np.copyto(image[:, rows, cols], part, where=valid & box)
            box &= ~valid
        grid = self._open(self.labels)
        window = from_bounds(left, bottom, right, top, transform=grid.transform).round_offsets().round_lengths()
        mask = grid.read(1, window=window)
        return {"image": torch.from_numpy(image.astype(np.float32)), "mask": torch.from_numpy(mask.astype(np.int64))}
