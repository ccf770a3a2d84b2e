"""Specification of geotorch.core.archive: extracting archives safely and atomically."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import random
import re
import shutil
import signal
import stat
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
import rasterio

from geotorch.core.archive import archive_damage, extract_archive, extract_or_remove, is_archive
from geotorch.core.errors import DamagedArchiveError
from geotorch.core.files import find_files
from geotorch.core.partial import abandoned, is_partial, partial_stem

FORMATS = {"zip": "zip", "tar": "tar", "tar.gz": "gztar", "tar.bz2": "bztar", "tar.xz": "xztar"}
TREE = {"data/a.txt": b"alpha\n", "data/sub/b.bin": bytes(range(256)) * 40}


def write_tree(folder: Path) -> Path:
    for name, content in TREE.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)
    return folder


def make_archive(tmp_path: Path, suffix: str, name: str = "archive") -> Path:
    """A well-formed archive of TREE at ``tmp_path / f"{name}.{suffix}"``."""
    source = write_tree(tmp_path / f"source-{suffix}")
    made = shutil.make_archive(str(tmp_path / "made"), FORMATS[suffix], root_dir=source)
    return Path(shutil.move(made, tmp_path / f"{name}.{suffix}"))


def tree_of(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file() and not path.is_symlink()
    }


def tar_with(path: Path, *members: tarfile.TarInfo, mode: str = "w:gz") -> Path:
    """A tar archive holding a harmless ``good.txt`` first, then ``members`` (files get 3 bytes of content)."""
    with tarfile.open(path, mode) as archive:
        for member in (tarfile.TarInfo("good.txt"), *members):
            if member.isfile():
                member.size = 3
                archive.addfile(member, io.BytesIO(b"bad"))
            else:
                archive.addfile(member)
    return path


def tar_member(name: str, kind: bytes = tarfile.REGTYPE, linkname: str = "") -> tarfile.TarInfo:
    member = tarfile.TarInfo(name)
    member.type = kind
    member.linkname = linkname
    return member


@pytest.mark.parametrize("suffix", FORMATS)
def test_extract_archive_unpacks_every_supported_format(tmp_path: Path, suffix: str) -> None:
    archive = make_archive(tmp_path, suffix)
    out = tmp_path / "out"

    assert extract_archive(archive, out) == out
    assert tree_of(out) == TREE
    assert sorted(entry.name for entry in out.iterdir()) == ["data"]


@pytest.mark.parametrize("suffix", ["tar.gz", "tar.xz", "zip"])
def test_extract_archive_detects_the_format_from_content_not_name(tmp_path: Path, suffix: str) -> None:
    archive = make_archive(tmp_path, suffix)
    misnamed = archive.rename(tmp_path / "download.bin")

    extract_archive(misnamed, tmp_path / "out")

    assert tree_of(tmp_path / "out") == TREE


def test_extract_archive_defaults_to_the_folder_holding_the_archive(tmp_path: Path) -> None:
    archive = make_archive(tmp_path, "tar.bz2")
    shutil.rmtree(tmp_path / "source-tar.bz2")

    assert extract_archive(archive) == tmp_path
    assert (tmp_path / "data/a.txt").read_bytes() == TREE["data/a.txt"]


def test_extract_archive_merges_into_existing_folder_and_replaces_same_names(tmp_path: Path) -> None:
    archive = make_archive(tmp_path, "zip")
    out = tmp_path / "out"
    (out / "data/sub").mkdir(parents=True)
    (out / "data/a.txt").write_bytes(b"old")
    (out / "data/sub/kept.txt").write_bytes(b"kept")
    (out / "data/sub/b.bin").mkdir()  # a folder where the archive has a file

    extract_archive(archive, out)

    assert tree_of(out) == {**TREE, "data/sub/kept.txt": b"kept"}


@pytest.mark.parametrize(
    ("suffix", "opener"), [(".gz", gzip.open), (".bz2", bz2.open), (".xz", lzma.open)], ids=["gz", "bz2", "xz"]
)
def test_extract_archive_decompresses_a_lone_compressed_file(tmp_path: Path, suffix: str, opener: object) -> None:
    compressed = tmp_path / f"labels.csv{suffix}"
    with opener(compressed, "wb") as stream:  # type: ignore[operator]
        stream.write(b"id,label\n1,water\n")

    extract_archive(compressed, tmp_path / "out")

    assert tree_of(tmp_path / "out") == {"labels.csv": b"id,label\n1,water\n"}


def test_extract_archive_refuses_a_compressed_file_it_cannot_name(tmp_path: Path) -> None:
    compressed = tmp_path / "labels"
    compressed.write_bytes(gzip.compress(b"not a tar"))

    with pytest.raises(ValueError, match=r"labels: a gzip-compressed file whose name does not end in \.gz"):
        extract_archive(compressed, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_extract_archive_refuses_a_file_that_is_no_archive(tmp_path: Path) -> None:
    page = tmp_path / "data.zip"
    page.write_text("<html>Rate limit exceeded</html>")

    with pytest.raises(ValueError, match=r"data\.zip: not a zip, tar, gzip, bzip2 or xz file"):
        extract_archive(page, tmp_path / "out")


def test_extract_archive_raises_file_not_found_for_a_missing_archive(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        extract_archive(tmp_path / "missing.zip")


UNSAFE_TAR_MEMBERS = {
    "parent folder": (tar_member("../evil"), "../evil"),
    "parent folder deeper": (tar_member("data/../../evil"), "data/../../evil"),
    "absolute path": (tar_member("/etc/x"), "/etc/x"),
    "windows drive": (tar_member("C:/evil"), "C:/evil"),
    "absolute symlink": (tar_member("data/passwd", tarfile.SYMTYPE, "/etc/passwd"), "data/passwd"),
    "symlink outside": (tar_member("data/up", tarfile.SYMTYPE, "../../outside"), "data/up"),
    "hard link outside": (tar_member("data/hard", tarfile.LNKTYPE, "../outside"), "data/hard"),
    "absolute hard link": (tar_member("data/hard", tarfile.LNKTYPE, "/etc/passwd"), "data/hard"),
    "fifo": (tar_member("data/pipe", tarfile.FIFOTYPE), "data/pipe"),
    "device": (tar_member("data/disk", tarfile.BLKTYPE), "data/disk"),
}


@pytest.mark.parametrize("case", UNSAFE_TAR_MEMBERS)
def test_extract_archive_refuses_tar_members_that_escape_before_extracting_anything(tmp_path: Path, case: str) -> None:
    member, name = UNSAFE_TAR_MEMBERS[case]
    archive = tar_with(tmp_path / "evil.tar.gz", member)
    out = tmp_path / "deep" / "out"

    with pytest.raises(ValueError, match=r"evil\.tar\.gz: refusing to extract member") as raised:
        extract_archive(archive, out)

    assert repr(name) in str(raised.value)
    assert not out.exists()
    assert sorted(path.name for path in tmp_path.rglob("*")) == ["evil.tar.gz"]


@pytest.mark.parametrize("name", ["../evil", "/etc/x", "..\\evil", "data/../../evil"])
def test_extract_archive_refuses_zip_members_that_escape(tmp_path: Path, name: str) -> None:
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("good.txt", b"good")
        bundle.writestr(name, b"bad")
    out = tmp_path / "out"
    out.mkdir()

    with pytest.raises(ValueError, match=r"evil\.zip: refusing to extract member") as raised:
        extract_archive(archive, out)

    assert repr(name) in str(raised.value)
    assert list(out.iterdir()) == []


def test_extract_archive_refuses_a_chain_of_symlinks_that_escapes(tmp_path: Path) -> None:
    # Each link looks harmless by name; followed on disk, "data/escape" points at the parent of "out".
    archive = tar_with(
        tmp_path / "chain.tar",
        tar_member("data", tarfile.DIRTYPE),
        tar_member("data/root", tarfile.SYMTYPE, ".."),
        tar_member("data/escape", tarfile.SYMTYPE, "root/.."),
        mode="w",
    )
    out = tmp_path / "out"

    with pytest.raises(ValueError, match=r"chain\.tar: refusing to extract member 'data/escape'"):
        extract_archive(archive, out)

    assert not out.exists()


def test_extract_archive_keeps_symlinks_that_stay_inside(tmp_path: Path) -> None:
    archive = tmp_path / "links.tar"
    with tarfile.open(archive, "w") as bundle:
        bundle.add(write_tree(tmp_path / "source") / "data", arcname="data")
        for name, target in [("data/latest.txt", "a.txt"), ("data/sub/up.txt", "../a.txt")]:
            bundle.addfile(tar_member(name, tarfile.SYMTYPE, target))
    out = tmp_path / "out"

    extract_archive(archive, out)

    assert os.readlink(out / "data/sub/up.txt") == "../a.txt"
    assert (out / "data/latest.txt").read_bytes() == (out / "data/sub/up.txt").read_bytes() == TREE["data/a.txt"]


def test_extract_archive_leaves_nothing_when_a_member_is_damaged(tmp_path: Path) -> None:
    archive = tmp_path / "damaged.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as bundle:
        bundle.writestr("data/first.txt", b"first member is fine")
        bundle.writestr("data/second.txt", b"SECOND MEMBER WILL BE DAMAGED")
    content = archive.read_bytes()
    at = content.index(b"SECOND MEMBER")
    archive.write_bytes(content[:at] + b"x" + content[at + 1 :])
    out = tmp_path / "out"

    with pytest.raises(zipfile.BadZipFile, match="CRC") as raised:
        extract_archive(archive, out)

    assert f"while extracting {archive}" in "".join(raised.value.__notes__)
    assert not out.exists()


def test_extract_archive_leaves_existing_folder_untouched_when_extraction_fails(tmp_path: Path) -> None:
    archive = make_archive(tmp_path, "tar.gz")
    archive.write_bytes(archive.read_bytes()[:-200])
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_bytes(b"mine")

    with pytest.raises((tarfile.ReadError, EOFError)):
        extract_archive(archive, out)

    assert tree_of(out) == {"mine.txt": b"mine"}
    assert [entry.name for entry in out.iterdir()] == ["mine.txt"]


EXTRACT = """
import os, sys, time
from pathlib import Path
from geotorch.core.archive import extract_archive
src, dst, hang_after_first_move = sys.argv[1:]
if hang_after_first_move:
    # Stands for a kill landing between two renames of the move phase, too short a window to hit by timing.
    replace = os.replace
    def replace_then_hang(*args, **kwargs):
        replace(*args, **kwargs)
        Path(hang_after_first_move).touch()
        time.sleep(600)
    os.replace = replace_then_hang
