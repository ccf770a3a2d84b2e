"""BigEarthNet, So2Sat and VHR10 on files as damaged or mixed downloads hold them: each error names the file."""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import numpy as np
import pytest

from geotorch.core import DatasetNotFoundError, RasterReadError
from geotorch.datasets import VHR10, BigEarthNet, So2Sat
from tests.datasets.fakes.classification import PATCHES, make_bigearthnet, write_so2sat
from tests.datasets.fakes.detection import make_vhr10

S2_PATCH = PATCHES[0][0]


@pytest.fixture
def bigearthnet_patch(tmp_path: Path) -> Path:
    """The folder of the first S2 patch of a fake BigEarthNet under ``tmp_path``."""
    return make_bigearthnet(tmp_path) / "BigEarthNet-v1.0" / S2_PATCH


def test_bigearthnet_takes_the_labels_beside_a_macos_apple_double_copy(bigearthnet_patch: Path) -> None:
    (bigearthnet_patch / f"._{S2_PATCH}_labels_metadata.json").write_bytes(b"\x00\x05\x16\x07\x00\x02\xff\xfe")
    label = BigEarthNet(bigearthnet_patch.parent.parent, bands="s2")[0]["label"]
    # Coniferous forest, Mixed forest, Transitional woodland/shrub: classes 9, 10 and 13 of the 19.
    assert label.nonzero().flatten().tolist() == [9, 10, 13]


def test_bigearthnet_names_a_patch_without_its_label_file(bigearthnet_patch: Path) -> None:
    (bigearthnet_patch / f"{S2_PATCH}_labels_metadata.json").unlink()
    with pytest.raises(FileNotFoundError, match=rf"{bigearthnet_patch} holds 0 \*labels_metadata.json files"):
        BigEarthNet(bigearthnet_patch.parent.parent, bands="s2")[0]


def test_bigearthnet_names_a_label_that_is_not_a_corine_class(bigearthnet_patch: Path) -> None:
    labels = bigearthnet_patch / f"{S2_PATCH}_labels_metadata.json"
    labels.write_text(json.dumps({"labels": ["Mixed forest", "Coniferous forests"]}))
    with pytest.raises(ValueError, match=rf"{labels} names \['Coniferous forests'\], not classes of the 43"):
        BigEarthNet(bigearthnet_patch.parent.parent, bands="s2")[0]


def test_bigearthnet_names_a_truncated_band_file(bigearthnet_patch: Path) -> None:
    band = bigearthnet_patch / f"{S2_PATCH}_B02.tif"
    band.write_bytes(band.read_bytes()[:300])
    with pytest.raises(RasterReadError, match=rf"{band}: cannot read the chip"):
        BigEarthNet(bigearthnet_patch.parent.parent, bands="s2")[0]


def test_bigearthnet_names_a_split_line_that_is_not_two_patches(tmp_path: Path) -> None:
    root = make_bigearthnet(tmp_path)
    split = root / "bigearthnet-val.csv"
    split.write_text(f"{PATCHES[2][0]},{PATCHES[2][1]}\n{PATCHES[2][0]}\n")
    with pytest.raises(ValueError, match=rf"line 2 of {split} is '{PATCHES[2][0]}', not '<S2 patch>,<S1 patch>'"):
        BigEarthNet(root, split="val")


def test_bigearthnet_reads_a_split_file_saved_with_a_byte_order_mark(tmp_path: Path) -> None:
    root = make_bigearthnet(tmp_path)
    split = root / "bigearthnet-train.csv"
    split.write_bytes("\ufeff".encode() + split.read_bytes().replace(b"\n", b"\r\n"))
    # Before: the first patch was '\ufeffS2A_MSIL2A_20170613T101031_0_45', a folder that does not exist.
    dataset = BigEarthNet(root, bands="s2")
    assert dataset.patches[0]["s2"] == S2_PATCH and dataset[0]["image"].shape == (12, 120, 120)


def test_so2sat_refuses_a_file_whose_labels_are_fewer_than_its_chips(tmp_path: Path) -> None:
    path = write_so2sat(tmp_path / "validation.h5")
    with h5py.File(path, "a") as file:
        del file["label"]
        file["label"] = np.eye(17)[np.arange(3)]
    with pytest.raises(ValueError, match=rf"{path} holds datasets of different chip counts "
                                         r"\{'sen1': 4, 'sen2': 4, 'label': 3\}"):
        So2Sat(tmp_path, split="validation")


def test_so2sat_names_a_truncated_file(tmp_path: Path) -> None:
    path = write_so2sat(tmp_path / "validation.h5")
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(OSError, match=rf"So2Sat: {path} cannot be read as HDF5 \(.*truncated file"):
        So2Sat(tmp_path, split="validation")


def test_so2sat_refuses_a_label_that_is_not_one_hot(tmp_path: Path) -> None:
    path = write_so2sat(tmp_path / "validation.h5")
    with h5py.File(path, "a") as file:
        file["label"][1] = np.zeros(17)
    dataset = So2Sat(tmp_path, split="validation")
    assert int(dataset[0]["label"]) == 0
    with pytest.raises(ValueError, match=rf"the label of chip 1 in {path} is \[0.0, .*\], not one-hot"):
        dataset[1]


def test_bigearthnet_names_a_label_file_that_is_not_json(bigearthnet_patch: Path) -> None:
    labels = bigearthnet_patch / f"{S2_PATCH}_labels_metadata.json"
    labels.write_text('{"labels": ["Mixed forest"')
    # Before: json.JSONDecodeError "Expecting ',' delimiter: line 1 column 28 (char 27)", naming no file.
    with pytest.raises(ValueError, match=rf"BigEarthNet: {labels} is not a JSON file \(Expecting"):
        BigEarthNet(bigearthnet_patch.parent.parent, bands="s2")[0]
    labels.write_text('{"tile_source": "S2A"}')
    # Before: a bare KeyError 'labels'.
    with pytest.raises(ValueError, match=rf"BigEarthNet: {labels} holds no \['labels'\]"):
        BigEarthNet(bigearthnet_patch.parent.parent, bands="s2")[0]


def test_vhr10_names_annotations_that_are_an_error_page_or_not_coco(tmp_path: Path) -> None:
    root = make_vhr10(tmp_path)
    annotations = root / "NWPU VHR-10 dataset" / "annotations.json"
    annotations.write_text("<html><body>Rate limit exceeded</body></html>")
    # Before: json.JSONDecodeError "Expecting value: line 1 column 1 (char 0)", naming no file.
    with pytest.raises(ValueError, match=rf"VHR10: {annotations} is not a JSON file"):
        VHR10(root)
    annotations.write_text(json.dumps({"images": []}))
    # Before: a bare KeyError 'annotations'.
    with pytest.raises(ValueError, match=rf"VHR10: {annotations} holds no \['annotations'\]"):
        VHR10(root)


def test_bigearthnet_names_an_empty_split_file(tmp_path: Path) -> None:
    root = make_bigearthnet(tmp_path)
    split = root / "bigearthnet-val.csv"
    split.write_bytes(b"")
    # Before: a dataset of 0 patches, so a fit or test ran no step, silently.
    with pytest.raises(DatasetNotFoundError, match=rf"{split}; the split file lists no patch"):
        BigEarthNet(root, split="val")
