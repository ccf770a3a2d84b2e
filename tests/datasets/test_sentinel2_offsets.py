"""Sentinel-2's offset of processing baseline 04.00: read as published by default, on the earlier scale if asked."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from geotorch.datasets import Sentinel2
from tests.datasets.fakes.geo import write_raster, write_sentinel2_safe

#: B04 of both products: no data (0), dark (500, below the offset), 1000, and bright pixels.
_B04 = np.array([[0, 500, 1000, 1500], [2000, 3000, 4000, 9000]], dtype="uint16")


def _mtd_msil2a(offsets: dict[int, int]) -> str:
    """An MTD_MSIL2A.xml as ESA writes it, reduced to the image characteristics that hold the offsets."""
    entries = "".join(f'<BOA_ADD_OFFSET band_id="{band}">{offset}</BOA_ADD_OFFSET>' for band, offset in offsets.items())
    listed = f"<BOA_ADD_OFFSET_VALUES_LIST>{entries}</BOA_ADD_OFFSET_VALUES_LIST>" if offsets else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<n1:Level-2A_User_Product xmlns:n1="https://psd-14.sentinel2.eo.esa.int/PSD/User_Product_Level-2A.xsd">'
        "<n1:General_Info><Product_Image_Characteristics>"
        '<QUANTIFICATION_VALUES_LIST><BOA_QUANTIFICATION_VALUE unit="none">10000</BOA_QUANTIFICATION_VALUE>'
        f"</QUANTIFICATION_VALUES_LIST>{listed}"
        "</Product_Image_Characteristics></n1:General_Info></n1:Level-2A_User_Product>\n"
    )


def _l2a(root: Path, sensed: str, baseline: str, offsets: dict[int, int] | None) -> Path:
    """An L2A SAFE of processing baseline ``baseline`` whose 10 m B04 is ``_B04`` (MTD_MSIL2A.xml when offsets)."""
    written = write_sentinel2_safe(root, "L2A", sensed=sensed)
    safe = written.rename(written.with_name(written.name.replace("_N0500_", f"_N{baseline}_")))
    band = next(safe.rglob("*_B04_10m.jp2"))
    write_raster(band, _B04, 32632, 600000.0, 5300040.0, 10.0, driver="JP2OpenJPEG")
    if offsets is not None:
        (safe / "MTD_MSIL2A.xml").write_text(_mtd_msil2a(offsets))
    return safe


def _steps(dataset: Sentinel2) -> np.ndarray:
    """B04's top-left 2 x 4 pixels of each time step."""
    sample = dataset[dataset.bounds]
    return np.asarray(sample["image"][:, 0, :2, :4])


def test_harmonize_reads_products_from_baseline_0400_on_the_earlier_scale(tmp_path: Path) -> None:
    _l2a(tmp_path, "20211230T103331", "0301", {})
    _l2a(tmp_path, "20220305T103331", "0400", {band: -1000 for band in range(13)})
    with pytest.warns(UserWarning, match="pass harmonize=True"):
        published = _steps(Sentinel2(tmp_path, bands=["B04"], time_series=True, harmonize=False))
    assert (published == _B04).all(), "the default reads the values as published, as TorchGeo's"
    harmonized = _steps(Sentinel2(tmp_path, bands=["B04"], time_series=True, harmonize=True))
    assert (harmonized[0] == _B04).all(), "a product before 04.00 carries no offset"
    assert harmonized[1].tolist() == [[0, 0, 0, 500], [1000, 2000, 3000, 8000]], "max(DN - 1000, 0): no data stays 0"


def test_harmonize_takes_each_bands_offset_from_the_product_metadata(tmp_path: Path) -> None:
    _l2a(tmp_path, "20220305T103331", "0400", {2: -1000, 3: -250})
    harmonized = _steps(Sentinel2(tmp_path, bands=["B04"], time_series=True, harmonize=True))
    assert harmonized[0].tolist() == [[0, 250, 750, 1250], [1750, 2750, 3750, 8750]], "B04 is band_id 3"


def test_harmonize_without_metadata_takes_the_baseline_of_the_safe_folder_name(tmp_path: Path) -> None:
    _l2a(tmp_path, "20220305T103331", "0500", None)
    harmonized = _steps(Sentinel2(tmp_path, bands=["B04"], time_series=True, harmonize=True))
    assert harmonized[0].tolist() == [[0, 0, 0, 500], [1000, 2000, 3000, 8000]]


def test_harmonize_refuses_band_files_of_unknown_baseline_naming_them(tmp_path: Path) -> None:
    exported = tmp_path / "T32UPU_20220305T103331_B04_10m.tif"
    write_raster(exported, _B04, 32632, 600000.0, 5300040.0, 10.0)
    assert (_steps(Sentinel2(tmp_path, bands=["B04"], time_series=True))[0] == _B04).all()
    with pytest.raises(ValueError, match=rf"processing baseline of {exported} is unknown.*harmonize=False"):
        Sentinel2(tmp_path, bands=["B04"], harmonize=True)


def test_a_damaged_product_metadata_file_is_named(tmp_path: Path) -> None:
    safe = _l2a(tmp_path, "20220305T103331", "0400", None)
    (safe / "MTD_MSIL2A.xml").write_text('<n1:Level-2A_User_Product><BOA_ADD_OFFSET band_id="3">-10')
    with pytest.raises(ValueError, match=r"MTD_MSIL2A\.xml: cannot read its BOA_ADD_OFFSET values"):
        Sentinel2(tmp_path, bands=["B04"], harmonize=True)


def test_harmonize_takes_no_baseline_from_the_name_of_a_product_made_with_sen2cor(tmp_path: Path) -> None:
    safe = _l2a(tmp_path, "20210305T103331", "9999", None)
    band = next(safe.rglob("*_B04_10m.jp2"))
    with pytest.raises(ValueError, match=rf"processing baseline of {band} is unknown"):
        Sentinel2(tmp_path, bands=["B04"], harmonize=True)
    (safe / "MTD_MSIL2A.xml").write_text(_mtd_msil2a({}))
    harmonized = _steps(Sentinel2(tmp_path, bands=["B04"], time_series=True, harmonize=True))
    assert (harmonized[0] == _B04).all(), "Sen2Cor before 2.10 wrote no offset into its metadata"


def test_a_metadata_file_of_another_product_higher_up_is_not_taken(tmp_path: Path) -> None:
    (tmp_path / "MTD_MSIL2A.xml").write_text(_mtd_msil2a({3: -250}))
    _l2a(tmp_path / "products", "20220305T103331", "0400", None)
    harmonized = _steps(Sentinel2(tmp_path / "products", bands=["B04"], time_series=True, harmonize=True))
    assert harmonized[0].tolist() == [[0, 0, 0, 500], [1000, 2000, 3000, 8000]], "the SAFE name's -1000, not -250"
    exported = tmp_path / "exports" / "T32UPU_20220305T103331_B04_10m.tif"
    write_raster(exported, _B04, 32632, 600000.0, 5300040.0, 10.0)
    with pytest.raises(ValueError, match="is unknown"):
        Sentinel2(tmp_path / "exports", bands=["B04"], harmonize=True)
    (exported.parent / "MTD_MSIL2A.xml").write_text(_mtd_msil2a({3: -1000}))
    beside = _steps(Sentinel2(tmp_path / "exports", bands=["B04"], time_series=True, harmonize=True))
    assert beside[0].tolist() == [[0, 0, 0, 500], [1000, 2000, 3000, 8000]], "the metadata file beside the export"
