"""TorchGeo's model API in geotorch.models: list_models, get_model, get_weight, get_model_weights over the registry."""

from __future__ import annotations

import pytest
from torch import nn

import geotorch.core
import geotorch.models
from geotorch.models import get_model, get_model_weights, get_weight, list_models


def test_list_models_is_the_registry_s_list() -> None:
    assert list_models() == geotorch.core.list_models()
    assert {"resnet18", "resnet50", "vit_small_patch16_224"} <= set(list_models())


def test_get_model_passes_positional_and_keyword_arguments_to_the_builder() -> None:
    model = get_model("resnet18", None, in_chans=5, num_classes=3)
    assert isinstance(model, nn.Module)
    assert model.conv1.in_channels == 5
    assert model.get_classifier().out_features == 3


def test_get_model_names_an_unknown_model() -> None:
    with pytest.raises(KeyError, match="resnet51"):
        get_model("resnet51")


def test_get_model_weights_is_the_model_s_weights_enum() -> None:
    enum = get_model_weights("resnet50")
    assert enum is geotorch.models.ResNet50_Weights
    names = geotorch.core.list_weights(arch="resnet50")
    assert names, "geotorch-models registers weights for resnet50"
    assert {member.value.name for member in enum} == set(names)
    assert enum.SENTINEL2_ALL_MOCO.value is geotorch.core.get_weight("resnet50.sentinel2_all_moco")


def test_get_model_weights_takes_the_builder_itself() -> None:
    assert get_model_weights(geotorch.models.resnet18) is geotorch.models.ResNet18_Weights
    assert get_model_weights(geotorch.models.vit_small_patch16_224) is geotorch.models.ViTSmall16_Weights


def test_get_model_weights_refuses_what_is_not_a_registered_model() -> None:
    with pytest.raises(KeyError, match="resnet51"):
        get_model_weights("resnet51")
    with pytest.raises(KeyError, match="is not a registered model builder"):
        get_model_weights(len)


def test_get_weight_takes_torchgeo_s_spelling_and_registered_names() -> None:
    member = get_weight("ResNet50_Weights.SENTINEL2_ALL_MOCO")
    assert member is geotorch.models.ResNet50_Weights.SENTINEL2_ALL_MOCO
    assert get_weight("resnet50.sentinel2_all_moco") is geotorch.core.get_weight("resnet50.sentinel2_all_moco")
    with pytest.raises(KeyError):
        get_weight("resnet50.no_such_weights")
    with pytest.raises(AttributeError, match="no member 'NO_SUCH'"):
        get_weight("ResNet50_Weights.NO_SUCH")
