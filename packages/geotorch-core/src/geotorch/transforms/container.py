"""Augmenting sample dicts: kornia moves the mask and boxes with the image, one draw for every time step."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, cast

import kornia.augmentation as K
import torch
from kornia.augmentation.container.params import ParamItem
from torch import Tensor, nn
from torch.utils.data import get_worker_info

from geotorch.transforms.composite import TemporalComposite
from geotorch.transforms.layouts import check_annotation, check_image, check_rearranged
from geotorch.transforms.temporal import Rearrange

_KORNIA_KEYS = {"image": "input", "mask": "mask", "boxes": "bbox"}
"""The sample keys that are augmented, each with the kornia data key it is given as."""


class AugmentationSequential(nn.Module):
    """Augment the image of a sample or batch, moving its mask and boxes with it.

    A wrapper of kornia's ``AugmentationSequential`` that takes and returns
    sample dicts. The image is ``C x H x W`` (one sample), ``B x C x H x W``
    (a batch) or ``B x T x C x H x W`` (a batch of time series), with any
    number of bands ``C``; with ``time_series=True`` it is ``T x C x H x W``
    (one series, as ``RasterDataset(time_series=True)`` gives it) or
    ``B x T x C x H x W``. It must be floating point. Geometric augmentations
    move the mask (with nearest interpolation) and the boxes with the image;
    intensity augmentations change the image only. Keys other than the
    augmented ones pass through untouched.

    - ``mask``: ``B x H x W`` or ``B x C x H x W`` (``H x W`` or
      ``C x H x W`` for one sample), any dtype; it comes back in its own
      layout and dtype, every value exact (beside a float16 or bfloat16
      image that cannot hold them, the batch is augmented in float32, or
      float64, and the image rounded back to its dtype). Next to a time series a mask without ``T`` belongs to
      the whole series; a ``B x T x C x H x W`` (``T x C x H x W`` for one
      series) mask has one per time step.
    - ``boxes``: ``B x N x 4`` (``N x 4`` for one sample, ``B x T x N x 4``
      or ``T x N x 4`` for one set per time step) in ``xyxy`` pixel
      coordinates, where the image spans ``[0, W] x [0, H]``. They come back
      as the axis-aligned boxes enclosing the transformed ones, in the
      image's dtype, and are not clipped to the image.

    Every time step of a series gets the same random parameters: the series
    is folded into a batch of ``B * T`` images of ``C`` bands, parameters are
    drawn once per series and repeated for each of its ``T`` steps (kornia's
    ``VideoSequential`` with ``same_on_frame=True``). A flip, rotation, crop
    or affine thus moves every step, and the series' mask, identically; an
    intensity augmentation (brightness, grayscale, noise, ...) changes every
    step alike; band-aware transforms (spectral indices, per-band
    normalisation) see each step's ``C`` bands. Different series of a batch
    get different parameters unless ``same_on_batch``.

    A :class:`~geotorch.transforms.Rearrange` among the augmentations
    rearranges the image only, and the augmentations after it see the new
    layout: after ``Rearrange("b t c h w -> b (t c) h w")`` the steps are the
    bands of one image, which share one draw by construction. Its pattern
    starts with the batch axis, since a single sample is a batch of one here.

    The parameters of the last call are in :attr:`params`; passing them back
    as ``params=`` replays the call. With a ``seed``, each call draws its
    parameters from a generator of its own, so a run is repeatable and
    torch's global random state is left as it was. (kornia draws from torch's
    global generators and offers no per-module generator, so each call seeds
    them from this generator inside ``torch.random.fork_rng``. In DataLoader
    workers, each worker draws its own stream.) Without a seed, parameters
    come from torch's global random state, as in kornia.

    Args:
        *augmentations: kornia augmentations, GeoTorch's included, applied in order.
        data_keys: the keys to augment, among ``"image"`` (required), ``"mask"`` and ``"boxes"``;
            ``None`` augments those of the three that each sample has.
        keepdim: whether a single sample comes back as one, rather than as a batch of one.
        same_on_batch: whether every sample of a batch gets the same parameters; ``None`` keeps each
            augmentation's own setting.
        seed: the seed of the parameter draws; ``None`` draws from torch's global random state.
        time_series: whether a 4-D image is one ``T x C x H x W`` series rather than a
            ``B x C x H x W`` batch; 3-D images are then refused.

    Raises:
        ValueError: if ``data_keys`` lacks ``"image"`` or has a key other than ``"image"``, ``"mask"``
            and ``"boxes"``, or an augmentation is a :class:`~geotorch.transforms.TemporalComposite`.

    Examples:
        >>> import kornia.augmentation as K
        >>> import torch
        >>> from geotorch.transforms import AppendNDVI
        >>> augment = AugmentationSequential(K.RandomHorizontalFlip(), AppendNDVI(index_nir=7, index_red=3), seed=0)
        >>> batch = augment({"image": torch.rand(4, 13, 64, 64), "mask": torch.zeros(4, 64, 64, dtype=torch.long)})
        >>> batch["image"].shape, batch["mask"].dtype
        (torch.Size([4, 14, 64, 64]), torch.int64)
        >>> series = AugmentationSequential(K.RandomRotation(30.0), time_series=True, keepdim=True, seed=0)
        >>> series({"image": torch.rand(6, 4, 64, 64), "mask": torch.zeros(64, 64, dtype=torch.long)})["image"].shape
        torch.Size([6, 4, 64, 64])
    """

    def __init__(
        self,
        *augmentations: nn.Module,
        data_keys: Sequence[str] | None = None,
        keepdim: bool = False,
        same_on_batch: bool | None = None,
        seed: int | None = None,
        time_series: bool = False,
    ) -> None:
        super().__init__()
        if data_keys is not None and ("image" not in data_keys or not set(data_keys) <= _KORNIA_KEYS.keys()):
            raise ValueError(
                f"data_keys={list(data_keys)} must hold 'image' and may hold 'mask' and 'boxes'; "
                "other keys pass through without being listed"
            )
        composites = [module for module in augmentations if isinstance(module, TemporalComposite)]
        if composites:
            raise ValueError(
                f"{composites[0]!r} changes a sample's number of time steps, which the augmentations here keep; "
                "apply it to the sample before AugmentationSequential (as a dataset's transform) or after it"
            )
        self.data_keys = None if data_keys is None else list(data_keys)
        self.keepdim = keepdim
        self.seed = seed
        self.time_series = time_series
        self._generator = None if seed is None else torch.Generator().manual_seed(seed)
        self._params: list[ParamItem] | None = None
        # Each Rearrange starts a new stage; the augmentations before the first keep today's attribute names.
        first, later = _split_at_rearranges(augmentations)
        self.augmentations, self.series_augmentations = _kornia_containers(first, same_on_batch)
        self.later_stages = nn.ModuleList(
            stage if isinstance(stage, Rearrange) else _AugmentationRun(stage, same_on_batch) for stage in later
        )

    @property
    def params(self) -> list[ParamItem] | None:
        """The random parameters of the last call, to pass back as ``params=``; ``None`` before any call."""
        return self._params

    def forward(self, sample: Mapping[str, Any], params: list[ParamItem] | None = None) -> dict[str, Any]:
        """Augment a sample or a batch.

        Args:
            sample: a dict with at least ``image``.
            params: the :attr:`params` of an earlier call on a sample of the same size, to replay it;
                ``None`` draws new parameters.

        Returns:
            A new dict: the augmented keys transformed, every other key as it was.

        Raises:
            KeyError: if a key of ``data_keys``, or ``image``, is missing from the sample.
            ValueError: if the image is not floating point or not of a rank this container takes, a mask
                or boxes do not fit the image's layout, batch size or height and width, or a
                :class:`~geotorch.transforms.Rearrange` makes an image that the augmentations after it
                cannot take.
        """
        missing = [key for key in self.data_keys or ["image"] if key not in sample]
        if missing:
            raise KeyError(f"sample has no {missing}; its keys are {list(sample)}")
        # In the order kornia needs, image first.
        keys = [key for key in _KORNIA_KEYS if key in (self.data_keys or sample)]
        check_image(sample["image"], self.time_series)
        single = sample["image"].ndim == (4 if self.time_series else 3)
        for key in keys[1:]:
            check_annotation(key, sample[key], sample["image"], single)

        batch = {key: sample[key].unsqueeze(0) if single else sample[key] for key in keys}
        current = dict(batch)
        replay = None if params is None else list(params)
        drawn: list[ParamItem] = []
        rearranged: Rearrange | None = None
        with self._random_state(batch["image"].device, replay=params is not None):
            for stage in self._stages():
                if isinstance(stage, Rearrange):
                    current["image"] = stage.rearrange(current["image"])
                    rearranged = stage
                    continue
                if rearranged is not None:
                    check_rearranged(rearranged, current, keys)
                current, used = _run(stage, current, keys, replay)
                drawn.extend(used)
        self._params = drawn

        result = dict(sample)
        for key in keys:
            result[key] = current[key].squeeze(0) if single and self.keepdim else current[key]
        return result

    def _stages(self) -> list[tuple[K.AugmentationSequential, K.AugmentationSequential] | Rearrange]:
        """The kornia containers of each run of augmentations, and the Rearranges between them, in order."""
        stages: list[tuple[K.AugmentationSequential, K.AugmentationSequential] | Rearrange] = [
            (self.augmentations, self.series_augmentations)
        ]
        for stage in self.later_stages:
            if isinstance(stage, Rearrange):
                stages.append(stage)
            else:
                run = cast(_AugmentationRun, stage)
                stages.append((run.augmentations, run.series_augmentations))
        return stages

    @contextmanager
    def _random_state(self, device: torch.device, replay: bool) -> Iterator[None]:
        """Seed torch's generators from this module's own for one draw, restoring them afterwards."""
        if self._generator is None or replay:
            yield
            return
        seed = int(torch.randint(2**62, (), generator=self._generator))
        worker = get_worker_info()
        if worker is not None:
            # Each DataLoader worker holds a copy of the generator: offset them to draw different streams.
            seed += worker.id
        cuda = [device] if device.type == "cuda" else []
        with torch.random.fork_rng(devices=cuda):
            torch.default_generator.manual_seed(seed)
            for index in cuda:
                with torch.cuda.device(index):
                    torch.cuda.manual_seed(seed)
            yield


class _AugmentationRun(nn.Module):
    """The augmentations between a :class:`Rearrange` and the next, for batches of images and of series."""

    def __init__(self, augmentations: Sequence[nn.Module], same_on_batch: bool | None) -> None:
        super().__init__()
        self.augmentations, self.series_augmentations = _kornia_containers(augmentations, same_on_batch)


def _split_at_rearranges(
    augmentations: Sequence[nn.Module],
) -> tuple[list[nn.Module], list[list[nn.Module] | Rearrange]]:
    """The augmentations before the first :class:`Rearrange`, then each Rearrange and each run after one."""
    first: list[nn.Module] = []
    later: list[list[nn.Module] | Rearrange] = []
    for module in augmentations:
        if isinstance(module, Rearrange):
            later.append(module)
        elif not later:
            first.append(module)
        elif isinstance(later[-1], Rearrange):
            later.append([module])
        else:
            later[-1].append(module)
    return first, later


def _kornia_containers(
    augmentations: Sequence[nn.Module], same_on_batch: bool | None
) -> tuple[K.AugmentationSequential, K.AugmentationSequential]:
    """The kornia containers of the same modules for ``B x C x H x W`` images and ``B x T x C x H x W`` series."""
    # kornia's hint leaves out augmentations it takes, such as its mix augmentations.
    modules: tuple[Any, ...] = tuple(augmentations)
    images = K.AugmentationSequential(*modules, same_on_batch=same_on_batch)
    # For series: one draw per series, repeated for each of its time steps.
    series = K.AugmentationSequential(
        K.VideoSequential(*modules, data_format="BTCHW", same_on_frame=True), same_on_batch=same_on_batch
    )
    return images, series


def _run(
    containers: tuple[K.AugmentationSequential, K.AugmentationSequential],
    batch: dict[str, Tensor],
    keys: list[str],
    replay: list[ParamItem] | None,
) -> tuple[dict[str, Tensor], list[ParamItem]]:
    """Augment a batch with one run's kornia container, taking its parameters from the front of ``replay``.

    Returns:
        The augmented batch and the parameters the run used.
    """
    image = batch["image"].to(_working_dtype(batch, keys))
    augmentations = containers[1] if image.ndim == 5 else containers[0]
    # kornia keeps one ParamItem per child of the container.
    count = len(list(augmentations.children()))
    if count == 0:
        return batch, []
    params = None
    if replay is not None:
        params = replay[:count]
        del replay[:count]
    inputs = [image if key == "image" else _to_kornia(key, batch[key], image) for key in keys]
    outputs = augmentations(*inputs, data_keys=[_KORNIA_KEYS[key] for key in keys], params=params)
    outputs = [outputs] if len(keys) == 1 else outputs
    augmented = {
        key: _from_kornia(key, output, batch[key], image)
        for key, output in zip(keys, cast(list[Tensor], outputs), strict=True)
    }
    for key in ("image", "boxes"):
        if key in augmented:
            augmented[key] = augmented[key].to(batch["image"].dtype)
    return augmented, list(augmentations._params or [])


def _working_dtype(batch: dict[str, Tensor], keys: list[str]) -> torch.dtype:
    """The dtype a batch is augmented in: the image's, or a wider one that holds every value of its mask.

    kornia moves a mask in the image's dtype, and a bfloat16 image holds whole numbers exactly only up to
    256, a float16 one up to 2048, a float32 one up to 2**24: class 257 of a mask moved beside a bfloat16
    image came back as 256, a float32 mask kept 3 digits, and crop code 3301010100 (EuroCrops' HCAT)
    beside a float32 image came back as 3301010176. The image is then augmented in the wider dtype and
    rounded back to its own. Only masks of a type wider than the image's exact range are looked at (a
    device sync on the GPU): uint8 and int16 masks beside float32 images never are.

    Raises:
        ValueError: if a mask value is beyond 2**53, which no floating point type kornia moves holds exactly.
    """
    image = batch["image"].dtype
    if "mask" not in keys:
        return image
    mask = batch["mask"]
    if mask.is_floating_point():
        return torch.promote_types(image, mask.dtype)
    if mask.dtype == torch.bool or mask.numel() == 0 or _exact_up_to(image) >= _largest_of_type(mask.dtype):
        return image
    largest = max(int(mask.max()), -int(mask.min()))
    for dtype in (image, torch.float32, torch.float64):
        if largest <= _exact_up_to(dtype):
            return dtype
    raise ValueError(
        f"sample['mask'] holds {largest if int(mask.max()) == largest else -largest}, beyond 2**53: no floating "
        "point type holds it exactly, so it cannot be moved by kornia; map the codes to smaller class ids first"
    )


def _exact_up_to(dtype: torch.dtype) -> float:
    """The largest whole number below which every whole number is exact in the floating point ``dtype``: 2 / eps."""
    return 2 / torch.finfo(dtype).eps


def _largest_of_type(dtype: torch.dtype) -> int:
    """The largest magnitude an integer ``dtype`` holds."""
    limits = torch.iinfo(dtype)
    return max(limits.max, -limits.min)


def _per_step(key: str, value: Tensor, image: Tensor) -> bool:
    """Whether a mask or boxes next to a time series have one entry per time step."""
    return image.ndim == 5 and value.ndim == (5 if key == "mask" else 4)


def _to_kornia(key: str, value: Tensor, image: Tensor) -> Tensor:
    """Bring a batch's value under ``key`` to the layout kornia takes."""
    if key == "mask":
        return _mask_to_kornia(value, image)
    if key == "boxes":
        return _boxes_to_kornia(value, image)
    return value


