"""AugmentationSequential on time series: one draw per series, applied alike to every step and to its mask."""

from __future__ import annotations

import kornia.augmentation as K
import pytest
import torch

from geotorch.transforms import AppendNDVI, AugmentationSequential, RandomGrayscale


def distinct_steps(batch: int, steps: int = 3, bands: int = 2, size: int = 8) -> torch.Tensor:
    """A ``B x T x C x H x W`` float32 series whose steps all differ, from a fixed seed."""
    return torch.rand(batch, steps, bands, size, size, generator=torch.Generator().manual_seed(0))


def labelled_masks(batch: int, size: int = 8) -> torch.Tensor:
    """A ``B x H x W`` int64 mask whose every pixel has its own label, so its position after a move is known."""
    return torch.arange(batch * size * size, dtype=torch.int64).view(batch, size, size) + 1


def rotation_of(before: torch.Tensor, after: torch.Tensor) -> int:
    """The number of quarter turns (``torch.rot90``'s) that take the ``H x W`` mask ``before`` to ``after``."""
    turns = [k for k in range(4) if torch.equal(torch.rot90(before, k, dims=(-2, -1)), after)]
    assert len(turns) == 1, "the mask was not moved by a quarter turn"
    return turns[0]


def test_quarter_turns_move_every_step_and_the_mask_alike_each_series_its_own() -> None:
    series, mask = distinct_steps(batch=12), labelled_masks(batch=12)
    augment = AugmentationSequential(K.RandomRotation90(times=(0, 3), p=1.0), seed=0)
    out = augment({"image": series, "mask": mask})
    turns = [rotation_of(mask[b], out["mask"][b]) for b in range(12)]
    for b, k in enumerate(turns):
        for step in range(3):
            expected = torch.rot90(series[b, step], k, dims=(-2, -1))
            torch.testing.assert_close(out["image"][b, step], expected, atol=1e-5, rtol=0)
    assert len(set(turns)) > 1, "the series of a batch draw their own turns"


def test_one_series_sample_turns_every_step_like_its_mask() -> None:
    series, mask = distinct_steps(batch=1)[0], labelled_masks(batch=1)[0]
    augment = AugmentationSequential(K.RandomRotation90(times=(1, 3), p=1.0), time_series=True, keepdim=True, seed=1)
    out = augment({"image": series, "mask": mask})
    assert out["image"].shape == (3, 2, 8, 8) and out["mask"].shape == (8, 8)
    k = rotation_of(mask, out["mask"])
    assert k != 0
    for step in range(3):
        torch.testing.assert_close(out["image"][step], torch.rot90(series[step], k, dims=(-2, -1)), atol=1e-5, rtol=0)


def test_flips_are_drawn_per_series_and_shared_by_its_steps() -> None:
    series, mask = distinct_steps(batch=16), labelled_masks(batch=16)
    out = AugmentationSequential(K.RandomHorizontalFlip(p=0.5), seed=2)({"image": series, "mask": mask})
    flipped = [torch.equal(out["mask"][b], mask[b].flip(-1)) for b in range(16)]
    for b in range(16):
        assert flipped[b] or torch.equal(out["mask"][b], mask[b])
        expected = series[b].flip(-1) if flipped[b] else series[b]
        assert torch.equal(out["image"][b], expected)
    assert any(flipped) and not all(flipped)


def test_crop_takes_the_same_window_of_every_step_and_of_the_mask() -> None:
    series, mask = distinct_steps(batch=6), labelled_masks(batch=6)
    out = AugmentationSequential(K.RandomCrop((5, 5)), seed=3)({"image": series, "mask": mask})
    assert out["image"].shape == (6, 3, 2, 5, 5) and out["mask"].shape == (6, 5, 5)
    corners = set()
    for b in range(6):
        # The mask's labels say where the window lies.
        row, col = divmod(int(out["mask"][b, 0, 0]) - int(mask[b, 0, 0]), 8)
        corners.add((row, col))
        assert torch.equal(out["mask"][b], mask[b, row : row + 5, col : col + 5])
        torch.testing.assert_close(out["image"][b], series[b, :, :, row : row + 5, col : col + 5])
    assert len(corners) > 1


def test_affine_moves_every_step_like_the_mask() -> None:
    mask = labelled_masks(batch=4) % 7
    # Band 0 of step t holds the mask times t + 1, so nearest resampling must keep that relation at every step.
    steps = torch.stack([mask.float() * (step + 1) for step in range(3)], dim=1).unsqueeze(2)
    series = torch.cat([steps, distinct_steps(batch=4, bands=1)], dim=2)
    augment = AugmentationSequential(
        K.RandomAffine(degrees=40.0, translate=(0.2, 0.2), scale=(0.8, 1.2), resample="nearest", p=1.0), seed=4
    )
    out = augment({"image": series, "mask": mask})
    assert not torch.equal(out["mask"], mask)
    for step in range(3):
        assert torch.equal(out["image"][:, step, 0], out["mask"].float() * (step + 1))


