"""The example plugin's own tests: its dataset passes GeoTorch's conformance kit, its model loads its weight."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin

from geotorch.core.testing import GeoDatasetConformance

pytest.importorskip("geotorch_example_plugin", reason="pip install tests/plugins/geotorch-example-plugin first")

from geotorch_example_plugin.dataset import ExampleScenes
from geotorch_example_plugin.model import EXAMPLE_CNN_SEED0, example_cnn


def write_scene(folder: Path, date: str, left: float) -> None:
    """One ``example_<date>.tif``: 3 uint16 bands, 24 x 24 pixels of 30 m in UTM zone 33N."""
    folder.mkdir(parents=True, exist_ok=True)
    values = np.random.default_rng(int(date)).integers(1, 10_000, (3, 24, 24), dtype=np.uint16)
    with rasterio.open(folder / f"example_{date}.tif", "w", driver="GTiff", width=24, height=24, count=3,
                       dtype="uint16", crs="EPSG:32633", transform=from_origin(left, 5_000_000.0, 30.0, 30.0)) as out:
        out.write(values)


class TestExampleScenes(GeoDatasetConformance):
    dataset_class = ExampleScenes
    variants: ClassVar = {"red": {"bands": ("red",)}, "rgb": {"bands": ExampleScenes.rgb_bands}, "60m": {"res": 60.0}}

    @pytest.fixture
    def dataset_kwargs(self, tmp_path):
        write_scene(tmp_path, "20230105", 400_000.0)
        write_scene(tmp_path, "20230411", 400_360.0)
        return {"paths": tmp_path}


def test_scenes_are_dated_from_their_file_names(tmp_path):
    write_scene(tmp_path, "20230105", 400_000.0)
    dataset = ExampleScenes(tmp_path)
    assert dataset.bounds.mint == pytest.approx(1672876800.0)


def test_model_loads_the_registered_weight_deterministically():
    first = example_cnn(weights=EXAMPLE_CNN_SEED0)
    second = example_cnn(weights=EXAMPLE_CNN_SEED0)
    for name, value in first.state_dict().items():
        assert value.equal(second.state_dict()[name]), name


def test_model_refuses_weights_for_other_inputs():
    with pytest.raises(ValueError, match="in_chans=3"):
        example_cnn(in_chans=4, weights=EXAMPLE_CNN_SEED0)