def _from_kornia(key: str, output: Tensor, value: Tensor, image: Tensor) -> Tensor:
    """Bring kornia's output for ``key`` back to the layout of the batch's ``value``."""
    if key == "mask":
        return _mask_from_kornia(output, value, image)
    if key == "boxes":
        return _boxes_from_kornia(output, value, image)
    return output


def _mask_to_kornia(mask: Tensor, image: Tensor) -> Tensor:
    """A batch's mask as kornia takes it: floating point, with channels, and with the image's time steps."""
    working = mask.to(image.dtype)
    if mask.ndim == 3:
        working = working.unsqueeze(1)
    if image.ndim == 5 and not _per_step("mask", mask, image):
        working = working.unsqueeze(1).expand(-1, image.shape[1], -1, -1, -1)
    return working


def _mask_from_kornia(output: Tensor, mask: Tensor, image: Tensor) -> Tensor:
    """Undo :func:`_mask_to_kornia`: the mask's own layout and dtype."""
    if image.ndim == 5 and not _per_step("mask", mask, image):
        output = output[:, 0]
    if mask.ndim == 3:
        output = output.squeeze(1)
    return output.to(mask.dtype)


def _boxes_to_kornia(boxes: Tensor, image: Tensor) -> Tensor:
    """A batch's ``xyxy`` boxes as kornia's corner points, with the image's time steps.

    kornia puts pixel ``i`` at coordinate ``i``; in GeoTorch's boxes it spans ``[i, i + 1]``,
    hence the half-pixel shift.
    """
    if image.ndim == 5 and not _per_step("boxes", boxes, image):
        boxes = boxes.unsqueeze(1).expand(-1, image.shape[1], -1, -1)
    x1, y1, x2, y2 = (boxes.to(image.dtype) - 0.5).unbind(-1)
    corners = [(x1, y1), (x2, y1), (x2, y2), (x1, y2)]
    return torch.stack([torch.stack(corner, dim=-1) for corner in corners], dim=-2)


def _boxes_from_kornia(output: Tensor, boxes: Tensor, image: Tensor) -> Tensor:
    """Undo :func:`_boxes_to_kornia`: ``xyxy`` boxes enclosing the transformed corners."""
    if image.ndim == 5 and not _per_step("boxes", boxes, image):
        output = output[:, 0]
    return torch.cat([output.amin(dim=-2), output.amax(dim=-2)], dim=-1) + 0.5