def test_intensity_draws_are_per_series_and_shared_by_its_steps() -> None:
    series = distinct_steps(batch=8) * 0.5 + 0.25
    out = AugmentationSequential(K.RandomBrightness(brightness=(0.8, 1.2), p=1.0), seed=5)({"image": series})
    shifts = (out["image"] - series).flatten(2)
    # One brightness shift per series, the same at every step and pixel.
    torch.testing.assert_close(shifts, shifts[:, :1, :1].expand_as(shifts))
    assert shifts[:, 0, 0].unique().numel() == 8


def test_grayscale_turns_all_steps_of_a_series_grey_or_none() -> None:
    series = distinct_steps(batch=16, bands=3)
    out = AugmentationSequential(RandomGrayscale(p=0.5), seed=6)({"image": series})["image"]
    grey = [bool((out[b] == out[b].mean(dim=1, keepdim=True)).all()) for b in range(16)]
    for b in range(16):
        expected = series[b].mean(dim=1, keepdim=True).expand(3, 3, 8, 8) if grey[b] else series[b]
        assert torch.equal(out[b], expected)
    assert any(grey) and not all(grey)


def test_per_step_masks_of_one_series_move_with_their_steps() -> None:
    series = torch.zeros(3, 2, 6, 8)
    masks = torch.zeros(3, 1, 6, 8, dtype=torch.long)
    masks[1, 0, 2, 1] = 5
    out = AugmentationSequential(K.RandomHorizontalFlip(p=1.0), time_series=True, keepdim=True)(
        {"image": series, "mask": masks}
    )
    assert out["mask"].shape == (3, 1, 6, 8)
    assert out["mask"][1, 0, 2, 6] == 5 and out["mask"].sum() == 5


def test_band_aware_transforms_see_each_steps_bands() -> None:
    series = distinct_steps(batch=1, bands=4)[0]
    out = AugmentationSequential(AppendNDVI(index_nir=3, index_red=2), time_series=True, keepdim=True)(
        {"image": series}
    )
    assert out["image"].shape == (3, 5, 8, 8)
    nir, red = series[:, 3], series[:, 2]
    torch.testing.assert_close(out["image"][:, 4], (nir - red) / (nir + red + 1e-10))


def test_one_series_params_replay() -> None:
    augment = AugmentationSequential(K.RandomAffine(degrees=45.0, p=1.0), time_series=True)
    sample = {"image": distinct_steps(batch=1)[0]}
    first = augment(sample)
    assert first["image"].shape == (1, 3, 2, 8, 8), "without keepdim one series comes back as a batch of one"
    assert torch.equal(augment(sample, params=augment.params)["image"], first["image"])


@pytest.mark.parametrize("shape", [(2, 8, 8), (1, 2, 3, 2, 8, 8)])
def test_time_series_image_of_the_wrong_rank_names_its_shape(shape: tuple[int, ...]) -> None:
    printed = str(shape).replace("(", r"\(").replace(")", r"\)")
    with pytest.raises(ValueError, match=rf"T x C x H x W or B x T x C x H x W with time_series=True, got {printed}"):
        AugmentationSequential(K.RandomHorizontalFlip(), time_series=True)({"image": torch.rand(shape)})


def test_mask_that_does_not_fit_one_series_names_both_shapes_and_its_layouts() -> None:
    sample = {"image": torch.rand(3, 2, 6, 8), "mask": torch.zeros(4, 1, 6, 8, dtype=torch.long)}
    expected = r"\(4, 1, 6, 8\) and sample\['image'\] \(3, 2, 6, 8\).*H x W, C x H x W or T x C x H x W"
    with pytest.raises(ValueError, match=expected):
        AugmentationSequential(K.RandomHorizontalFlip(), time_series=True)(sample)


@pytest.mark.parametrize("image_dtype", [torch.bfloat16, torch.float16])
@pytest.mark.parametrize(
    "mask",
    [
        labelled_masks(batch=1)[0] + 2040,  # classes 2041 to 2104: past bfloat16's 256 and float16's 2048
        labelled_masks(batch=1)[0].to(torch.float32) / 7,  # a float32 target, such as heights
        labelled_masks(batch=1)[0] + 2**40,  # past float32's 2**24
    ],
    ids=["classes-past-2048", "float32-values", "classes-past-2**24"],
)
def test_a_half_precision_series_moves_its_mask_without_changing_a_value(
    image_dtype: torch.dtype, mask: torch.Tensor
) -> None:
    series = distinct_steps(batch=1)[0].to(image_dtype)
    augment = AugmentationSequential(K.RandomHorizontalFlip(p=1.0), time_series=True, keepdim=True)
    out = augment({"image": series, "mask": mask})
    assert out["mask"].dtype == mask.dtype and torch.equal(out["mask"], mask.flip(-1))
    assert out["image"].dtype == image_dtype and torch.equal(out["image"], series.flip(-1))
