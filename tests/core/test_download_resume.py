"""Specification of resumed downloads: a transfer cut short is tried again from the bytes received, never spliced."""

from __future__ import annotations

import errno
import gzip
import hashlib
import os
import random
import re
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from geotorch.core import partial, transfer
from geotorch.core.download import ChecksumError, DownloadError, download_url
from geotorch.core.errors import DownloadCutError
from geotorch.core.files import find_files
from geotorch.core.partial import abandoned, is_partial
from geotorch.core.retry import Retry

PAYLOAD = random.Random(2).randbytes(2_500_000)
NEW = random.Random(3).randbytes(2_500_000)
MD5 = hashlib.md5(PAYLOAD).hexdigest()
HALF = len(PAYLOAD) // 2


@pytest.fixture
def served(http_server: Any) -> Any:
    """A server with ranges and ETags (as nginx, S3) holding payload.bin."""
    (http_server.root / "payload.bin").write_bytes(PAYLOAD)
    http_server.ranges = True
    http_server.validators = True
    return http_server


def _ranges_asked(server: Any, name: str = "payload.bin") -> list[tuple[str | None, str | None]]:
    return [(seen.get("Range"), seen.get("If-Range")) for seen in server.headers_seen[name]]


def _etag(path: Path) -> str:
    status = path.stat()
    return f'"{status.st_mtime_ns:x}-{status.st_size:x}"'


@pytest.mark.parametrize("cut", ["short body", "stall past the timeout"])
def test_a_body_cut_once_is_resumed_from_the_bytes_received(
    served: Any, tmp_path: Path, retry_waits: list[float], cut: str
) -> None:
    if cut == "short body":
        served.truncate("payload.bin", HALF, times=1)
    else:
        served.stall("payload.bin", HALF, times=1)
    etag = _etag(served.root / "payload.bin")

    path = download_url(
        served.url("payload.bin"),
        tmp_path,
        md5=MD5,
        progress=False,
        retry=Retry(timeout_s=0.5, sleep=retry_waits.append),
    )

    assert path.read_bytes() == PAYLOAD
    (first, _), (ranged, condition) = _ranges_asked(served)
    # What a read cut by the timeout had buffered is lost with its connection: resumed from the bytes written.
    received = int(re.fullmatch(r"bytes=([0-9]+)-", ranged or "")[1])  # type: ignore[index]
    assert (first, condition) == (None, etag)
    assert 1 << 20 <= received <= HALF
    assert retry_waits == [1.0]
    assert list(tmp_path.iterdir()) == [path]


def test_a_link_cut_many_times_still_delivers_while_each_attempt_brings_bytes(served: Any, tmp_path: Path) -> None:
    # Every response is cut after 300 kB: more cuts than retries, but each attempt makes progress.
    served.truncate("payload.bin", 300_000, times=8)

    path = download_url(served.url("payload.bin"), tmp_path, md5=MD5, progress=False)

    assert path.read_bytes() == PAYLOAD
    assert served.gets("payload.bin") == 9


def test_a_resumption_without_an_etag_is_guarded_by_last_modified(served: Any, tmp_path: Path) -> None:
    served.validators = False
    an_hour_ago = time.time() - 3600
    os.utime(served.root / "payload.bin", (an_hour_ago, an_hour_ago))
    served.truncate("payload.bin", HALF, times=1)

    path = download_url(served.url("payload.bin"), tmp_path, md5=MD5, progress=False)

    assert path.read_bytes() == PAYLOAD
    (first, _), (ranged, condition) = _ranges_asked(served)
    assert (first, ranged) == (None, f"bytes={HALF}-")
    assert condition is not None and condition.endswith(" GMT")


def test_a_server_ignoring_ranges_makes_the_download_start_again(served: Any, tmp_path: Path) -> None:
    served.ranges = False
    served.truncate("payload.bin", HALF, times=1)

    path = download_url(served.url("payload.bin"), tmp_path, md5=MD5, progress=False)

    assert path.read_bytes() == PAYLOAD
    assert [asked for asked, _ in _ranges_asked(served)] == [None, f"bytes={HALF}-"]


