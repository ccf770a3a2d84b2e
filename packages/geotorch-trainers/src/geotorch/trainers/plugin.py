"""The geotorch-trainers plugin: registers its tasks, its datamodules and ``geotorch fit|validate|test|predict``."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from geotorch.core import CommandRegistrar, Register, hookimpl

#: Registered name -> import path of every task; modules are imported only when a task is built.
TASKS = {
    "SemanticSegmentationTask": "geotorch.trainers.segmentation:SemanticSegmentationTask",
    "ClassificationTask": "geotorch.trainers.classification:ClassificationTask",
    "MultiLabelClassificationTask": "geotorch.trainers.classification:MultiLabelClassificationTask",
    "RegressionTask": "geotorch.trainers.regression:RegressionTask",
    "PixelwiseRegressionTask": "geotorch.trainers.regression:PixelwiseRegressionTask",
    "ChangeDetectionTask": "geotorch.trainers.change:ChangeDetectionTask",
    "ObjectDetectionTask": "geotorch.trainers.detection:ObjectDetectionTask",
    "InstanceSegmentationTask": "geotorch.trainers.detection:InstanceSegmentationTask",
    "SimCLRTask": "geotorch.trainers.ssl_simclr:SimCLRTask",
    "MoCoTask": "geotorch.trainers.ssl_moco:MoCoTask",
    "BYOLTask": "geotorch.trainers.ssl_byol:BYOLTask",
}

#: Registered name -> (import path, the dataset it serves) of every datamodule.
DATAMODULES = {
    "GeoDataModule": ("geotorch.datamodules.geo:GeoDataModule", None),
    "NonGeoDataModule": ("geotorch.datamodules.nongeo:NonGeoDataModule", None),
    "DemoDataModule": ("geotorch.datamodules.demo:DemoDataModule", "DemoImagery & DemoLandCover"),
    "EuroSATDataModule": ("geotorch.datamodules.classification:EuroSATDataModule", "EuroSAT"),
    "EuroSATSpatialDataModule": ("geotorch.datamodules.classification:EuroSATSpatialDataModule", "EuroSATSpatial"),
    "EuroSAT100DataModule": ("geotorch.datamodules.classification:EuroSAT100DataModule", "EuroSAT100"),
    "UCMercedDataModule": ("geotorch.datamodules.classification:UCMercedDataModule", "UCMerced"),
    "RESISC45DataModule": ("geotorch.datamodules.classification:RESISC45DataModule", "RESISC45"),
    "PatternNetDataModule": ("geotorch.datamodules.classification:PatternNetDataModule", "PatternNet"),
    "So2SatDataModule": ("geotorch.datamodules.classification:So2SatDataModule", "So2Sat"),
    "BigEarthNetDataModule": ("geotorch.datamodules.classification:BigEarthNetDataModule", "BigEarthNet"),
    "LoveDADataModule": ("geotorch.datamodules.segmentation:LoveDADataModule", "LoveDA"),
    "LandCoverAIDataModule": ("geotorch.datamodules.segmentation:LandCoverAIDataModule", "LandCoverAI"),
    "InriaAerialImageLabelingDataModule": ("geotorch.datamodules.segmentation:InriaAerialImageLabelingDataModule",
                                           "InriaAerialImageLabeling"),
    "DeepGlobeLandCoverDataModule": ("geotorch.datamodules.segmentation:DeepGlobeLandCoverDataModule",
                                     "DeepGlobeLandCover"),
    "ETCI2021DataModule": ("geotorch.datamodules.segmentation:ETCI2021DataModule", "ETCI2021"),
    "ImageLabelDataModule": ("geotorch.datamodules.geospatial:ImageLabelDataModule", None),
    "NAIPChesapeakeDataModule": ("geotorch.datamodules.geospatial:NAIPChesapeakeDataModule", "NAIP & Chesapeake7"),
    "Sentinel2CDLDataModule": ("geotorch.datamodules.geospatial:Sentinel2CDLDataModule", "Sentinel2 & CDL"),
    "Sentinel2Esri2020DataModule": ("geotorch.datamodules.geospatial:Sentinel2Esri2020DataModule",
                                    "Sentinel2 & Esri2020"),
    "Sentinel2EuroCropsDataModule": ("geotorch.datamodules.geospatial:Sentinel2EuroCropsDataModule",
                                     "Sentinel2 & EuroCrops"),
    "Sentinel2NLCDDataModule": ("geotorch.datamodules.geospatial:Sentinel2NLCDDataModule", "Sentinel2 & NLCD"),
    "LEVIRCDDataModule": ("geotorch.datamodules.change:LEVIRCDDataModule", "LEVIRCD"),
    "OSCDDataModule": ("geotorch.datamodules.change:OSCDDataModule", "OSCD"),
    "NonGeoDetectionDataModule": ("geotorch.datamodules.detection:NonGeoDetectionDataModule", None),
    "VHR10DataModule": ("geotorch.datamodules.detection:VHR10DataModule", "VHR10"),
}


#: The subcommands, with their help.
SUBCOMMANDS = {
    "fit": "train a task on a datamodule (geotorch fit --config conf/quickstart.yaml)",
    "validate": "evaluate a task on a datamodule's validation split",
    "test": "evaluate a task on a datamodule's test split",
    "predict": "predict with a task; on a GeoDataset, write georeferenced GeoTIFFs",
}


@hookimpl
def register_tasks(register: Register) -> None:
    """Register every task of :data:`TASKS` by import path."""
    for name, target in TASKS.items():
        register(target, name=name)


@hookimpl
def register_datamodules(register: Register) -> None:
    """Register every datamodule of :data:`DATAMODULES` by import path, with the dataset it serves."""
    for name, (target, dataset) in DATAMODULES.items():
        register(target, name=name, dataset=dataset)


@hookimpl
def register_commands(cli: CommandRegistrar) -> None:
    """Add ``fit``, ``validate``, ``test`` and ``predict``; Lightning is imported only when one runs."""
    for name, help in SUBCOMMANDS.items():
        cli.add(name, _runner(name), help=help)


def _runner(subcommand: str) -> Callable[[Sequence[str]], int]:
    def run(argv: Sequence[str]) -> int:
        from geotorch.trainers.cli import run

        return run(subcommand, argv)

    run.__doc__ = f"Run ``geotorch {subcommand}``."
    return run
