"""GeoTorch transforms: kornia augmentations of sample dicts, spectral indices and normalisation."""

from geotorch.transforms.base import MultispectralAugmentationBase2D
from geotorch.transforms.container import AugmentationSequential
from geotorch.transforms.indices import (
    AppendBNDVI,
    AppendGBNDVI,
    AppendGNDVI,
    AppendGRNDVI,
    AppendNBR,
    AppendNDBI,
    AppendNDRE,
    AppendNDSI,
    AppendNDVI,
    AppendNDWI,
    AppendNormalizedDifferenceIndex,
    AppendRBNDVI,
    AppendSWI,
    AppendTriBandNormalizedDifferenceIndex,
)
from geotorch.transforms.intensity import RandomGrayscale
from geotorch.transforms.normalize import MinMaxNormalize, Normalize, PercentileNormalize

__all__ = [
    "AppendBNDVI",
    "AppendGBNDVI",
    "AppendGNDVI",
    "AppendGRNDVI",
    "AppendNBR",
    "AppendNDBI",
    "AppendNDRE",
    "AppendNDSI",
    "AppendNDVI",
    "AppendNDWI",
    "AppendNormalizedDifferenceIndex",
    "AppendRBNDVI",
    "AppendSWI",
    "AppendTriBandNormalizedDifferenceIndex",
    "AugmentationSequential",
    "MinMaxNormalize",
    "MultispectralAugmentationBase2D",
    "Normalize",
    "PercentileNormalize",
    "RandomGrayscale",
]
