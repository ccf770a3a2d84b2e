"""PASTIS on fake PASTIS-R data in the real layout (DATA_S2/S2_{id}.npy, ANNOTATIONS/, metadata.geojson)."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from geotorch.core import ChecksumError, DatasetNotFoundError, get_dataset_class, stack_samples, unbind_samples
from geotorch.core.cli import main
from geotorch.core.testing import NonGeoDatasetConformance
from geotorch.datasets import PASTIS, PASTIS100
from tests.datasets.fakes.dense import damaged, served, zip_members
from tests.datasets.fakes.time_series import BOXES, CLASSES, LABELS, PATCHES, S1_DATES, SIZE, make_pastis


@pytest.fixture(scope="module")
def pastis_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_pastis(tmp_path_factory.mktemp("pastis"))


def posix(date: int) -> float:
    return datetime.strptime(str(date), "%Y%m%d").replace(tzinfo=UTC).timestamp()


@pytest.mark.parametrize(("folds", "ids"), [
    ((1, 2, 3, 4, 5), [10000, 10001, 20000, 30000, 40000, 50000]),
    ((1,), [10000, 10001]),
    ((4, 2), [20000, 40000]),
    ((5,), [50000]),
])
def test_folds_select_their_patches_in_metadata_order(pastis_root: Path, folds: tuple[int, ...],
                                                      ids: list[int]) -> None:
    dataset = PASTIS(pastis_root, folds=folds)
    assert len(dataset) == len(ids)
    assert [patch.id for patch in dataset.patches] == ids


def test_semantic_sample_is_the_series_with_its_dates_and_classes(pastis_root: Path) -> None:
    sample = PASTIS(pastis_root, folds=(4,))[0]
    assert set(sample) == {"image", "mask", "time"}
    assert sample["image"].shape == (6, 10, SIZE, SIZE) and sample["image"].dtype == torch.float32
    assert sample["mask"].shape == (SIZE, SIZE) and sample["mask"].dtype == torch.int64
    assert torch.equal(sample["mask"], torch.from_numpy(CLASSES).long())
    assert sample["time"].dtype == torch.float64
    assert sample["time"].tolist() == [posix(date) for date in PATCHES[40000][1]]
    # 100 x step + band + 40000 % 7 (= 2): every band of every step where it belongs.
    assert sample["image"][:, :, 5, 5].tolist() == [[100 * step + band + 2 for band in range(10)] for step in range(6)]


def test_steps_stored_out_of_order_come_back_in_time_order(pastis_root: Path) -> None:
    # Patch 10000 stores 2018-10-04, 2018-09-24, 2018-11-09 (its dates as JSON text, keys last first).
    sample = PASTIS(pastis_root, folds=(1,))[0]
    assert sample["time"].tolist() == [posix(20180924), posix(20181004), posix(20181109)]
    assert sample["image"][:, 0, 0, 0].tolist() == [100 + 4, 0 + 4, 200 + 4]
    assert bool((sample["time"].diff() > 0).all())


def test_bands_are_read_in_the_order_asked(pastis_root: Path) -> None:
    sample = PASTIS(pastis_root, folds=(5,), bands=("B04", "B12", "B02"))[0]
    assert sample["image"].shape == (3, 3, SIZE, SIZE)
    assert sample["image"][0, :, 0, 0].tolist() == [2 + 50000 % 7, 9 + 50000 % 7, 0 + 50000 % 7]


@pytest.mark.parametrize("sensor", ["S1A", "S1D"])
def test_sentinel1_bands_read_that_orbit_with_its_own_dates(pastis_root: Path, sensor: str) -> None:
    sample = PASTIS(pastis_root, folds=(2,), bands=(f"{sensor}_VH",))[0]
    dates = S1_DATES[sensor]
    assert sample["image"].shape == (len(dates), 1, SIZE, SIZE)
    assert sample["time"].tolist() == [posix(date) for date in dates]
    assert sample["image"][:, 0, 0, 0].tolist() == [100 * step + 1 + 20000 % 7 for step in range(len(dates))]


def test_instance_sample_has_a_mask_box_and_class_per_parcel(pastis_root: Path) -> None:
    sample = PASTIS(pastis_root, folds=(3,), mode="instance")[0]
    assert set(sample) == {"image", "time", "mask", "bbox_xyxy", "label"}
    assert sample["mask"].shape == (4, SIZE, SIZE) and sample["mask"].dtype == torch.int64
    assert sample["mask"].sum(dim=(1, 2)).tolist() == [32, 32, 64, 64]
    assert sample["bbox_xyxy"].dtype == torch.float32 and sample["bbox_xyxy"].tolist() == BOXES
    assert sample["label"].dtype == torch.int64 and sample["label"].tolist() == LABELS


# 1.0 and True were taken as fold 1; 3 was "'int' object is not iterable".
@pytest.mark.parametrize("folds", [(0,), (1, 6), (), 3, "3", (1.0,), (True,)])
def test_a_fold_outside_one_to_five_is_refused(pastis_root: Path, folds: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match=r"folds must be some of 1, 2, 3, 4, 5"):
        PASTIS(pastis_root, folds=folds)


@pytest.mark.parametrize(("bands", "message"), [
    (("B02", "B99"), r"unknown band\(s\) \['B99'\]"),
    (("B02", "S1A_VV"), r"bands of different sensors"),
    ((), r"non-empty"),
    ("B02", r"non-empty sequence"),
])
def test_bad_bands_are_refused_naming_them(pastis_root: Path, bands: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PASTIS(pastis_root, bands=bands)


def test_an_unknown_mode_is_refused(pastis_root: Path) -> None:
    with pytest.raises(ValueError, match=r"unknown mode 'panoptic'"):
        PASTIS(pastis_root, mode="panoptic")


def test_missing_data_without_download_names_the_folder(tmp_path: Path) -> None:
    with pytest.raises(DatasetNotFoundError, match=str(tmp_path)):
        PASTIS(tmp_path)


def test_a_missing_patch_file_is_named_at_construction(tmp_path: Path) -> None:
    root = make_pastis(tmp_path, {30000: PATCHES[30000]})
    (root / "PASTIS-R" / "INSTANCE_ANNOTATIONS" / "INSTANCES_30000.npy").unlink()
    assert len(PASTIS(root)) == 1
    with pytest.raises(DatasetNotFoundError, match=r"INSTANCES_30000.npy is missing"):
        PASTIS(root, mode="instance")


def test_a_series_of_another_length_than_its_dates_names_the_file(tmp_path: Path) -> None:
    root = make_pastis(tmp_path, {30000: PATCHES[30000]})
    np.save(root / "PASTIS-R" / "DATA_S2" / "S2_30000.npy", np.zeros((5, 10, SIZE, SIZE), "int16"))
    with pytest.raises(ValueError, match=r"S2_30000.npy: expected \(T, C, H, W\) with T = 2 dates"):
        PASTIS(root)[0]


@pytest.mark.parametrize(("name", "array", "mode", "message"), [
    # Each failed inside numpy or torch without naming the file, or (2-D target) gave a mask of shape (16,).
    ("DATA_S2/S2_30000.npy", np.zeros((2, 3, SIZE, SIZE), "int16"), "semantic",
     r"S2_30000.npy: expected \(T, C, H, W\) .* C = 10 bands of s2, got shape \(2, 3, 16, 16\)"),
    ("ANNOTATIONS/TARGET_30000.npy", np.zeros((SIZE, SIZE), "uint8"), "semantic",
     r"TARGET_30000.npy: expected \(K, H, W\) .* H x W = 16 x 16, got shape \(16, 16\)"),
    ("ANNOTATIONS/TARGET_30000.npy", np.zeros((3, 8, 8), "uint8"), "semantic",
     r"TARGET_30000.npy: expected \(K, H, W\) .* got shape \(3, 8, 8\)"),
    ("INSTANCE_ANNOTATIONS/INSTANCES_30000.npy", np.ones((8, 8), "int64"), "instance",
     r"INSTANCES_30000.npy: expected \(H, W\) parcel ids .* got shape \(8, 8\)"),
])
def test_a_patch_file_of_the_wrong_shape_names_the_file_and_its_shape(tmp_path: Path, name: str, array: np.ndarray,
                                                                        mode: str, message: str) -> None:
    root = make_pastis(tmp_path, {30000: PATCHES[30000]})
    np.save(root / "PASTIS-R" / name, array)
    with pytest.raises(ValueError, match=message):
        PASTIS(root, mode=mode)[0]


def test_metadata_without_the_sensor_s_dates_names_the_file_and_patch(tmp_path: Path) -> None:
    root = make_pastis(tmp_path, {30000: PATCHES[30000]})
    path = root / "PASTIS-R" / "metadata.geojson"
    metadata = json.loads(path.read_text())
    del metadata["features"][0]["properties"]["dates-S1D"]
    path.write_text(json.dumps(metadata))
    assert len(PASTIS(root)) == 1
    with pytest.raises(ValueError, match=r"metadata.geojson: a feature \(30000\) lacks the property 'dates-S1D'"):
        PASTIS(root, bands=("S1D_VV",))


@pytest.mark.parametrize(("edit", "message"), [
    # Each was json's or int()'s own error, naming neither the file nor the patch.
    (lambda metadata: metadata["features"][0]["properties"].update({"dates-S2": "{not json"}),
     r"metadata.geojson, patch 30000: dates '\{not json' are not JSON text"),
    (lambda metadata: metadata["features"][0]["properties"].update({"Fold": "one"}),
     r"metadata.geojson: a feature \(30000\) has ID_PATCH 30000 and Fold 'one'; both must be whole numbers"),
    (lambda metadata: metadata.pop("features"), r"metadata.geojson: not a GeoJSON FeatureCollection"),
    # int() truncated these: patch 30000.5 read S2_30000.npy, fold 1.5 was taken as fold 1.
    (lambda metadata: metadata["features"][0]["properties"].update({"ID_PATCH": 30000.5}),
     r"metadata.geojson: a feature \(30000.5\) has ID_PATCH 30000.5 and Fold 3; both must be whole numbers"),
    (lambda metadata: metadata["features"][0]["properties"].update({"Fold": 1.5}),
     r"metadata.geojson: a feature \(30000\) has ID_PATCH 30000 and Fold 1.5; both must be whole numbers"),
])
def test_metadata_that_does_not_fit_names_the_file_and_patch(tmp_path: Path, edit: Any, message: str) -> None:
    root = make_pastis(tmp_path, {30000: PATCHES[30000]})
    path = root / "PASTIS-R" / "metadata.geojson"
    metadata = json.loads(path.read_text())
    edit(metadata)
    path.write_text(json.dumps(metadata))
    with pytest.raises(ValueError, match=message):
        PASTIS(root)


def test_metadata_ids_and_folds_stored_as_whole_floats_are_read(tmp_path: Path) -> None:
    root = make_pastis(tmp_path, {30000: PATCHES[30000]})
    path = root / "PASTIS-R" / "metadata.geojson"
    metadata = json.loads(path.read_text())
    metadata["features"][0]["properties"].update({"ID_PATCH": 30000.0, "Fold": "3"})
    path.write_text(json.dumps(metadata))
    assert [(patch.id, patch.fold) for patch in PASTIS(root, folds=(3,)).patches] == [(30000, 3)]


def test_folds_the_metadata_lists_no_patch_of_are_refused_naming_those_it_lists(tmp_path: Path) -> None:
    """A copy without fold 5 gave an empty dataset, which failed later in the DataLoader naming nothing."""
    root = make_pastis(tmp_path, {10000: PATCHES[10000], 30000: PATCHES[30000]})
    with pytest.raises(ValueError, match=r"metadata.geojson lists no patch of folds \(5,\) \(it lists folds \[1, 3\]"):
        PASTIS(root, folds=(5,))


def test_metadata_that_is_not_json_names_the_file(tmp_path: Path) -> None:
    root = make_pastis(tmp_path, {30000: PATCHES[30000]})
    (root / "PASTIS-R" / "metadata.geojson").write_text("{truncated")
    with pytest.raises(ValueError, match=r"metadata.geojson: not a GeoJSON FeatureCollection of the patches"):
        PASTIS(root)


def test_plot_shows_first_and_last_dates_classes_and_prediction(pastis_root: Path) -> None:
    dataset = PASTIS(pastis_root, folds=(1,))
    sample = dataset[0]
    sample["prediction"] = torch.full((SIZE, SIZE), 3)
    figure = dataset.plot(sample, suptitle="PASTIS")
    titles = [axis.get_title() for axis in figure.axes]
    assert titles == ["Step 0 2018-09-24", "Step 2 2018-11-09", "Mask", "Prediction"]
    assert [text.get_text() for text in figure.legends[0].get_texts()] == [
        "background", "meadow", "corn", "void_label"]
    plt.close(figure)


def test_plot_of_a_padded_batch_sample_shows_its_last_real_step(pastis_root: Path) -> None:
    # Its last step was padding, dated NaN: plot raised 'cannot convert float NaN to integer'.
    dataset = PASTIS(pastis_root, folds=(1,))
    short = unbind_samples(stack_samples([dataset[0], dataset[1]]))[0]  # 3 steps padded to 5
    figure = dataset.plot(short)
    assert [axis.get_title() for axis in figure.axes][:2] == ["Step 0 2018-09-24", "Step 2 2018-11-09"]
    plt.close(figure)


def test_plot_of_an_instance_sample_paints_parcels_with_their_classes(pastis_root: Path) -> None:
    dataset = PASTIS(pastis_root, folds=(3,), mode="instance", bands=("B08",))
    sample = dataset[0]
    assert torch.equal(dataset.semantic_map(sample), torch.from_numpy(CLASSES).long())
    figure = dataset.plot(sample, show_titles=False)
    assert [axis.get_title() for axis in figure.axes] == ["", "", ""]
    plt.close(figure)


def test_pastis_and_pastis100_are_registered_and_listed(capsys: pytest.CaptureFixture[str]) -> None:
    assert get_dataset_class("PASTIS") is PASTIS
    assert get_dataset_class("PASTIS100") is PASTIS100
    assert main(["datasets", "PASTIS*"]) == 0
    listed = capsys.readouterr().out
    assert "PASTIS " in listed and "PASTIS100" in listed and "time-series segmentation" in listed


@pytest.fixture
def published(pastis_root: Path, tmp_path: Path, http_server: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    """PASTIS-R.zip (holding PASTIS-R/) served locally; PASTIS's archive (URL and MD5) points at it."""
    archive = zip_members(pastis_root, ["PASTIS-R"], tmp_path / "upload" / "PASTIS-R.zip")
    monkeypatch.setattr(PASTIS, "archive", served(http_server, archive))
    return tmp_path / "data"