extract_archive(src, dst)
"""

SIGNALS = pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
BIG_MEMBERS = 1500


@pytest.fixture(scope="module")
def big_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 29 MB zip of 1500 tiles, which takes a good fraction of a second to extract."""
    path = tmp_path_factory.mktemp("big") / "tiles.zip"
    data = random.Random(0).randbytes(1 << 16)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as bundle:
        for i in range(BIG_MEMBERS):
            bundle.writestr(f"tiles/t{i:05d}.bin", data[: 16384 + (i % 7) * 1000])
    return path


def final_entries(folder: Path) -> list[str]:
    """The names in ``folder`` that are not partial downloads or staging folders."""
    return sorted(entry.name for entry in folder.iterdir() if not is_partial(entry.name))


def final_tree(folder: Path) -> dict[str, bytes]:
    """:func:`tree_of` without the partial downloads and staging folders at the top of ``folder``."""
    return {name: data for name, data in tree_of(folder).items() if not is_partial(name.split("/")[0])}


def staged_files(folder: Path) -> int:
    return sum(1 for staging in folder.glob(".*.extract-*") for path in staging.rglob("*") if path.is_file())


@SIGNALS
def test_a_killed_extraction_leaves_nothing_under_a_final_name_and_the_next_one_redoes_it(
    big_zip: Path, tmp_path: Path, child: Any, signum: int
) -> None:
    out = tmp_path / "out"
    child.start(EXTRACT, str(big_zip), str(out), "")
    child.wait_until(lambda: staged_files(out) >= 20, "20 tiles are extracted")

    child.kill(signum)

    assert 20 <= staged_files(out) < BIG_MEMBERS
    assert final_entries(out) == []
    assert abandoned(out, "extract") == ["tiles.zip"]
    assert find_files([out], "*.bin") == find_files([out], "*") == []

    extract_archive(big_zip, out)

    assert os.listdir(out) == ["tiles"]
    assert len(find_files([out], "*.bin")) == BIG_MEMBERS


