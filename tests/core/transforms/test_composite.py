"""TemporalComposite: median and mean over time of the clear observations, against numpy's nanmedian/nanmean."""

from __future__ import annotations

import warnings
from pathlib import Path

import kornia.augmentation as K
import numpy as np
import pytest
import rasterio
import torch
from rasterio.windows import Window

from geotorch.core import stack_samples
from geotorch.transforms import AugmentationSequential, TemporalComposite

NODATA = -9999.0


def numpy_composite(values: np.ndarray, clear: np.ndarray, reduce: str, fill: float) -> np.ndarray:
    """numpy's nanmedian/nanmean over axis 1 of ``B x T x C x H x W`` values where ``clear``; ``fill`` where none is."""
    with_gaps = np.where(clear, values.astype(np.float64), np.nan)
    with warnings.catch_warnings():
        # All-NaN pixels: numpy warns and gives NaN, which the fill replaces.
        warnings.simplefilter("ignore", RuntimeWarning)
        reduced = np.nanmedian(with_gaps, axis=1) if reduce == "median" else np.nanmean(with_gaps, axis=1)
    return np.where(np.isnan(reduced), fill, reduced)


def gappy_series(seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """A ``2 x 5 x 3 x 6 x 6`` float32 series with nodata values here and there, and a ``2 x 5 x 6 x 6`` cloud mask.

    Every count of clear steps from 0 to 5 occurs, even counts included.
    """
    generator = torch.Generator().manual_seed(seed)
    series = torch.rand(2, 5, 3, 6, 6, generator=generator) * 1000
    series[torch.rand(series.shape, generator=generator) < 0.2] = NODATA
    clouds = torch.rand(2, 5, 6, 6, generator=generator) < 0.3
    clouds[0, :, 0, 0] = True  # a pixel cloudy at every step
    clouds[0, :, 0, 1] = False
    series[0, :, :, 0, 1] = NODATA  # a pixel missing at every step
    return series, clouds


@pytest.mark.parametrize("reduce", ["median", "mean"])
def test_batch_composite_matches_numpy_leaving_out_nodata_and_clouds(reduce: str) -> None:
    series, clouds = gappy_series()
    out = TemporalComposite(reduce, nodata=NODATA, mask_key="clouds")({"image": series, "clouds": clouds})
    clear = (series != NODATA).numpy() & ~clouds.numpy()[:, :, None]
    assert out["image"].shape == (2, 3, 6, 6)
    assert out["image"].dtype == torch.float32
    expected = numpy_composite(series.numpy(), clear, reduce, NODATA)
    np.testing.assert_allclose(out["image"].numpy(), expected, rtol=1e-6)
    counts = clear.sum(axis=1)
    assert set(np.unique(counts)) == {0, 1, 2, 3, 4, 5}, "the series must hold every count of clear steps"
    assert (out["image"][0, :, 0, 0] == NODATA).all() and (out["image"][0, :, 0, 1] == NODATA).all()


@pytest.mark.parametrize("reduce", ["median", "mean"])
def test_one_series_composite_matches_numpy(reduce: str) -> None:
    series, clouds = gappy_series(seed=1)
    out = TemporalComposite(reduce, nodata=NODATA, mask_key="clouds")({"image": series[1], "clouds": clouds[1]})
    clear = (series != NODATA).numpy() & ~clouds.numpy()[:, :, None]
    assert out["image"].shape == (3, 6, 6)
    np.testing.assert_allclose(
        out["image"].numpy(), numpy_composite(series.numpy(), clear, reduce, NODATA)[1], rtol=1e-6
    )


def test_median_of_an_even_count_is_the_mean_of_the_two_middle_values() -> None:
    steps = torch.tensor([1.0, 7.0, 3.0, 5.0, 100.0]).view(5, 1, 1, 1)
    clouds = torch.tensor([False, False, False, False, True]).view(5, 1, 1)
    out = TemporalComposite("median", mask_key="clouds")({"image": steps, "clouds": clouds})
    assert out["image"].item() == 4.0


def test_without_nodata_nan_values_are_left_out_and_empty_pixels_are_nan() -> None:
    series = torch.tensor([[2.0, float("nan")], [4.0, float("nan")], [float("nan"), float("nan")]]).view(3, 1, 1, 2)
    for reduce in ("median", "mean"):
        out = TemporalComposite(reduce)(series)
        assert out.shape == (1, 1, 2)
        assert out[0, 0, 0] == 3.0 and out[0, 0, 1].isnan()


def test_integer_series_gives_a_float32_composite_like_numpy() -> None:
    generator = np.random.default_rng(2)
    values = generator.integers(0, 10_000, (4, 6, 2, 5, 5)).astype(np.uint16)
    values[generator.random(values.shape) < 0.3] = 0
    series = torch.from_numpy(values)
    out = TemporalComposite("median", nodata=0)(series)
    assert out.dtype == torch.float32
    expected = numpy_composite(series.numpy(), series.numpy() != 0, "median", 0.0)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6)


