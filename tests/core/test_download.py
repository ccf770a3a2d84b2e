"""Specification of geotorch.core.download: verified, atomic downloads from a local HTTP server."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import pickle
import random
import re
import shutil
import signal
import socket
import tarfile
import time
import urllib.parse
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import rasterio

from geotorch.core import transfer
from geotorch.core.download import (
    ChecksumError,
    DownloadError,
    calculate_md5,
    calculate_sha256,
    check_integrity,
    download_and_extract_archive,
    download_url,
)
from geotorch.core.errors import DamagedArchiveError
from geotorch.core.files import find_files
from geotorch.core.partial import abandoned, is_partial, partial_stem
from geotorch.core.retry import Retry

# Larger than one read chunk, so streaming, hashing and the progress bar see several chunks.
PAYLOAD = random.Random(0).randbytes(2_500_000)
MD5 = hashlib.md5(PAYLOAD).hexdigest()
SHA256 = hashlib.sha256(PAYLOAD).hexdigest()
WRONG = "0" * 32


@pytest.fixture
def served(http_server: Any) -> Any:
    (http_server.root / "payload.bin").write_bytes(PAYLOAD)
    return http_server


def test_download_url_saves_the_file_under_the_name_in_the_url(served: Any, tmp_path: Path) -> None:
    path = download_url(served.url("payload.bin"), tmp_path, progress=False)

    assert path == tmp_path / "payload.bin"
    assert path.read_bytes() == PAYLOAD
    assert served.hits("payload.bin") == 1
    assert list(tmp_path.iterdir()) == [path]


def test_download_url_uses_the_given_filename_and_creates_the_folder(served: Any, tmp_path: Path) -> None:
    root = tmp_path / "a" / "b"

    path = download_url(served.url("payload.bin"), str(root), filename="renamed.bin", md5=MD5, progress=False)

    assert path == root / "renamed.bin"
    assert path.read_bytes() == PAYLOAD


def test_download_url_ignores_the_query_when_naming_the_file(served: Any, tmp_path: Path) -> None:
    path = download_url(served.url("payload.bin") + "?download=1", tmp_path, progress=False)

    assert path.name == "payload.bin"


def test_download_url_needs_a_filename_when_the_url_names_none(served: Any, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="pass filename="):
        download_url(served.base_url, tmp_path, progress=False)


def test_download_url_accepts_matching_md5_and_sha256_in_any_case(served: Any, tmp_path: Path) -> None:
    path = download_url(served.url("payload.bin"), tmp_path, md5=MD5.upper(), sha256=SHA256, progress=False)

    assert path.read_bytes() == PAYLOAD


@pytest.mark.parametrize("algorithm", ["md5", "sha256"])
def test_checksum_mismatch_names_the_file_and_both_checksums_and_keeps_nothing(
    served: Any, tmp_path: Path, algorithm: str
) -> None:
    actual = MD5 if algorithm == "md5" else SHA256

    with pytest.raises(ChecksumError) as raised:
        download_url(served.url("payload.bin"), tmp_path, progress=False, **{algorithm: WRONG})

    message = str(raised.value)
    assert str(tmp_path / "payload.bin") in message
    assert WRONG in message
    assert actual in message
    assert (raised.value.algorithm, raised.value.expected, raised.value.actual) == (algorithm, WRONG, actual)
    assert list(tmp_path.iterdir()) == []


def test_a_sha256_prefix_is_checked_on_the_download_and_on_a_present_file(served: Any, tmp_path: Path) -> None:
    prefix = SHA256[:8].upper()
    path = download_url(served.url("payload.bin"), tmp_path, progress=False, sha256_prefix=prefix)
    assert path.read_bytes() == PAYLOAD
    assert download_url(served.url("payload.bin"), tmp_path, progress=False, sha256_prefix=prefix) == path
    assert served.hits("payload.bin") == 1
    path.write_bytes(PAYLOAD[:1000])
    assert download_url(served.url("payload.bin"), tmp_path, progress=False, sha256_prefix=prefix) == path
    assert path.read_bytes() == PAYLOAD and served.hits("payload.bin") == 2


def test_a_sha256_prefix_mismatch_names_the_file_and_both_checksums_and_keeps_nothing(
    served: Any, tmp_path: Path
) -> None:
    wrong = "f" if SHA256[0] != "f" else "0"
    with pytest.raises(ChecksumError, match=re.escape(str(tmp_path / "payload.bin"))) as raised:
        download_url(served.url("payload.bin"), tmp_path, progress=False, sha256_prefix=wrong)

    assert (raised.value.algorithm, raised.value.expected, raised.value.actual) == ("sha256", f"{wrong}...", SHA256)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("prefix", ["", "g0", "12 34", "0" * 65])
def test_a_sha256_prefix_that_is_not_hexadecimal_digits_is_refused(served: Any, tmp_path: Path, prefix: str) -> None:
    with pytest.raises(ValueError, match="sha256_prefix"):
        download_url(served.url("payload.bin"), tmp_path, progress=False, sha256_prefix=prefix)
    assert served.hits("payload.bin") == 0


@pytest.mark.parametrize("kept", [False, True])
def test_checksum_error_is_a_value_error_that_survives_pickling(kept: bool) -> None:
    error = ChecksumError("/data/a.zip", "md5", WRONG, MD5, kept=kept)

    copy = pickle.loads(pickle.dumps(error))

    assert isinstance(copy, ValueError)
    assert (str(copy), copy.path, copy.actual, copy.kept) == (str(error), "/data/a.zip", MD5, kept)


def test_download_error_survives_pickling() -> None:
    copy = pickle.loads(pickle.dumps(DownloadError("http://x/a.zip", "HTTP 404")))

    assert isinstance(copy, OSError)
    assert (str(copy), copy.url) == ("http://x/a.zip: HTTP 404", "http://x/a.zip")


def test_truncated_download_raises_naming_the_url_and_keeps_nothing(served: Any, tmp_path: Path) -> None:
    served.truncate("payload.bin")
    url = served.url("payload.bin")

    with pytest.raises(DownloadError, match=re.escape(f"{url}: received {len(PAYLOAD) // 2} of {len(PAYLOAD)} bytes")):
        download_url(url, tmp_path, md5=MD5, progress=False)

    assert list(tmp_path.iterdir()) == []


def test_http_404_raises_an_error_naming_the_url_and_keeps_nothing(http_server: Any, tmp_path: Path) -> None:
    url = http_server.url("missing.zip")

    with pytest.raises(DownloadError, match="HTTP 404") as raised:
        download_url(url, tmp_path, progress=False)

    assert raised.value.url == url
    assert str(raised.value).startswith(url)
    assert list(tmp_path.iterdir()) == []


def test_server_error_raises_download_error(served: Any, tmp_path: Path) -> None:
    served.fail("payload.bin", 503)

    with pytest.raises(DownloadError, match="HTTP 503"):
        download_url(served.url("payload.bin"), tmp_path, progress=False)


def test_unreachable_server_raises_an_error_naming_the_url(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/a.zip"

    with pytest.raises(DownloadError, match="could not connect") as raised:
        download_url(url, tmp_path, progress=False)

    assert raised.value.url == url
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("checksums", [{"md5": MD5}, {"sha256": SHA256}, {}], ids=["md5", "sha256", "none"])
def test_a_present_valid_file_is_not_fetched_again(served: Any, tmp_path: Path, checksums: dict[str, str]) -> None:
    first = download_url(served.url("payload.bin"), tmp_path, progress=False, **checksums)

    again = download_url(served.url("payload.bin"), tmp_path, progress=False, **checksums)

    assert again == first
    assert served.hits("payload.bin") == 1


def test_a_present_file_with_a_wrong_checksum_is_downloaded_again(served: Any, tmp_path: Path) -> None:
    (tmp_path / "payload.bin").write_bytes(PAYLOAD[:1000])

    path = download_url(served.url("payload.bin"), tmp_path, sha256=SHA256, progress=False)

    assert path.read_bytes() == PAYLOAD
    assert served.hits("payload.bin") == 1


def test_a_damaged_present_file_is_gone_when_the_retry_fails(served: Any, tmp_path: Path) -> None:
    (tmp_path / "payload.bin").write_bytes(PAYLOAD[:1000])
    served.fail("payload.bin", 500)

    with pytest.raises(DownloadError):
        download_url(served.url("payload.bin"), tmp_path, md5=MD5, progress=False)

    assert list(tmp_path.iterdir()) == []


class InterruptedBar:
    """A progress bar whose first update behaves like the user pressing Ctrl-C."""

    def __init__(self, **kwargs: Any) -> None:
        pass

    def __enter__(self) -> InterruptedBar:
        return self

    def __exit__(self, *args: object) -> None:
        pass

    def reset(self, total: int | None = None) -> None:
        pass

    def update(self, size: int) -> None:
        raise KeyboardInterrupt


def test_an_interrupted_download_keeps_nothing(served: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transfer, "tqdm", InterruptedBar)
    # No ETag, no Last-Modified: the bytes received could not be resumed (test_download_resume.py keeps them).
    served.frame("payload.bin", "length")

    with pytest.raises(KeyboardInterrupt):
        download_url(served.url("payload.bin"), tmp_path)

    assert list(tmp_path.iterdir()) == []


def test_progress_bar_names_the_file(served: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    download_url(served.url("payload.bin"), tmp_path, progress=True)

    assert "payload.bin" in capsys.readouterr().err


def test_check_integrity_and_checksums(tmp_path: Path) -> None:
    path = tmp_path / "payload.bin"
    path.write_bytes(PAYLOAD)

    assert (calculate_md5(path), calculate_sha256(str(path))) == (MD5, SHA256)
    assert check_integrity(path)
    assert check_integrity(path, md5=MD5, sha256=SHA256.upper())
    assert not check_integrity(path, md5=WRONG)
    assert not check_integrity(path, md5=MD5, sha256=WRONG)
    assert not check_integrity(tmp_path / "missing.bin")
    assert not check_integrity(tmp_path, md5=MD5)


@pytest.mark.parametrize(
    ("suffix", "kind"), [("zip", "zip"), ("tar.gz", "gztar"), ("tar.bz2", "bztar"), ("tar.xz", "xztar")]
)
def test_download_and_extract_archive_fetches_verifies_and_unpacks(
    http_server: Any, tmp_path: Path, suffix: str, kind: str
) -> None:
    source = tmp_path / "source"
    (source / "scene/bands").mkdir(parents=True)
    (source / "scene/bands/B04.bin").write_bytes(PAYLOAD[:5000])
    (source / "scene/labels.csv").write_text("id,label\n")
    made = Path(shutil.make_archive(str(tmp_path / "made"), kind, root_dir=source))
    archive = shutil.move(made, http_server.root / f"scene.{suffix}")
    sha256 = hashlib.sha256(Path(archive).read_bytes()).hexdigest()
    downloads, extracted = tmp_path / "downloads", tmp_path / "extracted"

    result = download_and_extract_archive(
        http_server.url(f"scene.{suffix}"), downloads, extracted, sha256=sha256, progress=False
    )

    assert result == extracted
    assert (extracted / "scene/bands/B04.bin").read_bytes() == PAYLOAD[:5000]
    assert (extracted / "scene/labels.csv").read_text() == "id,label\n"
    assert check_integrity(downloads / f"scene.{suffix}", sha256=sha256)


def test_download_and_extract_archive_extracts_next_to_the_download_by_default(
    http_server: Any, tmp_path: Path
) -> None:
    with tarfile.open(http_server.root / "tiles.tgz", "w:gz") as bundle:
        member = tarfile.TarInfo("tiles/t1.bin")
        member.size = 4
        bundle.addfile(member, io.BytesIO(b"tile"))

    result = download_and_extract_archive(http_server.url("tiles.tgz"), tmp_path, progress=False)

    assert result == tmp_path
    assert (tmp_path / "tiles/t1.bin").read_bytes() == b"tile"


def test_download_and_extract_archive_extracts_nothing_when_the_checksum_is_wrong(
    http_server: Any, tmp_path: Path
) -> None:
    with tarfile.open(http_server.root / "tiles.tar", "w") as bundle:
        bundle.addfile(tarfile.TarInfo("tiles"))

    with pytest.raises(ChecksumError, match=r"tiles\.tar"):
        download_and_extract_archive(http_server.url("tiles.tar"), tmp_path, md5=WRONG, progress=False)

    assert list(tmp_path.iterdir()) == []


def test_download_and_extract_archive_refuses_a_path_traversal_archive(http_server: Any, tmp_path: Path) -> None:
    with tarfile.open(http_server.root / "evil.tar", "w") as bundle:
        bundle.addfile(tarfile.TarInfo("../evil"))
    out = tmp_path / "out"

    with pytest.raises(ValueError, match=r"refusing to extract member '\.\./evil'"):
        download_and_extract_archive(http_server.url("evil.tar"), tmp_path / "downloads", out, progress=False)

    assert not out.exists()
    assert not (tmp_path / "evil").exists()


def _gzip_members(*parts: bytes) -> bytes:
    return b"".join(gzip.compress(part, mtime=0) for part in parts)


GZIPPED = _gzip_members(PAYLOAD[:600_000], PAYLOAD[600_000:1_200_000])


@pytest.mark.parametrize("framing", ["length", "close", "chunked"])
def test_a_whole_body_is_saved_whatever_its_framing(served: Any, tmp_path: Path, framing: str) -> None:
    served.frame("payload.bin", framing)

    path = download_url(served.url("payload.bin"), tmp_path, progress=False)

    assert path.read_bytes() == PAYLOAD


@pytest.mark.parametrize("send", [0, 1, 65536, 65537, len(PAYLOAD) - 1, len(PAYLOAD)])
def test_a_chunked_body_without_its_last_chunk_raises_naming_the_url_and_keeps_nothing(
    served: Any, tmp_path: Path, send: int
) -> None:
    # send == len(PAYLOAD): every byte arrives, only the terminating chunk is missing.
    served.frame("payload.bin", "chunked", send=send)
    url = served.url("payload.bin")

    with pytest.raises(DownloadError, match=re.escape(url)):
        download_url(url, tmp_path, progress=False)

    assert list(tmp_path.iterdir()) == []


def test_a_content_length_beside_chunked_encoding_is_not_taken_for_the_body_size(served: Any, tmp_path: Path) -> None:
    served.frame("payload.bin", "chunked", headers={"Content-Length": "10"})

    path = download_url(served.url("payload.bin"), tmp_path, progress=False)

    assert path.read_bytes() == PAYLOAD


@pytest.mark.parametrize("framing", ["length", "close", "chunked"])
def test_a_connection_reset_mid_body_raises_naming_the_url_and_keeps_nothing(
    served: Any, tmp_path: Path, framing: str
) -> None:
    served.frame("payload.bin", framing, send=1_000_000, reset=True)
    url = served.url("payload.bin")

    with pytest.raises(DownloadError, match=re.escape(url)):
        download_url(url, tmp_path, progress=False)

    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "send", [0, 5, len(GZIPPED) // 3, len(GZIPPED) - 4], ids=["empty", "in-header", "in-member", "in-trailer"]
)
@pytest.mark.parametrize("coding", ["gzip", "x-gzip", "GZIP"])
def test_a_gzip_encoded_body_cut_short_without_a_length_raises_and_keeps_nothing(
    http_server: Any, tmp_path: Path, send: int, coding: str
) -> None:
    (http_server.root / "labels.csv").write_bytes(GZIPPED)
    http_server.frame("labels.csv", "close", send=send, headers={"Content-Encoding": coding})
    url = http_server.url("labels.csv")

    with pytest.raises(DownloadError, match=re.escape(url) + ".*gzip-encoded body stops after"):
        download_url(url, tmp_path, progress=False)

    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "body",
    [GZIPPED, GZIPPED + bytes(512), b"not gzip at all"],
    ids=["two members", "zero padding after the last member", "mislabelled"],
)
def test_a_whole_gzip_encoded_body_is_saved_as_sent(http_server: Any, tmp_path: Path, body: bytes) -> None:
    (http_server.root / "labels.csv.gz").write_bytes(body)
    http_server.frame("labels.csv.gz", "close", headers={"Content-Encoding": "gzip"})

    path = download_url(http_server.url("labels.csv.gz"), tmp_path, progress=False)

    assert path.read_bytes() == body


UNSAFE_NAMES = [
    "../evil",
    "../../evil",
    "sub/../../evil",
    "/tmp/evil",
    "//server/share/evil",
    "..\\evil",
    "sub\\evil",
    "C:evil",
    "C:\\evil",
    "c:/evil",
    "evil\0.bin",
    "",
    ".",
    "..",
    ".evil.part-0123abcd",
    ".evil.extract-0123abcd",
    "sub/.evil.part-0123abcd",
    "sub//evil",
    "sub/",
    "./evil",
    "sub/C:evil",
]


def _outside(tmp_path: Path) -> list[str]:
    """Everything under the test's folders except the download folder's, to see what landed outside it."""
    return sorted(
        str(path) for path in tmp_path.parent.rglob("*") if "root" not in path.relative_to(tmp_path.parent).parts
    )


def test_a_filename_may_name_folders_inside_root(served: Any, tmp_path: Path) -> None:
    path = download_url(served.url("payload.bin"), tmp_path, filename="dataset folder/sub/renamed.bin", progress=False)

    assert path == tmp_path / "dataset folder/sub/renamed.bin"
    assert path.read_bytes() == PAYLOAD


@pytest.mark.parametrize("name", UNSAFE_NAMES)
def test_a_filename_that_could_leave_root_is_refused_naming_the_argument(
    served: Any, tmp_path: Path, name: str
) -> None:
    root = tmp_path / "root"
    before = _outside(tmp_path)

    with pytest.raises(ValueError, match=re.escape(f"download_url: filename {name!r}")):
        download_url(served.url("payload.bin"), root, filename=name, progress=False)

    assert served.hits("payload.bin") == 0
    assert not root.exists()
    assert _outside(tmp_path) == before


@pytest.mark.parametrize(
    "segment",
    [
        "..%2Fevil",
        "..%2F..%2Fevil",
        "sub%2Fevil",
        "%2Ftmp%2Fevil",
        "..%5Cevil",
        "C%3Aevil",
        "evil%00.bin",
        "%2e%2e",
        "%2e",
        ".evil.part-0123abcd",
    ],
)
def test_a_url_whose_last_segment_is_not_a_plain_name_is_refused_naming_it(
    served: Any, tmp_path: Path, segment: str
) -> None:
    url = served.base_url + "files/" + segment
    root = tmp_path / "root"

    with pytest.raises(ValueError, match=re.escape(f"{url}: the URL's last path segment")):
        download_url(url, root, progress=False)

    assert not root.exists()
    assert served.hits("files/" + urllib.parse.unquote(segment)) == 0


@pytest.mark.parametrize("name", UNSAFE_NAMES[:10])
def test_a_file_name_from_the_server_is_never_used(served: Any, tmp_path: Path, name: str) -> None:
    # Neither the Content-Disposition header nor the last segment of the URL redirected to names the file.
    (served.root / "files").mkdir(exist_ok=True)
    (served.root / "files" / "evil.bin").write_bytes(PAYLOAD)
    served.frame("files/evil.bin", "length", headers={"Content-Disposition": f'attachment; filename="{name}"'})
    served.redirect("payload.bin", served.base_url + "files/evil.bin")
    root = tmp_path / "root"
    before = _outside(tmp_path)

    path = download_url(served.url("payload.bin"), root, md5=MD5, progress=False)

    assert path == root / "payload.bin"
    assert [entry.name for entry in root.iterdir()] == ["payload.bin"]
    assert _outside(tmp_path) == before
    assert served.hits("files/evil.bin") == 1


DOWNLOAD = """
import sys
from geotorch.core.download import download_url
download_url(sys.argv[1], sys.argv[2], filename=sys.argv[3], md5=sys.argv[4], progress=False)
"""


def _partials(folder: Path) -> list[Path]:
    return sorted(path for path in folder.iterdir() if is_partial(path.name))


def _written(path: Path) -> int:
    """Bytes in ``path``, 0 once a download has swept it (between its listing and this call)."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_a_killed_download_leaves_no_file_under_its_name_and_the_next_one_sweeps_it(
    served: Any, tmp_path: Path, child: Any, signum: int
) -> None:
    # More than one read chunk (1 MiB), so that the child has written some of the body when it is killed.
    served.stall("payload.bin", 1_500_000)
    child.start(DOWNLOAD, served.url("payload.bin"), str(tmp_path), "payload.bin", MD5)
    child.wait_until(
        lambda: any(_written(path) >= 1 << 20 for path in tmp_path.glob(".payload.bin.part-*")),
        "the partial file holds the first MiB",
    )

    child.kill(signum)

    assert [path.name for path in tmp_path.iterdir() if not is_partial(path.name)] == []
    assert abandoned(tmp_path, "part") == ["payload.bin"]
    assert find_files([tmp_path], "*") == []
    assert not check_integrity(tmp_path / "payload.bin")
    served.restore("payload.bin")

    path = download_url(served.url("payload.bin"), tmp_path, md5=MD5, progress=False)

    assert path.read_bytes() == PAYLOAD
    assert list(tmp_path.iterdir()) == [path]