@pytest.mark.parametrize("server", ["honours If-Range", "ignores If-Range"])
def test_a_file_that_changed_between_attempts_is_fetched_whole_never_spliced(
    served: Any, tmp_path: Path, server: str
) -> None:
    served.if_range_ignored = server == "ignores If-Range"
    served.truncate("payload.bin", HALF, times=1)
    served.change("payload.bin", NEW, after=1)

    path = download_url(served.url("payload.bin"), tmp_path, progress=False)

    assert path.read_bytes() == NEW
    assert list(tmp_path.iterdir()) == [path]


def test_a_206_of_another_start_than_asked_is_refused_and_the_file_fetched_whole(served: Any, tmp_path: Path) -> None:
    # A cache answering ranges with the 256 KiB blocks holding them: its 206 starts before the byte asked.
    served.range_blocks = 1 << 18
    served.truncate("payload.bin", HALF, times=1)

    path = download_url(served.url("payload.bin"), tmp_path, md5=MD5, progress=False)

    assert path.read_bytes() == PAYLOAD
    assert [asked for asked, _ in _ranges_asked(served)] == [None, f"bytes={HALF}-", None]


def test_a_chunked_body_missing_only_its_last_chunk_is_whole_when_the_server_answers_416(
    served: Any, tmp_path: Path
) -> None:
    served.frame("payload.bin", "chunked", send=len(PAYLOAD), ranges=True)

    path = download_url(served.url("payload.bin"), tmp_path, progress=False)

    assert path.read_bytes() == PAYLOAD
    assert [asked for asked, _ in _ranges_asked(served)] == [None, f"bytes={len(PAYLOAD)}-"]


def test_a_resumed_download_that_fails_its_checksum_names_the_file_and_keeps_nothing(
    served: Any, tmp_path: Path
) -> None:
    served.truncate("payload.bin", HALF, times=1)

    with (
        pytest.raises(ChecksumError, match=re.escape(str(tmp_path / "payload.bin"))) as raised,
        pytest.warns(UserWarning, match="downloading it again from the first byte"),
    ):
        download_url(served.url("payload.bin"), tmp_path, md5="0" * 32, progress=False)

    assert raised.value.actual == MD5  # over the whole file, both parts, then fetched again whole
    assert [asked for asked, _ in _ranges_asked(served)] == [None, f"bytes={HALF}-", None]
    assert list(tmp_path.iterdir()) == []


def test_a_body_that_stays_cut_fails_after_the_retries_naming_the_url_and_the_bytes(
    served: Any, tmp_path: Path, retry_waits: list[float]
) -> None:
    served.ranges = False
    served.truncate("payload.bin", HALF)
    url = served.url("payload.bin")

    with pytest.raises(DownloadError, match=re.escape(f"{url}: received {HALF} of {len(PAYLOAD)} bytes")) as raised:
        download_url(url, tmp_path, md5=MD5, progress=False)

    assert "tried 6 times" in str(raised.value)
    assert retry_waits == [1.0, 2.0, 4.0, 8.0, 16.0]
    # Nothing under the file's name; the bytes received stay hidden, for the next call to resume.
    assert find_files([tmp_path], "*") == []


def test_transient_statuses_are_tried_again_after_the_wait_the_server_asks(
    served: Any, tmp_path: Path, retry_waits: list[float]
) -> None:
    served.fail("payload.bin", 503, times=2)

    path = download_url(served.url("payload.bin"), tmp_path, md5=MD5, progress=False)

    assert path.read_bytes() == PAYLOAD
    assert retry_waits == [1.0, 2.0]


def test_a_missing_file_is_not_tried_again(served: Any, tmp_path: Path, retry_waits: list[float]) -> None:
    with pytest.raises(DownloadError, match="HTTP 404"):
        download_url(served.url("missing.bin"), tmp_path, progress=False)

    assert served.hits("missing.bin") == 1 and retry_waits == []


