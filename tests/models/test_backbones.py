"""Backbones: any band count, weights that load exactly, adaptation by the documented rule, clear errors."""

from __future__ import annotations

import types

import pytest
import timm
import torch

from geotorch.core import get_model, hookimpl, list_weights, plugins
from geotorch.models import BandAdaptationWarning, timm_overlay
from geotorch.models.backbones import (
    resnet18,
    resnet50,
    resnet152,
    swin_v2_b,
    swin_v2_t,
    timm_backbone,
    vit_base_patch16_224,
    vit_large_patch16_224,
    vit_small_patch16_224,
)


def _image(bands: int = 13, size: int = 32) -> torch.Tensor:
    return torch.randn(2, bands, size, size, generator=torch.Generator().manual_seed(0))


@pytest.mark.parametrize(
    ("builder", "kwargs"),
    [
        (resnet18, {}),
        (resnet50, {}),
        (vit_small_patch16_224, {"img_size": 32}),
        (swin_v2_t, {}),
        (lambda **kw: timm_backbone("convnext_atto", **kw), {}),
        (lambda **kw: timm_backbone("swinv2_tiny_window8_256", **kw), {"img_size": 64}),
    ],
    ids=["resnet18", "resnet50", "vit_small", "swin_v2_t", "timm_convnext", "timm_swinv2"],
)
def test_thirteen_bands_go_end_to_end(builder, kwargs) -> None:
    model = builder(in_chans=13, num_classes=5, **kwargs).eval()
    size = kwargs.get("img_size", 32)
    assert model(_image(13, size)).shape == (2, 5)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("builder", "kwargs"),
    [(resnet152, {}), (vit_base_patch16_224, {"img_size": 32}), (vit_large_patch16_224, {"img_size": 32}),
     (swin_v2_b, {})],
    ids=["resnet152", "vit_base", "vit_large", "swin_v2_b"],
)
def test_thirteen_bands_go_end_to_end_in_big_backbones(builder, kwargs) -> None:
    model = builder(in_chans=13, num_classes=5, **kwargs).eval()
    assert model(_image()).shape == (2, 5)


@pytest.mark.parametrize(
    ("builder", "arch", "kwargs"),
    [
        (resnet18, "resnet18", {"num_classes": 0}),
        (vit_small_patch16_224, "vit_small_patch16_224", {"num_classes": 0, "img_size": 32}),
        (swin_v2_t, "swin_v2_t", {"num_classes": 7}),
    ],
)
def test_loaded_weights_reproduce_the_saving_model(publish, builder, arch, kwargs) -> None:
    torch.manual_seed(1)
    trained = builder(in_chans=13, **kwargs).eval()
    weights = publish(trained, arch)
    loaded = builder(weights=weights, **kwargs).eval()
    fresh = builder(in_chans=13, **kwargs).eval()
    with torch.no_grad():
        torch.testing.assert_close(loaded(_image()), trained(_image()), rtol=0, atol=0)
        assert not torch.allclose(fresh(_image()), trained(_image()))


def test_six_bands_with_thirteen_band_weights_adapt_by_the_documented_rule(publish) -> None:
    trained = resnet18(in_chans=13, num_classes=0)
    weights = publish(trained, "resnet18")
    with pytest.warns(BandAdaptationWarning, match="from 13 to 6 bands by position"):
        adapted = resnet18(weights=weights, in_chans=6, num_classes=0).eval()
    torch.testing.assert_close(adapted.conv1.weight, trained.conv1.weight[:, :6] * 13 / 6)
    torch.testing.assert_close(adapted.layer1[0].conv1.weight, trained.layer1[0].conv1.weight)
    assert adapted(_image(6)).shape == (2, 512)


def test_named_bands_pick_their_pretrained_slices(publish) -> None:
    trained = resnet18(in_chans=13, num_classes=0)
    weights = publish(trained, "resnet18")
    with pytest.warns(BandAdaptationWarning, match="by band name"):
        rgb = resnet18(weights=weights, bands=["B4", "B3", "B2"], num_classes=0)
    torch.testing.assert_close(rgb.conv1.weight, trained.conv1.weight[:, [3, 2, 1]] * 13 / 3)


def test_a_model_that_may_not_adapt_refuses_other_bands(publish) -> None:
    weights = publish(resnet18(in_chans=13, num_classes=0), "resnet18")
    with pytest.raises(ValueError, match=r"trained on 13 bands .* takes 6; build it with in_chans=13"):
        resnet18(weights=weights, in_chans=6, adapt=False)


def test_weights_of_another_architecture_are_refused(publish) -> None:
    weights = publish(resnet18(in_chans=13, num_classes=0), "resnet18")
    with pytest.raises(ValueError, match="are for 'resnet18', not 'resnet50'"):
        resnet50(weights=weights)


def test_a_checkpoint_that_does_not_fit_is_named(publish) -> None:
    weights = publish(resnet18(in_chans=13, num_classes=0), "resnet50", tag="mislabelled")
    with pytest.raises(ValueError, match=r"resnet50\.mislabelled does not fit ResNet: shapes differ"):
        resnet50(weights=weights)


def test_unknown_model_name_is_a_key_error() -> None:
    with pytest.raises(KeyError, match="unknown model 'resnet51'"):
        get_model("resnet51")


def test_get_model_builds_with_weights_registered_by_another_plugin(publish) -> None:
    weights = publish(resnet18(in_chans=13, num_classes=0), "resnet18", tag="local_test")
    plugin = types.SimpleNamespace(
        register_weights=hookimpl(lambda register: register(weights, name=weights.name, **weights.registry_metadata()))
    )
    plugins.register_plugin(plugin, "local-weights")
    try:
        assert "resnet18.local_test" in list_weights(sensor="sentinel2", in_chans=13)
        model = get_model("resnet18", weights="resnet18.local_test", num_classes=0)
        assert model.conv1.in_channels == 13
    finally:
        plugins.unregister_plugin("local-weights")


def test_timm_create_model_loads_geotorch_weights(publish) -> None:
    trained = resnet18(in_chans=13, num_classes=0).eval()
    weights = publish(trained, "resnet18")
    built = timm.create_model(
        "resnet18", pretrained=True, pretrained_cfg_overlay=timm_overlay(weights, progress=False), in_chans=13,
        num_classes=0,
    ).eval()
    with torch.no_grad():
        torch.testing.assert_close(built(_image()), trained(_image()), rtol=0, atol=0)
