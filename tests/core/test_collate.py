"""Collate functions: stacking batches, joining and overlaying samples, and splitting batches back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import torch
from rasterio.crs import CRS

from geotorch.core import (
    BoundingBox,
    RasterDataset,
    Sample,
    collate_detection,
    concat_samples,
    merge_samples,
    pad_time_steps,
    stack_samples,
    unbind_samples,
)

CRS_32616 = CRS.from_epsg(32616)


def sample(value: float, bands: int = 3, size: int = 4, x: float = 0) -> Sample:
    return {
        "image": torch.full((bands, size, size), value),
        "mask": torch.full((size, size), int(value), dtype=torch.long),
        "crs": CRS_32616,
        "bounds": BoundingBox(x, x + size, 0, size),
    }


def test_stack_samples_stacks_tensors_and_lists_the_rest() -> None:
    batch = stack_samples([sample(1), sample(2, x=10)])
    assert batch["image"].shape == (2, 3, 4, 4)
    assert batch["mask"].shape == (2, 4, 4)
    assert batch["mask"].dtype == torch.long
    assert batch["image"][1].unique().tolist() == [2.0]
    assert batch["crs"] == [CRS_32616, CRS_32616]
    assert batch["bounds"] == [BoundingBox(0, 4, 0, 4), BoundingBox(10, 14, 0, 4)]


def test_stack_then_unbind_gives_back_the_samples() -> None:
    samples = [sample(1), sample(2, x=10), sample(3, x=20)]
    again = unbind_samples(stack_samples(samples))
    assert len(again) == 3
    for original, copy in zip(samples, again, strict=True):
        assert copy.keys() == original.keys()
        torch.testing.assert_close(copy["image"], original["image"])
        torch.testing.assert_close(copy["mask"], original["mask"])
        assert copy["bounds"] == original["bounds"]
        assert copy["crs"] == original["crs"]


def test_unbind_then_stack_gives_back_the_batch() -> None:
    batch = stack_samples([sample(1), sample(2, x=10)])
    again = stack_samples(unbind_samples(batch))
    torch.testing.assert_close(again["image"], batch["image"])
    assert again["bounds"] == batch["bounds"]


def test_stack_samples_of_nothing_is_an_empty_batch() -> None:
    assert stack_samples([]) == {}
    assert unbind_samples({}) == []


def test_stack_samples_refuses_shape_mismatches_naming_the_key() -> None:
    with pytest.raises(ValueError, match=r"'image'.*different shapes"):
        stack_samples([sample(1), sample(2, bands=4)])
    with pytest.raises(ValueError, match=r"'mask'.*different shapes"):
        stack_samples([{"mask": torch.zeros(4, 4)}, {"mask": torch.zeros(4, 5)}])


def test_unbind_samples_refuses_entries_of_different_lengths() -> None:
    batch = stack_samples([sample(1), sample(2)])
    batch["bounds"] = batch["bounds"][:1]
    with pytest.raises(ValueError, match="different lengths"):
        unbind_samples(batch)


def test_concat_samples_joins_channels_and_keeps_the_first_metadata() -> None:
    first, second = sample(1, bands=3), sample(2, bands=2) | {"path": "second.tif"}
    joined = concat_samples([first, second])
    assert joined["image"].shape == (5, 4, 4)
    assert joined["image"][:3].unique().tolist() == [1.0]
    assert joined["image"][3:].unique().tolist() == [2.0]
    assert joined["mask"].shape == (2, 4, 4)  # two single-band masks become two channels
    assert joined["bounds"] == first["bounds"]
    assert joined["path"] == "second.tif"  # a key only the second sample has


def test_concat_samples_joins_different_keys() -> None:
    joined = concat_samples([{"image": torch.ones(2, 4, 4)}, {"mask": torch.zeros(4, 4, dtype=torch.long)}])
    assert joined["image"].shape == (2, 4, 4)
    assert joined["mask"].shape == (4, 4)


def test_concat_samples_refuses_different_heights_or_widths_naming_the_key() -> None:
    with pytest.raises(ValueError, match=r"'image'.*sizes differ"):
        # One place at two resolutions: 4 x 4 and 5 x 5 pixels over the same bounds.
        concat_samples([sample(1, size=4), sample(2, size=5) | {"bounds": BoundingBox(0, 4, 0, 4)}])


def test_merge_samples_fills_empty_pixels_from_the_next_sample() -> None:
    first = {"image": torch.zeros(2, 2, 2), "mask": torch.tensor([[0, 1], [2, 0]])}
    first["image"][:, 0, 0] = 5
    first["image"][1, 1, 1] = 7  # one non-zero channel: the pixel has data
    second = {"image": torch.full((2, 2, 2), 9.0), "mask": torch.full((2, 2), 3)}
    merged = merge_samples([first, second])
    expected_image = torch.tensor([[[5.0, 9], [9, 0]], [[5, 9], [9, 7]]])
    torch.testing.assert_close(merged["image"], expected_image)
    torch.testing.assert_close(merged["mask"], torch.tensor([[3, 1], [2, 3]]))


def test_merge_samples_does_not_change_its_inputs() -> None:
    first, second = sample(0), sample(2)
    merge_samples([first, second])
    assert not first["image"].any()


def test_merge_samples_refuses_shape_mismatches_naming_the_key() -> None:
    with pytest.raises(ValueError, match="'image' shapes differ"):
        merge_samples([sample(0, bands=3), sample(1, bands=2)])


class SharedInWorkers(torch.utils.data.Dataset[bool]):
    """Each item says whether a batch stacked in the worker that reads it lies in shared memory."""

    def __len__(self) -> int:
        return 2

    def __getitem__(self, index: int) -> bool:
        batch = stack_samples([{"image": torch.ones(2, 4, 4)}, {"image": torch.zeros(2, 4, 4)}])
        return bool(batch["image"].is_shared())


def test_batches_stacked_in_dataloader_workers_are_written_to_shared_memory() -> None:
    # Sent to the main process as they are: no copy of every batch into shared memory first.
    assert not stack_samples([{"image": torch.ones(2)}])["image"].is_shared(), "the main process keeps plain memory"
    in_workers = torch.utils.data.DataLoader(SharedInWorkers(), batch_size=None, num_workers=1)
    assert list(in_workers) == [True, True]


def test_pad_time_steps_pads_short_series_and_cuts_long_ones_keeping_dtype() -> None:
    short, exact, long = (torch.arange(steps, dtype=torch.int16).reshape(steps, 1) for steps in (1, 3, 5))
    padded = pad_time_steps([short, exact, long], 3, fill=-1)
    assert [value.tolist() for value in padded] == [[[0], [-1], [-1]], [[0], [1], [2]], [[0], [1], [2]]]
    assert all(value.dtype == torch.int16 for value in padded)
    times = pad_time_steps([torch.zeros(1, dtype=torch.float64)], 2, float("nan"), key="time")[0]
    assert times[0] == 0 and times[1].isnan()
    with pytest.raises(ValueError, match=r"'image' steps have different shapes \[\(2,\), \(3,\)\]"):
        pad_time_steps([torch.zeros(1, 2), torch.zeros(1, 3)], 2, key="image")


class _Chips(torch.utils.data.Dataset[Sample]):
    def __len__(self) -> int:
        return 4

    def __getitem__(self, index: int) -> Sample:
        return sample(index)


TYPES = [
    torch.bool,
    torch.uint8,
    torch.int16,
    torch.int64,
    torch.float16,
    torch.float32,
    torch.float64,
    torch.complex64,
]


@pytest.mark.parametrize("dtype", TYPES)
def test_stack_in_the_main_process_copies_on_this_thread_what_torch_stack_gives(
    dtype: torch.dtype, monkeypatch: pytest.MonkeyPatch
) -> None:
    generator = torch.Generator().manual_seed(0)
    # Contiguous chips and views with other strides (a transposed and a sliced one).
    chips = [(torch.rand(3, 5, 6, generator=generator) * 100).to(dtype) for _ in range(2)]
    chips += [(torch.rand(3, 6, 5, generator=generator) * 100).to(dtype).transpose(1, 2)]
    chips += [(torch.rand(3, 10, 6, generator=generator) * 100).to(dtype)[:, ::2]]
    expected = torch.stack(chips)

    def threaded(*args: object, **kwargs: object) -> None:
        raise AssertionError("torch.stack runs on torch's intra-op threads")

    monkeypatch.setattr(torch, "stack", threaded)
    batch = stack_samples([{"image": chip} for chip in chips])["image"]
    assert batch.dtype == dtype
    assert torch.equal(batch, expected)


def test_stack_leaves_what_numpy_cannot_copy_and_workers_to_default_collate() -> None:
    weights = [torch.ones(2, requires_grad=True), torch.zeros(2, requires_grad=True)]
    batch = stack_samples([{"w": weight} for weight in weights])["w"]
    assert batch.requires_grad
    assert torch.equal(batch, torch.tensor([[1.0, 1.0], [0.0, 0.0]]))
    halves = [torch.ones(2, dtype=torch.bfloat16), torch.zeros(2, dtype=torch.bfloat16)]
    assert stack_samples([{"h": half} for half in halves])["h"].dtype == torch.bfloat16
    # In a DataLoader worker the batch is written into shared memory (nothing copied to send it).
    loader = torch.utils.data.DataLoader(_Chips(), batch_size=2, num_workers=1, collate_fn=stack_samples)
    batches = list(loader)
    assert all(batch["image"].is_shared() and batch["mask"].is_shared() for batch in batches)
    assert torch.equal(batches[1]["image"], torch.stack([sample(2)["image"], sample(3)["image"]]))


def test_merge_samples_refuses_series_of_different_times_where_one_repeats_a_time() -> None:
    # Two steps starting at one time (a day and a month from that day) cannot be placed among the other's times.
    twice = {"image": torch.ones(2, 1, 2, 2), "time": torch.tensor([0.0, 0.0], dtype=torch.float64)}
    other = {"image": torch.ones(1, 1, 2, 2), "time": torch.tensor([5.0], dtype=torch.float64)}
    with pytest.raises(ValueError, match=r"\[0.0, 0.0\] and \[5.0\].*two steps at one time"):
        merge_samples([twice, other])


@pytest.mark.real_data
def test_stack_samples_refuses_samples_of_different_keys_naming_them(real_data: Path) -> None:
    # Two windows of the real RGB.byte.tif, the second given a mask (a transform adding it to some samples
    # only): the mask was dropped from the batch in silence, or with the masked sample first a bare KeyError.
    dataset = RasterDataset(real_data / "RGB.byte.tif")
    left, bottom = dataset.bounds.minx, dataset.bounds.miny
    plain = dataset[BoundingBox(left, left + 6000, bottom, bottom + 6000)]
    masked = dataset[BoundingBox(left + 6000, left + 12000, bottom, bottom + 6000)]
    masked["mask"] = (masked["image"][0] > 0).long()
    with pytest.raises(ValueError, match=r"sample 1 has keys .*; sample 0 lacks \['mask'\]: every sample of a batch"):
        stack_samples([plain, masked])
    with pytest.raises(ValueError, match=r"sample 1 has keys .*; it lacks \['mask'\]: every sample of a batch"):
        stack_samples([masked, plain])
    batch = stack_samples([masked, masked])
    assert batch["image"].shape == (2, 3, *masked["mask"].shape)
    assert torch.equal(batch["mask"][1], masked["mask"])


@pytest.mark.real_data
@pytest.mark.parametrize("join", [concat_samples, merge_samples])
def test_samples_of_different_places_are_not_joined_pixel_by_pixel(
    real_data: Path, join: Callable[[list[Sample]], Sample]
) -> None:
    # Two windows of the real RGB.byte.tif side by side (64 x 16 pixels of 300 m each): concat_samples gave a
    # 6-band image at the first window's bounds, half of its bands from the next window; merge_samples filled the
    # first window's 722 nodata pixels (its west edge: 0 in every band) with the next window's pixels.
    dataset = RasterDataset(real_data / "RGB.byte.tif")
    left, top = dataset.bounds.minx, dataset.bounds.maxy
    edge = dataset[BoundingBox(left + 12000, left + 31200, top - 94800, top - 90000)]
    inland = dataset[BoundingBox(left + 31200, left + 50400, top - 94800, top - 90000)]
    assert int((edge["image"] == 0).all(dim=0).sum()) == 722
    with pytest.raises(ValueError, match=rf"{join.__name__}: sample 1 lies at x 133185.0\.\.152385.0, "):
        join([edge, inland])
    assert torch.equal(join([edge, dataset[edge["bounds"]]])["image"][:3], edge["image"])
    moved = edge | {"crs": CRS.from_epsg(32619)}
    with pytest.raises(ValueError, match=r"sample 1 lies at .* in EPSG:32619, sample 0 at .* in EPSG:32618"):
        join([edge, moved])


@pytest.mark.real_data
def test_collate_detection_refuses_samples_of_different_keys_naming_them(real_data: Path) -> None:
    # A chip with objects beside one without (no boxes key): collate_detection raised a bare KeyError 'boxes',
    # or with the empty chip first dropped every box of the batch in silence.
    dataset = RasterDataset(real_data / "RGB.byte.tif")
    left, top = dataset.bounds.minx, dataset.bounds.maxy
    empty = dataset[BoundingBox(left + 31200, left + 50400, top - 94800, top - 90000)]
    boxed = dataset[BoundingBox(left + 50400, left + 69600, top - 94800, top - 90000)]
    boxed |= {"boxes": torch.tensor([[2.0, 3.0, 10.0, 12.0]]), "labels": torch.tensor([1])}
    with pytest.raises(ValueError, match=r"collate_detection: sample 1 has keys .*; it lacks \['boxes', 'labels'\]"):
        collate_detection([boxed, empty])
    with pytest.raises(ValueError, match=r"collate_detection: sample 1 .*; sample 0 lacks \['boxes', 'labels'\]"):
        collate_detection([empty, boxed])
    batch = collate_detection([boxed, boxed])
    assert [len(boxes) for boxes in batch["boxes"]] == [1, 1]