def test_wide_integers_give_float64() -> None:
    series = torch.tensor([2**40, 2**40 + 2], dtype=torch.int64).view(2, 1, 1, 1)
    out = TemporalComposite("mean")(series)
    assert out.dtype == torch.float64 and out.item() == 2**40 + 1


def test_mask_band_with_scene_classes_masks_those_classes_and_is_dropped() -> None:
    generator = torch.Generator().manual_seed(3)
    reflectance = torch.rand(6, 3, 4, 4, generator=generator)
    # Sentinel-2 scene classification: 4 vegetation, 5 bare soil, 3 cloud shadow, 8/9 cloud, 10 cirrus.
    classes = torch.tensor([4, 5, 3, 8, 9, 10])[torch.randint(0, 6, (6, 1, 4, 4), generator=generator)]
    series = torch.cat([reflectance, classes.float()], dim=1)
    out = TemporalComposite("median", mask_band=3, mask_values=(3, 8, 9, 10))(series)
    assert out.shape == (3, 4, 4)
    clear = np.isin(classes.numpy(), [4, 5])
    expected = numpy_composite(reflectance.numpy()[None], clear[None], "median", np.nan)[0]
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6)


def test_mask_bits_mask_pixels_with_any_of_those_bits_set() -> None:
    # Landsat QA_PIXEL: bit 3 cloud, bit 4 cloud shadow; 21824 is clear land (bits 6, 8, 10, 12, 14).
    qa = torch.tensor([21824, 21824 | 1 << 3, 21824 | 1 << 4, 21824, 21824 | 1 << 5]).view(5, 1, 1, 1)
    values = torch.tensor([10.0, 90.0, 80.0, 20.0, 30.0]).view(5, 1, 1, 1)
    out = TemporalComposite("mean", mask_band=-1, mask_bits=(3, 4))(torch.cat([values, qa.float()], dim=1))
    assert out.shape == (1, 1, 1)
    assert out.item() == pytest.approx((10.0 + 20.0 + 30.0) / 3)


def test_mask_values_on_a_mask_key() -> None:
    values = torch.tensor([10.0, 90.0, 20.0]).view(3, 1, 1, 1)
    scene_classes = torch.tensor([4, 9, 5]).view(3, 1, 1, 1)
    out = TemporalComposite("mean", mask_key="scl", mask_values=(9,))({"image": values, "scl": scene_classes})
    assert out["image"].item() == 15.0


def test_sample_keeps_its_other_keys_and_loses_the_step_mask() -> None:
    series, clouds = gappy_series()
    label = torch.ones(6, 6, dtype=torch.long)
    sample = {"image": series[0], "clouds": clouds[0].unsqueeze(1), "mask": label, "crs": "EPSG:32631"}
    out = TemporalComposite(nodata=NODATA, mask_key="clouds")(sample)
    assert set(out) == {"image", "mask", "crs"}
    assert out["mask"] is label and out["crs"] == "EPSG:32631"
    assert "clouds" in sample, "the input dict is left as it was"


def test_padded_steps_of_a_stacked_batch_are_left_out() -> None:
    long = torch.tensor([5.0, 1.0, 3.0, 2.0]).view(4, 1, 1, 1)
    short = torch.tensor([5.0, 7.0]).view(2, 1, 1, 1)
    samples = [{"image": series, "time": torch.arange(len(series), dtype=torch.float64)} for series in (long, short)]
    batch = stack_samples(samples)
    assert batch["image"].shape == (2, 4, 1, 1, 1) and batch["length"].tolist() == [4, 2]
    for reduce, expected in (("median", [2.5, 6.0]), ("mean", [2.75, 6.0])):
        out = TemporalComposite(reduce)(batch)
        assert out["image"].flatten().tolist() == expected, "the zeros padding the short series are left out"
        assert "length" not in out and out["time"] is batch["time"]


