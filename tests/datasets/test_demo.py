"""The generated demo area and the quickstart built on it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
import rasterio
import torch

from geotorch.core import DatasetNotFoundError, get_dataset
from geotorch.datasets import DemoImagery, DemoLandCover
from geotorch.datasets.demo_area import CLASSES, SIGNATURES, demo_root, generate_demo_area


@pytest.fixture(scope="module")
def area(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_demo_area(tmp_path_factory.mktemp("demo") / "area")


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*.tif"))}


def test_demo_area_has_scenes_in_two_utm_zones_and_labels_in_albers(area: Path) -> None:
    crss = {}
    for path in sorted(area.rglob("*.tif")):
        with rasterio.open(path) as source:
            crss[path.name] = source.crs.to_epsg()
    assert sorted(crss.values()) == [5070, 32616, 32617]


def test_demo_area_is_deterministic_and_not_regenerated(area: Path, tmp_path: Path) -> None:
    again = generate_demo_area(tmp_path / "again")
    assert _digest(again) == _digest(area)
    before = {p: p.stat().st_mtime_ns for p in again.rglob("*.tif")}
    generate_demo_area(again)
    assert {p: p.stat().st_mtime_ns for p in again.rglob("*.tif")} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "a staging folder was left behind"


def test_demo_area_is_generated_into_a_folder_holding_other_files(area: Path, tmp_path: Path) -> None:
    # DemoImagery(paths='data') with data/ holding another dataset raised OSError '[Errno 39] Directory not
    # empty: <tmp>/.data-xxxx -> <tmp>/data' (a staging folder), and DemoLandCover the same.
    data = tmp_path / "data"
    (data / "landcover").mkdir(parents=True)
    (data / "notes.txt").write_text("other data\n")
    (data / "landcover" / "README.txt").write_text("mine\n")
    assert len(DemoImagery(paths=data)) == 2 and len(DemoLandCover(paths=data)) == 1
    assert _digest(data) == _digest(area)
    assert (data / "notes.txt").read_text() == "other data\n" and (data / "landcover" / "README.txt").is_file()
    assert (data / "COMPLETE").is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "a staging folder was left behind"


def test_demo_classes_are_learnable_from_the_spectra(area: Path) -> None:
    dataset = DemoImagery(area) & DemoLandCover(area)
    bounds = dataset.bounds
    centre_x, centre_y = (bounds.minx + bounds.maxx) / 2, (bounds.miny + bounds.maxy) / 2
    half = 96 * dataset.res[0]
    sample = dataset[centre_x - half : centre_x + half, centre_y - half : centre_y + half]
    image, mask = sample["image"], sample["mask"]
    assert image.shape == (6, 192, 192) and image.dtype == torch.float32
    assert mask.shape == (192, 192) and mask.dtype == torch.int64
    labelled = mask > 0
    assert labelled.float().mean() > 0.9
    # Nearest signature classifies almost every pixel right: the task is learnable from the bands.
    pixels = image.permute(1, 2, 0)[labelled]
    signatures = torch.from_numpy(SIGNATURES[1:])
    predicted = torch.cdist(pixels, signatures).argmin(dim=1) + 1
    accuracy = (predicted == mask[labelled]).float().mean().item()
    assert accuracy > 0.9
    assert len(mask[labelled].unique()) >= 3


def test_demo_datasets_generate_into_geotorch_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEOTORCH_HOME", str(tmp_path))
    labels = DemoLandCover()
    assert demo_root().parent == tmp_path
    assert (demo_root() / "COMPLETE").exists()
    assert labels.crs.to_epsg() == 5070
    assert set(CLASSES[1:]) and labels.channels == {"mask": 1}


def test_missing_demo_area_without_download_names_the_folder(tmp_path: Path) -> None:
    with pytest.raises(DatasetNotFoundError, match=str(tmp_path / "nothing")):
        DemoImagery(tmp_path / "nothing", download=False)


def test_demo_datasets_are_registered_through_the_plugin(area: Path) -> None:
    imagery = get_dataset("DemoImagery", root=area)
    assert isinstance(imagery, DemoImagery)
    assert imagery.bands == ("blue", "green", "red", "nir", "swir1", "swir2")
    assert np.isclose(imagery.res[0], 30.0)


def test_quickstart_draws_batches_and_writes_pngs(area: Path, tmp_path: Path) -> None:
    from geotorch.datasets.quickstart import run

    out = tmp_path / "out"
    assert run(["--root", str(area), "--out", str(out), "--batches", "2", "--batch-size", "4", "--size", "64"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["image"] == [4, 6, 64, 64] and summary["image_dtype"] == "torch.float32"
    assert summary["mask"] == [4, 64, 64] and summary["mask_dtype"] == "torch.int64"
    assert summary["patches"] == 8
    pngs = sorted(out.glob("sample_*.png"))
    assert len(pngs) == 4
    assert all(png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for png in pngs)


def test_datasets_given_the_areas_own_folders_share_one_area_above_them(tmp_path: Path) -> None:
    images = DemoImagery(paths=tmp_path / "data" / "imagery")
    labels = DemoLandCover(paths=tmp_path / "data" / "landcover")
    assert sorted(str(path.relative_to(tmp_path)) for path in tmp_path.rglob("*.tif")) == [
        "data/imagery/DEMO_32616_20230614.tif", "data/imagery/DEMO_32617_20230621.tif",
        "data/landcover/landcover_5070.tif",
    ], "one area in data/, not one inside imagery/ and another inside landcover/"
    assert len(images) == 2 and len(labels) == 1


def test_a_demo_file_that_does_not_exist_is_refused_not_made_a_folder(tmp_path: Path) -> None:
    missing = tmp_path / "DEMO_32616_20230614.tif"
    with pytest.raises(ValueError, match=rf"paths names {missing}, which does not exist"):
        DemoImagery(paths=missing)
    assert not missing.exists()
