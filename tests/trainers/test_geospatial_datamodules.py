"""Datamodules over geospatial products: imagery & labels in other CRSs, split into strips, trained and predicted."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rasterio.warp import transform_bounds

from geotorch.core import get_datamodule
from geotorch.datamodules import (
    ImageLabelDataModule,
    NAIPChesapeakeDataModule,
    Sentinel2CDLDataModule,
    Sentinel2Esri2020DataModule,
    Sentinel2EuroCropsDataModule,
    Sentinel2NLCDDataModule,
)
from geotorch.datasets import EuroCrops
from geotorch.trainers import SemanticSegmentationTask
from tests.datasets.fakes.geo import reflectance, stripes, write_raster, write_shapefile
from tests.trainers.task_fakes import fast_trainer

#: Pixels a side of every fake scene, and the patch the datamodules cut.
SIZE, PATCH = 64, 8


def covering(bounds: tuple[float, float, float, float], source: int, target: int, res: float) -> tuple[float, float,
                                                                                                       int]:
    """``(left, top, pixels a side)`` of a square ``res`` grid in ``target`` covering ``bounds`` in ``source``."""
    left, bottom, right, top = transform_bounds(f"EPSG:{source}", f"EPSG:{target}", *bounds)
    left, top = np.floor(left / res) * res - res, np.ceil(top / res) * res + res
    side = int(np.ceil(max(right - left, top - bottom) / res)) + 2
    return float(left), float(top), side


def naip_and_chesapeake(root: Path) -> dict[str, Any]:
    """A 4-band NAIP quad at 0.6 m in EPSG:26918 and the 7-class bay-wide map at 1 m in EPSG:5070 over it."""
    left, top, res = 300000.0, 4300000.0, 0.6
    bands = np.stack([reflectance((SIZE, SIZE), band) // 100 for band in range(4)]).astype("uint8")
    write_raster(root / "naip" / "m_3807511_ne_18_060_20181104.tif", bands, 26918, left, top, res)
    x, y, side = covering((left, top - SIZE * res, left + SIZE * res, top), 26918, 5070, 1.0)
    write_raster(root / "chesapeake" / "Baywide_7class_20132014.tif", stripes((side, side), range(1, 8)), 5070,
                 x, y, 1.0, nodata=0)
    return {"naip_root": root / "naip", "chesapeake_paths": root / "chesapeake"}


def sentinel2_scene(folder: Path, epsg: int, left: float, top: float,
                    sensed: str = "20210101T103331") -> tuple[float, float, float, float]:
    """Sentinel-2 B02, B03, B04 and B08 GeoTIFF exports sensed at ``sensed``, 10 m; returns their bounds."""
    for number, band in enumerate(("B02", "B03", "B04", "B08")):
        write_raster(folder / f"T16TDL_{sensed}_{band}_10m.tif", reflectance((SIZE, SIZE), number), epsg,
                     left, top, 10.0)
    return left, top - SIZE * 10.0, left + SIZE * 10.0, top


def sentinel2_and_yearly(product: str, raw: tuple[int, ...]) -> Callable[[Path], dict[str, Any]]:
    """A Sentinel-2 scene in EPSG:32616 and a 30 m ``product`` raster of 2021 in EPSG:5070 covering it."""

    def write(root: Path) -> dict[str, Any]:
        bounds = sentinel2_scene(root / "sentinel2", 32616, 500000.0, 4650000.0)
        x, y, side = covering(bounds, 32616, 5070, 30.0)
        name = {"cdl": "2021_30m_cdls.tif", "nlcd": "Annual_NLCD_LndCov_2021_CU_C1V1.tif"}[product]
        write_raster(root / product / name, stripes((side, side), raw, width=2), 5070, x, y, 30.0, nodata=0)
        return {"sentinel2_root": root / "sentinel2", "sentinel2_bands": ["B04", "B03", "B02", "B08"],
                f"{product}_root": root / product, f"{product}_years": [2021]}

    return write


def sentinel2_and_eurocrops(root: Path) -> dict[str, Any]:
    """A Sentinel-2 scene in EPSG:32633 near 14 E, 48 N and EuroCrops' Austrian parcels of 2021 over it."""
    bounds = sentinel2_scene(root / "sentinel2", 32633, 425000.0, 5320000.0)
    west, south, east, north = transform_bounds("EPSG:32633", "EPSG:4326", *bounds)
    width = (east - west) / 4
    parcels = [[(west + width * number, south), (west + width * (number + 1), south),
                (west + width * (number + 1), north), (west + width * number, north), (west + width * number, south)]
               for number in range(4)]
    folder = root / "eurocrops"
    (folder / "HCAT2.csv").parent.mkdir(parents=True, exist_ok=True)
    (folder / "HCAT2.csv").write_text("HCAT2_name,HCAT2_code\nwheat,3301010100\nmaize,3301010600\n")
    write_shapefile(folder / "AT_2021_EC21" / "AT_2021_EC21.shp", parcels, "EC_hcat_c",
                    ["3301010100", "3301010600", "3301010100", "3301010600"])
    return {"sentinel2_root": root / "sentinel2", "sentinel2_bands": ["B04", "B03", "B02", "B08"],
            "eurocrops_root": folder}


