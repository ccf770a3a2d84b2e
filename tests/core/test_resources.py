"""Core's Resource: a dataset's downloadable file never leads outside the dataset's root folder."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from geotorch.core import Resource, ensure_present


@pytest.mark.parametrize(
    "name",
    ["../victim.zip", "{outside}", "sub/../../victim.zip", "..\\victim.zip", "C:victim.zip", "./victim.zip", "",
     "x" * 256],
)
def test_a_resource_whose_filename_could_leave_root_is_refused_and_nothing_outside_is_touched(
    tmp_path: Path, name: str
) -> None:
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    victim = tmp_path / "victim.zip"
    victim.write_bytes(b"someone else's file")
    name = name.format(outside=victim)

    with pytest.raises(ValueError, match=re.escape(f"Resource: filename {name!r}")):
        ensure_present("Fields", root, [Resource("http://127.0.0.1:9/victim.zip", name, md5="0" * 32)],
                       lambda: False, download=True, checksum=True)

    assert victim.read_bytes() == b"someone else's file"
    assert sorted(path.name for path in root.iterdir()) == ["sub"]


def test_a_resource_may_name_a_file_in_a_folder_of_root() -> None:
    assert Resource("https://example.org/a.zip", "labels/a.zip").filename == "labels/a.zip"