@SIGNALS
@pytest.mark.parametrize("suffix", ["zip", "tar.gz"])
def test_an_extraction_killed_between_two_moves_is_marked_unfinished_and_redone(
    tmp_path: Path, child: Any, signum: int, suffix: str
) -> None:
    archive = make_archive(tmp_path, suffix)
    out = tmp_path / "out"
    (out / "data/sub").mkdir(parents=True)  # folders to merge into, so that the move takes several renames
    moved = tmp_path / "moved"
    child.start(EXTRACT, str(archive), str(out), str(moved))
    child.wait_until(moved.exists, "the first entry is moved into place")

    child.kill(signum)

    assert tree_of(out) != TREE  # part of the archive is in place, part is not
    assert abandoned(out, "extract") == [archive.name]

    extract_archive(archive, out)

    assert tree_of(out) == TREE
    assert final_entries(out) == sorted(os.listdir(out)) == ["data"]


EXTRACT_WITH_HANDLERS = """
import os, signal, sys, time
from pathlib import Path
from geotorch.core.archive import extract_archive
src, dst, moved = sys.argv[1:]
def stop(signum, frame):
    raise SystemExit(143)  # what Lightning, torchrun and many services do on SIGTERM
signal.signal(signal.SIGTERM, stop)  # SIGINT keeps Python's own handler: KeyboardInterrupt
replace = os.replace
def replace_then_wait(*args, **kwargs):
    replace(*args, **kwargs)
    Path(moved).touch()
    time.sleep(600)  # the signal's exception is raised here, between two renames
os.replace = replace_then_wait
extract_archive(src, dst)
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM-SystemExit", "SIGINT"])
@pytest.mark.parametrize("suffix", ["zip", "tar.gz"])
def test_an_extraction_stopped_by_an_exception_between_two_moves_is_marked_unfinished_and_redone(
    tmp_path: Path, child: Any, signum: int, suffix: str
) -> None:
    archive = make_archive(tmp_path, suffix)
    out = tmp_path / "out"
    (out / "data/sub").mkdir(parents=True)  # folders to merge into, so that the move takes several renames
    moved = tmp_path / "moved"
    child.start(EXTRACT_WITH_HANDLERS, str(archive), str(out), str(moved))
    child.wait_until(moved.exists, "the first entry is moved into place")

    child.process.send_signal(signum)
    assert child.process.wait(timeout=60) != 0, child.output

    assert tree_of(out) != TREE  # part of the archive is in place, part is not
    assert abandoned(out, "extract") == [archive.name], "the half extraction must not pass for a whole one"

    extract_archive(archive, out)

    assert tree_of(out) == TREE
    assert final_entries(out) == sorted(os.listdir(out)) == ["data"]


def test_an_extraction_still_running_elsewhere_keeps_its_staging_folder(tmp_path: Path, child: Any) -> None:
    archive = make_archive(tmp_path, "zip")
    out = tmp_path / "out"
    (out / "data/sub").mkdir(parents=True)
    moved = tmp_path / "moved"
    child.start(EXTRACT, str(archive), str(out), str(moved))
    child.wait_until(moved.exists, "the child moves its first entry")
    running = sorted(out.glob(".archive.zip.extract-*"))

    extract_archive(archive, out)

    assert final_tree(out) == TREE
    assert sorted(out.glob(".archive.zip.extract-*")) == running != []
    assert abandoned(out, "extract") == []
    child.kill(signal.SIGKILL)
    assert abandoned(out, "extract") == [archive.name]


def test_staging_folders_of_other_archives_are_left_alone(tmp_path: Path) -> None:
    archive = make_archive(tmp_path, "zip")
    out = tmp_path / "out"
    # The first is named as tempfile.mkdtemp named staging folders before they were locked.
    left = [out / ".archive.zip.extract-k3_q9zx1", out / ".other.zip.extract-0123abcd"]
    for folder in left:
        (folder / "data").mkdir(parents=True)
        (folder / "data/a.txt").write_bytes(b"stale")

    extract_archive(archive, out)

    assert final_tree(out) == TREE
    assert final_entries(out) == ["data"]
    assert [path.name for path in out.glob(".*")] == [".other.zip.extract-0123abcd"]


@pytest.mark.parametrize(
    "name", [".x.zip.extract-0123abcd/a.txt", "data/.a.tif.part-89abcdef", ".tiles.zip.extract-0123abcd"]
)
def test_extract_archive_refuses_members_named_like_unfinished_work(tmp_path: Path, name: str) -> None:
    archive = tmp_path / "odd.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("good.txt", b"good")
        bundle.writestr(name, b"bad")

    with pytest.raises(ValueError, match=r"odd\.zip: refusing to extract member .*unfinished download or extraction"):
        extract_archive(archive, tmp_path / "out")

    assert not (tmp_path / "out").exists()


def zip_with(path: Path, *members: str) -> Path:
    """A zip holding ``members`` in this order: names ending in ``/`` are folders, the others 3-byte files."""
    with zipfile.ZipFile(path, "w") as bundle:
        for name in members:
            bundle.writestr(name, b"" if name.endswith("/") else b"bad")
    return path


CONFLICTING_ZIPS = {
    "file named '.'": ((".",), "."),
    "folder then file of one name": (("a/", "a"), "a"),
    "file then folder of one name": (("a", "a/"), "a/"),
    "file used as a folder": (("a", "a/b"), "a/b"),
    "file where a folder was implied": (("a/b", "a"), "a"),
    "file then folder, through '.'": (("a", "./a/"), "./a/"),
}


@pytest.mark.parametrize("case", CONFLICTING_ZIPS)
def test_extract_archive_refuses_zip_members_that_cannot_be_written_where_they_land(tmp_path: Path, case: str) -> None:
    members, refused = CONFLICTING_ZIPS[case]
    archive = zip_with(tmp_path / "odd.zip", "good.txt", *members)

    with pytest.raises(ValueError, match=r"odd\.zip: refusing to extract member") as raised:
        extract_archive(archive, tmp_path / "out")

    assert repr(refused) in str(raised.value)
    assert not (tmp_path / "out").exists()


CONFLICTING_TARS = {
    "file named '.'": ((tar_member("."),), "."),
    "folder then file of one name": ((tar_member("a", tarfile.DIRTYPE), tar_member("a")), "a"),
    "symlink used as a folder": ((tar_member("a", tarfile.SYMTYPE, "good.txt"), tar_member("a/b")), "a/b"),
    "file then folder of one name": ((tar_member("a"), tar_member("a", tarfile.DIRTYPE)), "a"),
}


@pytest.mark.parametrize("case", CONFLICTING_TARS)
def test_extract_archive_refuses_tar_members_that_cannot_be_written_where_they_land(tmp_path: Path, case: str) -> None:
    members, refused = CONFLICTING_TARS[case]
    archive = tar_with(tmp_path / "odd.tar.gz", *members)

    with pytest.raises(ValueError, match=r"odd\.tar\.gz: refusing to extract member") as raised:
        extract_archive(archive, tmp_path / "out")

    assert repr(refused) in str(raised.value)
    assert not (tmp_path / "out").exists()


def test_extract_archive_keeps_members_that_name_their_folder_or_repeat_a_file(tmp_path: Path) -> None:
    # "./" is the usual first member of a tar made with "tar -C dir ."; a file added twice is replaced.
    archive = tmp_path / "fine.tar"
    with tarfile.open(archive, "w") as bundle:
        bundle.addfile(tar_member("./", tarfile.DIRTYPE))
        for content in (b"old", b"new"):
            member = tar_member("./data/a.txt")
            member.size = 3
            bundle.addfile(member, io.BytesIO(content))
        bundle.addfile(tar_member("data/", tarfile.DIRTYPE))

    extract_archive(archive, tmp_path / "out")

    assert tree_of(tmp_path / "out") == {"data/a.txt": b"new"}


def test_extract_archive_refuses_a_member_name_longer_than_file_systems_allow(tmp_path: Path) -> None:
    name = "data/" + "x" * 256
    archive = zip_with(tmp_path / "long.zip", "good.txt", name)

    with pytest.raises(ValueError, match=r"long\.zip: refusing to extract member .*longer than the 255 bytes"):
        extract_archive(archive, tmp_path / "out")


@pytest.mark.parametrize(
    "name",
    [".a.part-12345678.gz", ".scene.tif.extract-0123abcd.bz2", "..gz", "...xz"],
    ids=["partial download", "staging folder", "dot", "dot dot"],
)
def test_extract_archive_refuses_a_lone_compressed_file_whose_name_would_be_unfinished_work_or_a_folder(
    tmp_path: Path, name: str
) -> None:
    compress = {".gz": gzip.compress, ".bz2": bz2.compress, ".xz": lzma.compress}[Path(name).suffix]
    compressed = tmp_path / "in" / name
    compressed.parent.mkdir()
    compressed.write_bytes(compress(b"id,label\n"))

    with pytest.raises(ValueError, match=re.escape(f"{compressed}: decompressed, it would be named")):
        extract_archive(compressed, tmp_path / "out")

    assert not (tmp_path / "out").exists()
    assert list(tmp_path.iterdir()) == [tmp_path / "in"]


@pytest.mark.parametrize("name", ["x" * 246 + ".zip", "é" * 123 + ".tar.gz", "y" * 252 + ".gz"])
def test_an_archive_with_a_name_of_up_to_255_bytes_extracts_and_its_abandoned_staging_folder_is_swept(
    tmp_path: Path, name: str
) -> None:
    if name.endswith(".gz") and not name.endswith(".tar.gz"):
        archive = tmp_path / name
        archive.write_bytes(gzip.compress(b"id,label\n"))
        expected = {name[: -len(".gz")]: b"id,label\n"}
    else:
        archive = make_archive(tmp_path, name.split(".", 1)[1])
        archive = archive.rename(tmp_path / name)
        expected = TREE
    out = tmp_path / "out"
    left = out / f".{partial_stem(name)}.extract-0123abcd"
    (left / "data").mkdir(parents=True)

    assert abandoned(out, "extract") == [partial_stem(name)]
    extract_archive(archive, out)

    assert tree_of(out) == expected
    assert final_entries(out) == sorted(os.listdir(out))


@pytest.mark.parametrize("suffix", FORMATS)
def test_archive_damage_finds_every_archive_cut_short_and_none_in_a_whole_one(tmp_path: Path, suffix: str) -> None:
    archive = make_archive(tmp_path, suffix)
    whole = archive.read_bytes()

    assert is_archive(archive)
    assert archive_damage(archive) is None
    # An uncompressed tar may lose the zero padding after its end-of-archive block unharmed: cut before it.
    if suffix == "tar":
        with tarfile.open(archive) as bundle:
            bundle.getmembers()
            end = bundle.offset
    else:
        end = len(whole)
    for size in sorted({end // 3, end // 2, end - 1, end if suffix == "tar" else 1}):
        archive.write_bytes(whole[:size])
        assert archive_damage(archive) is not None, size


def test_archive_damage_finds_a_member_that_fails_its_checksum_and_a_file_that_is_no_archive(tmp_path: Path) -> None:
    archive = tmp_path / "damaged.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as bundle:
        bundle.writestr("data/second.txt", b"SECOND MEMBER WILL BE DAMAGED")
    archive.write_bytes(archive.read_bytes().replace(b"SECOND", b"xECOND", 1))
    page = tmp_path / "page.zip"
    page.write_text("<html>Rate limit exceeded</html>")

    assert archive_damage(archive) == "member 'data/second.txt' fails its CRC-32 check"
    assert archive_damage(page) == "not a zip, tar, gzip, bzip2 or xz file"
    assert not is_archive(page)


def test_extract_or_remove_removes_a_damaged_archive_and_keeps_a_refused_one(tmp_path: Path) -> None:
    cut = make_archive(tmp_path, "tar.gz")
    cut.write_bytes(cut.read_bytes()[:-200])
    evil = tar_with(tmp_path / "evil.tar.gz", tar_member("../evil"))

    with pytest.raises(DamagedArchiveError, match=re.escape(f"{cut}: the archive is damaged")) as raised:
        extract_or_remove(cut, tmp_path / "out")
    assert isinstance(raised.value.__cause__, (tarfile.ReadError, EOFError))
    assert not cut.exists()
    with pytest.raises(ValueError, match=re.escape("refusing to extract member '../evil'")):
        extract_or_remove(evil, tmp_path / "out")
    assert evil.exists()
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "members",
    [
        [tar_member("data/hard", tarfile.LNKTYPE, "data/later"), tar_member("data/later")],
        [tar_member("data/hard", tarfile.LNKTYPE, "missing.txt")],
        [tar_member("data", tarfile.DIRTYPE), tar_member("data/hard", tarfile.LNKTYPE, "data")],
        [tar_member("data/hard", tarfile.LNKTYPE, "data/hard")],
    ],
    ids=["to-a-later-member", "to-no-member", "to-a-folder", "to-itself"],
)
def test_extract_archive_refuses_a_hard_link_to_no_earlier_file_naming_it(
    tmp_path: Path, members: list[tarfile.TarInfo]
) -> None:
    archive = tar_with(tmp_path / "links.tar.gz", *members)
    out = tmp_path / "out"

    with pytest.raises(ValueError, match=r"links\.tar\.gz: refusing to extract member 'data/hard' \(hard link"):
        extract_archive(archive, out)

    assert not out.exists()


def test_extract_archive_makes_a_hard_link_to_an_earlier_file(tmp_path: Path) -> None:
    archive = tar_with(tmp_path / "links.tar.gz", tar_member("./data/hard", tarfile.LNKTYPE, "good.txt"))

    extract_archive(archive, tmp_path / "out")

    assert (tmp_path / "out/data/hard").read_bytes() == b"bad"
    assert os.path.samefile(tmp_path / "out/data/hard", tmp_path / "out/good.txt")


def zip_with_links(path: Path, files: dict[str, Path], links: dict[str, str]) -> Path:
    """A zip of ``files`` (member name: file to store) and of symlinks (name: target) as ``zip -y`` stores them."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, source in files.items():
            archive.write(source, name)
        for name, target in links.items():
            info = zipfile.ZipInfo(name)
            info.create_system = 3  # Unix, whose mode bits hold the file type
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
    return path