def test_a_download_still_running_elsewhere_keeps_its_partial_file(served: Any, tmp_path: Path, child: Any) -> None:
    (served.root / "slow.bin").write_bytes(PAYLOAD)
    served.stall("slow.bin", 1_500_000)
    child.start(DOWNLOAD, served.url("slow.bin"), str(tmp_path), "payload.bin", MD5)
    # Waiting for bytes, not just the file, makes sure the child holds its lock: a file caught between its
    # creation and its lock is swept, and the child then starts a new one (under another name).
    child.wait_until(
        lambda: any(_written(path) >= 1 << 20 for path in _partials(tmp_path)), "the child writes its first MiB"
    )
    running = _partials(tmp_path)

    path = download_url(served.url("payload.bin"), tmp_path, md5=MD5, progress=False)

    assert path.read_bytes() == PAYLOAD
    assert _partials(tmp_path) == running
    assert abandoned(tmp_path, "part") == []
    child.kill(signal.SIGKILL)
    assert abandoned(tmp_path, "part") == ["payload.bin"]


LONG_NAMES = ["x" * 251 + ".bin", "é" * 125 + ".bin", "a" * 237, "a" * 238]


@pytest.mark.parametrize("name", LONG_NAMES, ids=["255 bytes", "multibyte", "longest kept whole", "shortest shortened"])
def test_a_file_name_up_to_255_bytes_downloads_through_a_partial_name_within_255_bytes(
    served: Any, tmp_path: Path, name: str
) -> None:
    (tmp_path / f".{partial_stem(name)}.part-0123abcd").write_bytes(b"left by a killed download")
    served.stall("payload.bin", 1_500_000)
    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(
            download_url, served.url("payload.bin"), tmp_path, name, MD5, progress=False, retry=Retry(attempts=0)
        )
        while len(partials := _partials(tmp_path)) != 1 or _written(partials[0]) < 1 << 20:
            assert not running.done(), running.exception()
            time.sleep(0.002)
        # The killed download's file was swept; this download's own is locked and named for its target.
        assert len(os.fsencode(partials[0].name)) <= 255
        assert abandoned(tmp_path, "part") == []
        served.restore("payload.bin")  # which hangs up on the stalled body
        with pytest.raises(DownloadError):
            running.result(timeout=60)
    assert list(tmp_path.iterdir()) == []

    path = download_url(served.url("payload.bin"), tmp_path, name, MD5, progress=False)

    assert path == tmp_path / name
    assert path.read_bytes() == PAYLOAD
    assert list(tmp_path.iterdir()) == [path]


