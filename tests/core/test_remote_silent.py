"""Servers that take the connection and never answer, for rasters and downloads: said early, given up on soon."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from geotorch.core import RasterDataset, object_store
from geotorch.core.download import download_url
from geotorch.core.errors import DownloadCutError
from geotorch.core.retry import Retry


@pytest.fixture
def silent_url() -> Iterator[tuple[str, list[float]]]:
    """A URL on a server that accepts every connection and sends nothing; the times the connections came."""
    listener = socket.create_server(("127.0.0.1", 0))
    came: list[float] = []
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            came.append(time.monotonic())
            held.append(connection)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/scene.tif", came
    listener.close()
    for connection in held:
        connection.close()


def test_a_silent_server_is_warned_of_after_the_first_timeout_and_given_up_on_after_the_second(
    silent_url: tuple[str, list[float]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # 1 s stands for the 10 s a request may take: 4 silent HEADs of 10 s and the waits between them kept
    # RasterDataset 43 s without a word.
    monkeypatch.setattr(object_store, "REQUEST_TIMEOUT_S", 1)
    url, came = silent_url
    start = time.monotonic()

    with (
        pytest.warns(UserWarning, match=rf"{url}: no answer within 1 s; asking once more") as warned,
        pytest.raises(OSError, match=rf"{url}: the server sent no answer within 1 s, twice: .*retry later"),
    ):
        RasterDataset(paths=url, cache=False)

    assert len(came) == 2
    assert len(warned) == 1
    assert time.monotonic() - start < 4


def test_a_download_from_a_silent_server_says_so_before_each_retry(
    silent_url: tuple[str, list[float]], tmp_path: Path
) -> None:
    # With the defaults (60 s timeout, 5 more tries) a silent server kept download_url 6.5 minutes without a word.
    url, came = silent_url
    waits: list[float] = []
    retry = Retry(attempts=2, timeout_s=0.5, sleep=waits.append)

    with (
        pytest.warns(
            UserWarning, match=rf"download_url: {url}: the connection failed .*timed out.*; trying again"
        ) as warned,
        pytest.raises(DownloadCutError, match="tried 3 times"),
    ):
        download_url(url, tmp_path, progress=False, retry=retry)

    assert [str(warning.message).rpartition("; ")[2] for warning in warned] == [
        "trying again in 1 s (2 more tries unless one brings more bytes)",
        "trying again in 2 s (1 more try unless one brings more bytes)",
    ]
    assert len(came) == 3 and waits == [1.0, 2.0]
    assert list(tmp_path.iterdir()) == []
