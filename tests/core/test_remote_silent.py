"""HTTP rasters of a server that takes the connection and never answers: said early, given up on soon."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from geotorch.core import RasterDataset, object_store


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