def test_download_and_extract_archive_removes_a_damaged_archive_so_the_next_call_downloads_it(
    http_server: Any, tmp_path: Path
) -> None:
    (http_server.root / "tiles.zip").write_bytes(_zip_of({"tiles/a.txt": b"a" * 5000}))
    (tmp_path / "tiles.zip").write_bytes(_zip_of({"tiles/a.txt": b"a" * 5000})[:-30])  # left by a cut download

    with pytest.raises(DamagedArchiveError, match=re.escape(str(tmp_path / "tiles.zip"))):
        download_and_extract_archive(http_server.url("tiles.zip"), tmp_path, progress=False)
    assert list(tmp_path.iterdir()) == []
    assert http_server.hits("tiles.zip") == 0

    download_and_extract_archive(http_server.url("tiles.zip"), tmp_path, progress=False)

    assert (tmp_path / "tiles/a.txt").read_bytes() == b"a" * 5000
    assert http_server.hits("tiles.zip") == 1


def _zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for name, data in members.items():
            bundle.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize("name", ["x" * 256, "sub/" + "y" * 300, "é" * 128, "sub/" + "€" * 86 + "/a.bin"])
def test_a_filename_with_a_component_over_255_bytes_is_refused_naming_the_argument(
    served: Any, tmp_path: Path, name: str
) -> None:
    root = tmp_path / "root"

    with pytest.raises(ValueError, match=re.escape(f"download_url: filename {name!r} has a component longer than")):
        download_url(served.url("payload.bin"), root, filename=name, progress=False)

    assert served.hits("payload.bin") == 0
    assert not root.exists()


