"""The geotorch-trainers plugin: registers its tasks, its datamodules and ``geotorch fit|validate|test|predict``."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from geotorch.core import CommandRegistrar, Register, export_targets, hookimpl

#: Every registered task, by its exported name; the import paths come from geotorch.trainers' name table,
#: and modules are imported only when a task is built.
TASKS = (
    "SemanticSegmentationTask",
    "ClassificationTask",
    "MultiLabelClassificationTask",
    "RegressionTask",
    "PixelwiseRegressionTask",
    "ChangeDetectionTask",
    "ObjectDetectionTask",
    "InstanceSegmentationTask",
    "SimCLRTask",
    "MoCoTask",
    "BYOLTask",
    "SpatioTemporalSegmentationTask",
    "SpatioTemporalPixelwiseRegressionTask",
    "TemporalRegressionTask",
)

#: Exported name (in geotorch.datamodules' name table) -> the dataset it serves, of every registered datamodule.
DATAMODULES = {
    "GeoDataModule": None,
    "NonGeoDataModule": None,
    "DemoDataModule": "DemoImagery & DemoLandCover",
    "EuroSATDataModule": "EuroSAT",
    "EuroSATSpatialDataModule": "EuroSATSpatial",
    "EuroSAT100DataModule": "EuroSAT100",
    "UCMercedDataModule": "UCMerced",
    "RESISC45DataModule": "RESISC45",
    "PatternNetDataModule": "PatternNet",
    "So2SatDataModule": "So2Sat",
    "BigEarthNetDataModule": "BigEarthNet",
    "LoveDADataModule": "LoveDA",
    "LandCoverAIDataModule": "LandCoverAI",
    "InriaAerialImageLabelingDataModule": "InriaAerialImageLabeling",
    "DeepGlobeLandCoverDataModule": "DeepGlobeLandCover",
    "ETCI2021DataModule": "ETCI2021",
    "PASTISDataModule": "PASTIS",
    "PASTIS100DataModule": "PASTIS100",
    "ImageLabelDataModule": None,
    "NAIPChesapeakeDataModule": "NAIP & Chesapeake7",
    "Sentinel2CDLDataModule": "Sentinel2 & CDL",
    "Sentinel2Esri2020DataModule": "Sentinel2 & Esri2020",
    "Sentinel2EuroCropsDataModule": "Sentinel2 & EuroCrops",
    "Sentinel2NLCDDataModule": "Sentinel2 & NLCD",
    "LEVIRCDDataModule": "LEVIRCD",
    "OSCDDataModule": "OSCD",
    "NonGeoDetectionDataModule": None,
    "VHR10DataModule": "VHR10",
}


#: The subcommands, with their help.
SUBCOMMANDS = {
    "fit": "train a task on a datamodule (geotorch fit --config quickstart)",
    "validate": "evaluate a task on a datamodule's validation split",
    "test": "evaluate a task on a datamodule's test split",
    "predict": "predict with a task; on a GeoDataset, write georeferenced GeoTIFFs",
}


@hookimpl
def register_tasks(register: Register) -> None:
    """Register every task of :data:`TASKS` by import path."""
    targets = export_targets("geotorch.trainers")
    for name in TASKS:
        register(targets[name], name=name)


@hookimpl
def register_datamodules(register: Register) -> None:
    """Register every datamodule of :data:`DATAMODULES` by import path, with the dataset it serves."""
    targets = export_targets("geotorch.datamodules")
    for name, dataset in DATAMODULES.items():
        register(targets[name], name=name, dataset=dataset)


@hookimpl
def register_commands(cli: CommandRegistrar) -> None:
    """Add ``fit``, ``validate``, ``test`` and ``predict``; Lightning is imported only when one runs."""
    for name, help in SUBCOMMANDS.items():
        cli.add(name, _runner(name), help=help)
    cli.add("configs", _list_configs, help="list the shipped configs (geotorch fit --config NAME)")


def _list_configs(argv: Sequence[str]) -> int:
    """Run ``geotorch configs``."""
    from geotorch.trainers.configs import list_configs

    return list_configs(argv)


def _runner(subcommand: str) -> Callable[[Sequence[str]], int]:
    def run(argv: Sequence[str]) -> int:
        from geotorch.trainers.cli import run

        return run(subcommand, argv)

    run.__doc__ = f"Run ``geotorch {subcommand}``."
    return run
