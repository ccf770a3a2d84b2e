"""AugmentationSequential: masks and boxes follow the image, draws replay, time series share a draw."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kornia.augmentation as K
import numpy as np
import pyogrio.raw
import pytest
import torch
from torch import nn

from geotorch.core import VectorDataset
from geotorch.transforms import (
    AppendBNDVI,
    AppendGBNDVI,
    AppendGNDVI,
    AppendGRNDVI,
    AppendNBR,
    AppendNDBI,
    AppendNDRE,
    AppendNDSI,
    AppendNDVI,
    AppendNDWI,
    AppendRBNDVI,
    AppendSWI,
    AugmentationSequential,
    MinMaxNormalize,
    Normalize,
    PercentileNormalize,
    RandomGrayscale,
)

# Sentinel-2's 13 bands: B1 B2(blue) B3(green) B4(red) B5(vre1) B6 B7 B8(nir) B8A B9 B10 B11(swir) B12(swir2).
BLUE, GREEN, RED, VRE1, NIR, SWIR, SWIR2 = 1, 2, 3, 4, 7, 11, 12
ALL_INDICES = [
    AppendNDVI(NIR, RED),
    AppendNDWI(GREEN, NIR),
    AppendNDBI(SWIR, NIR),
    AppendNBR(NIR, SWIR),
    AppendNDSI(GREEN, SWIR),
    AppendNDRE(NIR, VRE1),
    AppendGNDVI(NIR, GREEN),
    AppendBNDVI(NIR, BLUE),
    AppendSWI(VRE1, SWIR2),
    AppendGBNDVI(NIR, GREEN, BLUE),
    AppendGRNDVI(NIR, GREEN, RED),
    AppendRBNDVI(NIR, RED, BLUE),
]


def one_pixel_batch() -> dict[str, Any]:
    """A 2 x 13 x 6 x 8 batch with one marked pixel at row 2, column 1, its mask label and a box."""
    image = torch.zeros(2, 13, 6, 8)
    image[:, :, 2, 1] = 1.0
    mask = torch.zeros(2, 6, 8, dtype=torch.long)
    mask[:, 2, 1] = 3
    boxes = torch.tensor([[1.0, 2.0, 3.0, 5.0]]).expand(2, 1, 4)
    return {"image": image, "mask": mask, "boxes": boxes, "crs": "EPSG:32631"}


def test_horizontal_flip_moves_mask_pixel_and_box_to_mirror() -> None:
    out = AugmentationSequential(K.RandomHorizontalFlip(p=1.0))(one_pixel_batch())
    assert out["image"][:, :, 2, 6].eq(1.0).all()
    assert out["image"].sum() == 2 * 13
    assert out["mask"].dtype == torch.long
    assert out["mask"].shape == (2, 6, 8)
    assert out["mask"][:, 2, 6].eq(3).all()
    assert out["mask"].sum() == 2 * 3
    # x spans [1, 3] of an image 8 wide: mirrored, [8 - 3, 8 - 1].
    assert torch.equal(out["boxes"], torch.tensor([[5.0, 2.0, 7.0, 5.0]]).expand(2, 1, 4))


def test_vertical_flip_moves_box_to_mirror() -> None:
    out = AugmentationSequential(K.RandomVerticalFlip(p=1.0))(one_pixel_batch())
    assert out["mask"][:, 3, 1].eq(3).all()
    assert torch.equal(out["boxes"], torch.tensor([[1.0, 1.0, 3.0, 4.0]]).expand(2, 1, 4))


def test_rotation_keeps_the_box_around_the_mask() -> None:
    mask = torch.zeros(1, 8, 8, dtype=torch.long)
    mask[0, 2:4, 1:3] = 1
    sample = {"image": torch.rand(1, 3, 8, 8), "mask": mask, "boxes": torch.tensor([[[1.0, 2.0, 3.0, 4.0]]])}
    out = AugmentationSequential(K.RandomRotation90(times=(1, 1), p=1.0))(sample)
    rows, cols = out["mask"][0].nonzero().unbind(-1)
    assert out["mask"].sum() == 4
    enclosing = [cols.min(), rows.min(), cols.max() + 1, rows.max() + 1]
    assert torch.equal(out["boxes"][0, 0], torch.tensor(enclosing, dtype=torch.float32))


def test_multiband_mask_moves_with_the_image_and_keeps_its_dtype() -> None:
    mask = torch.zeros(2, 2, 6, 8, dtype=torch.uint8)
    mask[:, 1, 0, 0] = 200
    out = AugmentationSequential(K.RandomHorizontalFlip(p=1.0))({"image": torch.rand(2, 4, 6, 8), "mask": mask})
    assert out["mask"].dtype == torch.uint8
    assert out["mask"].shape == (2, 2, 6, 8)
    assert out["mask"][:, 1, 0, 7].eq(200).all()
    assert out["mask"].sum() == 2 * 200


def test_intensity_augmentations_change_the_image_only() -> None:
    batch = one_pixel_batch()
    augment = AugmentationSequential(K.RandomGaussianNoise(std=0.1, p=1.0), RandomGrayscale(p=1.0), seed=0)
    out = augment(batch)
    assert not torch.equal(out["image"], batch["image"])
    assert torch.equal(out["mask"], batch["mask"])
    assert torch.equal(out["boxes"], batch["boxes"])


def test_other_keys_pass_through_untouched() -> None:
    batch = one_pixel_batch()
    batch["bounds"] = [(0.0, 1.0, 0.0, 1.0, 0.0, 1.0)] * 2
    out = AugmentationSequential(K.RandomHorizontalFlip(p=1.0))(batch)
    assert out["crs"] is batch["crs"]
    assert out["bounds"] is batch["bounds"]
    assert out is not batch
    assert batch["mask"][:, 2, 1].eq(3).all()


def test_keys_left_out_of_data_keys_pass_through_untouched() -> None:
    batch = one_pixel_batch()
    out = AugmentationSequential(K.RandomHorizontalFlip(p=1.0), data_keys=["image", "mask"])(batch)
    assert out["mask"][:, 2, 6].eq(3).all()
    assert out["boxes"] is batch["boxes"]


def test_single_sample_comes_back_as_a_sample_with_keepdim() -> None:
    batch = one_pixel_batch()
    sample = {"image": batch["image"][0], "mask": batch["mask"][0], "boxes": batch["boxes"][0]}
    out = AugmentationSequential(K.RandomHorizontalFlip(p=1.0), keepdim=True)(sample)
    assert out["image"].shape == (13, 6, 8)
    assert out["mask"].shape == (6, 8)
    assert out["mask"][2, 6] == 3
    assert torch.equal(out["boxes"], torch.tensor([[5.0, 2.0, 7.0, 5.0]]))


def test_single_sample_comes_back_as_a_batch_of_one_without_keepdim() -> None:
    sample = {"image": torch.rand(13, 6, 8), "mask": torch.zeros(6, 8, dtype=torch.long), "boxes": torch.zeros(2, 4)}
    out = AugmentationSequential(K.RandomHorizontalFlip(p=1.0))(sample)
    assert out["image"].shape == (1, 13, 6, 8)
    assert out["mask"].shape == (1, 6, 8)
    assert out["boxes"].shape == (1, 2, 4)


def test_replayed_params_reproduce_the_output() -> None:
    augment = AugmentationSequential(
        K.RandomAffine(degrees=30.0, translate=(0.2, 0.2), p=1.0), K.RandomGaussianNoise(std=0.1, p=1.0)
    )
    batch = {"image": torch.rand(2, 13, 16, 16), "mask": torch.randint(0, 4, (2, 16, 16))}
    first = augment(batch)
    params = augment.params
    assert params is not None
    augment(batch)
    replayed = augment(batch, params=params)
    assert torch.equal(replayed["image"], first["image"])
    assert torch.equal(replayed["mask"], first["mask"])


def test_seed_governs_the_draws_and_leaves_the_global_random_state_alone() -> None:
    batch = {"image": torch.rand(2, 3, 16, 16)}

    def augmentations() -> list[nn.Module]:
        return [K.RandomAffine(degrees=30.0, p=1.0), K.RandomGaussianNoise(std=0.1, p=1.0)]

    seeded = AugmentationSequential(*augmentations(), seed=7)
    global_state = torch.get_rng_state()
    first, second = seeded(batch)["image"], seeded(batch)["image"]
    assert torch.equal(torch.get_rng_state(), global_state)
    assert not torch.equal(first, second)
    again = AugmentationSequential(*augmentations(), seed=7)
    assert torch.equal(again(batch)["image"], first)
    assert torch.equal(again(batch)["image"], second)
    assert not torch.equal(AugmentationSequential(*augmentations(), seed=8)(batch)["image"], first)


@pytest.mark.parametrize(
    ("augmentation", "bands"),
    [
        (K.RandomHorizontalFlip(p=1.0), 13),
        (K.RandomVerticalFlip(p=1.0), 13),
        (K.RandomAffine(degrees=45.0, translate=(0.1, 0.1), scale=(0.8, 1.2), p=1.0), 13),
        (K.RandomResizedCrop((8, 8), p=1.0), 13),
        (K.RandomGaussianNoise(std=0.1, p=1.0), 13),
        (K.RandomGaussianBlur((3, 3), (0.1, 2.0), p=1.0), 13),
        (Normalize(mean=0.5, std=0.2), 13),
        (MinMaxNormalize(mins=0.0, maxs=1.0), 13),
        (PercentileNormalize(), 13),
        (RandomGrayscale(p=1.0), 13),
        *((index, 14) for index in ALL_INDICES),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, nn.Module) else str(value),
)
def test_thirteen_band_image_survives_every_transform(augmentation: nn.Module, bands: int) -> None:
    batch = {"image": torch.rand(2, 13, 16, 16), "mask": torch.randint(0, 4, (2, 16, 16))}
    out = AugmentationSequential(augmentation, seed=0)(batch)
    assert out["image"].shape[:2] == (2, bands)
    assert out["image"].isfinite().all()
    assert out["mask"].shape == (2, *out["image"].shape[-2:])


def test_thirteen_band_image_gains_one_band_per_index_in_order() -> None:
    image = torch.rand(2, 13, 4, 4)
    out = AugmentationSequential(*ALL_INDICES)({"image": image})
    assert out["image"].shape == (2, 13 + len(ALL_INDICES), 4, 4)
    assert torch.equal(out["image"][:, :13], image)
    for band, index in enumerate(ALL_INDICES, start=13):
        torch.testing.assert_close(out["image"][:, band], index(image)[:, 13])


def test_time_series_gets_one_geometric_draw_for_every_time_step() -> None:
    steps = torch.rand(2, 1, 13, 8, 8).expand(2, 3, 13, 8, 8)
    mask = torch.zeros(2, 8, 8, dtype=torch.long)
    mask[:, 2, 1] = 1
    augment = AugmentationSequential(K.RandomAffine(degrees=45.0, p=1.0), AppendNDVI(NIR, RED), seed=0)
    out = augment({"image": steps, "mask": mask, "boxes": torch.tensor([[1.0, 2.0, 3.0, 4.0]]).expand(2, 1, 4)})
    assert out["image"].shape == (2, 3, 14, 8, 8)
    assert torch.equal(out["image"][:, 0], out["image"][:, 1])
    assert torch.equal(out["image"][:, 0], out["image"][:, 2])
    assert not torch.equal(out["image"][0, 0, :13], steps[0, 0])
    assert out["mask"].shape == (2, 8, 8)
    assert out["boxes"].shape == (2, 1, 4)


def test_time_series_moves_its_one_mask_like_every_step() -> None:
    steps = torch.zeros(1, 3, 2, 6, 8)
    steps[:, :, :, 2, 1] = 1.0
    mask = torch.zeros(1, 6, 8, dtype=torch.long)
    mask[0, 2, 1] = 5
    out = AugmentationSequential(K.RandomHorizontalFlip(p=1.0))({"image": steps, "mask": mask})
    assert out["image"][0, :, :, 2, 6].eq(1.0).all()
    assert out["mask"].shape == (1, 6, 8)
    assert out["mask"][0, 2, 6] == 5


def test_time_series_moves_masks_and_boxes_given_per_time_step() -> None:
    mask = torch.zeros(1, 3, 1, 6, 8, dtype=torch.long)
    mask[0, 1, 0, 2, 1] = 5
    boxes = torch.tensor([[1.0, 2.0, 3.0, 5.0]]).expand(1, 3, 1, 4)
    sample = {"image": torch.rand(1, 3, 2, 6, 8), "mask": mask, "boxes": boxes}
    out = AugmentationSequential(K.RandomHorizontalFlip(p=1.0))(sample)
    assert out["mask"].shape == (1, 3, 1, 6, 8)
    assert out["mask"][0, 1, 0, 2, 6] == 5
    assert out["mask"].sum() == 5
    assert torch.equal(out["boxes"], torch.tensor([[5.0, 2.0, 7.0, 5.0]]).expand(1, 3, 1, 4))


def test_time_series_params_replay() -> None:
    augment = AugmentationSequential(K.RandomAffine(degrees=45.0, p=1.0), RandomGrayscale(p=0.5))
    series = {"image": torch.rand(2, 3, 4, 8, 8)}
    first = augment(series)
    assert torch.equal(augment(series, params=augment.params)["image"], first["image"])


def test_mask_of_another_height_and_width_names_both_shapes() -> None:
    sample = {"image": torch.rand(2, 13, 6, 8), "mask": torch.zeros(2, 6, 7, dtype=torch.long)}
    expected = r"sample\['mask'\] has shape \(2, 6, 7\) and sample\['image'\] \(2, 13, 6, 8\)"
    with pytest.raises(ValueError, match=expected):
        AugmentationSequential(K.RandomHorizontalFlip())(sample)


def test_mask_of_another_batch_size_names_both_shapes() -> None:
    sample = {"image": torch.rand(2, 13, 6, 8), "mask": torch.zeros(3, 6, 8, dtype=torch.long)}
    with pytest.raises(ValueError, match=r"\(3, 6, 8\) and sample\['image'\] \(2, 13, 6, 8\)"):
        AugmentationSequential(K.RandomHorizontalFlip())(sample)


def test_boxes_that_are_not_xyxy_name_both_shapes() -> None:
    sample = {"image": torch.rand(2, 13, 6, 8), "boxes": torch.zeros(2, 1, 5)}
    with pytest.raises(ValueError, match=r"sample\['boxes'\] has shape \(2, 1, 5\).* B x N x 4"):
        AugmentationSequential(K.RandomHorizontalFlip())(sample)


def test_integer_image_names_the_key_dtype_and_shape() -> None:
    sample = {"image": torch.zeros(2, 13, 6, 8, dtype=torch.uint16)}
    with pytest.raises(ValueError, match=r"sample\['image'\] has dtype torch.uint16 and shape \(2, 13, 6, 8\)"):
        AugmentationSequential(K.RandomHorizontalFlip())(sample)


def test_missing_data_key_names_it() -> None:
    with pytest.raises(KeyError, match="mask"):
        AugmentationSequential(K.RandomHorizontalFlip(), data_keys=["image", "mask"])({"image": torch.rand(1, 1, 2, 2)})


@pytest.mark.parametrize("data_keys", [["mask"], ["image", "label"]])
def test_data_keys_must_hold_image_and_only_known_keys(data_keys: list[str]) -> None:
    with pytest.raises(ValueError, match="data_keys"):
        AugmentationSequential(K.RandomHorizontalFlip(), data_keys=data_keys)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_results_match_the_cpu_results() -> None:
    def augment() -> AugmentationSequential:
        # Quarter turns and flips map pixels exactly, so CPU and CUDA interpolation cannot round a mask apart.
        return AugmentationSequential(
            K.RandomRotation90(times=(0, 3), p=1.0),
            K.RandomHorizontalFlip(),
            AppendNDVI(NIR, RED),
            PercentileNormalize(),
            RandomGrayscale(p=0.5),
            seed=3,
        )

    batch = {
        "image": torch.rand(4, 13, 16, 16),
        "mask": torch.randint(0, 4, (4, 16, 16)),
        "boxes": torch.tensor([[1.0, 2.0, 9.0, 7.0]]).expand(4, 1, 4),
    }
    on_cpu = augment()(batch)
    on_cuda = augment()({key: value.cuda() for key, value in batch.items()})
    for key, value in on_cpu.items():
        assert on_cuda[key].device.type == "cuda"
        torch.testing.assert_close(on_cuda[key].cpu(), value, atol=1e-4, rtol=1e-4)


@pytest.mark.real_data
def test_crop_codes_beyond_float32_move_with_a_float32_image_unchanged(real_data: Path, tmp_path: Path) -> None:
    # The real wilderness areas labelled with two EuroCrops (HCAT) codes, beyond float32's exact 2**24: moved
    # beside a float32 image they came back as 3301010176 and 3302000128, codes of no crop.
    codes = np.where(np.arange(67) % 2 == 0, 3301010100, 3302000000)
    meta, _, wkb, _ = pyogrio.raw.read(real_data / "coutwildrnp.shp")
    pyogrio.raw.write(
        tmp_path / "crops.gpkg",
        geometry=wkb,
        field_data=[codes],
        fields=["code"],
        crs=meta["crs"],
        geometry_type=meta["geometry_type"],
        driver="GPKG",
    )
    crops = VectorDataset(tmp_path / "crops.gpkg", res=0.02, label_name="code")
    mask = crops[crops.bounds]["mask"]
    assert mask.unique().tolist() == [0, 3301010100, 3302000000]
    image = torch.rand(3, *mask.shape)
    flipped = AugmentationSequential(K.RandomHorizontalFlip(p=1.0), keepdim=True)({"image": image, "mask": mask})
    assert torch.equal(flipped["mask"], mask.flip(-1))
    assert torch.equal(flipped["image"], image.flip(-1))
    turned = AugmentationSequential(K.RandomAffine(degrees=90, p=1.0))({"image": image, "mask": mask})
    assert set(turned["mask"].unique().tolist()) <= {0, 3301010100, 3302000000}
    assert turned["image"].dtype == torch.float32


def test_mask_values_beyond_2_to_the_53_are_refused_naming_them() -> None:
    mask = torch.full((8, 8), 2**60, dtype=torch.int64)
    with pytest.raises(ValueError, match=r"sample\['mask'\] holds 1152921504606846976, beyond 2\*\*53"):
        AugmentationSequential(K.RandomHorizontalFlip(p=1.0))({"image": torch.rand(3, 8, 8), "mask": mask})
