"""Land-cover products' ``classes`` and ``years``: lists of whole numbers, each named once, keeping a class."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from geotorch.datasets import CDL, NLCD, Chesapeake7, ChesapeakeDE, Esri2020
from geotorch.datasets.land_cover import LandCoverRaster
from tests.datasets.fakes.products import (
    write_baywide,
    write_cdl_year,
    write_chesapeake_lulc,
    write_esri2020_tile,
    write_nlcd_year,
)

#: Each product, a writer of one of its rasters in the published layout, and two of its class values.
PRODUCTS: dict[type[LandCoverRaster], tuple[Callable[[Path], Path], tuple[int, int]]] = {
    NLCD: (lambda folder: write_nlcd_year(folder, 2024), (11, 41)),
    CDL: (lambda folder: write_cdl_year(folder, 2023), (1, 24)),
    Esri2020: (write_esri2020_tile, (1, 7)),
    Chesapeake7: (write_baywide, (1, 2)),
    ChesapeakeDE: (write_chesapeake_lulc, (11, 41)),
}


@pytest.mark.parametrize("cls", PRODUCTS, ids=lambda cls: cls.__name__)
@pytest.mark.parametrize("classes", [[], [0]], ids=["empty", "background"])
def test_classes_keeping_no_class_are_refused_not_all_background(
    cls: type[LandCoverRaster], classes: list[int], tmp_path: Path
) -> None:
    PRODUCTS[cls][0](tmp_path)
    message = f"{cls.__name__}: classes={classes} keeps no class but the background 0"
    with pytest.raises(ValueError, match=re.escape(message)):
        cls(paths=tmp_path, classes=classes)


@pytest.mark.parametrize("cls", PRODUCTS, ids=lambda cls: cls.__name__)
def test_a_class_named_twice_is_refused_not_merged(cls: type[LandCoverRaster], tmp_path: Path) -> None:
    write, (first, second) = PRODUCTS[cls]
    write(tmp_path)
    with pytest.raises(ValueError, match=rf"classes=\[{first}, {first}, {second}\] names \[{first}\] more than once"):
        cls(paths=tmp_path, classes=[first, first, second])


@pytest.mark.parametrize(
    ("classes", "message"),
    [
        (11, r"classes must be a list of whole numbers, got int \(11\); for one value pass \[11\]"),
        ([11.0, 41], r"classes must hold whole numbers, got float \(11.0\)"),
        (["11"], r"classes must hold whole numbers, got str \('11'\)"),
        ("11", r"classes must be a list of whole numbers, got str"),
    ],
)
def test_classes_of_other_types_are_named(classes: Any, message: str, tmp_path: Path) -> None:
    write_nlcd_year(tmp_path, 2024)
    with pytest.raises(TypeError, match=rf"NLCD: {message}"):
        NLCD(paths=tmp_path, classes=classes)


@pytest.mark.parametrize(
    ("years", "error", "message"),
    [
        (2024, TypeError, r"years must be a list of whole numbers, got int \(2024\)"),
        ([2024.0], TypeError, r"years must hold whole numbers, got float \(2024.0\)"),
        ([2024, 2024], ValueError, r"years=\[2024, 2024\] names \[2024\] more than once"),
    ],
)
def test_years_of_other_types_or_named_twice_are_refused(
    years: Any, error: type[Exception], message: str, tmp_path: Path
) -> None:
    write_nlcd_year(tmp_path, 2024)
    with pytest.raises(error, match=rf"NLCD: {message}"):
        NLCD(paths=tmp_path, years=years)


def test_numpy_whole_numbers_are_classes_and_years(tmp_path: Path) -> None:
    write_nlcd_year(tmp_path, 2024)
    dataset = NLCD(paths=tmp_path, years=np.array([2024]), classes=np.array([82, 11]))
    assert dataset.years == (2024,) and dataset.classes == (0, 82, 11)
    assert set(dataset[dataset.bounds]["mask"].unique().tolist()) == {0, 1, 2}
    assert dataset[dataset.bounds]["mask"].dtype == torch.int64
