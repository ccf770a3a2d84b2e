"""A file given as weights that is no checkpoint at all (a text, a raster, nothing) is named as such."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from geotorch.core import get_model
from geotorch.models import UnsafeCheckpointError, load_checkpoint


@pytest.mark.parametrize(
    ("content", "found"),
    [
        (b"hi\n", "neither torch.save's zip archive nor a pickle"),  # torch's unpickler: KeyError: 105
        (b"hello world\n", "neither torch.save's zip archive nor a pickle"),  # was called unsafe ("could run code")
        (b"II*\x00\x08\x00\x00\x00", "neither torch.save's zip archive nor a pickle"),  # a GeoTIFF's header
        (b"", "an empty file"),
    ],
)
def test_a_file_that_is_no_checkpoint_is_named_as_such(content: bytes, found: str, tmp_path: Path) -> None:
    path = tmp_path / "weights.pth"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=rf"^{path}: not a PyTorch checkpoint \({found}\)$"):
        load_checkpoint(path)
    with pytest.raises(ValueError, match="not a PyTorch checkpoint"):
        get_model("resnet18", weights=str(path), in_chans=3)


def test_both_formats_torch_save_writes_still_load(tmp_path: Path) -> None:
    for name, zipped in (("zip.pth", True), ("legacy.pth", False)):
        path = tmp_path / name
        torch.save({"weight": torch.ones(2)}, path, _use_new_zipfile_serialization=zipped)
        assert set(load_checkpoint(path)) == {"weight"}


def test_a_safetensors_file_given_as_weights_loads_as_saved(tmp_path: Path) -> None:
    from safetensors.torch import save_file

    torch.manual_seed(3)
    saved = get_model("resnet18", weights=None, in_chans=3, num_classes=0)
    path = tmp_path / "resnet18-finetuned.safetensors"
    save_file({key: value.contiguous() for key, value in saved.state_dict().items()}, str(path))

    loaded = get_model("resnet18", weights=str(path), in_chans=3, num_classes=0)

    assert torch.equal(loaded.conv1.weight, saved.conv1.weight)
    assert torch.equal(loaded.layer4[1].bn2.running_var, saved.layer4[1].bn2.running_var)


def test_a_truncated_safetensors_file_is_named(tmp_path: Path) -> None:
    from safetensors.torch import save_file

    path = tmp_path / "weights.safetensors"
    save_file({"weight": torch.ones(1000)}, str(path))
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(ValueError, match=rf"^{path}: not a readable safetensors file \("):
        load_checkpoint(path)


def test_a_torchscript_archive_is_named_as_one_with_the_way_to_a_state_dict(tmp_path: Path) -> None:
    model = get_model("resnet18", weights=None, in_chans=3, num_classes=0).eval()
    path = tmp_path / "resnet18-scripted.pt"
    torch.jit.save(torch.jit.trace(model, torch.rand(1, 3, 32, 32)), path)
    # torch's own message advised weights_only=False, which GeoTorch never does
    with pytest.raises(ValueError, match=rf"^{path}: a TorchScript archive \(torch\.jit\.save\), not a state dict.*"
                                         r"state_dict\(\) with torch\.save") as raised:
        get_model("resnet18", weights=str(path), in_chans=3, num_classes=0)
    assert "weights_only=False" not in str(raised.value)


def test_a_whole_model_saved_with_torch_save_is_named_with_its_class(tmp_path: Path) -> None:
    path = tmp_path / "resnet18-whole.pt"
    torch.save(get_model("resnet18", weights=None, in_chans=3, num_classes=0), path)
    with pytest.raises(UnsafeCheckpointError, match=r"\(timm\.models\.resnet\.ResNet\).*torch\.save\(model\).*"
                                                    r"state_dict\(\) alone"):
        get_model("resnet18", weights=str(path), in_chans=3, num_classes=0)


def test_a_missing_hugging_face_bin_file_is_named_as_a_missing_checkpoint(tmp_path: Path) -> None:
    # pytorch_model.bin is how Hugging Face repositories name torch.save checkpoints; a missing one was looked
    # up as a registered weight name: KeyError "unknown weight '.../pytorch_model.bin' (known: <every name>)"
    missing = tmp_path / "download" / "pytorch_model.bin"
    with pytest.raises(FileNotFoundError, match=rf"weights='{missing}': no such checkpoint file"):
        get_model("resnet18", weights=str(missing), in_chans=3)
    path = tmp_path / "pytorch_model.bin"
    torch.save(get_model("resnet18", weights=None, in_chans=3, num_classes=0).state_dict(), path)
    assert get_model("resnet18", weights=str(path), in_chans=3, num_classes=0).conv1.weight.shape == (64, 3, 7, 7)


def test_a_missing_file_given_by_its_path_is_named_as_missing_whatever_its_name(tmp_path: Path) -> None:
    missing = tmp_path / "runs" / "best"  # no suffix: was looked up as a registered name, KeyError listing them all
    with pytest.raises(FileNotFoundError, match=rf"weights='{missing}': no such checkpoint file"):
        get_model("resnet18", weights=str(missing), in_chans=3)


def test_a_training_scripts_checkpoint_holding_its_arguments_loads(tmp_path: Path) -> None:
    import argparse

    # MAE's, SatMAE's and Scale-MAE's misc.save_model and timm's train.py keep the parsed arguments beside the
    # weights; refused before as objects 'unpickling them could run code'
    torch.manual_seed(12)
    trained = get_model("resnet18", weights=None, in_chans=3, num_classes=0)
    arguments = argparse.Namespace(lr=1.5e-4, input_size=224, output_dir=Path("/data/out"), resume="")
    path = tmp_path / "checkpoint-399.pth"
    torch.save({"model": trained.state_dict(), "optimizer": {"state": {}, "param_groups": []}, "epoch": 399,
                "scaler": {"scale": 65536.0}, "args": arguments}, path)

    loaded = get_model("resnet18", weights=str(path), in_chans=3, num_classes=0)
    assert torch.equal(loaded.conv1.weight, trained.conv1.weight)
