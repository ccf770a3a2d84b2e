"""A dataset's download -> verify -> extract -> present lifecycle, killed mid-way (SIGKILL, SIGTERM) and resumed.

Esri2020 stands for every dataset: its single archive holds several tiles side by side and it is present as soon
as one tile is found, so a half extraction would pass for a whole one if anything let it.
"""

from __future__ import annotations

import hashlib
import re
import signal
import zipfile
from pathlib import Path
from typing import Any

import pytest

from geotorch.core import DatasetNotFoundError, Resource, ensure_present
from geotorch.core.partial import abandoned, is_partial, partial_stem
from geotorch.datasets import Esri2020
from tests.datasets.fakes.geo import md5, stripes, write_raster, zip_files

TILES = ("52J", "53J", "54J")

CONSTRUCT = """
import os, shutil, sys, time
from pathlib import Path
from geotorch.datasets import Esri2020
root, url, md5, hang_after, marker = sys.argv[1:]
# The dataset's own code, pointed at the local server's copy of its archive.
Esri2020.url, Esri2020.md5 = url, md5

# Hangs stand for a kill landing at an exact point, too short a window to hit by timing.
def hang():
    Path(marker).touch()
    time.sleep(600)

if hang_after == "first move":
    replace = os.replace
    def replace_then_hang(*args, **kwargs):
        replace(*args, **kwargs)
        hang()
    os.replace = replace_then_hang
elif hang_after == "first tile written":
    copy = shutil.copyfileobj
    def copy_then_hang(*args, **kwargs):
        copy(*args, **kwargs)
        hang()
    shutil.copyfileobj = copy_then_hang
Esri2020(root=root, download=True, checksum=True)
"""


@pytest.fixture
def archive(http_server: Any, tmp_path: Path) -> Path:
    """Esri2020's archive (three tiles) served locally."""
    staging = tmp_path / "tiles"
    tiles = [
        write_raster(
            staging / f"{tile}_20200101-20210101.tif",
            stripes((32, 32), tuple(range(1, 11))),
            32752,
            500000.0 + 320 * i,
            7000000.0,
            10.0,
            nodata=0,
        )
        for i, tile in enumerate(TILES)
    ]
    return zip_files(http_server.root / Esri2020.archive, tiles, staging)


