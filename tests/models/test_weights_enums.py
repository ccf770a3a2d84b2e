"""TorchGeo's weights enums, generated from the registry: every TorchGeo member we have weights for, and how it behaves.

``data/torchgeo_0_10_1_weights.json`` lists every member of every weights enum of TorchGeo 0.10.1 with its URL
(``{enum: {member: url}}``), read from the installed ``torchgeo.models`` (each ``WeightsEnum`` subclass).
"""

from __future__ import annotations

import json
import pickle
import urllib.parse
from pathlib import Path

import pytest
import torch
from torch import nn

import geotorch.models
from geotorch.core import DownloadError, get_weight, list_weights
from geotorch.models import ResNet18_Weights, ResNet50_Weights, ScaleMAELarge16_Weights, WeightsEnum
from geotorch.models.hub import torch_hub_filename
from geotorch.models.loading import resolve_weights
from geotorch.models.weights_catalog import ALL_WEIGHTS
from geotorch.models.weights_enums import model_weights_enum

TORCHGEO = json.loads((Path(__file__).parent / "data" / "torchgeo_0_10_1_weights.json").read_text())


def same_address(url: str) -> str:
    """``url`` with Hugging Face's two host names made one (``hf.co`` redirects to ``huggingface.co``)."""
    parts = urllib.parse.urlsplit(url)
    return parts._replace(netloc="hf.co" if parts.netloc == "huggingface.co" else parts.netloc).geturl()


#: Registered weights by address.
REGISTERED = {same_address(weights.url): weights for weights in ALL_WEIGHTS}

#: Every TorchGeo member whose file GeoTorch registers: (enum, member, url).
SHARED = [
    (enum, member, url)
    for enum, members in TORCHGEO.items()
    for member, url in members.items()
    if same_address(url) in REGISTERED
]


def test_each_registered_weight_is_exactly_one_torchgeo_member() -> None:
    assert len(SHARED) == len(ALL_WEIGHTS) > 60


@pytest.mark.parametrize(("enum", "member", "url"), SHARED, ids=[f"{e}.{m}" for e, m, _ in SHARED])
def test_every_torchgeo_member_we_have_weights_for_exists_and_holds_the_registered_weights(
    enum: str, member: str, url: str
) -> None:
    weights = REGISTERED[same_address(url)]
    found = getattr(getattr(geotorch.models, enum), member)
    assert isinstance(found, WeightsEnum)
    assert found.value is get_weight(weights.name)
    assert same_address(found.url) == same_address(url)
    assert found.value.hash_prefix == weights.hash_prefix and found.value.sha256 == weights.sha256


@pytest.mark.parametrize("weights", ALL_WEIGHTS, ids=lambda weights: weights.name)
def test_every_registered_weight_is_the_member_torchgeo_has_for_its_file(weights) -> None:
    members = [
        (e, m)
        for e, members in TORCHGEO.items()
        for m, u in members.items()
        if same_address(u) == same_address(weights.url)
    ]
    assert members, f"{weights.name}: TorchGeo 0.10.1 has no member for {weights.url}"
    for enum, member in members:
        assert getattr(geotorch.models, enum)[member].value is get_weight(weights.name)


@pytest.mark.parametrize("arch", ["resnet18", "resnet50", "resnet152", "swin_v2_b", "vit_small_patch16_224"])
def test_an_enum_holds_exactly_the_weights_registered_for_its_model(arch: str) -> None:
    enum = model_weights_enum(arch)
    assert sorted(member.value.name for member in enum) == sorted(list_weights(arch=arch))


def test_the_registered_tag_spelling_stays_an_alias_of_torchgeos_member() -> None:
    assert ResNet50_Weights.SENTINEL1_GRD_MOCO is ResNet50_Weights.SENTINEL1_ALL_MOCO
    assert ScaleMAELarge16_Weights.FMOW_RGB_SCALEMAE is ScaleMAELarge16_Weights.FMOW_RGB
    assert [member.name for member in ScaleMAELarge16_Weights] == ["FMOW_RGB"]


def test_members_read_like_torchgeos() -> None:
    member = ResNet18_Weights.SENTINEL2_ALL_MOCO
    assert repr(member) == "ResNet18_Weights.SENTINEL2_ALL_MOCO"
    assert member.url == member.value.url
    assert isinstance(member.transforms, nn.Module)
    assert member.meta["model"] == "resnet18" and member.meta["in_chans"] == 13
    assert ResNet18_Weights["SENTINEL2_ALL_MOCO"] is member
    assert pickle.loads(pickle.dumps(member)) is member


def test_a_member_torchgeo_has_and_we_do_not_is_an_error_listing_ours() -> None:
    with pytest.raises(
        AttributeError, match=r"ResNet50_Weights has no member 'SENTINEL2_ALL_SOFTCON'.*SENTINEL2_ALL_MOCO"
    ):
        ResNet50_Weights.SENTINEL2_ALL_SOFTCON  # noqa: B018


def test_a_member_and_its_name_are_weights_for_builders_and_tasks() -> None:
    member = ResNet50_Weights.SENTINEL2_ALL_MOCO
    assert resolve_weights(member, "resnet50") is member.value
    assert resolve_weights("ResNet50_Weights.SENTINEL2_ALL_MOCO", "resnet50") is member.value


def test_a_member_loads_a_file_torchgeo_left_in_torch_hubs_folder_without_any_request(
    torch_home: Path, http_server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", http_server.base_url.rstrip("/"))
    member = ResNet18_Weights.SENTINEL2_ALL_MOCO
    state = {"conv1.weight": torch.randn(64, 13, 7, 7)}
    placed = torch_home / "hub" / "checkpoints" / torch_hub_filename(member.url)
    placed.parent.mkdir(parents=True)
    torch.save(state, placed)

    loaded = member.get_state_dict(progress=True, check_hash=False, weights_only=True)

    assert torch.equal(loaded["conv1.weight"], state["conv1.weight"])
    assert sum(http_server.requests.values()) == 0


def test_check_hash_refuses_a_cached_file_whose_hash_is_not_its_names_prefix(
    torch_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    member = ResNet18_Weights.SENTINEL2_ALL_MOCO
    placed = torch_home / "hub" / "checkpoints" / torch_hub_filename(member.url)
    placed.parent.mkdir(parents=True)
    torch.save({"conv1.weight": torch.zeros(1)}, placed)

    with pytest.warns(UserWarning, match="is not the published file"), pytest.raises(DownloadError) as raised:
        member.get_state_dict(progress=True, check_hash=True)

    assert str(placed) in str(raised.value) and "\n" not in str(raised.value)
    assert placed.is_file(), "the user's file is left alone"


def test_weights_only_false_is_refused() -> None:
    with pytest.raises(ValueError, match="weights_only=False refused"):
        ResNet18_Weights.SENTINEL2_ALL_MOCO.get_state_dict(weights_only=False)
