"""Rearrange: a time series' steps stacked as bands and back, exactly, alone and inside the containers."""

from __future__ import annotations

import kornia.augmentation as K
import pytest
import torch

from geotorch.transforms import AppendNDVI, AugmentationSequential, Rearrange


def distinct_series(batch: int = 2, steps: int = 3, bands: int = 4, size: int = 5) -> torch.Tensor:
    """A ``B x T x C x H x W`` float32 series whose every value is different (its flat index)."""
    return torch.arange(batch * steps * bands * size * size, dtype=torch.float32).view(batch, steps, bands, size, size)


def test_steps_stacked_as_bands_step_by_step() -> None:
    series = distinct_series()
    stacked = Rearrange("b t c h w -> b (t c) h w")(series)
    assert stacked.shape == (2, 12, 5, 5)
    # Band t * C + c of the stacked image is band c of step t.
    for step in range(3):
        for band in range(4):
            assert torch.equal(stacked[:, step * 4 + band], series[:, step, band])


def test_round_trip_gives_back_the_exact_values() -> None:
    series = distinct_series()
    stacked = Rearrange("b t c h w -> b (t c) h w")(series)
    assert torch.equal(Rearrange("b (t c) h w -> b t c h w", c=4)(stacked), series)
    assert torch.equal(Rearrange("b (t c) h w -> b t c h w", t=3)(stacked), series)


def test_integer_masks_keep_their_dtype_and_values() -> None:
    labels = torch.randint(0, 20, (3, 1, 5, 5), dtype=torch.int64)
    flat = Rearrange("t c h w -> (t c) h w")(labels)
    assert flat.dtype == torch.int64
    assert torch.equal(Rearrange("(t c) h w -> t c h w", c=1)(flat), labels)


def test_sample_dict_gets_its_image_rearranged_and_other_keys_untouched() -> None:
    series = distinct_series()[0]
    mask = torch.ones(5, 5, dtype=torch.long)
    sample = {"image": series, "mask": mask, "crs": "EPSG:32631"}
    out = Rearrange("t c h w -> (t c) h w")(sample)
    assert out["image"].shape == (12, 5, 5)
    assert torch.equal(out["image"][4:8], series[1])
    assert out["mask"] is mask and out["crs"] == "EPSG:32631"
    assert sample["image"] is series, "the input dict is left as it was"


def test_in_kornia_augmentation_sequential_as_in_torchgeo() -> None:
    series = distinct_series()
    out = K.AugmentationSequential(Rearrange("b t c h w -> b (t c) h w"), data_keys=None)({"image": series})
    assert torch.equal(out["image"], series.flatten(1, 2))


def test_in_augmentation_sequential_later_augmentations_see_the_stacked_bands() -> None:
    series = distinct_series()
    mask = torch.zeros(2, 5, 5, dtype=torch.long)
    mask[:, 1, 0] = 7
    augment = AugmentationSequential(Rearrange("b t c h w -> b (t c) h w"), K.RandomHorizontalFlip(p=1.0))
    out = augment({"image": series, "mask": mask})
    assert torch.equal(out["image"], series.flatten(1, 2).flip(-1))
    assert out["mask"][:, 1, 4].eq(7).all() and out["mask"].sum() == 14


def test_in_augmentation_sequential_back_and_forth_around_augmentations() -> None:
    series = distinct_series()
    augment = AugmentationSequential(
        Rearrange("b t c h w -> b (t c) h w"),
        K.RandomVerticalFlip(p=1.0),
        Rearrange("b (t c) h w -> b t c h w", c=4),
        AppendNDVI(index_nir=3, index_red=2),
    )
    out = augment({"image": series})
    assert out["image"].shape == (2, 3, 5, 5, 5)
    assert torch.equal(out["image"][:, :, :4], series.flip(-2))
    nir, red = series.flip(-2)[:, :, 3], series.flip(-2)[:, :, 2]
    torch.testing.assert_close(out["image"][:, :, 4], (nir - red) / (nir + red + 1e-10))


