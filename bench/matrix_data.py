"""Write the files of one matrix cell: small scenes in two UTM zones, labels in Albers, pre-warped scenes.

Every cell has the same geometry (four scenes of ``SIZE`` x ``SIZE`` px at 30 m, two in
EPSG:32616 and two in EPSG:32617, overlapping, each with a rotated valid footprint
inside a nodata collar, as Landsat scenes have) and the same labels (one uint8
raster in EPSG:5070, shared by hard links); only the scenes' layout (bands, type,
blocks, compression, overviews) changes from cell to cell. A cell's folder holds
``scenes/``, ``prewarped/`` (the scenes warped onto the label grid, same layout)
and ``labels/``, the layout ``scenarios.py`` reads.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
from affine import Affine
from matrix_design import Cell
from pyproj import Transformer
from rasterio.crs import CRS
from rasterio.enums import Resampling
from rasterio.warp import reproject, transform_bounds

RES = 30.0
SIZE = 1280
LABEL_CRS = CRS.from_epsg(5070)
# Scene centres (EPSG, longitude, latitude), straddling the UTM zone boundary at 84 W.
CENTRES = ((32616, -84.25, 35.0), (32616, -84.1, 34.85), (32617, -83.9, 35.0), (32617, -83.75, 34.85))
#: Degrees the valid footprint is turned inside each scene (a path's heading).
FOOTPRINT_TURN = 12.0
VERSION = 1


def profile(cell: Cell) -> dict[str, Any]:
    """The rasterio creation options of a cell's scenes."""
    options: dict[str, Any] = {"driver": "GTiff", "compress": cell.compression.lower()}
    if cell.block == "strip":
        options["tiled"] = False
    else:
        options.update(tiled=True, blockxsize=int(cell.block), blockysize=int(cell.block))
    if cell.compression == "JPEG":
        options["photometric"] = "YCBCR"
    else:
        # Horizontal differencing for integers, the floating-point predictor for floats (GDAL's advice).
        options["predictor"] = 3 if cell.dtype == "float32" else 2
    return options


def _valid_footprint(size: int) -> np.ndarray:
    """Boolean ``(size, size)``: a rectangle turned by ``FOOTPRINT_TURN`` degrees, inset from the edges."""
    rows, cols = np.mgrid[0:size, 0:size].astype(np.float32) - (size - 1) / 2
    turn = np.deg2rad(FOOTPRINT_TURN)
    along = cols * np.cos(turn) + rows * np.sin(turn)
    across = -cols * np.sin(turn) + rows * np.cos(turn)
    half = size * 0.4
    return (np.abs(along) <= half) & (np.abs(across) <= half)


def scene_pixels(rng: np.random.Generator, cell: Cell, size: int) -> np.ndarray:
    """Plausible, compressible reflectances of the cell's type (smooth ramps plus noise), 0 outside the footprint."""
    ramp = np.linspace(0, 1, size, dtype=np.float32)
    base = 0.1 + 0.3 * np.outer(ramp, ramp[::-1])
    valid = _valid_footprint(size)
    scene = np.zeros((cell.bands, size, size), dtype=cell.dtype)
    for band in range(cell.bands):
        reflectance = base * (0.6 + 0.05 * band) + rng.uniform(0, 0.02, (size, size)).astype(np.float32)
        if cell.dtype == "uint8":
            values = np.clip(reflectance * 400, 1, 255).astype(np.uint8)
        elif cell.dtype == "uint16":
            values = np.clip(reflectance * 10000, 1, 65535).astype(np.uint16)
        else:
            values = reflectance.astype(np.float32)
        scene[band][valid] = values[valid]
    return scene


def _write(path: Path, pixels: np.ndarray, crs: CRS, transform: Affine, cell: Cell) -> None:
    partial = path.with_suffix(".partial.tif")
    with rasterio.open(partial, "w", width=pixels.shape[2], height=pixels.shape[1], count=pixels.shape[0],
                       dtype=pixels.dtype, crs=crs, transform=transform, nodata=0, **profile(cell)) as destination:
        destination.write(pixels)
    if cell.overviews:
        with rasterio.open(partial, "r+") as destination:
            destination.build_overviews([2, 4, 8], Resampling.average)
    os.replace(partial, path)


