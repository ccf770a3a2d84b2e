"""Specification of geotorch.core.download: verified, atomic downloads from a local HTTP server."""

from __future__ import annotations

import hashlib
import io
import pickle
import random
import re
import shutil
import socket
import tarfile
from pathlib import Path
from typing import Any

import pytest

from geotorch.core import download
from geotorch.core.download import (
    ChecksumError,
    DownloadError,
    calculate_md5,
    calculate_sha256,
    check_integrity,
    download_and_extract_archive,
    download_url,
)

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


def test_checksum_error_is_a_value_error_that_survives_pickling() -> None:
    error = ChecksumError("/data/a.zip", "md5", WRONG, MD5)

    copy = pickle.loads(pickle.dumps(error))

    assert isinstance(copy, ValueError)
    assert (str(copy), copy.path, copy.actual) == (str(error), "/data/a.zip", MD5)


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

    def update(self, size: int) -> None:
        raise KeyboardInterrupt


def test_an_interrupted_download_keeps_nothing(served: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(download, "tqdm", InterruptedBar)

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
