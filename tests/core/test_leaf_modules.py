"""Grid and RasterProfile live in leaf modules: the modules that use them import each other in one direction only."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _modules_loaded_by(module: str) -> set[str]:
    """The geotorch and GDAL modules a fresh interpreter holds after importing ``module``."""
    code = f"import sys, {module}; print('\\n'.join(sorted(sys.modules)))"
    loaded = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return set(loaded.split())


@pytest.mark.parametrize(
    ("leaf", "users"),
    [
        ("geotorch.core.grid", {"geotorch.core.mosaic", "geotorch.core.warp", "geotorch.core.wrap", "rasterio"}),
        ("geotorch.core.raster_profile", {"geotorch.core.geotiff", "geotorch.core.profiles", "rasterio"}),
    ],
)
def test_leaf_module_imports_none_of_its_users(leaf: str, users: set[str]) -> None:
    assert not _modules_loaded_by(leaf) & users


@pytest.mark.parametrize(
    ("module", "later"),
    [
        ("geotorch.core.warp", "geotorch.core.mosaic"),
        ("geotorch.core.wrap", "geotorch.core.mosaic"),
        ("geotorch.core.geotiff", "geotorch.core.profiles"),
    ],
)
def test_lower_module_loads_without_the_one_above_it(module: str, later: str) -> None:
    # Before the leaf modules, warp and wrap took Grid from mosaic, and geotiff RasterProfile from profiles.
    assert later not in _modules_loaded_by(module)


def test_samplers_load_without_gdal() -> None:
    # The samplers take GDAL's per-side limit from the Grid module, which loads no GDAL binding.
    assert not _modules_loaded_by("geotorch.samplers") & {"rasterio", "geotorch.core.mosaic"}