def sentinel2_and_esri2020(root: Path) -> dict[str, Any]:
    """A Sentinel-2 scene of 2020 in EPSG:32616 and Esri's 2020 land-cover tile 16T (10 m) around it."""
    sentinel2_scene(root / "sentinel2", 32616, 500000.0, 4650000.0, sensed="20200615T163901")
    write_raster(root / "esri2020" / "16T_20200101-20210101.tif", stripes((SIZE + 20, SIZE + 20), range(1, 11)),
                 32616, 499900.0, 4650100.0, 10.0, nodata=0)
    return {"sentinel2_root": root / "sentinel2", "sentinel2_bands": ["B04", "B03", "B02", "B08"],
            "esri2020_root": root / "esri2020"}


#: Datamodule, fake data writer (returning the datamodule's dataset arguments), classes of the masks.
CASES: list[tuple[type[ImageLabelDataModule], Callable[[Path], dict[str, Any]], int]] = [
    (NAIPChesapeakeDataModule, naip_and_chesapeake, 8),
    (Sentinel2CDLDataModule, sentinel2_and_yearly("cdl", (1, 5, 24, 111)), 256),
    (Sentinel2NLCDDataModule, sentinel2_and_yearly("nlcd", (11, 41, 82)), 20),
    (Sentinel2EuroCropsDataModule, sentinel2_and_eurocrops, 3),
    (Sentinel2Esri2020DataModule, sentinel2_and_esri2020, 11),
]


@pytest.fixture(autouse=True)
def austria_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(EuroCrops, "md5s", {"AT_2021.zip": ""})


@pytest.mark.parametrize(("datamodule_class", "write", "classes"), CASES, ids=[case[0].__name__ for case in CASES])
def test_every_geospatial_datamodule_fits_tests_and_predicts(tmp_path: Path,
                                                             datamodule_class: type[ImageLabelDataModule],
                                                             write: Callable[[Path], dict[str, Any]],
                                                             classes: int) -> None:
    datamodule = datamodule_class(batch_size=2, patch_size=PATCH, length=4, splits=(0.5, 0.25, 0.25),
                                  **write(tmp_path / "data"))
    datamodule.setup("fit")
    assert datamodule.train_dataset is not None and datamodule.test_dataset is not None
    batch = next(iter(datamodule.train_dataloader()))
    assert batch["image"].shape == (2, datamodule.num_channels, PATCH, PATCH)
    assert batch["mask"].shape[-2:] == (PATCH, PATCH) and int(batch["mask"].max()) > 0, "labels reach the imagery"
    train, test = datamodule.train_dataset.bounds, datamodule.test_dataset.bounds
    assert train.maxx <= test.minx or train.miny >= test.maxy, "disjoint strips, west to east or north to south"
    task = SemanticSegmentationTask(model="fcn", num_filters=4, in_channels=datamodule.num_channels or 0,
                                    num_classes=classes)
    trainer = fast_trainer(tmp_path)
    trainer.fit(task, datamodule=datamodule)
    trainer.test(task, datamodule=datamodule)
    assert "test_loss" in trainer.callback_metrics
    predictions = trainer.predict(task, datamodule=datamodule)
    assert predictions


def test_the_generic_datamodule_pairs_any_registered_products_by_name(tmp_path: Path) -> None:
    arguments = sentinel2_and_yearly("nlcd", (11, 41, 82))(tmp_path)
    datamodule = get_datamodule("ImageLabelDataModule", image_dataset="Sentinel2", label_dataset="NLCD",
                                image_kwargs={"root": arguments["sentinel2_root"], "bands": ["B04"]},
                                label_kwargs={"root": arguments["nlcd_root"], "years": [2021], "classes": [11, 41, 82]},
                                mean=[1000.0], std=[500.0],
                                patch_size=PATCH, splits=(0.5, 0.25, 0.25))
    datamodule.setup("fit")
    assert datamodule.num_channels == 1 and tuple(datamodule.mean) == (1000.0,)
    sample = datamodule.val_dataset[datamodule.val_dataset.bounds]
    labels = set(sample["mask"].unique().tolist())
    assert labels <= {1, 2, 3} and len(labels) >= 2, "NLCD 11, 41, 82 become 1, 2, 3 on Sentinel-2's grid"


def test_an_unknown_product_name_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"'Sentinel3' is not a GeoDataset.*Sentinel2"):
        ImageLabelDataModule(image_dataset="Sentinel3", label_dataset="NLCD")


def test_labels_of_another_year_leave_nothing_to_train_on(tmp_path: Path) -> None:
    arguments = sentinel2_and_yearly("cdl", (1, 5))(tmp_path)
    (tmp_path / "cdl" / "2021_30m_cdls.tif").rename(tmp_path / "cdl" / "2019_30m_cdls.tif")
    datamodule = Sentinel2CDLDataModule(patch_size=PATCH, **{**arguments, "cdl_years": [2019]})
    with pytest.raises(ValueError, match="Sentinel2 and CDL do not overlap in space and time"):
        datamodule.setup("fit")
