"""Band names matched across spellings: B1 is B01, B8 is never B8A, SR_B4 is B4 only where the product says so."""

from __future__ import annotations

import dataclasses
import re
import warnings
from typing import Any

import pytest
import torch

from geotorch.core import get_dataset_class, get_weight, list_datasets, list_weights
from geotorch.models import BandAdaptationWarning, Weights, adapt_input_weight
from geotorch.models.backbones import resnet18
from geotorch.models.band_names import match_bands
from geotorch.models.weights_catalog.bands import LANDSAT_OLI_SR, LANDSAT_OLI_TIRS_TOA, SENTINEL2_ALL

NUMBERED = re.compile(r"(?:(SR|ST)_)?B0*(\d+)([A-Z]?)")


def dataset_class(name: str) -> Any:
    """A dataset class of geotorch-datasets, found as any plugin's would be; skip when it is not installed."""
    if name not in list_datasets():
        pytest.skip(f"{name} is not registered: geotorch-datasets is not installed")
    return get_dataset_class(name)


def registered_weights(sensor_prefix: str) -> list[Weights]:
    found = [get_weight(name) for name in list_weights()]
    weights = [entry for entry in found if isinstance(entry, Weights) and entry.sensor.startswith(sensor_prefix)]
    assert weights, f"no registered weights for {sensor_prefix}"
    return weights


def assert_same_bands(given: tuple[str, ...], weights: Weights) -> dict[str, str]:
    """Match ``given`` to ``weights`` and check every match pairs one band with itself, each with another."""
    matched = match_bands(given, weights.bands, weights.sensor, weights.product)
    pairs = {band: source for band, source in zip(given, matched, strict=True) if source in weights.bands}
    for band, source in pairs.items():
        mine, theirs = NUMBERED.fullmatch(band), NUMBERED.fullmatch(source)
        assert mine is not None and theirs is not None, (band, source)
        assert (int(mine[2]), mine[3]) == (int(theirs[2]), theirs[3]), f"{band} taken for {source} in {weights.name}"
        # A prefix is only ever added to a bare name of Level-2 weights, never dropped from the weights' name.
        assert theirs[1] in (mine[1], None), f"{band} taken for {source} in {weights.name}"
        assert theirs[1] == mine[1] or weights.product in ("SR", "ST", "L2", "L2SP"), (band, source, weights.name)
    assert len(set(pairs.values())) == len(pairs), f"two bands taken for one in {weights.name}: {pairs}"
    return pairs


# The rules on names


def test_sentinel2_names_with_and_without_leading_zeros_are_the_same_band() -> None:
    given = ("B01", "B04", "B08", "B8A", "B09", "B12")
    assert match_bands(given, SENTINEL2_ALL, "sentinel2", "L1C") == ("B1", "B4", "B8", "B8A", "B9", "B12")
    assert match_bands(("B5", "B8", "B11"), ("TCI_R", "B05", "B08", "B11"), "sentinel2", "L1C") == ("B05", "B08", "B11")


def test_b8_is_never_b8a() -> None:
    assert match_bands(("B8A", "B08A"), ("B8", "B08")) == ("B8A", "B08A")
    assert match_bands(("B8", "B08"), ("B8A", "B9")) == ("B8", "B08")


@pytest.mark.parametrize(
    ("given", "pretrained", "product", "expected"),
    [
        ("SR_B4", "B4", "SR", "B4"),
        ("SR_B4", "B4", "sr", "B4"),
        ("SR_B4", "B4", "L2SP", "B4"),
        ("ST_B10", "B10", "ST", "B10"),
        ("ST_B10", "B10", "L2", "B10"),
        ("SR_B04", "B4", "SR", "B4"),
        # Other products' bare bands are other inputs.
        ("SR_B4", "B4", "TOA", "SR_B4"),
        ("SR_B4", "B4", "L1", "SR_B4"),
        ("SR_B4", "B4", None, "SR_B4"),
        ("ST_B10", "B10", "SR", "ST_B10"),
        ("SR_B10", "B10", "ST", "SR_B10"),
        # A bare name given is the Level-1 band: never a Level-2 one of the weights.
        ("B4", "SR_B4", "SR", "B4"),
        ("B10", "ST_B10", "L2SP", "B10"),
    ],
)
def test_landsat_level2_prefixes_match_bare_names_only_where_the_weights_product_says_so(
    given: str, pretrained: str, product: str | None, expected: str
) -> None:
    assert match_bands((given,), ("B1", pretrained), "landsat_oli", product) == (expected,)


