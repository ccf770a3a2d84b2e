"""Prediction files: one distinct, deterministic name per input; written whole or not at all."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path, PurePosixPath

import numpy as np
import pytest
import rasterio
from affine import Affine

from geotorch.trainers.outputs import HOST, output_names, write_raster

PROFILE = {"driver": "GTiff", "width": 8, "height": 6, "count": 1, "dtype": "uint8", "nodata": 255,
           "crs": "EPSG:32633", "transform": Affine(10, 0, 500_000, 0, -10, 4_000_000)}


def names(sources: list[str | None]) -> list[str]:
    return [str(name) for name in output_names(sources)]


def test_outputs_mirror_the_inputs_relative_paths() -> None:
    assert names(["/d/a.tif", "/d/a_2.tif", "/d/sub/a.tif"]) == ["a.tif", "a_2.tif", "sub/a.tif"]
    assert names(["/d/scene.tif"]) == ["scene.tif"]
    assert names(["/d/x.jp2", "/d/y.TIF"]) == ["x.tif", "y.tif"]


def test_two_roots_with_the_same_relative_path_keep_their_roots_names() -> None:
    assert names(["/r1/x/a.tif", "/r2/x/a.tif"]) == ["r1/x/a.tif", "r2/x/a.tif"]


def test_names_that_would_collide_get_the_first_free_suffix_and_the_exact_input_keeps_its_name() -> None:
    sources = ["/d/a.TIF", "/d/a.jp2", "/d/a.tif", "/d/a_2.tif", "/d/sub/A.tif", "/d/sub/a.tif"]
    expected = ["a_3.tif", "a_4.tif", "a.tif", "a_2.tif", "sub/A.tif", "sub/a_2.tif"]
    assert names(sources) == expected
    # The same inputs listed in another order get the same names.
    assert names(sources[::-1]) == expected[::-1]
    assert len({name.casefold() for name in expected}) == len(expected)


def test_several_entries_of_one_file_and_entries_without_a_file_get_distinct_names() -> None:
    assert names(["/d/a.tif", "/d/a.tif", "/d/a.tif"]) == ["a.tif", "a_2.tif", "a_3.tif"]
    assert names([None, None, "/d/prediction_1.tif"]) == ["prediction_0.tif", "prediction_1.tif",
                                                          "prediction_1_2.tif"]


def test_names_of_urls_stay_inside_the_output_folder() -> None:
    (name,) = output_names(["https://host/x/../a:b.tif"])
    assert name == PurePosixPath("a_b.tif")
    mixed = output_names(["https://host/x/../a.tif", "/d/b.tif"])[0]
    assert ".." not in mixed.parts and not mixed.is_absolute()


def read(path: Path) -> np.ndarray:
    with rasterio.open(path) as source:
        return source.read()


def test_a_write_leaves_only_the_output(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "a.tif"
    write_raster(path, np.ones((1, 6, 8), "uint8"), PROFILE, {"source": "/d/a.tif"})
    assert sorted(os.listdir(path.parent)) == ["a.tif"]
    with rasterio.open(path) as result:
        assert result.nodata == 255 and result.tags()["source"] == "/d/a.tif"
        assert (result.read() == 1).all()


def test_a_failed_write_removes_its_temporary_and_keeps_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "a.tif"
    write_raster(path, np.ones((1, 6, 8), "uint8"), PROFILE, {})
    with pytest.raises(ValueError, match="inconsistent"):
        write_raster(path, np.zeros((2, 6, 8), "uint8"), PROFILE, {})
    assert os.listdir(tmp_path) == ["a.tif"]
    assert (read(path) == 1).all()


def test_a_write_removes_the_temporaries_of_dead_writers_of_this_host_only(tmp_path: Path) -> None:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True, check=True)
    dead = tmp_path / f".a.tif.{HOST}.{finished.stdout.strip()}.0badc0de.part"
    running = tmp_path / f".a.tif.{HOST}.{os.getppid()}.0badc0de.part"
    elsewhere = tmp_path / ".a.tif.otherhost.1.0badc0de.part"
    other_output = tmp_path / f".b.tif.{HOST}.{finished.stdout.strip()}.0badc0de.part"
    for temporary in (dead, running, elsewhere, other_output):
        temporary.write_bytes(b"partial")
    write_raster(tmp_path / "a.tif", np.ones((1, 6, 8), "uint8"), PROFILE, {})
    assert not dead.exists()
    assert running.exists() and elsewhere.exists() and other_output.exists()
    assert sorted(path.name for path in tmp_path.glob("*.tif")) == ["a.tif"]


@pytest.mark.parametrize("length", [236, 245, 251, 255])
def test_an_output_named_up_to_255_bytes_is_written_and_its_dead_writers_temporaries_removed(
    tmp_path: Path, length: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / ("x" * (length - len(".tif")) + ".tif")
    renamed: list[str] = []
    replace = os.replace

    def record(source: Path, target: Path) -> None:
        renamed.append(source.name)
        replace(source, target)

    monkeypatch.setattr(os, "replace", record)
    write_raster(path, np.ones((1, 6, 8), "uint8"), PROFILE, {})
    # The same temporary, as a writer that died would have left it.
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True, check=True)
    stale = tmp_path / renamed[0].replace(f".{os.getpid()}.", f".{finished.stdout.strip()}.")
    stale.write_bytes(b"partial")

    write_raster(path, np.zeros((1, 6, 8), "uint8"), PROFILE, {})

    assert len(os.fsencode(renamed[0])) <= 255
    assert os.listdir(tmp_path) == [path.name]
    assert (read(path) == 0).all()


def test_output_names_stay_within_255_bytes_and_distinct() -> None:
    stem = "y" * 254
    result = names([f"/d/{stem}", f"/d/{stem}", f"/d/{stem}.jp2", "/d/" + "é" * 127])

    assert all(len(os.fsencode(PurePosixPath(name).name)) <= 255 for name in result)
    assert len({name.casefold() for name in result}) == len(result)
    assert all(name.endswith(".tif") for name in result)


def test_names_that_only_a_normalising_disk_would_merge_are_kept_apart_in_their_own_spelling() -> None:
    composed, decomposed = "caf\u00e9", "cafe\u0301"  # café as macOS and Windows disks both store it
    sources = [f"/d/{composed}.tif", f"/d/{decomposed}.tif", f"/d/{composed.upper()}.tif"]

    result = names(sources)

    # "CAFÉ" sorts first and keeps its name; then the decomposed spelling ("e" < "é"), then the composed one.
    assert result == [f"{composed}_3.tif", f"{decomposed}_2.tif", f"{composed.upper()}.tif"]
    assert names(sources[::-1]) == result[::-1]
