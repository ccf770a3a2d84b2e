"""geotorch.trainers and geotorch.datamodules list their public names once; the plugin registers by them."""

import importlib
import subprocess
import sys

import pytest

from geotorch.core import export_problems, export_targets
from geotorch.trainers.plugin import DATAMODULES, TASKS

PACKAGES = ["geotorch.trainers", "geotorch.datamodules"]


@pytest.mark.parametrize("package", PACKAGES)
def test_every_export_imports_and_the_init_holds_one_list(package: str) -> None:
    assert export_problems(package) == []


@pytest.mark.parametrize("package", PACKAGES)
def test_all_and_dir_are_the_name_table(package: str) -> None:
    module = importlib.import_module(package)
    names = list(export_targets(package))
    assert module.__all__ == names
    assert set(names) <= set(dir(module))
    with pytest.raises(AttributeError, match=rf"^module '{package}' has no attribute 'NoSuchName'$"):
        _ = module.NoSuchName


def test_every_registered_task_and_datamodule_is_exported() -> None:
    assert set(TASKS) <= set(export_targets("geotorch.trainers"))
    assert set(DATAMODULES) <= set(export_targets("geotorch.datamodules"))


def test_importing_trainers_and_datamodules_loads_no_lightning_and_no_torch() -> None:
    code = (
        "import sys; import geotorch.trainers, geotorch.datamodules; "
        "print([m for m in ('torch', 'lightning', 'kornia') if m in sys.modules])"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
