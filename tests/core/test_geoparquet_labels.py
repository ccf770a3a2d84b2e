"""GeoParquet label columns of the types databases and dataframes write, read as exact class ids."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
import shapely
from pyproj import CRS

from geotorch.core import BoundingBox, VectorDataset
from geotorch.core.errors import LabelValueError

pa = pytest.importorskip("pyarrow")
parquet = pytest.importorskip("pyarrow.parquet")

#: Two fields of 100 x 100 m in UTM 32N, side by side.
FIELDS = [shapely.box(500_000, 5_500_000, 500_100, 5_500_100), shapely.box(500_100, 5_500_000, 500_200, 5_500_100)]


def write_fields(path: Path, codes: list[Decimal], decimals: int) -> Path:
    """FIELDS as GeoParquet with a ``code`` column of ``decimal128(12, decimals)`` (a NUMERIC column's export)."""
    geo = {
        "version": "1.1.0",
        "primary_column": "geometry",
        "columns": {"geometry": {"encoding": "WKB", "crs": CRS.from_epsg(32632).to_json_dict()}},
    }
    table = pa.table(
        {
            "geometry": pa.array(list(shapely.to_wkb(np.array(FIELDS, dtype=object))), pa.binary()),
            "code": pa.array(codes, pa.decimal128(12, decimals)),
        }
    )
    parquet.write_table(table.replace_schema_metadata({b"geo": json.dumps(geo).encode()}), path)
    return path


def test_integral_decimal_codes_are_class_ids(tmp_path: Path) -> None:
    # Crop codes exported from a database's NUMERIC(12, 0) column come as pyarrow decimals: every sample failed
    # with LabelValueError "... 'code' ... has type Decimal, not an integer class id".
    path = write_fields(tmp_path / "fields.parquet", [Decimal("3301010100"), Decimal("3301060700.00")], 2)
    dataset = VectorDataset(path, res=10.0, label_name="code")
    mask = dataset[BoundingBox(500_000, 500_200, 5_500_000, 5_500_100)]["mask"].numpy()
    np.testing.assert_array_equal(mask, np.repeat([[3301010100] * 10 + [3301060700] * 10], 10, axis=0))


def test_a_fractional_decimal_code_is_named(tmp_path: Path) -> None:
    path = write_fields(tmp_path / "fields.parquet", [Decimal("3.00"), Decimal("2.50")], 2)
    dataset = VectorDataset(path, res=10.0, label_name="code")
    with pytest.raises(LabelValueError, match=r"2\.50.*is not an integer class id"):
        dataset[BoundingBox(500_000, 500_200, 5_500_000, 5_500_100)]
