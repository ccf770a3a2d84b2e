"""Generate GeoTorch's demo area: two multispectral scenes in two UTM zones and a land-cover map.

The land cover is drawn first, on a CONUS Albers (EPSG:5070) grid, as smooth
random patches of five classes. Each scene resamples that map onto its own
UTM grid (zones 16 and 17, on both sides of the zone boundary at 84 W) and
gives every pixel its class's spectral signature plus noise, so the classes
can be learnt from the spectra. Everything is seeded: the same version and
seed always give the same files.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import numpy as np
import rasterio
import torch
from affine import Affine
from pyproj import Transformer
from rasterio.crs import CRS
from rasterio.enums import Resampling
from rasterio.warp import reproject

from geotorch.core import cache_home, report_progress

#: Bumped whenever the generated files change, so stale caches are rebuilt.
DEMO_VERSION = "1"

BANDS = ("blue", "green", "red", "nir", "swir1", "swir2")
CLASSES = ("no data", "water", "forest", "cropland", "developed", "barren")
#: The colour each class is drawn in (matplotlib colours, by label): water blue, forest green, and so on.
COLORS = ("black", "#1f78b4", "#33a02c", "#e3c35b", "#e31a1c", "#b3b3b3")
#: Surface reflectance x 10000 of each class (rows) in each band (columns).
SIGNATURES = np.array(
    [
        [0, 0, 0, 0, 0, 0],
        [600, 500, 300, 200, 100, 50],
        [300, 600, 400, 3500, 1500, 700],
        [500, 900, 700, 2800, 2200, 1200],
        [1200, 1300, 1400, 1800, 2200, 2000],
        [1500, 1900, 2400, 2900, 3300, 2800],
    ],
    dtype=np.float32,
)
LABELS_CRS = CRS.from_epsg(5070)
SCENE_ZONES = ((32616, -84.06, "20230614"), (32617, -83.94, "20230621"))
CENTRE_LATITUDE = 35.0
RES = 30.0
LABELS_SIZE = 640
SCENE_SIZE = 384


def demo_root() -> Path:
    """Where the current demo area lives (it may not exist yet)."""
    return cache_home() / f"demo-v{DEMO_VERSION}"


def _smooth_fields(count: int, size: int, generator: torch.Generator) -> np.ndarray:
    """``count`` smooth random fields of ``size`` x ``size`` (bicubic upsampling of coarse noise)."""
    coarse = torch.rand((1, count, 10, 10), generator=generator)
    fine = torch.nn.functional.interpolate(coarse, size=(size, size), mode="bicubic", align_corners=False)
    return np.asarray(fine[0].numpy())


def _write(path: Path, array: np.ndarray, crs: CRS, transform: Affine, nodata: float) -> None:
    profile = {
        "driver": "GTiff", "width": array.shape[2], "height": array.shape[1], "count": array.shape[0],
        "dtype": array.dtype.name, "crs": crs, "transform": transform, "nodata": nodata,
        "tiled": True, "blockxsize": 128, "blockysize": 128, "compress": "deflate",
    }
    with rasterio.open(path, "w", **profile) as destination:
        destination.write(array)


def _labels_transform() -> Affine:
    """The land cover's grid: LABELS_SIZE pixels centred on 84 W, aligned to whole pixels in EPSG:5070."""
    to_albers = Transformer.from_crs("EPSG:4326", LABELS_CRS.to_wkt(), always_xy=True)
    x, y = to_albers.transform(-84.0, CENTRE_LATITUDE)
    half = LABELS_SIZE * RES / 2
    left, top = round((x - half) / RES) * RES, round((y + half) / RES) * RES
    return Affine(RES, 0, left, 0, -RES, top)


def generate_demo_area(root: Path, seed: int = 0) -> Path:
    """Write the demo area into ``root`` (replacing nothing already complete; other files in it are kept).

    The files are written to a temporary sibling folder and moved into place
    only when complete, so an interrupted run never leaves a partial area.

    Args:
        root: target folder; created with ``imagery/`` and ``landcover/`` inside.
        seed: seed of every random draw.

    Returns:
        ``root``.
    """
    if (root / "COMPLETE").exists():
        return root
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}-", dir=root.parent))
    try:
        generator = torch.Generator().manual_seed(seed)
        labels_transform = _labels_transform()
        fields = _smooth_fields(len(CLASSES) - 1, LABELS_SIZE, generator)
        classes = (fields.argmax(axis=0) + 1).astype(np.uint8)
        (staging / "landcover").mkdir()
        (staging / "imagery").mkdir()
        _write(staging / "landcover" / "landcover_5070.tif", classes[None], LABELS_CRS, labels_transform, 0)
        scenes = report_progress(SCENE_ZONES, len(SCENE_ZONES), f"generating the demo area in {root}", "scene")
        for epsg, longitude, date in scenes:
            crs = CRS.from_epsg(epsg)
            x, y = Transformer.from_crs("EPSG:4326", crs.to_wkt(), always_xy=True).transform(longitude, CENTRE_LATITUDE)
            half = SCENE_SIZE * RES / 2
            transform = Affine(RES, 0, round(x - half), 0, -RES, round(y + half))
            scene_classes = np.zeros((SCENE_SIZE, SCENE_SIZE), dtype=np.uint8)
            reproject(classes, scene_classes, src_transform=labels_transform, src_crs=LABELS_CRS,
                      dst_transform=transform, dst_crs=crs, src_nodata=0, dst_nodata=0, resampling=Resampling.nearest)
            noise = torch.randn((len(BANDS), SCENE_SIZE, SCENE_SIZE), generator=generator).numpy() * 120
            shade = 0.85 + 0.3 * _smooth_fields(1, SCENE_SIZE, generator)
            reflectance = SIGNATURES[scene_classes].transpose(2, 0, 1) * shade + noise
            scene = np.where(scene_classes > 0, np.clip(reflectance, 1, 10000), 0).astype(np.uint16)
            _write(staging / "imagery" / f"DEMO_{epsg}_{date}.tif", scene, crs, transform, 0)
        (staging / "COMPLETE").write_text(f"GeoTorch demo area v{DEMO_VERSION}, seed {seed}\n")
        _place(staging, root)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return root


def _place(staging: Path, root: Path) -> None:
    """Move a complete staged area to ``root``: whole where ``root`` is missing, else into its folders.

    A ``root`` that exists (a data folder holding other datasets, as ``paths`` often names) keeps its other
    files; the demo's files are moved into its ``landcover/`` and ``imagery/``, ``COMPLETE`` last, so an
    interrupted move is finished by the next call. A concurrent call that completed the area first wins.
    """
    try:
        staging.rename(root)
        return
    except OSError:
        if (root / "COMPLETE").exists():
            return
    for folder in ("landcover", "imagery"):
        (root / folder).mkdir(parents=True, exist_ok=True)
        for path in (staging / folder).iterdir():
            path.replace(root / folder / path.name)
    (staging / "COMPLETE").replace(root / "COMPLETE")
