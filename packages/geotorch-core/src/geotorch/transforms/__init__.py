"""GeoTorch transforms: kornia augmentations of sample dicts, spectral indices and normalisation.

Names are imported on first use, so ``import geotorch.transforms`` loads neither torch nor kornia; the
``if TYPE_CHECKING:`` imports below are the one list of public names (see :mod:`geotorch.core.exports`).
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from geotorch.core.version import __version__ as __version__
    from geotorch.transforms.base import MultispectralAugmentationBase2D as MultispectralAugmentationBase2D
    from geotorch.transforms.composite import TemporalComposite as TemporalComposite
    from geotorch.transforms.container import AugmentationSequential as AugmentationSequential
    from geotorch.transforms.indices import AppendBNDVI as AppendBNDVI
    from geotorch.transforms.indices import AppendEVI as AppendEVI
    from geotorch.transforms.indices import AppendGBNDVI as AppendGBNDVI
    from geotorch.transforms.indices import AppendGNDVI as AppendGNDVI
    from geotorch.transforms.indices import AppendGRNDVI as AppendGRNDVI
    from geotorch.transforms.indices import AppendMNDWI as AppendMNDWI
    from geotorch.transforms.indices import AppendNBR as AppendNBR
    from geotorch.transforms.indices import AppendNDBI as AppendNDBI
    from geotorch.transforms.indices import AppendNDRE as AppendNDRE
    from geotorch.transforms.indices import AppendNDSI as AppendNDSI
    from geotorch.transforms.indices import AppendNDVI as AppendNDVI
    from geotorch.transforms.indices import AppendNDWI as AppendNDWI
    from geotorch.transforms.indices import AppendNormalizedDifferenceIndex as AppendNormalizedDifferenceIndex
    from geotorch.transforms.indices import AppendRBNDVI as AppendRBNDVI
    from geotorch.transforms.indices import AppendSAVI as AppendSAVI
    from geotorch.transforms.indices import AppendSWI as AppendSWI
    from geotorch.transforms.indices import (
        AppendTriBandNormalizedDifferenceIndex as AppendTriBandNormalizedDifferenceIndex,
    )
    from geotorch.transforms.intensity import RandomGrayscale as RandomGrayscale
    from geotorch.transforms.normalize import MinMaxNormalize as MinMaxNormalize
    from geotorch.transforms.normalize import Normalize as Normalize
    from geotorch.transforms.normalize import PercentileNormalize as PercentileNormalize
    from geotorch.transforms.sar import LeeFilter as LeeFilter
    from geotorch.transforms.temporal import Rearrange as Rearrange
else:
    from geotorch.core.exports import lazy_exports

    __getattr__, __dir__ = lazy_exports(__name__)