@pytest.mark.real_data
def test_a_zip_symlink_is_extracted_as_a_link_to_its_file(real_data: Path, tmp_path: Path) -> None:
    # A scene zipped with `zip -y`, its latest.tif a symlink: extracted as a 19-byte file holding the text
    # 'scenes/RGB.byte.tif', which no reader takes for a raster.
    archive = zip_with_links(
        tmp_path / "scenes.zip",
        {"scenes/RGB.byte.tif": real_data / "RGB.byte.tif"},
        {"latest.tif": "scenes/RGB.byte.tif", "scenes/again.tif": "RGB.byte.tif"},
    )
    out = tmp_path / "out"
    extract_archive(archive, out)
    assert os.readlink(out / "latest.tif") == "scenes/RGB.byte.tif"
    for name in ("latest.tif", "scenes/again.tif"):
        with rasterio.open(out / name) as linked, rasterio.open(real_data / "RGB.byte.tif") as original:
            assert linked.crs == original.crs
            assert (linked.read() == original.read()).all()


@pytest.mark.parametrize(
    ("links", "refused"),
    [
        ({"data/passwd": "/etc/passwd"}, r"'data/passwd' \(symlink to the absolute path '/etc/passwd'\)"),
        ({"data/up": "../../outside"}, r"'data/up' \(symlink to '../../outside', outside the extraction folder\)"),
        # Each link stays inside by its name, but "here" is the extraction folder, so "here/.." is above it.
        ({"here": ".", "data/parent": "../here/.."}, r"'data/parent' \(symlink to '../here/..', which leads outside"),
    ],
    ids=["absolute", "outside", "chain"],
)
def test_a_zip_symlink_leading_outside_is_refused_and_nothing_extracted(
    tmp_path: Path, links: dict[str, str], refused: str
) -> None:
    archive = zip_with_links(
        tmp_path / "links.zip", {"data/a.txt": write_tree(tmp_path / "source") / "data/a.txt"}, links
    )
    out = tmp_path / "out"
    with pytest.raises(ValueError, match=refused):
        extract_archive(archive, out)
    assert not out.exists()