@pytest.fixture
def served(archive: Path, http_server: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Esri2020 pointed at the local archive in this process too."""
    monkeypatch.setattr(Esri2020, "url", http_server.url(archive.name))
    monkeypatch.setattr(Esri2020, "md5", md5(archive))
    return archive


def tiles_in(root: Path) -> list[str]:
    """The tiles under their final names in ``root``."""
    return sorted(path.name.split("_")[0] for path in root.glob("*.tif"))


def start(child: Any, root: Path, served: Path, http_server: Any, hang_after: str = "") -> Path:
    marker = root.parent / "hanging"
    child.start(CONSTRUCT, str(root), http_server.url(served.name), md5(served), hang_after, str(marker))
    return marker


def assert_whole_and_clean(root: Path) -> None:
    dataset = Esri2020(root=root)
    assert len(dataset) == len(TILES)
    assert tiles_in(root) == sorted(TILES)
    assert [path.name for path in root.iterdir() if is_partial(path.name)] == []


# Both signals kill alike (Python runs no cleanup on SIGTERM unless told to); the core tests try each one on
# every kind of kill, these spread them over the cases to keep the slow child start-ups few.
@pytest.mark.parametrize("signum", [signal.SIGTERM], ids=["SIGTERM"])
def test_a_dataset_whose_download_was_killed_is_not_present_and_downloads_again(
    served: Path, http_server: Any, tmp_path: Path, child: Any, signum: int
) -> None:
    root = tmp_path / "esri"
    http_server.stall(served.name, 100)
    start(child, root, served, http_server)
    child.wait_until(lambda: http_server.hits(served.name) == 1 and any(root.glob(".*.part-*")), "the download starts")

    child.kill(signum)

    assert [path.name for path in root.iterdir() if not is_partial(path.name)] == []
    with pytest.raises(DatasetNotFoundError, match=str(root)):
        Esri2020(root=root)
    http_server.restore(served.name)

    Esri2020(root=root, download=True, checksum=True)

    assert_whole_and_clean(root)
    assert http_server.hits(served.name) == 2


@pytest.mark.parametrize(
    ("hang_after", "signum"),
    [("first tile written", signal.SIGKILL), ("first move", signal.SIGTERM), ("first move", signal.SIGKILL)],
    ids=["unpacking-SIGKILL", "moving-SIGTERM", "moving-SIGKILL"],
)
def test_a_dataset_whose_extraction_was_killed_is_not_taken_as_present_and_is_extracted_again(
    served: Path, http_server: Any, tmp_path: Path, child: Any, signum: int, hang_after: str
) -> None:
    root = tmp_path / "esri"
    root.mkdir()
    (root / served.name).write_bytes(served.read_bytes())  # downloaded already: the kill lands in extract
    marker = start(child, root, served, http_server, hang_after)
    child.wait_until(marker.exists, f"the child hangs after its {hang_after}")

    child.kill(signum)

    # No tile or one of three is in place; the staging folder left behind says which archive was cut.
    assert len(tiles_in(root)) == (0 if hang_after == "first tile written" else 1)
    assert abandoned(root, "extract") == [served.name]

    assert_whole_and_clean(root)
    assert http_server.hits(served.name) == 0


def test_an_abandoned_extraction_of_an_archive_not_ours_and_gone_is_left_alone(served: Path, tmp_path: Path) -> None:
    root = tmp_path / "shared"
    Esri2020(root=root, download=True, checksum=True)
    other = root / ".other.zip.extract-0123abcd"
    (other / "tile").mkdir(parents=True)

    assert len(Esri2020(root=root)) == len(TILES)
    assert other.is_dir()


def test_abandoned_partial_downloads_in_root_are_swept(served: Path, tmp_path: Path) -> None:
    root = tmp_path / "esri"
    Esri2020(root=root, download=True, checksum=True)
    (root / ".labels.csv.part-0123abcd").write_bytes(b"half")

    Esri2020(root=root)

    assert_whole_and_clean(root)


def test_tiles_of_an_extraction_running_elsewhere_are_never_listed(
    served: Path, http_server: Any, tmp_path: Path, child: Any
) -> None:
    root = tmp_path / "esri"
    root.mkdir()
    (root / served.name).write_bytes(served.read_bytes())
    marker = start(child, root, served, http_server, "first tile written")
    child.wait_until(marker.exists, "the child writes its first tile into its staging folder")

    dataset = Esri2020(root=root)

    assert len(dataset) == len(TILES)
    assert [Path(path).parent for path in dataset.files] == [root] * len(TILES)
    assert abandoned(root, "extract") == []  # the child's staging folder is still held
    child.kill(signal.SIGKILL)


@pytest.mark.parametrize("damage", ["cut short", "error page"])
def test_a_damaged_archive_is_removed_so_that_the_next_attempt_downloads_it_again(
    served: Path, http_server: Any, tmp_path: Path, damage: str
) -> None:
    root = tmp_path / "esri"
    root.mkdir()
    # Left by an older download that kept a body cut short, or by a server that answered with a page.
    left = served.read_bytes()[: served.stat().st_size // 2] if damage == "cut short" else b"<html>busy</html>"
    (root / served.name).write_bytes(left)

    # checksum=False, the datasets' default: nothing but the archive itself can tell that it is damaged.
    with pytest.raises(DatasetNotFoundError, match=f"{re.escape(served.name)} was damaged .* was removed"):
        Esri2020(root=root, download=True)
    assert list(root.iterdir()) == []
    assert http_server.hits(served.name) == 0

    Esri2020(root=root, download=True)

    assert_whole_and_clean(root)
    assert http_server.hits(served.name) == 1


@pytest.mark.parametrize("among_resources", [True, False], ids=["its archive", "an archive left in root"])
def test_an_abandoned_extraction_of_an_archive_with_a_long_name_is_redone(
    tmp_path: Path, among_resources: bool
) -> None:
    root = tmp_path / "data"
    root.mkdir()
    name = "x" * 246 + ".zip"
    with zipfile.ZipFile(root / name, "w") as bundle:
        bundle.writestr("tile.txt", b"whole")
    # What a killed extraction leaves: its staging folder, and the first entries it moved into place.
    (root / f".{partial_stem(name)}.extract-0123abcd").mkdir()
    (root / "tile.txt").write_bytes(b"half")
    resources = [Resource("https://example.invalid/a.zip", name)] if among_resources else []

    ensure_present("Long", root, resources, lambda: (root / "tile.txt").exists(), download=False, checksum=False)

    assert (root / "tile.txt").read_bytes() == b"whole"
    assert abandoned(root, "extract") == []


def test_a_resource_download_killed_mid_way_is_resumed_not_swept(http_server: Any, tmp_path: Path) -> None:
    # What a killed download of a server-versioned file leaves: its first half, hidden, with its version beside.
    from geotorch.core.resume import Version, source_key, write_version

    body = bytes(range(256)) * 8000
    (http_server.root / "scene.bin").write_bytes(body)
    http_server.ranges = http_server.validators = True
    status = (http_server.root / "scene.bin").stat()
    etag = f'"{status.st_mtime_ns:x}-{status.st_size:x}"'
    root = tmp_path / "data"
    root.mkdir()
    partial = root / f".{partial_stem('scene.bin')}.part-0123abcd"
    partial.write_bytes(body[:1000])
    url = http_server.url("scene.bin")
    write_version(partial, Version(source_key(url), etag, None, len(body), ""))
    (root / ".other.bin.part-4567cdef").write_bytes(b"abandoned, of no resource")
    resource = Resource(url, "scene.bin", md5=hashlib.md5(body).hexdigest(), extract=False)

    ensure_present("Scenes", root, [resource], lambda: (root / "scene.bin").is_file(), download=True, checksum=True)

    assert (root / "scene.bin").read_bytes() == body
    assert [seen.get("Range") for seen in http_server.headers_seen["scene.bin"]] == ["bytes=1000-"]
    assert sorted(path.name for path in root.iterdir()) == ["scene.bin"]