def test_length_that_does_not_fit_the_batch_names_it_and_the_shape() -> None:
    sample = {"image": torch.rand(2, 4, 1, 3, 3), "length": torch.tensor([4, 5])}
    with pytest.raises(ValueError, match=r"sample\['length'\] is \[4, 5\] beside sample\['image'\] \(2, 4, 1, 3, 3\)"):
        TemporalComposite()(sample)


def test_length_that_is_not_whole_is_refused() -> None:
    # 1.5 steps made the first series' steps 0 and 1 count (steps >= 1.5 were left out).
    sample = {"image": torch.rand(2, 3, 1, 2, 2), "length": torch.tensor([1.5, 3.0])}
    with pytest.raises(ValueError, match=r"sample\['length'\] is \[1.5, 3.0\].*whole numbers of steps"):
        TemporalComposite("mean")(sample)


def test_a_series_without_steps_is_refused_naming_its_shape() -> None:
    # The median failed inside torch.gather ('index 0 is out of bounds for dimension 1 with size 0').
    for reduce in ("median", "mean"):
        with pytest.raises(ValueError, match=r"T >= 1, got shape \(0, 2, 3, 3\)"):
            TemporalComposite(reduce)(torch.rand(0, 2, 3, 3))


def test_a_complex_series_is_refused() -> None:
    # It was composited with a ComplexWarning, its imaginary parts discarded.
    with pytest.raises(TypeError, match=r"torch.complex64.*real values"):
        TemporalComposite()(torch.ones(3, 1, 2, 2, dtype=torch.complex64))


def test_real_landsat_windows_composite_like_numpy(real_data: Path) -> None:
    # Three shifted windows of a real Landsat 7 scene, as three dates: its nodata border differs between them.
    with rasterio.open(real_data / "RGB.byte.tif") as src:
        steps = [src.read(window=Window(col, row, 48, 48)) for col, row in ((100, 100), (104, 100), (100, 104))]
        nodata = src.nodata
    series = torch.from_numpy(np.stack(steps))
    clouds = torch.zeros(3, 48, 48, dtype=torch.bool)
    clouds[1, 30:40, 30:40] = True
    series[1, :, 30:40, 30:40] = 255  # a saturated cloud on the second date
    clear = (series.numpy() != nodata) & ~clouds.numpy()[:, None]
    counts = clear.all(axis=1).sum(axis=0)
    assert {0, 3} <= set(np.unique(counts)), "the windows must hold pixels with no clear date and with three"
    for reduce in ("median", "mean"):
        out = TemporalComposite(reduce, nodata=nodata, mask_key="clouds")({"image": series, "clouds": clouds})
        assert out["image"].dtype == torch.float32
        expected = numpy_composite(series.numpy()[None], clear[None], reduce, nodata)[0]
        np.testing.assert_allclose(out["image"].numpy(), expected, rtol=1e-6)
        assert (out["image"][:, 30:40, 30:40] < 255).all(), "the cloud is left out"


@pytest.mark.parametrize("shape", [(3, 6, 6), (6, 6), (1, 2, 5, 3, 6, 6)])
def test_image_of_the_wrong_rank_names_its_shape(shape: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match=rf"T x C x H x W .* got shape {re_shape(shape)}"):
        TemporalComposite()(torch.rand(shape))


def test_mask_that_does_not_fit_names_both_shapes() -> None:
    sample = {"image": torch.rand(4, 2, 6, 6), "clouds": torch.zeros(3, 6, 6, dtype=torch.bool)}
    with pytest.raises(
        ValueError, match=r"sample\['clouds'\] has shape \(3, 6, 6\) and sample\['image'\] \(4, 2, 6, 6\)"
    ):
        TemporalComposite(mask_key="clouds")(sample)


def test_missing_mask_key_names_it() -> None:
    with pytest.raises(KeyError, match="clouds"):
        TemporalComposite(mask_key="clouds")({"image": torch.rand(4, 2, 6, 6)})


def test_mask_band_beyond_the_bands_names_it_and_the_shape() -> None:
    with pytest.raises(ValueError, match=r"mask_band=4 .* shape \(4, 2, 6, 6\)"):
        TemporalComposite(mask_band=4)(torch.rand(4, 2, 6, 6))