@pytest.mark.real_data
@pytest.mark.parametrize("kind", ["zip", "tar"])
def test_extracted_files_are_on_disk_before_they_take_their_names(
    real_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    # A file system may write a rename before the data (delayed allocation): a power cut after the moves would
    # leave RGB.byte.tif empty under its final name unless its data was flushed (fsync) before it was moved.
    members = {"scenes/RGB.byte.tif": real_data / "RGB.byte.tif", "wilderness.shp": real_data / "coutwildrnp.shp"}
    archive = tmp_path / f"scenes.{kind}"
    if kind == "zip":
        with zipfile.ZipFile(archive, "w") as out:
            for name, path in members.items():
                out.write(path, name)
    else:
        with tarfile.open(archive, "w") as out:
            for name, path in members.items():
                out.add(path, name)
    out_dir = tmp_path / "out"
    (out_dir / "scenes").mkdir(parents=True)  # a folder the extraction merges into
    events: list[tuple[str, int]] = []  # ("fsync", inode flushed) or ("rename", inode of the folder renamed into)
    real_fsync, real_replace = os.fsync, os.replace
    moved: set[int] = set()

    def fsync(descriptor: int) -> None:
        events.append(("fsync", os.fstat(descriptor).st_ino))
        real_fsync(descriptor)

    def replace(source: Any, target: Any) -> None:
        if not any(event == "rename" for event, _ in events):
            moved.update(inode for event, inode in events if event == "fsync")
        events.append(("rename", Path(target).parent.stat().st_ino))
        real_replace(source, target)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)

    extract_archive(archive, out_dir)

    files = [out_dir / name for name in members]
    assert [path.read_bytes() for path in files] == [path.read_bytes() for path in members.values()]
    assert {path.stat().st_ino for path in files} <= moved
    # The renames are on disk too: each folder renamed into is flushed after its last rename.
    for folder in (out_dir, out_dir / "scenes"):
        inode = folder.stat().st_ino
        last = max(index for index, event in enumerate(events) if event == ("rename", inode))
        assert ("fsync", inode) in events[last:], folder


