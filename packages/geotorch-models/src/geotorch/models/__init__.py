"""GeoTorch models: multispectral backbones, task heads and pretrained weights.

Names are imported on first use, so that loading the plugin does not import timm or
segmentation-models-pytorch.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from geotorch.models.adapt import adapt_input_weight as adapt_input_weight
    from geotorch.models.api import get_model as get_model
    from geotorch.models.api import get_model_weights as get_model_weights
    from geotorch.models.api import get_weight as get_weight
    from geotorch.models.api import list_models as list_models
    from geotorch.models.backbones import resnet18 as resnet18
    from geotorch.models.backbones import resnet50 as resnet50
    from geotorch.models.backbones import resnet152 as resnet152
    from geotorch.models.backbones import swin_v2_b as swin_v2_b
    from geotorch.models.backbones import swin_v2_t as swin_v2_t
    from geotorch.models.backbones import timm_backbone as timm_backbone
    from geotorch.models.backbones import vit_base_patch16_224 as vit_base_patch16_224
    from geotorch.models.backbones import vit_large_patch16_224 as vit_large_patch16_224
    from geotorch.models.backbones import vit_small_patch16_224 as vit_small_patch16_224
    from geotorch.models.change import FCSiamConc as FCSiamConc
    from geotorch.models.change import FCSiamDiff as FCSiamDiff
    from geotorch.models.convlstm import Conv3dLSTM as Conv3dLSTM
    from geotorch.models.convlstm import ConvLSTM as ConvLSTM
    from geotorch.models.detection import detector as detector
    from geotorch.models.detection import faster_rcnn as faster_rcnn
    from geotorch.models.detection import fcos as fcos
    from geotorch.models.detection import mask_rcnn as mask_rcnn
    from geotorch.models.detection import retinanet as retinanet
    from geotorch.models.dofa import DOFA as DOFA
    from geotorch.models.dofa import dofa_base_patch16_224 as dofa_base_patch16_224
    from geotorch.models.dofa import dofa_large_patch16_224 as dofa_large_patch16_224
    from geotorch.models.dofa import dofa_small_patch16_224 as dofa_small_patch16_224
    from geotorch.models.errors import BandAdaptationWarning as BandAdaptationWarning
    from geotorch.models.errors import SkippedWeightsWarning as SkippedWeightsWarning
    from geotorch.models.errors import UnsafeCheckpointError as UnsafeCheckpointError
    from geotorch.models.farseg import FarSeg as FarSeg
    from geotorch.models.fcn import FCN as FCN
    from geotorch.models.hub import load_checkpoint as load_checkpoint
    from geotorch.models.loading import load_pretrained as load_pretrained
    from geotorch.models.loading import resolve_weights as resolve_weights
    from geotorch.models.ltae import LTAE as LTAE
    from geotorch.models.preprocessing import Preprocess as Preprocess
    from geotorch.models.preprocessing import Preprocessing as Preprocessing
    from geotorch.models.preprocessing import Rescale as Rescale
    from geotorch.models.rcf import RCF as RCF
    from geotorch.models.scale_mae import ScaleMAE as ScaleMAE
    from geotorch.models.scale_mae import scalemae_large_patch16 as scalemae_large_patch16
    from geotorch.models.segmentation import deeplabv3plus as deeplabv3plus
    from geotorch.models.segmentation import fpn as fpn
    from geotorch.models.segmentation import pspnet as pspnet
    from geotorch.models.segmentation import segmentation_model as segmentation_model
    from geotorch.models.segmentation import unet as unet
    from geotorch.models.segmentation import unetplusplus as unetplusplus
    from geotorch.models.utae import UTAE as UTAE
    from geotorch.models.version import __version__ as __version__
    from geotorch.models.weights import Weights as Weights
    from geotorch.models.weights import download_weights as download_weights
    from geotorch.models.weights import load_state_dict as load_state_dict
    from geotorch.models.weights import timm_overlay as timm_overlay
    from geotorch.models.weights_enums import DOFABase16_Weights as DOFABase16_Weights
    from geotorch.models.weights_enums import DOFALarge16_Weights as DOFALarge16_Weights
    from geotorch.models.weights_enums import ResNet18_Weights as ResNet18_Weights
    from geotorch.models.weights_enums import ResNet50_Weights as ResNet50_Weights
    from geotorch.models.weights_enums import ResNet152_Weights as ResNet152_Weights
    from geotorch.models.weights_enums import ScaleMAELarge16_Weights as ScaleMAELarge16_Weights
    from geotorch.models.weights_enums import Swin_V2_B_Weights as Swin_V2_B_Weights
    from geotorch.models.weights_enums import Swin_V2_T_Weights as Swin_V2_T_Weights
    from geotorch.models.weights_enums import ViTBase16_Weights as ViTBase16_Weights
    from geotorch.models.weights_enums import ViTLarge16_Weights as ViTLarge16_Weights
    from geotorch.models.weights_enums import ViTSmall16_Weights as ViTSmall16_Weights
    from geotorch.models.weights_enums import WeightsEnum as WeightsEnum
else:
    from geotorch.core import lazy_exports

    __getattr__, __dir__ = lazy_exports(__name__)
