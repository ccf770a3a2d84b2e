"""Geospatial datamodules name a dataset argument its dataset does not take, as they were given it, when built."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from geotorch.datamodules import ImageLabelDataModule, NAIPChesapeakeDataModule, Sentinel2CDLDataModule
from geotorch.datasets import NLCD, EuroSAT


def test_a_misspelt_prefixed_argument_is_named_when_built(tmp_path: Path) -> None:
    # It reached CDL at setup: TypeError "YearlyLandCover.__init__() got an unexpected keyword argument 'yeras'".
    message = "Sentinel2CDLDataModule: cdl_yeras (or label_kwargs['yeras']) is no argument of CDL; its arguments are"
    with pytest.raises(ValueError, match=re.escape(message) + ".* years, classes,"):
        Sentinel2CDLDataModule(sentinel2_root=tmp_path, cdl_root=tmp_path, cdl_yeras=[2021])
    with pytest.raises(ValueError, match=re.escape("NAIPChesapeakeDataModule: naip_band (or image_kwargs['band'])")):
        NAIPChesapeakeDataModule(naip_root=tmp_path, naip_band=["R", "G", "B"])


def test_a_misspelt_argument_of_the_generic_datamodule_is_named_when_built(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=re.escape("ImageLabelDataModule: label_clases (or label_kwargs['clases'])")):
        ImageLabelDataModule(image_dataset="Sentinel2", label_dataset="NLCD", label_kwargs={"clases": [11]})


def test_arguments_the_datasets_take_are_kept(tmp_path: Path) -> None:
    datamodule = Sentinel2CDLDataModule(sentinel2_paths=tmp_path, sentinel2_bands=["B04"], cdl_root=tmp_path,
                                        cdl_years=[2021], cdl_classes=[1, 5])
    assert datamodule.image_arguments == {"paths": tmp_path, "bands": ["B04"]}
    assert datamodule.label_arguments == {"root": tmp_path, "years": [2021], "classes": [1, 5]}


def test_a_dataset_that_is_no_geodataset_class_is_named_when_built(tmp_path: Path) -> None:
    # EuroSAT (chips, no places) and a function were taken as the imagery's class, to fail at setup.
    with pytest.raises(ValueError, match=re.escape("EuroSAT is not a GeoDataset class")):
        ImageLabelDataModule(image_dataset=EuroSAT, label_dataset=NLCD, image_kwargs={"root": tmp_path})
    with pytest.raises(ValueError, match=re.escape("print is not a GeoDataset class")):
        ImageLabelDataModule(image_dataset="Sentinel2", label_dataset=print)
    with pytest.raises(ValueError, match=re.escape("'sentinel2' is not a GeoDataset in the registry (names are "
                                                   "case-sensitive: 'Sentinel2'?)")):
        ImageLabelDataModule(image_dataset="sentinel2", label_dataset="NLCD")


@pytest.mark.parametrize(
    ("mean", "std", "expected"),
    [
        (0.0, 10000, ((0.0,), (10000.0,))),
        (np.float32(0.0), np.array([1e4, 2e4], dtype=np.float32), ((0.0,), (10000.0, 20000.0))),
        (torch.tensor([0.0, 1.0]), torch.tensor(10000.0), ((0.0, 1.0), (10000.0,))),
    ],
    ids=["numbers", "numpy", "tensors"],
)
def test_mean_and_std_are_taken_as_numbers_arrays_or_tensors(mean: Any, std: Any, expected: Any) -> None:
    # mean=0.0 raised "'float' object is not iterable" and a 0-d tensor "iteration over a 0-d tensor".
    datamodule = Sentinel2CDLDataModule(mean=mean, std=std)
    assert (datamodule.mean, datamodule.std) == expected


def test_mean_of_strings_is_named() -> None:
    with pytest.raises(TypeError, match=re.escape("Sentinel2CDLDataModule: mean=['a'] must be a number or a list")):
        Sentinel2CDLDataModule(mean=["a"], std=[1.0])