def test_an_extraction_whose_new_staging_folder_another_process_sweeps_at_once_makes_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two processes extracting one archive into one folder (DDP ranks, parallel jobs): the second's sweep can
    # take the first's staging folder between its mkdir and its lock, as abandoned, and remove it: 1 of 15
    # extractions (5 rounds of 3 processes, a 2000-file tar) failed so, FileNotFoundError naming that folder.
    from geotorch.core import partial

    archive = tmp_path / "scenes.tar"
    with tarfile.open(archive, "w") as out:
        data = b"scene"
        info = tarfile.TarInfo("scenes/a.bin")
        info.size = len(data)
        out.addfile(info, io.BytesIO(data))
    dst = tmp_path / "out"
    real_mkdir = Path.mkdir
    swept: list[str] = []

    def mkdir_then_another_process_sweeps(self: Path, *args: Any, **kwargs: Any) -> None:
        real_mkdir(self, *args, **kwargs)
        if is_partial(self.name) and not swept:
            swept.append(self.name)
            partial.sweep(self.parent, "extract", "scenes.tar")  # what the other process runs, unlocked: gone

    monkeypatch.setattr(Path, "mkdir", mkdir_then_another_process_sweeps)

    extract_archive(archive, dst)

    assert swept and (dst / "scenes" / "a.bin").read_bytes() == b"scene"
    assert [path.name for path in dst.iterdir()] == ["scenes"]


