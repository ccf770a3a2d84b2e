"""Products downloaded by hand and not yet extracted: the archives a folder holds are named, not passed over."""

from __future__ import annotations

import tarfile
import zipfile
from pathlib import Path

import pytest

from geotorch.core import DatasetNotFoundError
from geotorch.datasets import Landsat8, Sentinel2
from tests.datasets.fakes.geo import write_landsat_scene, write_sentinel2_safe

L8_ID = "LC08_L2SP_023032_20230615_20230620_02_T1"


def test_a_zipped_safe_product_in_the_folder_is_named(tmp_path: Path) -> None:
    safe = write_sentinel2_safe(tmp_path / "extracted", "L2A")
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    archive = downloads / safe.name.replace(".SAFE", ".zip")
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in safe.rglob("*"):
            zipped.write(path, path.relative_to(safe.parent))
    with pytest.raises(DatasetNotFoundError, match=rf"1 archive\(s\) .*\({archive}\): extract them"):
        Sentinel2(downloads)


def test_a_landsat_tar_bundle_in_the_folder_is_named(tmp_path: Path) -> None:
    scene = write_landsat_scene(tmp_path / "extracted", L8_ID, Landsat8.all_bands, 32616, -87.5, 40.0)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    bundle = downloads / f"{L8_ID}.tar"
    with tarfile.open(bundle, "w") as tarred:
        for path in scene.iterdir():
            tarred.add(path, path.name)
    with pytest.raises(DatasetNotFoundError, match=rf"1 archive\(s\) .*\({bundle}\): extract them"):
        Landsat8(downloads)


def test_an_archive_beside_extracted_scenes_leaves_their_own_error_alone(tmp_path: Path) -> None:
    scene = write_landsat_scene(tmp_path, L8_ID, ("B2", "B3", "B4"), 32616, -87.5, 40.0)
    (tmp_path / f"{L8_ID}.tar").write_bytes(b"")
    assert len(Landsat8(tmp_path, bands=["B4"])) == 1
    with pytest.warns(UserWarning, match="skipping the scene"), \
            pytest.raises(DatasetNotFoundError, match=r"lack a selected band") as error:
        Landsat8(tmp_path)
    assert "archive(s)" not in str(error.value) and scene.name in str(error.value)
