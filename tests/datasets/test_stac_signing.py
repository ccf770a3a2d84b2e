"""STACDataset's sign_href checked: a signer that fails, returns no str or is no function is named with the href."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import torch

from geotorch.datasets import STACDataset
from tests.datasets.fakes.stac import ITEMS, write_items


def _down(href: str) -> str:
    raise ConnectionError("HTTPSConnectionPool(host='planetarycomputer.microsoft.com', port=443): Max retries exceeded")


def test_a_signer_returning_no_str_is_named_with_the_href(tmp_path: Path) -> None:
    table = write_items(tmp_path, ITEMS)
    dataset = STACDataset(table, ["red"], sign_href=lambda href: None)
    with pytest.raises(TypeError, match=r"sign_href=.* returned NoneType None for .*_red\.tif; it must .* str"):
        dataset[dataset.bounds]
    # Items without projection fields have their header read at construction, through the signer too.
    bare = write_items(tmp_path / "bare", [replace(item, proj=False) for item in ITEMS])
    with pytest.raises(TypeError, match=r"returned dict \{'href': .*_red\.tif"):
        STACDataset(bare, ["red"], sign_href=lambda href: {"href": href})


def test_a_signer_failing_keeps_its_error_and_names_the_href(tmp_path: Path) -> None:
    dataset = STACDataset(write_items(tmp_path, ITEMS), ["red", "nir"], sign_href=_down)
    with pytest.raises(ConnectionError, match="Max retries exceeded") as raised:
        dataset[dataset.bounds]
    assert any(
        note.startswith("STACDataset: raised by sign_href=") and note.endswith(".tif")
        for note in raised.value.__notes__
    )


def test_a_signer_that_is_no_function_is_refused_at_construction(tmp_path: Path) -> None:
    table = write_items(tmp_path, ITEMS)
    with pytest.raises(TypeError, match=r"sign_href must be a function of an href, got 'planetary_computer'"):
        STACDataset(table, ["red"], sign_href="planetary_computer")  # type: ignore[arg-type]
    signed, unsigned = STACDataset(table, ["red"], sign_href=str), STACDataset(table, ["red"])
    assert torch.equal(signed[signed.bounds]["image"], unsigned[unsigned.bounds]["image"])