@pytest.mark.parametrize(
    ("filename", "blocking", "kind"),
    [("sub", "sub", "folder"), ("file/x.bin", "file", "file"), ("sub/file/x.bin", "sub/file", "file"),
     ("x.bin", "", "file")],
    ids=["target-is-a-folder", "parent-is-a-file", "grandparent-is-a-file", "root-is-a-file"],
)
def test_a_target_that_is_a_folder_or_below_a_file_is_refused_naming_both(
    served: Any, tmp_path: Path, filename: str, blocking: str, kind: str
) -> None:
    root = tmp_path / "root"
    if blocking:
        (root / "sub").mkdir(parents=True)
        (root / "file").write_bytes(b"mine")
        (root / "sub/file").write_bytes(b"mine")
    else:
        root.write_bytes(b"mine")
    place = root / blocking if blocking else root

    with pytest.raises(ValueError, match=re.escape(f"download_url: {place} is a {kind}, so the download cannot be")):
        download_url(served.url("payload.bin"), root, filename=filename, progress=False)

    assert served.hits("payload.bin") == 0
    assert (root.is_file() and root.read_bytes() == b"mine") or sorted(
        str(path.relative_to(root)) for path in root.rglob("*")) == ["file", "sub", "sub/file"]


@pytest.mark.real_data
@pytest.mark.parametrize("framing", ["length", "close", "chunked"])
@pytest.mark.parametrize("padding", [0, 512], ids=["no padding", "zeros after the last member"])
def test_a_gzip_encoded_file_of_another_name_is_saved_decoded(
    http_server: Any, tmp_path: Path, real_data: Path, framing: str, padding: int
) -> None:
    # The real RGB.byte.tif stored gzip-encoded, as S3 serves an object uploaded with Content-Encoding: gzip
    # whatever the request asks: saved as the gzip stream under the name RGB.byte.tif, which failed its md5
    # (the published file's) or, without one, was no raster.
    original = (real_data / "RGB.byte.tif").read_bytes()
    half = len(original) // 2
    (http_server.root / "RGB.byte.tif").write_bytes(_gzip_members(original[:half], original[half:]) + bytes(padding))
    http_server.frame("RGB.byte.tif", framing, headers={"Content-Encoding": "gzip"})
    url = http_server.url("RGB.byte.tif")

    path = download_url(url, tmp_path / "md5", md5=hashlib.md5(original).hexdigest(), progress=False)
    assert path.read_bytes() == original
    with rasterio.open(download_url(url, tmp_path / "unverified", progress=False)) as raster:
        assert raster.crs == "EPSG:32618"
        assert raster.read().shape == (3, 718, 791)


