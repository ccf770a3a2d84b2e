"""Weights that cannot be matched as asked are refused with a message naming the argument and the way out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import torch

from geotorch.core import get_model


@pytest.fixture
def checkpoint(tmp_path: Path) -> Path:
    path = tmp_path / "resnet18.pth"
    torch.save(get_model("resnet18", in_chans=3, num_classes=0).state_dict(), path)
    return path


@pytest.mark.parametrize("bands", [["B04", "B03", "B02"], ["B02", "B03", "B04"]])
def test_band_names_for_a_checkpoint_file_that_names_none_are_refused(checkpoint: Path, bands: list[str]) -> None:
    message = rf"bands={re.escape(repr(bands))}: weights '.*resnet18.pth' do not name their input bands"
    with pytest.raises(ValueError, match=message + r" \(a checkpoint file or ImageNet weights\).*leave bands out"):
        get_model("resnet18", weights=str(checkpoint), in_chans=3, bands=bands, num_classes=0)
    with pytest.raises(ValueError, match=r"do not name their input bands"):
        get_model("resnet18", weights=str(checkpoint), in_chans=4, bands=[*bands, "B08"], adapt=True, num_classes=0)


def test_a_checkpoint_file_without_bands_loads_as_saved(checkpoint: Path) -> None:
    model = get_model("resnet18", weights=str(checkpoint), in_chans=3, num_classes=0)
    assert torch.equal(model.state_dict()["conv1.weight"], torch.load(checkpoint)["conv1.weight"])


def test_a_state_dict_given_as_weights_is_refused_in_a_line_saying_how_to_give_it() -> None:
    state = get_model("resnet18", in_chans=3, num_classes=0).state_dict()
    with pytest.raises(TypeError, match=rf"weights is a state dict \({len(state)} entries\).*torch.save") as caught:
        get_model("resnet18", weights=state, num_classes=0)
    assert len(str(caught.value)) < 300


def test_weights_of_another_type_are_named_by_type_in_a_short_message() -> None:
    with pytest.raises(TypeError, match=r"got Tensor tensor\(") as caught:
        get_model("resnet18", weights=torch.zeros(64, 3, 7, 7), num_classes=0)  # type: ignore[arg-type]
    assert len(str(caught.value)) < 300


def test_a_folder_of_checkpoints_given_as_weights_names_the_files_in_it(tmp_path: Path) -> None:
    folder = tmp_path / "version_0" / "checkpoints"
    folder.mkdir(parents=True)
    state = get_model("resnet18", in_chans=3, num_classes=0).state_dict()
    for name in ("epoch=3-step=96.ckpt", "last.ckpt"):
        torch.save(state, folder / name)
    message = (rf"weights='{re.escape(str(folder))}' is a folder, not a checkpoint file: name a file in it; it holds "
               r"epoch=3-step=96.ckpt, last.ckpt")
    # Before: KeyError "unknown weight '.../version_0/checkpoints' (known: dofa_base_patch16_224.dofa_mae, ...)" for
    # the string, and FileNotFoundError "... no such checkpoint file" for the Path, neither saying it is a folder.
    for weights in (str(folder), folder):
        with pytest.raises(IsADirectoryError, match=message):
            get_model("resnet18", weights=weights, num_classes=0)
    model = get_model("resnet18", weights=str(folder / "last.ckpt"), num_classes=0)
    assert torch.equal(model.state_dict()["conv1.weight"], state["conv1.weight"])