DOWNLOAD = """
import sys
from geotorch.core.download import download_url
download_url(sys.argv[1], sys.argv[2], md5=sys.argv[3], progress=False)
"""


def _killed_mid_download(server: Any, tmp_path: Path, child: Any) -> int:
    """Start a download in a child, kill it once it wrote 1 MiB; the bytes its partial file holds."""
    server.stall("payload.bin", 1_500_000)
    child.start(DOWNLOAD, server.url("payload.bin"), str(tmp_path), MD5)
    child.wait_until(
        lambda: any(path.stat().st_size >= 1 << 20 for path in tmp_path.glob(".payload.bin.part-*")),
        "the partial file holds the first MiB",
    )
    child.kill(signal.SIGKILL)
    server.restore("payload.bin")
    assert abandoned(tmp_path, "part") == ["payload.bin"]
    assert [path.name for path in tmp_path.iterdir() if not is_partial(path.name)] == []
    [partial] = tmp_path.glob(".payload.bin.part-*")
    return partial.stat().st_size


def test_a_download_killed_mid_way_is_resumed_by_the_next_call(served: Any, tmp_path: Path, child: Any) -> None:
    held = _killed_mid_download(served, tmp_path, child)

    path = download_url(served.url("payload.bin"), tmp_path, md5=MD5, progress=False)

    assert path.read_bytes() == PAYLOAD
    assert _ranges_asked(served)[-1] == (f"bytes={held}-", _etag(served.root / "payload.bin"))
    assert list(tmp_path.iterdir()) == [path]


def test_a_download_killed_mid_way_starts_again_when_the_file_changed(served: Any, tmp_path: Path, child: Any) -> None:
    _killed_mid_download(served, tmp_path, child)
    (served.root / "payload.bin").write_bytes(NEW)
    later = time.time() + 2
    os.utime(served.root / "payload.bin", (later, later))

    path = download_url(served.url("payload.bin"), tmp_path, progress=False)

    assert path.read_bytes() == NEW
    assert list(tmp_path.iterdir()) == [path]


def test_a_download_killed_mid_way_is_not_resumed_from_another_url(served: Any, tmp_path: Path, child: Any) -> None:
    _killed_mid_download(served, tmp_path, child)
    (served.root / "mirror").mkdir()
    (served.root / "mirror" / "payload.bin").write_bytes(PAYLOAD)

    path = download_url(served.url("mirror/payload.bin"), tmp_path, md5=MD5, progress=False)

    assert path.read_bytes() == PAYLOAD
    assert _ranges_asked(served, "mirror/payload.bin") == [(None, None)]
    assert list(tmp_path.iterdir()) == [path]


class InterruptedAfterTheFirstMiB:
    """A progress bar whose second update behaves like the user pressing Ctrl-C."""

    def __init__(self, **kwargs: Any) -> None:
        self.updates = 0

    def __enter__(self) -> InterruptedAfterTheFirstMiB:
        return self

    def __exit__(self, *args: object) -> None:
        pass

    def reset(self, total: int | None = None) -> None:
        pass

    def update(self, size: int) -> None:
        self.updates += 1
        if self.updates == 2:
            raise KeyboardInterrupt


def _hidden(folder: Path) -> list[str]:
    return sorted(re.sub(r"-[0-9a-f]{8}$", "", path.name) for path in folder.iterdir())


def test_a_download_interrupted_by_ctrl_c_keeps_its_bytes_and_the_next_call_resumes_it(
    served: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transfer, "tqdm", InterruptedAfterTheFirstMiB)
    with pytest.raises(KeyboardInterrupt):
        download_url(served.url("payload.bin"), tmp_path, md5=MD5)
    assert _hidden(tmp_path) == [".payload.bin.part", ".payload.bin.resume"]
    monkeypatch.undo()

    path = download_url(served.url("payload.bin"), tmp_path, md5=MD5, progress=False)

    assert path.read_bytes() == PAYLOAD
    assert _ranges_asked(served)[-1] == (f"bytes={2 << 20}-", _etag(served.root / "payload.bin"))
    assert list(tmp_path.iterdir()) == [path]


