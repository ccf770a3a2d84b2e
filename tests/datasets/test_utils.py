"""geotorch.datasets.utils: TorchGeo's torchgeo.datasets.utils names and signatures, over geotorch.core."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

import geotorch.core
from geotorch.core import ChecksumError
from geotorch.datasets import utils
from geotorch.datasets.utils import (
    BoundingBox,
    array_to_tensor,
    check_integrity,
    concat_samples,
    download_and_extract_archive,
    download_url,
    extract_archive,
    find_files,
    merge_samples,
    percentile_normalization,
    stack_samples,
    unbind_samples,
    working_dir,
)
from tests.conftest import LocalHTTPServer


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_core_names_are_core_s_own_objects() -> None:
    assert BoundingBox is geotorch.core.BoundingBox
    for name in ("stack_samples", "concat_samples", "merge_samples", "unbind_samples"):
        assert getattr(utils, name) is getattr(geotorch.core, name)
    assert (stack_samples, concat_samples, merge_samples, unbind_samples) == (
        geotorch.core.stack_samples,
        geotorch.core.concat_samples,
        geotorch.core.merge_samples,
        geotorch.core.unbind_samples,
    )


def test_check_integrity_takes_md5_positionally_and_sha256_as_a_keyword(tmp_path: Path) -> None:
    path = tmp_path / "a.bin"
    path.write_bytes(b"geotorch")
    md5 = hashlib.md5(b"geotorch").hexdigest()
    sha256 = hashlib.sha256(b"geotorch").hexdigest()
    assert check_integrity(path)
    assert check_integrity(path, md5)
    assert check_integrity(path, sha256=sha256)
    assert not check_integrity(path, "0" * 32)
    assert not check_integrity(tmp_path / "missing.bin", md5)
    with pytest.raises(ValueError, match=r"\['sha1'\] are not supported"):
        check_integrity(path, sha1="abc")


def test_extract_archive_takes_torchgeo_s_names_and_removes_when_finished(tmp_path: Path) -> None:
    archive = tmp_path / "scenes.zip"
    archive.write_bytes(zip_bytes({"scenes/a.txt": b"a"}))
    out = extract_archive(from_path=archive, to_path=tmp_path / "out", remove_finished=True)
    assert (Path(out) / "scenes" / "a.txt").read_bytes() == b"a"
    assert not archive.exists()


def test_extract_archive_defaults_to_the_archive_s_folder(tmp_path: Path) -> None:
    archive = tmp_path / "scenes.zip"
    archive.write_bytes(zip_bytes({"b.txt": b"b"}))
    extract_archive(archive)
    assert (tmp_path / "b.txt").read_bytes() == b"b"
    assert archive.exists()


def test_download_url_with_torchgeo_s_positional_arguments(http_server: LocalHTTPServer, tmp_path: Path) -> None:
    (http_server.root / "a.bin").write_bytes(b"payload")
    md5 = hashlib.md5(b"payload").hexdigest()
    # TorchGeo's order: url, root, filename, md5, max_redirect_hops.
    path = download_url(http_server.url("a.bin"), tmp_path, Path("named.bin"), md5, 3)
    assert Path(path) == tmp_path / "named.bin"
    assert path.read_bytes() == b"payload"


def test_download_url_refuses_a_damaged_file(http_server: LocalHTTPServer, tmp_path: Path) -> None:
    (http_server.root / "a.bin").write_bytes(b"payload")
    with pytest.raises(ChecksumError):
        download_url(http_server.url("a.bin"), tmp_path, sha256="0" * 64)
    assert not (tmp_path / "a.bin").exists()


def test_download_and_extract_archive(http_server: LocalHTTPServer, tmp_path: Path) -> None:
    payload = zip_bytes({"chips/c.txt": b"c"})
    (http_server.root / "chips.zip").write_bytes(payload)
    download_and_extract_archive(
        http_server.url("chips.zip"),
        tmp_path / "downloads",
        extract_root=tmp_path / "data",
        md5=hashlib.md5(payload).hexdigest(),
        remove_finished=True,
    )
    assert (tmp_path / "data" / "chips" / "c.txt").read_bytes() == b"c"
    assert not (tmp_path / "downloads" / "chips.zip").exists()


def test_find_files_takes_a_folder_a_file_or_a_list(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.tif").write_bytes(b"")
    (tmp_path / "y.tif").write_bytes(b"")
    (tmp_path / "z.txt").write_bytes(b"")
    assert find_files(tmp_path / "a", "*.tif") == [str(tmp_path / "a" / "x.tif")]
    assert sorted(find_files([tmp_path / "a", tmp_path / "y.tif"], "*.tif")) == sorted(
        [str(tmp_path / "a" / "x.tif"), str(tmp_path / "y.tif")]
    )


def test_working_dir_changes_and_restores_the_working_directory(tmp_path: Path) -> None:
    before = os.getcwd()
    with working_dir(tmp_path / "new" / "dir", create=True):
        assert Path(os.getcwd()) == (tmp_path / "new" / "dir").resolve()
    assert os.getcwd() == before


def test_percentile_normalization_maps_percentiles_to_zero_and_one() -> None:
    image = np.arange(1, 101, dtype=np.float64).reshape(10, 10)
    out = percentile_normalization(image, lower=0, upper=100)
    assert out.min() == 0.0
    assert out.max() == pytest.approx(1.0, abs=1e-6)
    assert out[0, 0] == 0.0
    nodata = np.zeros((3, 3))
    assert percentile_normalization(nodata) is nodata
    with pytest.raises(ValueError, match="lower=98 must be below upper=2"):
        percentile_normalization(image, 98, 2)


def test_array_to_tensor_widens_unsigned_types_torch_lacks() -> None:
    assert array_to_tensor(np.array([65535], dtype=np.uint16)).dtype == torch.int32
    assert array_to_tensor(np.array([2**32 - 1], dtype=np.uint32)).tolist() == [2**32 - 1]
    assert array_to_tensor(np.array([1.5], dtype=np.float32)).dtype == torch.float32
