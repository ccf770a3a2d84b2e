"""predict_raster's errors and warnings name a remote input without the credentials its URL carries."""

from __future__ import annotations

import traceback
from pathlib import Path

import numpy as np
import pytest
import rasterio
from affine import Affine
from torch import nn

from geotorch.core import RasterReadError
from geotorch.trainers.predict import predict_raster
from tests.conftest import LocalHTTPServer

#: A presigned S3 URL's credentials, and a password: none may reach a message.
SIGNED = "?X-Amz-Signature=SECRET5EC&X-Amz-Credential=AKIASECRET%2F20261203&X-Amz-Expires=60"
SECRETS = ("SECRET5EC", "AKIASECRET", "PWSECRET")


@pytest.fixture
def server(http_server: LocalHTTPServer) -> LocalHTTPServer:
    """The shared HTTP server answering byte ranges, with a 3-band 20 x 20 px float32 ``ndvi.tif`` in UTM 33N.

    One pixel of band 1 is NaN (no nodata), which predict_raster warns of naming the file.
    """
    http_server.ranges = True
    image = np.random.default_rng(0).uniform(0, 1, (3, 20, 20)).astype("float32")
    image[0, 3, 3] = np.nan
    profile = {"driver": "GTiff", "width": 20, "height": 20, "count": 3, "dtype": "float32", "crs": "EPSG:32633"}
    with rasterio.open(
        http_server.root / "ndvi.tif", "w", transform=Affine(10, 0, 500_000, 0, -10, 4_000_000), **profile
    ) as target:
        target.write(image)
    return http_server


def _urls(server: LocalHTTPServer) -> list[str]:
    """``ndvi.tif``'s URL signed, and with a password."""
    return [server.url("ndvi.tif") + SIGNED, server.url("ndvi.tif").replace("http://", "http://reader:PWSECRET@")]


def _assert_named_without_secrets(text: str, server: LocalHTTPServer) -> None:
    assert server.url("ndvi.tif") in text.replace("reader:...@", ""), text
    assert not [secret for secret in SECRETS if secret in text], text


@pytest.mark.parametrize("kind", ["signed", "password"])
def test_a_res_of_other_units_names_the_input_without_credentials(
    server: LocalHTTPServer, tmp_path: Path, kind: str
) -> None:
    # Before: "predict_raster: res=0.0001 is 1e-05 times the pixel size of http://...X-Amz-Signature=SECRET5EC..."
    url = _urls(server)[kind == "password"]
    with pytest.raises(ValueError, match="times the pixel size") as raised:
        predict_raster(nn.Conv2d(3, 2, 1), url, tmp_path / "out", patch_size=16, crs="EPSG:32632", res=0.0001)
    _assert_named_without_secrets(str(raised.value), server)


@pytest.mark.parametrize("kind", ["signed", "password"])
def test_the_nan_warning_and_the_model_s_note_name_the_input_without_a_password(
    server: LocalHTTPServer, tmp_path: Path, kind: str
) -> None:
    # Before: the query was left out, but not the password: "predict_raster: http://reader:PWSECRET@.../ndvi.tif
    # holds NaN or infinite values ...", and the note on the model's error alike.
    url = _urls(server)[kind == "password"]
    with pytest.warns(UserWarning, match="NaN or infinite") as caught:
        predict_raster(nn.Conv2d(3, 2, 1), url, tmp_path / "out", patch_size=16)
    said = [str(warning.message) for warning in caught if "NaN or infinite" in str(warning.message)]
    assert said
    for message in said:
        _assert_named_without_secrets(message, server)
    with pytest.raises(RuntimeError) as raised:
        predict_raster(nn.Conv2d(4, 2, 1), url, tmp_path / "other", patch_size=16)
    _assert_named_without_secrets(" ".join(raised.value.__notes__), server)


@pytest.mark.parametrize("kind", ["signed", "password"])
def test_a_window_that_fails_its_read_names_the_input_without_credentials(
    server: LocalHTTPServer, tmp_path: Path, kind: str
) -> None:
    url = _urls(server)[kind == "password"]
    server.truncate("ndvi.tif", 600)
    with pytest.raises(RasterReadError) as raised:
        predict_raster(nn.Conv2d(3, 2, 1), url, tmp_path / "out", patch_size=16)
    _assert_named_without_secrets(str(raised.value), server)
    # (and its traceback, as an uncaught error prints it: GDAL's errors, its causes, quoted the query as given)
    printed = "".join(traceback.format_exception(raised.value))
    assert not [secret for secret in SECRETS if secret in printed], printed
