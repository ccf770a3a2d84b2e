"""Products refuse bands given as one string, which was read letter by letter."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from geotorch.core import RasterDataset
from geotorch.datasets import NAIP, DemoImagery, Sentinel2
from geotorch.datasets.demo_area import generate_demo_area
from tests.datasets.fakes.geo import write_sentinel2_safe
from tests.datasets.fakes.products import write_naip_quad


def test_naip_refuses_bands_as_one_string_it_read_letter_by_letter(tmp_path: Path) -> None:
    # bands='RGB' read the quad's R, G and B (one letter per band) and bands='R' its red, by chance.
    write_naip_quad(tmp_path)
    for bands in ("RGB", "R"):
        message = f"NAIP: bands={bands!r} must be a list of band names, such as ['R', 'G', 'B'], not one string"
        with pytest.raises(TypeError, match=re.escape(message)):
            NAIP(tmp_path, bands=bands)
    assert NAIP(tmp_path, bands=["R", "G", "B"]).bands == ("R", "G", "B")


def test_other_products_and_the_core_refuse_one_string_naming_the_dataset(tmp_path: Path) -> None:
    # Sentinel2(bands='B04') said "unknown band(s) ['B', '0', '4']".
    write_sentinel2_safe(tmp_path / "s2", "L2A")
    with pytest.raises(TypeError, match=re.escape("Sentinel2: bands='B04' must be a list of band names")):
        Sentinel2(tmp_path / "s2", bands="B04")
    area = generate_demo_area(tmp_path / "area")
    with pytest.raises(TypeError, match=re.escape("DemoImagery: bands='red' must be a list of band names")):
        DemoImagery(area, bands="red")
    with pytest.raises(TypeError, match=re.escape("RasterDataset: bands='1' must be a list of band names")):
        RasterDataset(area / "imagery", bands="1")
