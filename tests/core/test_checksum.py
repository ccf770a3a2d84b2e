"""Specification of geotorch.core.resources.verify_checksum: which published checksum a file fails, and what it has."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from geotorch.core import ChecksumError, verify_checksum

PAYLOAD = b"So2Sat training file"
MD5 = hashlib.md5(PAYLOAD).hexdigest()
SHA256 = hashlib.sha256(PAYLOAD).hexdigest()


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "training.h5"
    path.write_bytes(PAYLOAD)
    return path


def test_a_file_matching_every_checksum_given_passes_in_any_case(data: Path) -> None:
    verify_checksum(data, md5=MD5.upper(), sha256=SHA256)
    verify_checksum(data)


@pytest.mark.parametrize(("md5", "sha256", "algorithm"), [("0" * 32, None, "md5"), (MD5, "f" * 64, "sha256")])
def test_a_mismatch_names_the_file_the_algorithm_and_both_checksums_and_keeps_the_file(
    data: Path, md5: str, sha256: str | None, algorithm: str
) -> None:
    with pytest.raises(ChecksumError, match=rf"training\.h5: {algorithm} checksum mismatch") as error:
        verify_checksum(data, md5=md5, sha256=sha256)

    actual = MD5 if algorithm == "md5" else SHA256
    assert (error.value.algorithm, error.value.actual) == (algorithm, actual)
    assert data.read_bytes() == PAYLOAD