def test_download_verifies_and_extracts_once(published: Path, http_server: Any) -> None:
    assert len(PASTIS(published, download=True, checksum=True)) == 6
    assert (published / "PASTIS-R" / "DATA_S2" / "S2_10000.npy").is_file()
    assert len(PASTIS(published, folds=(1,), download=True, checksum=True)) == 2
    assert http_server.hits("PASTIS-R.zip") == 1


def test_an_archive_in_root_is_extracted_without_download(published: Path, http_server: Any) -> None:
    published.mkdir()
    shutil.copy(http_server.root / "PASTIS-R.zip", published / "PASTIS-R.zip")
    assert len(PASTIS(published, checksum=True)) == 6
    assert http_server.hits("PASTIS-R.zip") == 0


def test_a_wrong_checksum_names_the_archive_and_keeps_nothing(published: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(PASTIS, "archive", damaged(PASTIS.archive))
    with pytest.raises(ChecksumError, match=r"PASTIS-R.zip"):
        PASTIS(published, download=True, checksum=True)
    assert not list(published.iterdir())


class TestPASTIS(NonGeoDatasetConformance):
    dataset_class = PASTIS
    image_ndim = 4
    variants: ClassVar = {
        "fold-1": {"folds": (1,)},
        "rgb": {"bands": PASTIS.rgb_bands},
        "s1a": {"bands": PASTIS.s1a_bands},
        "s1d-instance": {"bands": ("S1D_VV",), "mode": "instance"},
        "instance": {"mode": "instance", "folds": (2, 3)},
    }

    @pytest.fixture
    def dataset_kwargs(self, pastis_root: Path) -> dict[str, Any]:
        return {"root": pastis_root, "download": False}
