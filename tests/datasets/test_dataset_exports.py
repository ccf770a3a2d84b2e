"""geotorch.datasets lists its public names once; the plugin registers its catalog by the paths read from them."""

import subprocess
import sys

import pytest

import geotorch.datasets
from geotorch.core import export_problems, export_targets
from geotorch.datasets.catalog import DATASETS


def test_every_dataset_export_imports_and_the_init_holds_one_list() -> None:
    assert export_problems("geotorch.datasets") == []


def test_all_and_dir_are_the_name_table() -> None:
    names = list(export_targets("geotorch.datasets"))
    assert geotorch.datasets.__all__ == names
    assert set(names) <= set(dir(geotorch.datasets))
    with pytest.raises(AttributeError, match=r"^module 'geotorch.datasets' has no attribute 'NoSuchDataset'$"):
        _ = geotorch.datasets.NoSuchDataset


def test_every_catalog_dataset_is_exported_and_core_names_are_re_exported() -> None:
    targets = export_targets("geotorch.datasets")
    assert set(DATASETS) <= set(targets)
    assert targets["EuroSAT"] == "geotorch.datasets.eurosat:EuroSAT"
    assert targets["RasterDataset"] == "geotorch.core:RasterDataset"


def test_importing_datasets_loads_no_dataset_module_and_no_heavy_library() -> None:
    code = (
        "import sys; import geotorch.datasets; "
        "print([m for m in sys.modules if m.startswith(('torch', 'rasterio', 'geotorch.datasets.'))])"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
