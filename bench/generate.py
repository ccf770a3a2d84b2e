"""Write the benchmark's data: the same files, bit for bit, for every run and every library.

- ``scenes/``: six 7-band uint16 scenes of 4000 x 4000 px at 30 m, three in
  EPSG:32616 and three in EPSG:32617, overlapping, tiled 256 px, DEFLATE.
- ``labels/``: one uint8 land-cover raster in EPSG:5070 covering them all.
- ``prewarped/``: the same scenes warped onto the label grid.
- ``tiles/``: small single-band tiles for timing index construction.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
from pathlib import Path

import numpy as np
import rasterio
from affine import Affine
from pyproj import Transformer
from rasterio.crs import CRS
from rasterio.enums import Resampling
from rasterio.warp import reproject, transform_bounds

RES = 30.0
SIZE = 4000
BANDS = 7
LABEL_CRS = CRS.from_epsg(5070)
# Scene centres (EPSG, longitude, latitude): two rows of three, straddling the UTM zone boundary at 84 W.
CENTRES = (
    (32616, -84.9, 35.3), (32616, -84.6, 34.8), (32616, -84.3, 35.3),
    (32617, -83.7, 34.8), (32617, -83.4, 35.3), (32617, -83.1, 34.8),
)
PROFILE = {"driver": "GTiff", "tiled": True, "blockxsize": 256, "blockysize": 256, "compress": "deflate"}


def _scene_pixels(rng: np.random.Generator, size: int, bands: int) -> np.ndarray:
    """Plausible, compressible reflectances: smooth band-specific ramps plus small noise."""
    ramp = np.linspace(0, 1, size, dtype=np.float32)
    base = 800 + 2400 * np.outer(ramp, ramp[::-1])
    scene = np.empty((bands, size, size), dtype=np.uint16)
    for band in range(bands):
        scene[band] = (base * (0.6 + 0.1 * band) + rng.integers(0, 64, (size, size))).astype(np.uint16)
    return scene


def write_scenes(root: Path, rng: np.random.Generator, size: int) -> list[Path]:
    paths = []
    (root / "scenes").mkdir(parents=True, exist_ok=True)
    for number, (epsg, lon, lat) in enumerate(CENTRES):
        x, y = Transformer.from_crs("EPSG:4326", f"EPSG:{epsg}", always_xy=True).transform(lon, lat)
        transform = Affine(RES, 0, round(x - size * RES / 2, -1), 0, -RES, round(y + size * RES / 2, -1))
        path = root / "scenes" / f"scene_{number}_{epsg}.tif"
        with rasterio.open(path, "w", width=size, height=size, count=BANDS, dtype="uint16", crs=f"EPSG:{epsg}",
                           transform=transform, nodata=0, **PROFILE) as destination:
            destination.write(_scene_pixels(rng, size, BANDS))
        paths.append(path)
    return paths


def label_grid(scenes: list[Path]) -> tuple[Affine, int, int]:
    lefts, bottoms, rights, tops = [], [], [], []
    for path in scenes:
        with rasterio.open(path) as source:
            left, bottom, right, top = transform_bounds(source.crs, LABEL_CRS, *source.bounds)
        lefts.append(left), bottoms.append(bottom), rights.append(right), tops.append(top)
    left, top = np.floor(min(lefts) / RES) * RES, np.ceil(max(tops) / RES) * RES
    width = int(np.ceil((max(rights) - left) / RES))
    height = int(np.ceil((top - min(bottoms)) / RES))
    return Affine(RES, 0, left, 0, -RES, top), width, height


def write_labels(root: Path, rng: np.random.Generator, scenes: list[Path]) -> Path:
    transform, width, height = label_grid(scenes)
    (root / "labels").mkdir(parents=True, exist_ok=True)
    coarse = rng.integers(1, 12, (height // 100 + 1, width // 100 + 1), dtype=np.uint8)
    labels = np.repeat(np.repeat(coarse, 100, axis=0), 100, axis=1)[:height, :width]
    path = root / "labels" / "landcover_5070.tif"
    with rasterio.open(path, "w", width=width, height=height, count=1, dtype="uint8", crs=LABEL_CRS,
                       transform=transform, nodata=0, **PROFILE) as destination:
        destination.write(labels[None])
    return path


def write_prewarped(root: Path, scenes: list[Path], labels: Path) -> None:
    (root / "prewarped").mkdir(parents=True, exist_ok=True)
    with rasterio.open(labels) as grid:
        grid_transform = grid.transform
    for path in scenes:
        with rasterio.open(path) as source:
            left, bottom, right, top = transform_bounds(source.crs, LABEL_CRS, *source.bounds)
            col0 = int(np.floor((left - grid_transform.c) / RES))
            row0 = int(np.floor((grid_transform.f - top) / RES))
            width = int(np.ceil((right - left) / RES)) + 1
            height = int(np.ceil((top - bottom) / RES)) + 1
            transform = grid_transform * Affine.translation(col0, row0)
            warped = np.zeros((source.count, height, width), dtype=np.uint16)
            reproject(rasterio.band(source, list(range(1, source.count + 1))), warped, dst_transform=transform,
                      dst_crs=LABEL_CRS, dst_nodata=0, resampling=Resampling.bilinear, num_threads=2)
        with rasterio.open(root / "prewarped" / path.name.replace(".tif", "_5070.tif"), "w", width=width,
                           height=height, count=BANDS, dtype="uint16", crs=LABEL_CRS, transform=transform, nodata=0,
                           **PROFILE) as destination:
            destination.write(warped)


def write_tiles(root: Path, count: int, rng: np.random.Generator) -> None:
    folder = root / f"tiles_{count}"
    folder.mkdir(parents=True, exist_ok=True)
    side = int(np.ceil(np.sqrt(count)))
    for number in range(count):
        row, col = divmod(number, side)
        transform = Affine(RES, 0, 500000 + col * 64 * RES, 0, -RES, 4000000 - row * 64 * RES)
        with rasterio.open(folder / f"tile_{number:05d}.tif", "w", driver="GTiff", width=64, height=64, count=1,
                           dtype="uint8", crs="EPSG:32616", transform=transform) as destination:
            destination.write(rng.integers(0, 255, (1, 64, 64), dtype=np.uint8))


def link_scene_sets(root: Path) -> None:
    """Folders of 1 and 24 scenes for the growth table, as hard links to the generated files.

    24 scenes are the 6 scenes at 4 acquisition dates (a time series): queries drawn from one
    acquisition read that acquisition only, as they would on real repeat passes.
    """
    for kind in ("scenes", "prewarped"):
        originals = sorted((root / kind).glob("scene_*.tif"))
        sets = {1: [(originals[0], originals[0].name)]}
        sets[24] = [(original, original.name.replace("scene_", f"scene_2023060{copy + 1}_"))
                    for copy in range(4) for original in originals]
        for count, links in sets.items():
            folder = root / f"{kind}_{count}"
            if folder.exists() and sorted(path.name for path in folder.iterdir()) != sorted(n for _, n in links):
                shutil.rmtree(folder)
            folder.mkdir(exist_ok=True)
            for original, name in links:
                if not (folder / name).exists():
                    os.link(original, folder / name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("root", type=Path)
    parser.add_argument("--size", type=int, default=SIZE, help="scene width and height in pixels")
    parser.add_argument("--tiles", type=int, nargs="*", default=[200, 2000, 20000], help="tile folders to write")
    options = parser.parse_args()
    marker = options.root / "COMPLETE.json"
    wanted = {"size": options.size, "tiles": sorted(options.tiles), "version": 2}
    if not marker.exists() or json.loads(marker.read_text()) != wanted:
        rng = np.random.default_rng(0)
        scenes = write_scenes(options.root, rng, options.size)
        labels = write_labels(options.root, rng, scenes)
        write_prewarped(options.root, scenes, labels)
        for count in options.tiles:
            write_tiles(options.root, count, rng)
        marker.write_text(json.dumps(wanted))
    link_scene_sets(options.root)


if __name__ == "__main__":
    main()
