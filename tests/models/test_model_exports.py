"""geotorch.models lists its public names once; the plugin registers its models by the paths read from them."""

import pytest

import geotorch.models
from geotorch.core import export_problems, export_targets
from geotorch.models.plugin import MODELS, REGISTERED_AS


def test_every_model_export_imports_and_the_init_holds_one_list() -> None:
    assert export_problems("geotorch.models") == []


def test_all_and_dir_are_the_name_table() -> None:
    names = list(export_targets("geotorch.models"))
    assert geotorch.models.__all__ == names
    assert set(names) <= set(dir(geotorch.models))
    with pytest.raises(AttributeError, match=r"^module 'geotorch.models' has no attribute 'NoSuchModel'$"):
        _ = geotorch.models.NoSuchModel


def test_every_registered_model_is_exported() -> None:
    targets = export_targets("geotorch.models")
    assert set(MODELS) <= set(targets)
    assert set(REGISTERED_AS) <= set(MODELS)
