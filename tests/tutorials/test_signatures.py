"""TorchGeo 0.10.1's argument orders: every public class and function of ``torchgeo.{datasets, samplers,
transforms, models, tasks, datamodules, losses}`` that GeoTorch also has takes TorchGeo's positional parameters first,
in TorchGeo's order (read from TorchGeo 0.10.1 with ``inspect.signature``; GeoTorch's additions follow, keyword-only).
Where the orders part on purpose, the migration page says why and the expected prefix below stops there."""

from __future__ import annotations

import importlib
import inspect

import pytest

#: TorchGeo 0.10.1's positional parameters (of ``__init__`` for classes), up to where GeoTorch documents a difference:
#: ``IntersectionDataset`` (no ``spatial_only``), ``VectorDataset`` (no ``task``; ``layer`` keyword-only),
#: ``MoCo`` and ``SimCLR`` (no SGD/LARS settings). Left out, documented: ``BaseDataModule``, ``FCSiamConc``,
#: ``FCSiamDiff`` and the samplers' base classes.
ORDERS = {
    "datamodules.BigEarthNetDataModule": "batch_size num_workers",
    "datamodules.DeepGlobeLandCoverDataModule": "batch_size patch_size val_split_pct num_workers",
    "datamodules.ETCI2021DataModule": "batch_size num_workers",
    "datamodules.EuroSAT100DataModule": "batch_size num_workers",
    "datamodules.EuroSATDataModule": "batch_size num_workers",
    "datamodules.EuroSATSpatialDataModule": "batch_size num_workers",
    "datamodules.GeoDataModule": "dataset_class batch_size patch_size length num_workers",
    "datamodules.InriaAerialImageLabelingDataModule": "batch_size patch_size num_workers",
    "datamodules.LEVIRCDDataModule": "batch_size patch_size num_workers",
    "datamodules.LandCoverAIDataModule": "batch_size num_workers",
    "datamodules.LoveDADataModule": "batch_size num_workers",
    "datamodules.NAIPChesapeakeDataModule": "batch_size patch_size length num_workers",
    "datamodules.NonGeoDataModule": "dataset_class batch_size num_workers",
    "datamodules.OSCDDataModule": "batch_size patch_size val_split_pct num_workers",
    "datamodules.PASTIS100DataModule": "batch_size num_workers val_split_pct test_split_pct padding_length",
    "datamodules.PASTISDataModule": "batch_size num_workers val_split_pct test_split_pct padding_length",
    "datamodules.PatternNetDataModule": "batch_size num_workers val_split_pct test_split_pct",
    "datamodules.RESISC45DataModule": "batch_size num_workers",
    "datamodules.Sentinel2CDLDataModule": "batch_size patch_size length num_workers",
    "datamodules.Sentinel2EuroCropsDataModule": "batch_size patch_size length num_workers",
    "datamodules.So2SatDataModule": "batch_size num_workers band_set val_split_pct",
    "datamodules.UCMercedDataModule": "batch_size num_workers",
    "datamodules.VHR10DataModule": "batch_size patch_size num_workers val_split_pct test_split_pct",
    "datasets.AsterGDEM": "paths crs res transforms cache time_series",
    "datasets.BigEarthNet": "root split bands num_classes transforms download checksum",
    "datasets.BoundingBox": "minx maxx miny maxy mint maxt",
    "datasets.CDL": "paths crs res years classes transforms cache download checksum time_series",
    "datasets.CanadianBuildingFootprints": "paths crs res transforms download checksum",
    "datasets.Chesapeake": "paths crs res transforms cache download checksum time_series",
    "datasets.ChesapeakeDC": "paths crs res transforms cache download checksum time_series",
    "datasets.ChesapeakeDE": "paths crs res transforms cache download checksum time_series",
    "datasets.ChesapeakeMD": "paths crs res transforms cache download checksum time_series",
    "datasets.ChesapeakeNY": "paths crs res transforms cache download checksum time_series",
    "datasets.ChesapeakePA": "paths crs res transforms cache download checksum time_series",
    "datasets.ChesapeakeVA": "paths crs res transforms cache download checksum time_series",
    "datasets.ChesapeakeWV": "paths crs res transforms cache download checksum time_series",
    "datasets.DatasetNotFoundError": "dataset",
    "datasets.DeepGlobeLandCover": "root split transforms checksum",
    "datasets.ETCI2021": "root split transforms download checksum",
    "datasets.EUDEM": "paths crs res transforms cache checksum time_series",
    "datasets.Esri2020": "paths crs res transforms cache download checksum time_series",
    "datasets.EuroCrops": "paths crs res classes transforms download checksum",
    "datasets.EuroSAT": "root split bands transforms download checksum",
    "datasets.EuroSAT100": "root split bands transforms download checksum",
    "datasets.EuroSATSpatial": "root split bands transforms download checksum",
    "datasets.InriaAerialImageLabeling": "root split transforms checksum",
    "datasets.IntersectionDataset": "dataset1 dataset2",
    "datasets.LEVIRCD": "root split transforms download checksum",
    "datasets.LandCoverAI": "root split transforms download checksum",
    "datasets.Landsat1": "paths crs res bands transforms cache time_series",
    "datasets.Landsat2": "paths crs res bands transforms cache time_series",
    "datasets.Landsat3": "paths crs res bands transforms cache time_series",
    "datasets.Landsat4MSS": "paths crs res bands transforms cache time_series",
    "datasets.Landsat4TM": "paths crs res bands transforms cache time_series",
    "datasets.Landsat5MSS": "paths crs res bands transforms cache time_series",
    "datasets.Landsat5TM": "paths crs res bands transforms cache time_series",
    "datasets.Landsat7": "paths crs res bands transforms cache time_series",
    "datasets.Landsat8": "paths crs res bands transforms cache time_series",
    "datasets.Landsat9": "paths crs res bands transforms cache time_series",
    "datasets.LoveDA": "root split scene transforms download checksum",
    "datasets.NAIP": "paths crs res bands transforms cache time_series",
    "datasets.NLCD": "paths crs res years classes transforms cache download checksum time_series",
    "datasets.OSCD": "root split bands transforms download checksum",
    "datasets.PASTIS": "root folds bands mode transforms download checksum",
    "datasets.PASTIS100": "root folds bands mode transforms download checksum",
    "datasets.PatternNet": "root transforms download checksum",
    "datasets.RESISC45": "root split transforms download checksum",
    "datasets.RasterDataset": "paths crs res bands transforms cache time_series",
    "datasets.Sentinel1": "paths crs res bands transforms cache time_series",
    "datasets.Sentinel2": "paths crs res bands transforms cache time_series",
    "datasets.So2Sat": "root version split bands transforms checksum",
    "datasets.UCMerced": "root split transforms download checksum",
    "datasets.UnionDataset": "dataset1 dataset2 collate_fn transforms",
    "datasets.VHR10": "root split transforms download checksum",
    "datasets.VectorDataset": "paths crs res transforms label_name",
    "datasets.concat_samples": "samples",
    "datasets.merge_samples": "samples",
    "datasets.random_bbox_assignment": "dataset lengths generator",
    "datasets.random_bbox_splitting": "dataset fractions generator",
    "datasets.random_grid_cell_assignment": "dataset fractions grid_size generator",
    "datasets.roi_split": "dataset rois",
    "datasets.stack_samples": "samples",
    "datasets.time_series_split": "dataset lengths",
    "datasets.unbind_samples": "sample",
    "losses.QRLoss": "eps",
    "losses.RQLoss": "eps",
    "models.Conv3dLSTM": (
        "input_dim conv3d_dim hidden_dim conv3d_kernel_size kernel_size num_layers bias return_all_layers "
        "num_outputs head_kernel_size output_mode return_sequence pooling"
    ),
    "models.ConvLSTM": (
        "input_dim hidden_dim kernel_size num_layers bias return_all_layers num_classes head_kernel_size"
    ),
    "models.DOFA": (
        "img_size patch_size drop_rate embed_dim depth num_heads dynamic_embed_dim num_classes global_pool "
        "mlp_ratio norm_layer"
    ),
    "models.FCN": "in_channels classes num_filters",
    "models.FarSeg": "backbone classes backbone_weights",
    "models.LTAE": "in_channels n_head d_k n_neurons dropout d_model T len_max_seq positions",
    "models.RCF": "in_channels features kernel_size bias seed mode dataset",
    "models.ScaleMAE": "res",
    "models.dofa_base_patch16_224": "weights",
    "models.dofa_large_patch16_224": "weights",
    "models.get_model": "name",
    "models.get_model_weights": "name",
    "models.get_weight": "name",
    "models.resnet152": "weights",
    "models.resnet18": "weights",
    "models.resnet50": "weights",
    "models.scalemae_large_patch16": "weights",
    "models.swin_v2_b": "weights",
    "models.swin_v2_t": "weights",
    "models.unet": "weights classes",
    "models.vit_base_patch16_224": "weights",
    "models.vit_large_patch16_224": "weights",
    "models.vit_small_patch16_224": "weights",
    "samplers.GridGeoSampler": "dataset size stride roi toi units",
    "samplers.GriddedPatchSampler": "dataset",
    "samplers.PreChippedGeoSampler": "dataset roi toi shuffle generator",
    "samplers.RandomBatchGeoSampler": "dataset size batch_size length roi toi units generator",
    "samplers.RandomGeoSampler": "dataset size length roi toi units generator",
    "samplers.RandomPatchSampler": "dataset",
    "samplers.RandomPeriodSampler": "dataset",
    "samplers.RandomTimedeltaSampler": "dataset",
    "samplers.RandomTimestampSampler": "dataset",
    "samplers.SequentialPeriodSampler": "dataset",
    "samplers.SequentialTimedeltaSampler": "dataset",
    "samplers.SequentialTimestampSampler": "dataset",
    "samplers.SpatioTemporalSampler": "spatial_sampler temporal_sampler",
    "samplers.TemporalSampler": "dataset",
    "samplers.get_random_bounding_box": "bounds size res generator",
    "samplers.tile_to_chips": "bounds size stride",
    "tasks.BYOL": "model weights in_channels lr patience",
    "tasks.ChangeDetection": (
        "model backbone weights in_channels task num_classes num_labels labels num_filters pos_weight loss "
        "class_weights ignore_index lr patience freeze_backbone freeze_decoder"
    ),
    "tasks.Classification": (
        "model weights in_channels task num_classes num_labels labels pos_weight loss class_weights "
        "ignore_index lr patience freeze_backbone"
    ),
    "tasks.InstanceSegmentation": (
        "model backbone weights weights_backbone in_channels num_classes lr patience freeze_backbone"
    ),
    "tasks.MoCo": "model weights in_channels version layers hidden_dim output_dim lr weight_decay",
    "tasks.ObjectDetection": (
        "model backbone weights in_channels num_classes trainable_layers lr patience freeze_backbone"
    ),
    "tasks.PixelwiseRegression": (
        "model backbone weights in_channels num_outputs labels num_filters loss lr patience freeze_backbone "
        "freeze_decoder"
    ),
    "tasks.Regression": (
        "model backbone weights in_channels num_outputs labels num_filters loss lr patience freeze_backbone "
        "freeze_decoder"
    ),
    "tasks.SemanticSegmentation": (
        "model backbone weights in_channels task num_classes num_labels labels num_filters pos_weight loss "
        "class_weights ignore_index lr patience freeze_backbone freeze_decoder"
    ),
    "tasks.SimCLR": "model weights in_channels version layers hidden_dim output_dim lr",
    "tasks.SpatioTemporalPixelwiseRegression": "model in_channels num_outputs labels loss lr patience",
    "tasks.SpatioTemporalSegmentation": (
        "model in_channels task num_classes num_labels labels pos_weight loss class_weights ignore_index lr patience"
    ),
    "tasks.TemporalRegression": "model in_channels num_outputs labels out_steps loss lr patience",
    "transforms.AppendBNDVI": "index_nir index_blue",
    "transforms.AppendEVI": "index_nir index_red index_blue",
    "transforms.AppendGBNDVI": "index_nir index_green index_blue",
    "transforms.AppendGNDVI": "index_nir index_green",
    "transforms.AppendGRNDVI": "index_nir index_green index_red",
    "transforms.AppendMNDWI": "index_green index_swir",
    "transforms.AppendNBR": "index_nir index_swir",
    "transforms.AppendNDBI": "index_swir index_nir",
    "transforms.AppendNDRE": "index_nir index_vre1",
    "transforms.AppendNDSI": "index_green index_swir",
    "transforms.AppendNDVI": "index_nir index_red",
    "transforms.AppendNDWI": "index_green index_nir",
    "transforms.AppendNormalizedDifferenceIndex": "index_a index_b",
    "transforms.AppendRBNDVI": "index_nir index_red index_blue",
    "transforms.AppendSAVI": "index_nir index_red",
    "transforms.AppendSWI": "index_vre1 index_swir2",
    "transforms.AppendTriBandNormalizedDifferenceIndex": "index_a index_b index_c",
    "transforms.LeeFilter": "window_size num_looks p same_on_batch keepdim",
    "transforms.RandomGrayscale": "weights p same_on_batch keepdim",
}


def positional(name: str) -> list[str]:
    module, attribute = name.split(".")
    target = getattr(importlib.import_module(f"geotorch.{module}"), attribute)
    signature = inspect.signature(target.__init__ if inspect.isclass(target) else target)
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return [
        parameter.name
        for parameter in signature.parameters.values()
        if parameter.kind in kinds and parameter.name != "self"
    ]


@pytest.mark.parametrize("name", sorted(ORDERS))
def test_torchgeos_positional_parameters_come_first_in_its_order(name: str) -> None:
    expected = ORDERS[name].split()
    assert positional(name)[: len(expected)] == expected