def test_mask_key_on_a_bare_tensor_is_refused() -> None:
    with pytest.raises(ValueError, match=r"mask_key='clouds'.*shape \(4, 2, 6, 6\)"):
        TemporalComposite(mask_key="clouds")(torch.rand(4, 2, 6, 6))


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"reduce": "max"}, "reduce='max'"),
        ({"mask_key": "clouds", "mask_band": 3}, "not both"),
        ({"mask_values": (9,)}, "give mask_key or mask_band"),
        ({"mask_band": 3, "mask_bits": (63,)}, "outside 0 to 62"),
    ],
)
def test_bad_arguments_are_refused_by_name(arguments: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TemporalComposite(**arguments)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"mask_band": 1.5}, r"mask_band: 1.5 must be an integer"),
        ({"mask_band": True}, r"mask_band: True must be an integer"),
        ({"mask_key": "qa", "mask_bits": (True,)}, r"mask_bits: True must be an integer"),
        ({"mask_key": "qa", "mask_bits": (2.0,)}, r"mask_bits: 2.0 must be an integer"),
    ],
)
def test_band_and_bits_that_are_no_integers_are_refused_at_construction(
    arguments: dict[str, object], message: str
) -> None:
    # mask_band=1.5 failed at the first call with torch's 'only integers, slices ... are valid indices';
    # True was taken as band 1.
    with pytest.raises(TypeError, match=message):
        TemporalComposite(**arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        # Each was accepted and failed at the first call (torch's "new(): invalid data type 'str'") or at
        # construction with "'int' object is not iterable"; True was taken as nodata 1.
        ({"nodata": "0"}, r"nodata: '0' must be a real number"),
        ({"nodata": True}, r"nodata: True must be a real number"),
        ({"mask_band": 1, "mask_values": 3}, r"mask_values=3 must be a sequence of numbers"),
        ({"mask_band": 1, "mask_values": "3"}, r"mask_values='3' must be a sequence of numbers"),
        ({"mask_band": 1, "mask_values": ("3",)}, r"mask_values: '3' must be a real number"),
        ({"mask_band": 1, "mask_bits": 3}, r"mask_bits=3 must be a sequence of numbers"),
    ],
)
def test_nodata_and_mask_values_that_are_no_numbers_are_refused_at_construction(
    arguments: dict[str, object], message: str
) -> None:
    with pytest.raises(TypeError, match=message):
        TemporalComposite(**arguments)  # type: ignore[arg-type]


def test_a_nan_mask_value_marks_the_steps_whose_mask_is_nan() -> None:
    # NaN equals nothing: mask_values=(nan,) marked no step.
    quality = torch.tensor([float("nan"), 0.0, float("nan"), 0.0]).view(4, 1, 1, 1).expand(4, 1, 2, 2)
    series = torch.cat([torch.tensor([9.0, 2.0, 9.0, 4.0]).view(4, 1, 1, 1).expand(4, 1, 2, 2), quality], 1)
    composite = TemporalComposite("mean", mask_band=1, mask_values=(float("nan"),))
    assert composite(series).flatten().tolist() == [3.0] * 4


def test_numpy_integers_are_integers() -> None:
    composite = TemporalComposite(mask_band=np.int64(1), mask_bits=(np.int64(0),))  # type: ignore[arg-type]
    series = torch.stack([torch.full((3, 2, 2), 4.0), torch.tensor([0.0, 1.0, 0.0]).view(3, 1, 1).expand(3, 2, 2)], 1)
    assert composite(series).flatten().tolist() == [4.0] * 4


def test_composite_is_refused_inside_augmentation_sequential() -> None:
    with pytest.raises(
        ValueError, match=r"TemporalComposite\(reduce='median'\) changes a sample's number of time steps"
    ):
        AugmentationSequential(K.RandomHorizontalFlip(), TemporalComposite())


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("reduce", ["median", "mean"])
def test_cuda_composite_matches_the_cpu_composite(reduce: str) -> None:
    series, clouds = gappy_series()
    batch = {"image": series, "clouds": clouds, "length": torch.tensor([5, 3])}
    composite = TemporalComposite(reduce, nodata=NODATA, mask_key="clouds")
    on_cpu = composite(batch)["image"]
    on_cuda = composite({key: value.cuda() for key, value in batch.items()})["image"]
    assert on_cuda.device.type == "cuda"
    torch.testing.assert_close(on_cuda.cpu(), on_cpu)


def re_shape(shape: tuple[int, ...]) -> str:
    """A shape as the regular expression of its printed tuple."""
    return str(shape).replace("(", r"\(").replace(")", r"\)")