def test_a_download_cut_for_good_keeps_its_bytes_and_the_next_call_resumes_it(served: Any, tmp_path: Path) -> None:
    served.ranges = False
    served.truncate("payload.bin", HALF)
    with pytest.raises(DownloadCutError, match=f"received {HALF} of {len(PAYLOAD)} bytes"):
        download_url(served.url("payload.bin"), tmp_path, md5=MD5, progress=False, retry=Retry(attempts=1))
    assert _hidden(tmp_path) == [".payload.bin.part", ".payload.bin.resume"]
    assert find_files([tmp_path], "*") == []
    served.restore("payload.bin")
    served.ranges = True

    path = download_url(served.url("payload.bin"), tmp_path, md5=MD5, progress=False)

    assert path.read_bytes() == PAYLOAD
    assert _ranges_asked(served)[-1][0] == f"bytes={HALF}-"
    assert list(tmp_path.iterdir()) == [path]


@pytest.mark.parametrize("retry", [0, 2])
def test_retry_may_be_a_number_of_further_tries(
    served: Any, tmp_path: Path, retry_waits: list[float], retry: int
) -> None:
    served.ranges = False
    served.truncate("payload.bin", HALF)

    with pytest.raises(DownloadCutError, match=f"tried {'once' if retry == 0 else f'{retry + 1} times'}"):
        download_url(served.url("payload.bin"), tmp_path, progress=False, retry=retry)

    assert served.gets("payload.bin") == retry + 1
    assert retry_waits == [1.0, 2.0][:retry]


@pytest.mark.parametrize(("retry", "error"), [(-1, ValueError), ("3", TypeError), (True, TypeError), (2.5, TypeError)])
def test_a_retry_that_is_no_policy_nor_count_is_refused_naming_the_argument(
    served: Any, tmp_path: Path, retry: Any, error: type[Exception]
) -> None:
    with pytest.raises(error, match=re.escape(f"download_url: retry={retry!r}")):
        download_url(served.url("payload.bin"), tmp_path, progress=False, retry=retry)

    assert served.hits("payload.bin") == 0
    assert list(tmp_path.iterdir()) == []


def test_a_redirected_download_is_resumed_through_the_redirect(served: Any, tmp_path: Path) -> None:
    (served.root / "mirror").mkdir()
    (served.root / "mirror" / "payload.bin").write_bytes(PAYLOAD)
    served.redirect("latest.bin", served.url("mirror/payload.bin"))
    served.truncate("mirror/payload.bin", HALF, times=1)

    path = download_url(served.url("latest.bin"), tmp_path, md5=MD5, progress=False)

    assert path.read_bytes() == PAYLOAD
    assert path.name == "latest.bin"
    etag = _etag(served.root / "mirror" / "payload.bin")
    assert _ranges_asked(served, "mirror/payload.bin") == [(None, None), (f"bytes={HALF}-", etag)]


def test_ranges_answered_shorter_than_asked_are_followed_at_once(
    served: Any, tmp_path: Path, retry_waits: list[float]
) -> None:
    # A server sending at most 256 KiB a range: after the cut, the rest comes in five ranges, none waited for.
    served.range_cap = 1 << 18
    served.truncate("payload.bin", HALF, times=1)

    path = download_url(served.url("payload.bin"), tmp_path, md5=MD5, progress=False)

    assert path.read_bytes() == PAYLOAD
    starts = [HALF + n * (1 << 18) for n in range(5)]
    assert [asked for asked, _ in _ranges_asked(served)] == [None, *(f"bytes={start}-" for start in starts)]
    assert retry_waits == [1.0]


