"""Every registered weight entry is complete and consistent; the weights API lists and filters them."""

from __future__ import annotations

import re

import pytest

from geotorch.core import get_weight, list_models, list_weights
from geotorch.core.plugins import registry
from geotorch.models import Weights

# The entries this package publishes; other installed plugins (the example plugin) may add their own kinds.
NAMES = [name for name in list_weights() if registry("weight")[name].distribution == "geotorch-models"]


def test_at_least_forty_published_entries_are_registered() -> None:
    assert len(NAMES) >= 40


@pytest.mark.parametrize("name", NAMES)
def test_weight_entry_metadata_is_consistent(name: str) -> None:
    weights = get_weight(name)
    assert isinstance(weights, Weights)
    assert weights.name == name == f"{weights.arch}.{weights.tag}"
    assert weights.arch in list_models(), "every weight must fit a registered builder"
    assert weights.url.startswith("https://")
    if weights.in_chans is None:
        assert weights.bands == (), "spectrum-agnostic weights name no bands"
    else:
        assert len(weights.bands) == weights.in_chans
        assert len(set(weights.bands)) == len(weights.bands)
    for statistic, values in weights.preprocessing.statistics().items():
        assert len(values) in {1, weights.in_chans}, f"{statistic} has {len(values)} values"
    assert all(value > 0 for value in weights.preprocessing.divisor + weights.preprocessing.std)
    assert weights.hash_prefix is not None or weights.sha256 is not None
    if weights.sha256 is not None:
        assert re.fullmatch(r"[0-9a-f]{64}", weights.sha256)
        assert weights.hash_prefix is None or weights.sha256.startswith(weights.hash_prefix)
    assert weights.license and weights.dataset and weights.sensor
    assert weights.publication.startswith("https://") and weights.repo.startswith("https://")


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
