"""Benchmark chips as real downloads hold them: pictures of other colour models, damaged files, hidden files, misfits.

Each dataset is built in its real layout (tests.datasets.fakes), then one file is replaced by what a real
archive or a copy through macOS may hold.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from PIL import Image

from geotorch.core import DatasetNotFoundError, RasterReadError
from geotorch.datasets import (
    ETCI2021,
    LEVIRCD,
    OSCD,
    RESISC45,
    VHR10,
    DeepGlobeLandCover,
    EuroSAT,
    LandCoverAI,
    LoveDA,
    PatternNet,
)
from tests.datasets.fakes.change import PREFIX, make_levircd, make_oscd
from tests.datasets.fakes.classification import make_eurosat, make_patternnet, make_resisc45
from tests.datasets.fakes.dense import rgb, write_raster
from tests.datasets.fakes.detection import make_vhr10
from tests.datasets.fakes.segmentation import NAMES, SIZE, make_deepglobe, make_etci, make_landcoverai, make_loveda

RNG = np.random.default_rng(7)


def picture(mode: str, size: int = SIZE) -> Image.Image:
    """A random RGB picture saved in another colour model (``L``, ``LA``, ``P``, ``RGBA``)."""
    return Image.fromarray(RNG.integers(0, 255, (size, size, 3)).astype("uint8")).convert(mode)


def as_rgb(path: Path) -> torch.Tensor:
    """What PIL's convert("RGB") (TorchGeo's reader of these products) gives for the picture."""
    return torch.from_numpy(np.asarray(Image.open(path).convert("RGB"), dtype="float32")).permute(2, 0, 1)


@pytest.mark.parametrize("mode", ["L", "LA", "P", "RGBA"])
def test_loveda_reads_a_chip_of_another_colour_model_as_its_rgb(mode: str, tmp_path: Path) -> None:
    root = make_loveda(tmp_path)
    chip = root / "Train" / "Urban" / "images_png" / "10.png"
    picture(mode).save(chip)
    sample = LoveDA(root)[0]
    assert sample["image"].shape == (3, SIZE, SIZE)
    assert torch.equal(sample["image"], as_rgb(chip))


@pytest.mark.parametrize(("mode", "bits"), [("1", 1), ("L", 2), ("L", 4)])
def test_a_grey_picture_of_fewer_than_8_bits_is_read_on_the_0_255_scale(mode: str, bits: int, tmp_path: Path) -> None:
    # GDAL reads a 1, 2 or 4-bit grey PNG as its stored levels: a black-and-white chip was 0 and 1, silently.
    root = make_loveda(tmp_path)
    chip = root / "Train" / "Urban" / "images_png" / "10.png"
    picture(mode).save(chip, bits=bits)
    sample = LoveDA(root)[0]
    assert torch.equal(sample["image"], as_rgb(chip)) and sample["image"].max() == 255


def test_a_grey_jpeg_among_rgb_scene_chips_is_read_as_rgb(tmp_path: Path) -> None:
    root = make_resisc45(tmp_path)
    chip = root / RESISC45.images_folder / "airplane" / "airplane_002.jpg"
    picture("L").save(chip)
    sample = RESISC45(root, split="val")[0]
    assert torch.equal(sample["image"], as_rgb(chip)) and int(sample["label"]) == 0


def test_change_pairs_and_deepglobe_masks_of_other_colour_models_read_as_rgb(tmp_path: Path) -> None:
    levir = make_levircd(tmp_path / "levir")
    before = levir / "A" / "train_1.png"
    picture("P").save(before)
    assert torch.equal(LEVIRCD(levir)[0]["image"][0], as_rgb(before))
    deepglobe = make_deepglobe(tmp_path / "deepglobe")
    mask = deepglobe / "data" / "training_data" / "masks" / "119_mask.png"
    # A palette mask of the class colours: cyan urban land over the top half, blue water below.
    colours = np.zeros((SIZE, SIZE, 3), "uint8")
    colours[: SIZE // 2] = (0, 255, 255)
    colours[SIZE // 2:] = (0, 0, 255)
    Image.fromarray(colours).convert("P", palette=Image.Palette.ADAPTIVE, colors=2).save(mask)
    assert DeepGlobeLandCover(deepglobe)[0]["mask"].unique().tolist() == [0, 4]


def test_a_16_bit_picture_among_8_bit_ones_is_refused_naming_it(tmp_path: Path) -> None:
    root = make_loveda(tmp_path)
    chip = write_raster(root / "Train" / "Urban" / "images_png" / "10.png", rgb(SIZE, dtype="uint16"))
    with pytest.raises(ValueError, match=rf"{chip}: a uint16 picture .* 8-bit"):
        LoveDA(root)[0]


def test_a_truncated_or_damaged_chip_is_named(tmp_path: Path) -> None:
    root = make_resisc45(tmp_path)
    chip = root / RESISC45.images_folder / "airplane" / "airplane_002.jpg"
    Image.fromarray(RNG.integers(0, 255, (64, 64, 3)).astype("uint8")).save(chip, quality=95)
    chip.write_bytes(chip.read_bytes()[: chip.stat().st_size // 2])
    dataset = RESISC45(root, split="val")
    with pytest.raises(RasterReadError, match=rf"{chip}: cannot read the chip: .*Premature end of JPEG"):
        dataset[0]
    chip.write_bytes(b"<html>Quota exceeded</html>")
    with pytest.raises(RasterReadError, match=rf"{chip}: cannot read the chip"):
        dataset[0]


def test_a_eurosat_chip_of_fewer_bands_is_refused_naming_it(tmp_path: Path) -> None:
    root = make_eurosat(tmp_path)
    chip = write_raster(root / EuroSAT.images_folder / "AnnualCrop" / "AnnualCrop_1.tif", rgb(SIZE, dtype="uint16"))
    with pytest.raises(ValueError, match=rf"{chip}: the chip has 3 band\(s\)"):
        EuroSAT(root)[0]


def test_macos_hidden_files_beside_the_chips_are_no_samples(tmp_path: Path) -> None:
    apple_double = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        "
    patternnet = make_patternnet(tmp_path / "patternnet")
    folder = patternnet / PatternNet.images_folder / "airplane"
    (folder / "._airplane001.jpg").write_bytes(apple_double)
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    dataset = PatternNet(patternnet)
    assert len(dataset) == 9 and all(dataset[i]["image"].shape == (3, 16, 16) for i in range(len(dataset)))
    loveda = make_loveda(tmp_path / "loveda")
    for folder_name in ("images_png", "masks_png"):
        (loveda / "Train" / "Urban" / folder_name / "._10.png").write_bytes(apple_double)
    assert [image.name for image, _ in LoveDA(loveda, scene="urban").files] == ["10.png", "11.png"]
    deepglobe = make_deepglobe(tmp_path / "deepglobe")
    (deepglobe / "data" / "training_data" / "images" / "._119_sat.jpg").write_bytes(apple_double)
    assert len(DeepGlobeLandCover(deepglobe)) == 2
    etci = make_etci(tmp_path / "etci")
    vv = etci / "train" / "bangladesh_20170314t115609" / "tiles" / "vv"
    (vv / "._bangladesh_20170314t115609_x-0_y-0_vv.png").write_bytes(apple_double)
    assert len(ETCI2021(etci)) == 4


def test_landcoverai_cuts_the_orthophotos_beside_their_apple_double_copies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(LandCoverAI, "chip_size", SIZE)
    root = make_landcoverai(tmp_path)
    for folder in ("images", "masks"):
        (root / folder / f"._{NAMES[0]}.tif").write_bytes(b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        ")
    # Before: RasterioIOError "'.../images/._M-33-20-D-c-4-2.tif' not recognized as being in a supported file
    # format" while cutting, so no split could be opened.
    dataset = LandCoverAI(root)
    assert len(dataset) == 4 and dataset[3]["image"].shape == (3, SIZE, SIZE)
    assert not list((root / "output").glob("._*"))


def test_a_split_file_naming_an_image_not_extracted_is_refused(tmp_path: Path) -> None:
    root = make_resisc45(tmp_path)
    (root / RESISC45.images_folder / "airplane" / "airplane_002.jpg").unlink()
    with pytest.raises(DatasetNotFoundError, match=r"1 image\(s\) listed in .*resisc45-val.txt are in no class "
                                                   r"folder \(airplane_002\)"):
        RESISC45(root, split="val")


def test_a_label_of_another_size_than_its_image_is_refused_naming_both(tmp_path: Path) -> None:
    loveda = make_loveda(tmp_path / "loveda")
    image = loveda / "Train" / "Urban" / "images_png" / "10.png"
    mask = write_raster(loveda / "Train" / "Urban" / "masks_png" / "10.png", np.zeros((1, 8, 8), "uint8"))
    with pytest.raises(ValueError, match=rf"LoveDA: {mask} is 8 x 8 px, but {image} of the same sample is 16 x 16"):
        LoveDA(loveda)[0]
    levir = make_levircd(tmp_path / "levir")
    label = write_raster(levir / "label" / "train_1.png", np.zeros((1, 16, 12), "uint8"))
    with pytest.raises(ValueError, match=rf"LEVIRCD: {label} is 16 x 12 px"):
        LEVIRCD(levir)[0]
    oscd = make_oscd(tmp_path / "oscd")
    band = write_raster(oscd / f"{PREFIX}Images" / "abudhabi" / "imgs_2_rect" / "B09.tif", rgb(8, 1, "uint16"))
    with pytest.raises(ValueError, match=rf"OSCD: {band} is 8 x 8 px"):
        OSCD(oscd)[0]
    etci = make_etci(tmp_path / "etci")
    tiles = etci / "train" / "bangladesh_20170314t115609" / "tiles"
    flood = write_raster(tiles / "flood_label" / "bangladesh_20170314t115609_x-0_y-0.png",
                         np.zeros((1, 8, 16), "uint8"))
    with pytest.raises(ValueError, match=rf"ETCI2021: {flood} is 8 x 16 px"):
        ETCI2021(etci)[0]


def test_split_files_saved_with_a_byte_order_mark_and_crlf_keep_their_first_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    resisc45 = make_resisc45(tmp_path / "resisc45")
    split = resisc45 / "resisc45-val.txt"
    split.write_bytes("\ufeff".encode() + split.read_bytes().replace(b"\n", b"\r\n"))
    # Before: the first name, '\ufeffairplane_002', matched no chip: 2 samples instead of 3, silently (since
    # b6c9dec a DatasetNotFoundError naming it).
    dataset = RESISC45(resisc45, split="val")
    assert len(dataset) == 3 and dataset.files[0].name == "airplane_002.jpg"
    monkeypatch.setattr(LandCoverAI, "chip_size", SIZE)
    landcoverai = make_landcoverai(tmp_path / "landcoverai")
    split = landcoverai / "train.txt"
    split.write_bytes("\ufeff".encode() + split.read_bytes().replace(b"\n", b"\r\n"))
    # Before: RasterReadError for output/'\ufeffM-33-20-D-c-4-2_0.jpg', a chip no cut writes.
    assert LandCoverAI(landcoverai)[0]["image"].shape == (3, SIZE, SIZE)


def test_landcoverai_names_listed_chips_whose_orthophoto_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(LandCoverAI, "chip_size", SIZE)
    root = make_landcoverai(tmp_path)
    (root / "images" / f"{NAMES[1]}.tif").unlink()
    # Before: built with 4 chips, the 4th failing at its first read with 'No such file or directory'.
    with pytest.raises(DatasetNotFoundError, match=rf"1 chip\(s\) listed in train.txt are not cut from the "
                                                   rf"orthophotos in {root / 'images'} \({NAMES[1]}_0\)"):
        LandCoverAI(root)


MISSING = [
    (LoveDA, make_loveda, "Train/Rural/masks_png/21.png"),
    (LEVIRCD, make_levircd, "B/train_3.png"),
    (ETCI2021, make_etci, "train/nebraska_20170309t002110/tiles/vh/nebraska_20170309t002110_x-1_y-0_vh.png"),
    (VHR10, make_vhr10, "NWPU VHR-10 dataset/positive image set/002.jpg"),
]


@pytest.mark.parametrize(("dataset", "make", "missing"), MISSING, ids=[case[0].__name__ for case in MISSING])
def test_a_missing_label_or_partner_file_is_named_when_the_dataset_is_built(
    tmp_path: Path, dataset: Callable[[Path], Any], make: Callable[[Path], Path], missing: str
) -> None:
    path = make(tmp_path) / missing
    path.unlink()
    # Before: the dataset was built, and the sample failed at its first read (hours into an epoch, maybe) with
    # rasterio's "No such file or directory".
    with pytest.raises(DatasetNotFoundError, match=rf"1 file\(s\) its samples read are missing \({path}\)"):
        dataset(tmp_path)


def test_a_chip_whose_name_is_not_utf8_is_refused_when_built_naming_its_bytes(tmp_path: Path) -> None:
    root = make_patternnet(tmp_path)
    chip = root / PatternNet.images_folder / "airplane" / "airplane001.jpg"
    try:
        os.rename(os.fsencode(chip), os.fsencode(chip.parent) + b"/caf\xe9.jpg")
    except OSError as error:  # (macOS's APFS, say, takes UTF-8 names only)
        pytest.skip(f"this file system refuses a name that is not UTF-8: {error}")
    # Before: built with 9 chips; reading caf\xe9.jpg raised UnicodeEncodeError "'utf-8' codec can't encode
    # character '\udce9' in position 44: surrogates not allowed", naming no file.
    with pytest.raises(ValueError, match=r"caf\\xe9\.jpg'?: the path is not UTF-8"):
        PatternNet(root)


def test_an_image_copied_into_a_second_class_folder_is_refused_naming_both(tmp_path: Path) -> None:
    root = make_resisc45(tmp_path / "resisc45")
    chip = root / RESISC45.images_folder / "airplane" / "airplane_002.jpg"
    copy = root / RESISC45.images_folder / "airport" / "airplane_002.jpg"
    copy.write_bytes(chip.read_bytes())
    # Before: 4 validation samples of 3, airplane_002 once as airplane (0) and once as airport (1).
    with pytest.raises(ValueError, match=rf"RESISC45: {chip} and {copy} are one image name in two places"):
        RESISC45(root, split="val")
    patternnet = make_patternnet(tmp_path / "patternnet")
    chip = patternnet / PatternNet.images_folder / "airplane" / "airplane001.jpg"
    twin = write_raster(chip.with_suffix(".JPG"), rgb(16))
    # Before: 10 samples of 9, airplane001 twice.
    with pytest.raises(ValueError, match=rf"PatternNet: {twin} and {chip} are one image name"):
        PatternNet(patternnet)


def test_loveda_refuses_a_scene_named_twice(tmp_path: Path) -> None:
    # Before: 4 samples, each urban chip twice.
    with pytest.raises(ValueError, match=r"LoveDA: scene=\['urban', 'urban'\] names a scene twice"):
        LoveDA(make_loveda(tmp_path), scene=["urban", "urban"])


def test_a_class_folder_of_another_name_is_refused_not_left_out(tmp_path: Path) -> None:
    root = make_patternnet(tmp_path)
    images = root / PatternNet.images_folder
    (images / "airplane").rename(images / "Airplane")
    # Before: 6 samples of 9, the 3 airplanes left out silently.
    with pytest.raises(ValueError, match=rf"PatternNet: {images} holds folders that are no class of it, "
                                         r"\['Airplane'\]"):
        PatternNet(root)


def test_a_label_with_values_outside_the_classes_is_refused_naming_it(tmp_path: Path) -> None:
    root = make_loveda(tmp_path)
    mask = root / "Train" / "Urban" / "masks_png" / "11.png"
    values = np.zeros((1, SIZE, SIZE), "uint8")
    values[:, :2] = 255
    values[:, 2:4] = 8
    write_raster(mask, values)
    # Before: the mask held 255 and 8 beside LoveDA's values 0-7, read as they were; a task refused the batch
    # later without naming the file.
    with pytest.raises(ValueError, match=rf"LoveDA: the label {mask} holds \[8, 255\], outside its classes 0 to 7 "
                                         r"\(no-data, background, "):
        LoveDA(root)[1]


def test_a_macosx_folder_among_the_class_folders_is_passed_over(tmp_path: Path) -> None:
    root = make_patternnet(tmp_path)
    metadata = root / PatternNet.images_folder / "__MACOSX" / "airplane"
    metadata.mkdir(parents=True)
    (metadata / "._airplane001.jpg").write_bytes(b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        ")
    # Before (since e1e160a): ValueError naming ['__MACOSX'] as a folder that is no class.
    assert len(PatternNet(root)) == 9


def test_an_empty_split_file_is_named_as_such(tmp_path: Path) -> None:
    root = make_resisc45(tmp_path)
    split = root / "resisc45-val.txt"
    split.write_bytes(b"")
    # Before: DatasetNotFoundError "... no image listed in .../resisc45-val.txt is in a class folder (airplane,
    # airport, baseball_diamond, ...)", as if the images were missing.
    with pytest.raises(DatasetNotFoundError, match=rf"{split}; the split file lists no image: a download cut short"):
        RESISC45(root, split="val")


def test_a_missing_split_file_is_named_beside_extracted_chips(tmp_path: Path) -> None:
    root = make_eurosat(tmp_path)
    (root / "eurosat-val.txt").unlink()
    assert len(EuroSAT(root, split="train")) > 0
    with pytest.raises(DatasetNotFoundError, match=r"pass download=True .*\(eurosat-val\.txt is missing\)"):
        EuroSAT(root, split="val")