def test_without_file_locks_a_partial_file_is_never_taken_over(
    served: Any, tmp_path: Path, child: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On NFS without a lock manager (or Windows) a partial file cannot be told from one another process still
    # writes: two writers in one file would mix their bytes, so the download starts again in its own file.
    _killed_mid_download(served, tmp_path, child)

    def no_locks(descriptor: int, operation: int) -> None:
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(partial.fcntl, "flock", no_locks)

    path = download_url(served.url("payload.bin"), tmp_path, md5=MD5, progress=False)

    assert path.read_bytes() == PAYLOAD
    assert _ranges_asked(served)[-1] == (None, None)


def test_without_file_locks_a_download_keeps_its_own_partial_file(
    served: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_locks(descriptor: int, operation: int) -> None:
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(partial.fcntl, "flock", no_locks)

    path = download_url(served.url("payload.bin"), tmp_path, md5=MD5, progress=False)

    assert path.read_bytes() == PAYLOAD
    assert list(tmp_path.iterdir()) == [path]


def test_a_gzip_encoded_body_decoded_on_the_way_is_resumed_where_its_encoded_bytes_stopped(
    served: Any, tmp_path: Path
) -> None:
    # An object stored gzip-encoded (S3's Content-Encoding metadata) served under its own name: saved decoded;
    # the resumption asks for the encoded bytes from where they stopped and goes on decoding them.
    encoded = gzip.compress(PAYLOAD, mtime=0, compresslevel=1)
    (served.root / "labels.csv").write_bytes(encoded)
    served.ranges = False  # the shape below answers ranges itself, with its Content-Encoding
    served.frame("labels.csv", "length", send=len(encoded) // 2, headers={"Content-Encoding": "gzip"}, ranges=True)

    path = download_url(served.url("labels.csv"), tmp_path, md5=MD5, progress=False)

    assert path.read_bytes() == PAYLOAD
    asked = [asked for asked, _ in _ranges_asked(served, "labels.csv")]
    assert asked[0] is None and len(asked) == 2
    assert 0 < int(re.fullmatch(r"bytes=([0-9]+)-", asked[1] or "")[1]) <= len(encoded) // 2  # type: ignore[index]


def _presigned(url: str, signature: str) -> str:
    signing = f"X-Amz-Date=20260101T00000{signature[0]}Z&X-Amz-Expires=3600&X-Amz-Signature={signature}"
    return f"{url}?X-Amz-Algorithm=AWS4-HMAC-SHA256&{signing}"


SIGNED_DOWNLOAD = DOWNLOAD.replace(
    "download_url(sys.argv[1], sys.argv[2]", "download_url(sys.argv[1], sys.argv[2], filename='payload.bin'"
)


@pytest.mark.parametrize(
    ("second", "resumed"),
    [("signed again", True), ("another object", False)],
)
def test_a_presigned_download_killed_mid_way_is_resumed_through_a_url_signed_again(
    served: Any, tmp_path: Path, child: Any, second: str, resumed: bool
) -> None:
    # Presigned S3 URLs change at every signing (date, signature) while naming the same object.
    (served.root / "other").mkdir()
    (served.root / "other" / "payload.bin").write_bytes(PAYLOAD)
    served.stall("payload.bin", 1_500_000)
    child.start(SIGNED_DOWNLOAD, _presigned(served.url("payload.bin"), "1aaa"), str(tmp_path), MD5)
    child.wait_until(
        lambda: any(path.stat().st_size >= 1 << 20 for path in tmp_path.glob(".payload.bin.part-*")),
        "the partial file holds the first MiB",
    )
    child.kill(signal.SIGKILL)
    served.restore("payload.bin")
    name = "payload.bin" if second == "signed again" else "other/payload.bin"

    path = download_url(_presigned(served.url(name), "2bbb"), tmp_path, "payload.bin", MD5, progress=False)

    assert path.read_bytes() == PAYLOAD
    assert (_ranges_asked(served, name)[-1][0] is not None) is resumed
    assert list(tmp_path.iterdir()) == [path]


@pytest.mark.parametrize(
    ("signed", "signed_again", "secret"),
    [
        (
            _presigned("{url}", "1aaa5ec7e7"),
            _presigned("{url}", "2bbb5ec7e7"),
            "5ec7e7",
        ),
        (
            "{url}?sv=2024-11-04&se=2026-01-01T01%3A00Z&sr=b&sp=r&sig=a5ec7e7%2Bsas%3D",
            "{url}?sv=2024-11-04&se=2026-01-01T02%3A00Z&sr=b&sp=r&sig=b5ec7e7%2Bsas%3D",
            "5ec7e7",
        ),
        ("{url}?token=5ec7e7-t0ken", "{url}?token=5ec7e7-t0ken", "5ec7e7"),
    ],
    ids=["S3 presigned", "Azure SAS", "token in the query"],
)
def test_the_version_kept_beside_a_partial_download_holds_no_secret_of_its_url(
    served: Any, tmp_path: Path, signed: str, signed_again: str, secret: str
) -> None:
    # The record stays on disk after the download is cut: a signature or token in it would be a credential leak.
    url = served.url("payload.bin")
    served.ranges = False
    served.truncate("payload.bin", HALF)
    with pytest.raises(DownloadCutError):
        download_url(signed.format(url=url), tmp_path, "payload.bin", MD5, progress=False, retry=0)
    [record] = tmp_path.glob(".payload.bin.resume-*")
    kept = record.read_bytes()
    served.restore("payload.bin")
    served.ranges = True

    path = download_url(signed_again.format(url=url), tmp_path, "payload.bin", MD5, progress=False)

    assert secret.encode() not in kept
    assert path.read_bytes() == PAYLOAD
    assert _ranges_asked(served)[-1][0] == f"bytes={HALF}-"


def test_a_resumed_download_that_fails_its_checksum_is_fetched_again_from_the_first_byte_once(
    served: Any, tmp_path: Path
) -> None:
    # The bytes kept from an earlier attempt were damaged (or spliced from another version the server did not
    # tell apart): the checksum of the resumed file fails, and only a download from byte 0 can mend it.
    served.ranges = False
    served.truncate("payload.bin", HALF)
    with pytest.raises(DownloadCutError):
        download_url(served.url("payload.bin"), tmp_path, md5=MD5, progress=False, retry=0)
    [kept] = tmp_path.glob(".payload.bin.part-*")
    with open(kept, "r+b") as stream:
        stream.write(bytes(1000))
    served.restore("payload.bin")
    served.ranges = True

    with pytest.warns(
        UserWarning, match=rf"resumed at byte {HALF}, failed its md5 check .*downloading it again from the first byte"
    ):
        path = download_url(served.url("payload.bin"), tmp_path, md5=MD5, progress=False)

    assert path.read_bytes() == PAYLOAD
    assert [asked for asked, _ in _ranges_asked(served)][-2:] == [f"bytes={HALF}-", None]
    assert list(tmp_path.iterdir()) == [path]


def test_messages_of_a_presigned_download_name_its_url_without_the_signature(
    served: Any, tmp_path: Path, retry_waits: list[float]
) -> None:
    # Errors and warnings end up in logs and CI output: a signature there is a credential anyone reading can use.
    url = _presigned(served.url("payload.bin"), "5ec7e7") + "&X-Amz-Security-Token=t0k3n"
    served.ranges = False
    served.truncate("payload.bin", HALF)

    with pytest.warns(UserWarning, match="trying again") as warned, pytest.raises(DownloadCutError) as raised:
        download_url(url, tmp_path, "payload.bin", progress=False, retry=1)

    said = [str(raised.value), *(str(warning.message) for warning in warned)]
    assert all("5ec7e7" not in text and "t0k3n" not in text for text in said), said
    assert all(served.url("payload.bin") + "?X-Amz-Algorithm=AWS4-HMAC-SHA256" in text for text in said), said
    assert raised.value.url == url  # the error still carries the URL itself, for code that retries with it