def scene_transforms(size: int) -> list[tuple[int, Affine]]:
    """The CRS (EPSG code) and geotransform of each scene."""
    placed = []
    for epsg, lon, lat in CENTRES:
        x, y = Transformer.from_crs("EPSG:4326", f"EPSG:{epsg}", always_xy=True).transform(lon, lat)
        placed.append((epsg, Affine(RES, 0, round(x - size * RES / 2, -1), 0, -RES, round(y + size * RES / 2, -1))))
    return placed


def write_labels(path: Path, size: int) -> None:
    """One uint8 land-cover raster in EPSG:5070 covering every scene (blocks of 100 px of one class)."""
    lefts, bottoms, rights, tops = [], [], [], []
    for epsg, transform in scene_transforms(size):
        left, bottom, right, top = transform_bounds(f"EPSG:{epsg}", LABEL_CRS, transform.c, transform.f - size * RES,
                                                    transform.c + size * RES, transform.f)
        lefts.append(left), bottoms.append(bottom), rights.append(right), tops.append(top)
    left, top = np.floor(min(lefts) / RES) * RES, np.ceil(max(tops) / RES) * RES
    width, height = int(np.ceil((max(rights) - left) / RES)), int(np.ceil((top - min(bottoms)) / RES))
    coarse = np.random.default_rng(1).integers(1, 12, (height // 100 + 1, width // 100 + 1), dtype=np.uint8)
    labels = np.repeat(np.repeat(coarse, 100, axis=0), 100, axis=1)[:height, :width]
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial.tif")
    with rasterio.open(partial, "w", driver="GTiff", width=width, height=height, count=1, dtype="uint8",
                       crs=LABEL_CRS, transform=Affine(RES, 0, left, 0, -RES, top), nodata=0, tiled=True,
                       blockxsize=256, blockysize=256, compress="deflate") as destination:
        destination.write(labels[None])
    os.replace(partial, path)


def write_cell(root: Path, cell: Cell, size: int = SIZE) -> Path:
    """Write (once) the files of ``cell`` under ``root``; returns the cell's folder.

    A folder whose marker records the same layout and size is reused as it is.
    """
    labels = root / "labels" / f"landcover_5070_{size}.tif"
    if not labels.exists():
        write_labels(labels, size)
    folder = root / cell.name
    marker = folder / "COMPLETE.json"
    wanted = {"cell": cell.name, "size": size, "version": VERSION}
    if marker.exists() and json.loads(marker.read_text()) == wanted:
        return folder
    for kind in ("scenes", "prewarped", "labels"):
        (folder / kind).mkdir(parents=True, exist_ok=True)
    link = folder / "labels" / "landcover_5070.tif"
    if link.exists():
        link.unlink()
    os.link(labels, link)
    rng = np.random.default_rng(0)
    with rasterio.open(labels) as grid:
        label_transform = grid.transform
    for number, (epsg, transform) in enumerate(scene_transforms(size)):
        pixels = scene_pixels(rng, cell, size)
        name = f"scene_{number}_{epsg}.tif"
        _write(folder / "scenes" / name, pixels, CRS.from_epsg(epsg), transform, cell)
        left, bottom, right, top = transform_bounds(f"EPSG:{epsg}", LABEL_CRS, transform.c, transform.f - size * RES,
                                                    transform.c + size * RES, transform.f)
        col0 = int(np.floor((left - label_transform.c) / RES))
        row0 = int(np.floor((label_transform.f - top) / RES))
        width, height = int(np.ceil((right - left) / RES)) + 1, int(np.ceil((top - bottom) / RES)) + 1
        warped_transform = label_transform * Affine.translation(col0, row0)
        warped = np.zeros((cell.bands, height, width), dtype=cell.dtype)
        reproject(pixels, warped, src_transform=transform, src_crs=f"EPSG:{epsg}", src_nodata=0,
                  dst_transform=warped_transform, dst_crs=LABEL_CRS, dst_nodata=0, resampling=Resampling.bilinear)
        _write(folder / "prewarped" / name.replace(".tif", "_5070.tif"), warped, LABEL_CRS, warped_transform, cell)
    marker.write_text(json.dumps(wanted))
    return folder