def test_an_extraction_merges_into_a_folder_another_process_moved_in_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two processes extracting one archive into one folder: both find scenes/ missing, the other one moves its
    # scenes/ in first, and this one's rename of a folder onto that non-empty folder fails (ENOTEMPTY).
    archive = tmp_path / "scenes.tar"
    with tarfile.open(archive, "w") as out:
        for name in ("scenes/a.bin", "scenes/b.bin"):
            info = tarfile.TarInfo(name)
            info.size = len(name)
            out.addfile(info, io.BytesIO(name.encode()))
    dst = tmp_path / "out"
    real_replace = os.replace

    def replace_after_the_other_process(source: Any, target: Any) -> None:
        if Path(target) == dst / "scenes" and not Path(target).exists():
            # The other process's extraction of the same archive lands first.
            (dst / "scenes").mkdir()
            (dst / "scenes" / "a.bin").write_bytes(b"scenes/a.bin")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace_after_the_other_process)

    extract_archive(archive, dst)

    assert sorted(path.name for path in (dst / "scenes").iterdir()) == ["a.bin", "b.bin"]
    assert (dst / "scenes" / "b.bin").read_bytes() == b"scenes/b.bin"
    assert [path.name for path in dst.iterdir()] == ["scenes"]


FULL_DISK_EXTRACT = """
import resource, signal, sys
from pathlib import Path
from geotorch.core.archive import extract_archive
# A file system that takes 1 MB more and no more (the child's files only): writes past it fail with EFBIG.
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (1_000_000, resource.RLIM_INFINITY))
try:
    extract_archive(sys.argv[1], sys.argv[2])
except OSError as error:
    print(f"{type(error).__name__} {error.errno}: {error}")
print(sorted(path.name for path in Path(sys.argv[2]).iterdir()))
"""


@pytest.mark.parametrize("kind", ["zip", "tar"])
def test_an_extraction_the_file_system_cannot_hold_names_the_archive_and_the_folder(
    tmp_path: Path, child: Any, kind: str
) -> None:
    data = random.Random(5).randbytes(2_000_000)
    archive = tmp_path / f"scenes.{kind}"
    if kind == "zip":
        with zipfile.ZipFile(archive, "w") as out:
            out.writestr("scenes/a.bin", data)
    else:
        with tarfile.open(archive, "w") as out:
            info = tarfile.TarInfo("scenes/a.bin")
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    dst = tmp_path / "out"
    dst.mkdir()

    child.start(FULL_DISK_EXTRACT, str(archive), str(dst))
    assert child.process.wait(timeout=60) == 0, child.output

    said, listing = child.output.strip().splitlines()[-2:]
    assert said == (
        f"OSError 27: [Errno 27] {archive}: File too large while extracting into {dst}; nothing was extracted: "
        "free space there or extract elsewhere"
    )
    assert listing == "[]"
