"""The seed example: Landsat 7 | Landsat 8 scenes in two UTM zones, intersected with a downloaded CDL in Albers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

from geotorch.datasets import CDL, Landsat7, Landsat8, stack_samples
from geotorch.samplers import RandomGeoSampler
from tests.datasets.fakes.geo import covering_grid, md5, stripes, write_landsat_scene, write_raster, zip_files

# Two scenes either side of the 84°W boundary between UTM zones 16N and 17N.
L7_ID = "LE07_L2SP_020032_20230607_20230703_02_T1"
L8_ID = "LC08_L2SP_019032_20230615_20230620_02_T1"
SCENE = 300


@pytest.fixture
def seed_roots(tmp_path: Path, http_server: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Landsat 7 and 8 folders, and a CDL 2023 archive served by the local HTTP server."""
    write_landsat_scene(tmp_path / "landsat7", L7_ID, Landsat7.all_bands, 32616, -84.3, 40.1, size=SCENE)
    write_landsat_scene(tmp_path / "landsat8", L8_ID, Landsat8.all_bands, 32617, -83.95, 40.1, size=SCENE)
    left, top, height, width = covering_grid((-84.4, 39.95, -83.75, 40.15), 5070, 30.0)
    raster = write_raster(tmp_path / "staging" / "2023_30m_cdls.tif",
                          stripes((height, width), (1, 5, 24, 111), width=16), 5070, left, top, 30.0, nodata=0)
    archive = zip_files(http_server.root / "2023_30m_cdls.zip", [raster], raster.parent)
    monkeypatch.setattr(CDL, "url", http_server.base_url + "{year}_30m_cdls.zip")
    monkeypatch.setattr(CDL, "md5s", {**CDL.md5s, 2023: md5(archive)})
    return {"landsat7": tmp_path / "landsat7", "landsat8": tmp_path / "landsat8", "cdl": tmp_path / "cdl"}


def test_seed_example_trains_on_landsat_union_intersected_with_cdl(seed_roots: dict[str, Path]) -> None:
    landsat7 = Landsat7(root=seed_roots["landsat7"])
    landsat8 = Landsat8(root=seed_roots["landsat8"], bands=Landsat8.all_bands[1:-2])
    landsat = landsat7 | landsat8
    cdl = CDL(root=seed_roots["cdl"], download=True, checksum=True)
    dataset = landsat & cdl

    assert dataset.crs.to_epsg() == 32616 and cdl.crs.to_epsg() == 5070
    sampler = RandomGeoSampler(dataset, size=256, length=4, generator=torch.Generator().manual_seed(0))
    loader = DataLoader(dataset, sampler=sampler, batch_size=2, collate_fn=stack_samples)
    batches = list(loader)

    assert len(batches) == 2
    for batch in batches:
        assert batch["image"].dtype == torch.float32 and batch["image"].shape == (2, 5, 256, 256)
        assert batch["mask"].dtype == torch.int64 and batch["mask"].shape == (2, 256, 256)
        assert batch["image"].amax() > 0
        labels = set(batch["mask"].unique().tolist())
        assert labels - {0} and labels <= {0, *(cdl.classes.index(value) for value in (1, 5, 24, 111))}


def test_seed_example_reads_both_zones_onto_the_first_grid(seed_roots: dict[str, Path]) -> None:
    landsat = Landsat7(root=seed_roots["landsat7"]) | Landsat8(root=seed_roots["landsat8"],
                                                                bands=Landsat8.all_bands[1:-2])
    dataset = landsat & CDL(root=seed_roots["cdl"], download=True, checksum=True)
    centres = []
    for hit in dataset.index.intersection(tuple(dataset.bounds), objects=True):
        minx, maxx, miny, maxy, _, _ = hit.bounds
        centres.append(((minx + maxx) / 2, (miny + maxy) / 2))
    assert len(centres) == 2
    for x, y in centres:
        half = 128 * 30.0
        sample = dataset[x - half : x + half, y - half : y + half]
        assert sample["image"].shape == (5, 256, 256)
        assert np.count_nonzero(sample["image"][0].numpy()) > 0.9 * 256 * 256
        assert (sample["mask"] > 0).float().mean() > 0.9