def test_prefixed_and_bare_names_of_another_sensor_never_match() -> None:
    assert match_bands(("SR_B4",), ("B4",), "sentinel2", "SR") == ("SR_B4",)


def test_a_name_that_could_be_two_pretrained_bands_is_refused_and_an_exact_name_wins() -> None:
    with pytest.raises(ValueError, match=r"band 'B001' could be any of the pretrained bands \['B1', 'B01'\]"):
        match_bands(("B001",), ("B1", "B01"))
    assert match_bands(("B01", "B1"), ("B1", "B01")) == ("B01", "B1")


def test_adapt_input_weight_picks_slices_by_any_spelling() -> None:
    weight = torch.randn(8, 13, 3, 3)
    adapted = adapt_input_weight(weight, 3, SENTINEL2_ALL, ["B04", "B03", "B8A"])
    torch.testing.assert_close(adapted, weight[:, [3, 2, 8]] * 13 / 3)
    oli = torch.randn(8, 11, 3, 3)
    with pytest.raises(ValueError, match=r"\['SR_B4'\] are not among the pretrained bands"):
        adapt_input_weight(oli, 1, LANDSAT_OLI_TIRS_TOA, ["SR_B4"], sensor="landsat_oli", product="TOA")
    torch.testing.assert_close(
        adapt_input_weight(oli, 1, LANDSAT_OLI_TIRS_TOA, ["SR_B4"], sensor="landsat_oli", product="SR"),
        oli[:, [3]] * 11,
    )


# The real band lists of geotorch-datasets against the registered weights


def test_sentinel2_dataset_bands_match_every_sentinel2_weights_band_for_band() -> None:
    sentinel2 = dataset_class("Sentinel2")
    for weights in registered_weights("sentinel2"):
        pairs = assert_same_bands(tuple(sentinel2.all_bands), weights)
        if weights.bands == SENTINEL2_ALL:
            assert tuple(pairs.values()) == SENTINEL2_ALL, weights.name
        assert all(band in pairs.values() for band in weights.bands if NUMBERED.fullmatch(band)), weights.name


def test_landsat_dataset_bands_match_landsat_weights_only_of_their_own_product() -> None:
    landsat8 = dataset_class("Landsat8")
    for weights in registered_weights("landsat"):
        level2 = assert_same_bands(tuple(landsat8.all_bands), weights)
        level1 = assert_same_bands(tuple(landsat8.level1_bands), weights)
        if weights.sensor == "landsat_oli" and weights.product == "SR":
            assert level2 == {band: band for band in LANDSAT_OLI_SR} and level1 == {}, weights.name
        elif weights.sensor == "landsat_oli":
            assert level2 == {}, weights.name
            assert level1 == {band: band for band in weights.bands}, weights.name


def test_sentinel2_dataset_bands_load_weights_named_otherwise_unchanged(publish: Any) -> None:
    sentinel2 = dataset_class("Sentinel2")
    trained = resnet18(in_chans=13, num_classes=0)
    kernel = trained.state_dict()["conv1.weight"]
    weights = publish(trained, "resnet18")
    with warnings.catch_warnings():
        warnings.simplefilter("error", BandAdaptationWarning)
        model = resnet18(weights=weights, bands=sentinel2.all_bands, num_classes=0)
    torch.testing.assert_close(model.state_dict()["conv1.weight"], kernel, rtol=0, atol=0)
    with pytest.warns(BandAdaptationWarning, match="from 13 to 3 bands by band name"):
        rgb = resnet18(weights=weights, bands=sentinel2.rgb_bands, num_classes=0)
    torch.testing.assert_close(rgb.state_dict()["conv1.weight"], kernel[:, [3, 2, 1]] * 13 / 3)


def test_landsat_level2_bands_load_level2_weights_with_bare_names_but_never_toa_weights(publish: Any) -> None:
    landsat8 = dataset_class("Landsat8")
    trained = resnet18(in_chans=7, num_classes=0)
    bare = tuple(f"B{number}" for number in range(1, 8))
    surface = dataclasses.replace(publish(trained, "resnet18", bands=bare), sensor="landsat_oli", product="SR")
    model = resnet18(weights=surface, bands=landsat8.default_bands, num_classes=0)
    torch.testing.assert_close(model.state_dict()["conv1.weight"], trained.state_dict()["conv1.weight"], rtol=0, atol=0)
    toa = dataclasses.replace(surface, product="TOA")
    with pytest.raises(ValueError, match="are not among the pretrained bands"):
        resnet18(weights=toa, bands=landsat8.default_bands, num_classes=0)