def test_in_augmentation_sequential_on_one_series_sample_with_keepdim() -> None:
    series = distinct_series()[0]
    augment = AugmentationSequential(Rearrange("b t c h w -> b (t c) h w"), time_series=True, keepdim=True)
    out = augment({"image": series})
    assert torch.equal(out["image"], series.flatten(0, 1))


def test_params_replay_across_rearranges() -> None:
    augment = AugmentationSequential(
        K.RandomAffine(degrees=40.0, p=1.0),
        Rearrange("b t c h w -> b (t c) h w"),
        K.RandomRotation(degrees=40.0, p=1.0),
    )
    sample = {"image": torch.rand(2, 3, 4, 8, 8)}
    first = augment(sample)
    assert torch.equal(augment(sample, params=augment.params)["image"], first["image"])
    assert not torch.equal(augment(sample)["image"], first["image"])


def test_image_of_the_wrong_rank_names_the_pattern_and_shape() -> None:
    with pytest.raises(ValueError, match=r"'b t c h w -> b \(t c\) h w'.*shape \(4, 3, 5, 5\).*expected 5 dims"):
        Rearrange("b t c h w -> b (t c) h w")(torch.rand(4, 3, 5, 5))


def test_axis_that_does_not_divide_names_the_lengths_and_shape() -> None:
    with pytest.raises(ValueError, match=r"c=5\) cannot rearrange an image of shape \(2, 12, 5, 5\)"):
        Rearrange("b (t c) h w -> b t c h w", c=5)(torch.rand(2, 12, 5, 5))


def test_rearranged_image_the_next_augmentations_cannot_take_names_it() -> None:
    augment = AugmentationSequential(Rearrange("b t c h w -> (b t c) h w"), K.RandomHorizontalFlip())
    with pytest.raises(ValueError, match=r"made an image of shape \(24, 5, 5\)"):
        augment({"image": distinct_series()})


def test_per_step_mask_beside_a_stacked_image_names_both_shapes() -> None:
    augment = AugmentationSequential(Rearrange("b t c h w -> b (t c) h w"), K.RandomHorizontalFlip())
    sample = {"image": distinct_series(), "mask": torch.zeros(2, 3, 1, 5, 5)}
    with pytest.raises(ValueError, match=r"after Rearrange.*sample\['mask'\] has shape \(2, 3, 1, 5, 5\)"):
        augment(sample)


def test_pattern_must_be_one_einops_pattern() -> None:
    with pytest.raises(ValueError, match="one einops pattern"):
        Rearrange("b t c h w")
    with pytest.raises(ValueError, match="one einops pattern"):
        Rearrange("b t c h w -> b (t c) h w", "extra")


def test_sample_without_image_names_its_keys() -> None:
    with pytest.raises(KeyError, match="mask"):
        Rearrange("t c h w -> (t c) h w")({"mask": torch.zeros(2, 2)})


@pytest.mark.parametrize(
    ("pattern", "lengths", "message"),
    [
        ("b t c h w -> b (t c h w", {}, r"Rearrange\('b t c h w -> b \(t c h w'\) is not .*Imbalanced parentheses"),
        ("b t c h w -> b x h w", {}, "is not an einops rearrangement: Identifiers only on one side"),
        ("b t c h w -> b c h w", {}, "is not an einops rearrangement: Identifiers only on one side"),
        ("b t c h w -> b (t c) h w", {"q": 3}, r"q=3\) is not an einops rearrangement: Axis q is not used"),
        ("b (t c) h w -> b t c h w", {"c": 0}, r"c=0\): the length of axis 'c' must be at least 1"),
    ],
)
def test_a_pattern_einops_refuses_is_refused_when_made_not_when_first_applied(
    pattern: str, lengths: dict[str, int], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Rearrange(pattern, **lengths)


@pytest.mark.parametrize("length", [4.0, True])
def test_an_axis_length_that_is_no_integer_is_refused_naming_it(length: object) -> None:
    with pytest.raises(TypeError, match=rf"c={length!r}\): the length of axis 'c' must be an integer"):
        Rearrange("b (t c) h w -> b t c h w", c=length)