def test_a_gzip_encoded_file_of_another_name_that_is_not_gzip_raises_and_keeps_nothing(
    http_server: Any, tmp_path: Path
) -> None:
    (http_server.root / "labels.csv").write_bytes(b"class,name\n1,water\n")
    http_server.frame("labels.csv", "length", headers={"Content-Encoding": "gzip"})
    url = http_server.url("labels.csv")
    with pytest.raises(DownloadError, match=re.escape(url) + ".*gzip-encoded body cannot be decoded"):
        download_url(url, tmp_path, progress=False)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.real_data
def test_a_download_is_on_disk_before_it_takes_its_name_and_its_name_after(
    http_server: Any, real_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Data flushed before the rename: else a power cut could leave zeros under the final name; the folder
    # flushed after it: else the file could be back under its hidden name once the caller built on it.
    shutil.copy(real_data / "RGB.byte.tif", http_server.root / "RGB.byte.tif")
    events: list[tuple[str, int]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(descriptor: int) -> None:
        events.append(("fsync", os.fstat(descriptor).st_ino))
        real_fsync(descriptor)

    def replace(source: Any, target: Any) -> None:
        events.append(("rename", os.lstat(source).st_ino))
        real_replace(source, target)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    md5 = calculate_md5(real_data / "RGB.byte.tif")

    path = download_url(http_server.url("RGB.byte.tif"), tmp_path, md5=md5, progress=False)

    assert calculate_md5(path) == md5
    renamed = events.index(("rename", path.stat().st_ino))
    assert ("fsync", path.stat().st_ino) in events[:renamed]
    assert ("fsync", tmp_path.stat().st_ino) in events[renamed:]


FULL_DISK_DOWNLOAD = """
import resource, signal, sys
from pathlib import Path
from geotorch.core.download import download_url
# A file system that takes 1 MB and no more (the child's files only): writes past it fail with EFBIG.
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (1_000_000, resource.RLIM_INFINITY))
try:
    download_url(sys.argv[1], sys.argv[2], progress=False)
except OSError as error:
    print(f"{type(error).__name__} {error.errno}: {error}")
print(sorted(path.name for path in Path(sys.argv[2]).iterdir()))
"""


def test_a_download_the_file_system_cannot_hold_names_the_file_and_keeps_nothing(
    served: Any, tmp_path: Path, child: Any
) -> None:
    child.start(FULL_DISK_DOWNLOAD, served.url("payload.bin"), str(tmp_path))
    assert child.process.wait(timeout=60) == 0, child.output

    first, listing = child.output.strip().splitlines()[-2:]
    assert first.startswith("OSError 27: [Errno 27] download_url: ")
    assert f"{tmp_path / 'payload.bin'}: File too large after 1000000 bytes were written" in first
    assert f"free space in {tmp_path} or pass another root" in first
    assert listing == "[]"


def test_a_login_in_the_url_is_sent_to_its_host_alone_and_never_named(
    served: Any, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # A private server asking for basic authentication, given as curl and GDAL take it: in the URL.
    from tests.conftest import LocalHTTPServer

    served.required_headers = {"Authorization": "Basic dXNlcjpzM2NyZXQh"}  # user:s3cret!
    url = served.url("payload.bin").replace("http://", "http://user:s3cret%21@")

    path = download_url(url, tmp_path, md5=MD5, progress=False)

    assert path.read_bytes() == PAYLOAD
    with pytest.raises(DownloadError, match="HTTP 401") as refused:
        download_url(url.replace("s3cret", "wr0ng"), tmp_path / "other", progress=False)
    assert "wr0ng" not in str(refused.value) and "user:" not in str(refused.value)
    # Redirected to another host (a storage server), the login stays behind.
    with LocalHTTPServer(tmp_path_factory.mktemp("storage")) as storage:
        (storage.root / "payload.bin").write_bytes(PAYLOAD)
        served.redirect("moved.bin", storage.url("payload.bin"))
        served.required_headers = {}
        download_url(url.replace("payload.bin", "moved.bin"), tmp_path / "moved", md5=MD5, progress=False)
        assert served.headers_seen["moved.bin"][-1]["Authorization"] == "Basic dXNlcjpzM2NyZXQh"
        assert "Authorization" not in storage.headers_seen["payload.bin"][-1]


def test_a_url_with_spaces_and_accents_is_sent_percent_encoded(
    served: Any, tmp_path: Path, retry_waits: list[float]
) -> None:
    # As a user copies it from a file browser or a catalogue page, not encoded.
    (served.root / "my scene é.bin").write_bytes(PAYLOAD)

    path = download_url(served.base_url + "my scene é.bin", tmp_path, md5=MD5, progress=False)

    assert path == tmp_path / "my scene é.bin" and path.read_bytes() == PAYLOAD
    assert served.gets("my scene é.bin") == 1 and retry_waits == []


def test_an_empty_file_at_the_target_is_fetched_again_when_no_checksum_vouches_for_it(
    served: Any, tmp_path: Path
) -> None:
    # download_url never keeps an empty body without a checksum: an empty file there is another tool's leftover
    # (an interrupted wget, a power cut before the rename was on disk, a touch), not a download.
    (tmp_path / "payload.bin").touch()

    path = download_url(served.url("payload.bin"), tmp_path, progress=False)

    assert path.read_bytes() == PAYLOAD
    assert served.gets("payload.bin") == 1


@pytest.mark.real_data
def test_a_file_url_is_copied_and_verified_as_torchvision_does(real_data: Path, tmp_path: Path) -> None:
    # torchvision's download_url (TorchGeo 0.10.1's) fetches file: URLs through urllib: a local mirror works.
    source = real_data / "RGB.byte.tif"

    path = download_url(source.as_uri(), tmp_path / "mirror", md5=calculate_md5(source), progress=False)

    assert path == tmp_path / "mirror" / "RGB.byte.tif" and path.read_bytes() == source.read_bytes()
    with pytest.raises(DownloadError, match=re.escape(f"{(tmp_path / 'gone.tif').as_uri()}: cannot read ")):
        download_url((tmp_path / "gone.tif").as_uri(), tmp_path / "mirror", progress=False)


@pytest.mark.parametrize("url", ["s3://bucket/scene.tif", "gs://bucket/scene.tif", "example.com/scene.tif"])
def test_a_url_of_another_scheme_is_refused_naming_it(tmp_path: Path, url: str) -> None:
    with pytest.raises(ValueError, match=re.escape(f"download_url: {url!r} is no http(s) or file URL")):
        download_url(url, tmp_path, progress=False)

    assert list(tmp_path.iterdir()) == []
