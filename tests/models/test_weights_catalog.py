"""Every registered weight entry is complete and consistent; the weights API lists and filters them."""

from __future__ import annotations

import re

import pytest

from geotorch.core import get_weight, list_models, list_weights
from geotorch.core.plugins import registry
from geotorch.models import Weights
from geotorch.models.weights_catalog.bands import (
    SENTINEL1_GRD,
    SENTINEL2_ALL,
    SSL4EO_S12_SAR_UINT8,
    SSL4EO_S12_TOA_UINT8,
)
from geotorch.models.weights_catalog.ssl4eo_s12 import MAE_WEIGHTS

# The entries this package publishes; other installed plugins (the example plugin) may add their own kinds.
NAMES = [name for name in list_weights() if registry("weight")[name].distribution == "geotorch-models"]


def test_at_least_forty_published_entries_are_registered() -> None:
    assert len(NAMES) >= 40


def _assert_consistent_apart_from_checksum(weights: Weights) -> None:
    assert weights.name == f"{weights.arch}.{weights.tag}"
    assert weights.arch in list_models(), "every weight must fit a registered builder"
    assert weights.url.startswith("https://")
    if weights.in_chans is None:
        assert weights.bands == (), "spectrum-agnostic weights name no bands"
    else:
        assert len(weights.bands) == weights.in_chans
        assert len(set(weights.bands)) == len(weights.bands)
    for statistic, values in weights.preprocessing.per_band().items():
        assert len(values) in {1, weights.in_chans}, f"{statistic} has {len(values)} values"
    divisors = [value for step in weights.preprocessing.steps for value in step.divisor]
    assert all(value > 0 for value in divisors + list(weights.preprocessing.std))
    assert weights.preprocessing.input_values and weights.preprocessing.source.startswith("https://")
    assert weights.license and weights.dataset and weights.sensor
    assert weights.publication.startswith("https://") and weights.repo.startswith("https://")


@pytest.mark.parametrize("name", NAMES)
def test_weight_entry_metadata_is_consistent(name: str) -> None:
    weights = get_weight(name)
    assert isinstance(weights, Weights)
    assert weights.name == name
    _assert_consistent_apart_from_checksum(weights)
    assert weights.hash_prefix is not None or weights.sha256 is not None
    if weights.sha256 is not None:
        assert re.fullmatch(r"[0-9a-f]{64}", weights.sha256)
        assert weights.hash_prefix is None or weights.sha256.startswith(weights.hash_prefix)


@pytest.mark.parametrize("weights", MAE_WEIGHTS, ids=lambda weights: weights.name)
def test_ssl4eo_s12_mae_entries_are_complete_and_registered_only_once_verifiable(weights: Weights) -> None:
    _assert_consistent_apart_from_checksum(weights)
    assert weights.dataset == "SSL4EO-S12" and weights.ssl_method in {"mae", "fgmae"}
    data = "sentinel2_all" if weights.sensor == "sentinel2" else "sentinel1_grd"
    assert weights.tag == f"{data}_{weights.ssl_method}"
    expected = SSL4EO_S12_TOA_UINT8 if weights.sensor == "sentinel2" else SSL4EO_S12_SAR_UINT8
    assert weights.preprocessing == expected
    assert (weights.bands, weights.product) == (
        (SENTINEL2_ALL, "L1C") if weights.sensor == "sentinel2" else (SENTINEL1_GRD, "GRD")
    )
    paper = "2211.07044" if weights.ssl_method == "mae" else "2310.18653"
    assert weights.publication == f"https://arxiv.org/abs/{paper}"
    assert re.fullmatch(
        r"https://huggingface\.co/wangyi111/(SSL4EO-S12|FGMAE)/resolve/[0-9a-f]{40}/B(13|2)_vit[sbl]16_(fg)?mae_ep99_enc\.pth",
        weights.url,
    )
    assert weights.hash_prefix is None, "these file names carry no hash suffix"
    if weights.sha256 is None:
        assert weights.name not in list_weights(), "an unverifiable file must not be offered"
        assert "none recorded" in weights.checksum_source
    else:
        assert weights.name in NAMES


def test_all_twelve_ssl4eo_s12_mae_entries_are_described() -> None:
    names = {weights.name for weights in MAE_WEIGHTS}
    assert names == {
        f"vit_{size}_patch16_224.{data}_{method}"
        for size in ("small", "base", "large")
        for data in ("sentinel2_all", "sentinel1_grd")
        for method in ("mae", "fgmae")
    }
    assert len({weights.url for weights in MAE_WEIGHTS}) == 12


def test_weights_are_listed_by_glob_and_metadata() -> None:
    assert "resnet50.sentinel2_all_moco" in list_weights("resnet50.*")
    assert all(name.startswith("resnet50.") for name in list_weights("resnet50.*"))
    sentinel2_all = list_weights(sensor="sentinel2", in_chans=13)
    assert "vit_small_patch16_224.sentinel2_all_dino" in sentinel2_all
    assert all(get_weight(name).in_chans == 13 for name in sentinel2_all)
    assert list_weights(sensor="naip") == ["swin_v2_b.naip_rgb_mi_satlas", "swin_v2_b.naip_rgb_si_satlas"]
    assert "resnet18.sentinel2_all_moco" in list_weights(bands="B8A")


def test_the_required_publishers_are_covered() -> None:
    datasets = {get_weight(name).dataset for name in NAMES}
    assert {"SSL4EO-S12", "SSL4EO-L", "SeCo", "SatlasPretrain", "fMoW"} <= datasets
    assert list_weights("dofa_*") and list_weights("scalemae_*") and list_weights("swin_v2_*")
    assert {"landsat_tm", "landsat_etm", "landsat_oli", "sentinel1", "sentinel2", "naip"} <= {
        get_weight(name).sensor for name in NAMES
    }


def test_unknown_weight_name_is_a_key_error_naming_it() -> None:
    with pytest.raises(KeyError, match=r"resnet50\.sentinel2_all_mocco"):
        get_weight("resnet50.sentinel2_all_mocco")


def test_meta_mirrors_torchgeo() -> None:
    weights = get_weight("resnet18.sentinel2_all_moco")
    assert weights.meta["model"] == "resnet18"
    assert weights.meta["in_chans"] == 13
    assert weights.meta["ssl_method"] == "moco"
