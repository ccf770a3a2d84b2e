"""Augmenting sample dicts: kornia moves the mask and boxes with the image."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, cast

import kornia.augmentation as K
import torch
from kornia.augmentation.container.params import ParamItem
from torch import Tensor, nn
from torch.utils.data import get_worker_info

_KORNIA_KEYS = {"image": "input", "mask": "mask", "boxes": "bbox"}
"""The sample keys that are augmented, each with the kornia data key it is given as."""

_MASK_LAYOUTS = {
    3: "H x W or C x H x W",
    4: "B x H x W or B x C x H x W",
    5: "B x H x W, B x C x H x W or B x T x C x H x W",
}
_BOX_LAYOUTS = {3: "N x 4", 4: "B x N x 4", 5: "B x N x 4 or B x T x N x 4"}
"""The layouts a mask and boxes may have next to a ``C x H x W``, ``B x C x H x W`` or ``B x T x C x H x W`` image."""


class AugmentationSequential(nn.Module):
    """Augment the image of a sample or batch, moving its mask and boxes with it.

    A wrapper of kornia's ``AugmentationSequential`` that takes and returns
    sample dicts. The image is ``C x H x W`` (one sample), ``B x C x H x W``
    (a batch) or ``B x T x C x H x W`` (a batch of time series), with any
    number of bands ``C``; it must be floating point. Geometric augmentations
    move the mask (with nearest interpolation) and the boxes with the image;
    intensity augmentations change the image only. Keys other than the
    augmented ones pass through untouched.

    - ``mask``: ``B x H x W`` or ``B x C x H x W`` (``H x W`` or
      ``C x H x W`` for one sample), any dtype; it comes back in its own
      layout and dtype. Next to a time series a mask without ``T`` belongs to
      the whole series; a ``B x T x C x H x W`` mask has one per time step.
    - ``boxes``: ``B x N x 4`` (``N x 4`` for one sample, ``B x T x N x 4``
      for one set per time step) in ``xyxy`` pixel coordinates, where the
      image spans ``[0, W] x [0, H]``. They come back as the axis-aligned
      boxes enclosing the transformed ones, in the image's dtype, and are
      not clipped to the image.

    A time series gets one draw of random parameters per series, applied to
    every time step. The parameters of the last call are in :attr:`params`;
    passing them back as ``params=`` replays the call. With a ``seed``, each
    call draws its parameters from a generator of its own, so a run is
    repeatable and torch's global random state is left as it was. (kornia
    draws from torch's global generators and offers no per-module generator,
    so each call seeds them from this generator inside
    ``torch.random.fork_rng``. In DataLoader workers, each worker draws its
    own stream.) Without a seed, parameters come from torch's global random
    state, as in kornia.

    Args:
        *augmentations: kornia augmentations, GeoTorch's included, applied in order.
        data_keys: the keys to augment, among ``"image"`` (required), ``"mask"`` and ``"boxes"``;
            ``None`` augments those of the three that each sample has.
        keepdim: whether a single ``C x H x W`` sample comes back as one, rather than as a batch of one.
        same_on_batch: whether every sample of a batch gets the same parameters; ``None`` keeps each
            augmentation's own setting.
        seed: the seed of the parameter draws; ``None`` draws from torch's global random state.

    Raises:
        ValueError: if ``data_keys`` lacks ``"image"`` or has a key other than ``"image"``, ``"mask"``
            and ``"boxes"``.

    Example:
        >>> import kornia.augmentation as K
        >>> import torch
        >>> from geotorch.transforms import AppendNDVI
        >>> augment = AugmentationSequential(K.RandomHorizontalFlip(), AppendNDVI(index_nir=7, index_red=3), seed=0)
        >>> batch = augment({"image": torch.rand(4, 13, 64, 64), "mask": torch.zeros(4, 64, 64, dtype=torch.long)})
        >>> batch["image"].shape, batch["mask"].dtype
        (torch.Size([4, 14, 64, 64]), torch.int64)
    """

    def __init__(
        self,
        *augmentations: nn.Module,
        data_keys: Sequence[str] | None = None,
        keepdim: bool = False,
        same_on_batch: bool | None = None,
        seed: int | None = None,
    ) -> None:
        super().__init__()
        if data_keys is not None and ("image" not in data_keys or not set(data_keys) <= _KORNIA_KEYS.keys()):
            raise ValueError(
                f"data_keys={list(data_keys)} must hold 'image' and may hold 'mask' and 'boxes'; "
                "other keys pass through without being listed"
            )
        self.data_keys = None if data_keys is None else list(data_keys)
        self.keepdim = keepdim
        self.seed = seed
        self._generator = None if seed is None else torch.Generator().manual_seed(seed)
        self._params: list[ParamItem] | None = None
        # kornia's hint leaves out augmentations it takes, such as its mix augmentations.
        modules = cast(tuple[Any, ...], augmentations)
        self.augmentations = K.AugmentationSequential(*modules, same_on_batch=same_on_batch)
        # The same modules for B x T x C x H x W series: one draw per series, applied to every time step.
        self.series_augmentations = K.AugmentationSequential(
            K.VideoSequential(*modules, data_format="BTCHW", same_on_frame=True), same_on_batch=same_on_batch
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
            ValueError: if the image is not floating point or not 3-D to 5-D, or a mask or boxes do not
                fit the image's layout, batch size or height and width.
        """
        missing = [key for key in self.data_keys or ["image"] if key not in sample]
        if missing:
            raise KeyError(f"sample has no {missing}; its keys are {list(sample)}")
        # In the order kornia needs, image first.
        keys = [key for key in _KORNIA_KEYS if key in (self.data_keys or sample)]
        _check_image(sample["image"])
        for key in keys[1:]:
            _check_annotation(key, sample[key], sample["image"])

        single = sample["image"].ndim == 3
        batch = {key: sample[key].unsqueeze(0) if single else sample[key] for key in keys}
        image = batch["image"]
        inputs = [_to_kornia(key, batch[key], image) for key in keys]
        augmentations = self.series_augmentations if image.ndim == 5 else self.augmentations
        with self._random_state(image.device, replay=params is not None):
            outputs = augmentations(*inputs, data_keys=[_KORNIA_KEYS[key] for key in keys], params=params)
        self._params = augmentations._params
        outputs = [outputs] if len(keys) == 1 else outputs

        result = dict(sample)
        for key, output in zip(keys, cast(list[Tensor], outputs), strict=True):
            restored = _from_kornia(key, output, batch[key], image)
            result[key] = restored.squeeze(0) if single and self.keepdim else restored
        return result

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


def _check_image(image: Any) -> None:
    """Refuse an image kornia cannot augment, naming its shape and dtype."""
    if not isinstance(image, Tensor) or image.ndim not in (3, 4, 5):
        shape = tuple(image.shape) if isinstance(image, Tensor) else type(image).__name__
        raise ValueError(f"sample['image'] must be C x H x W, B x C x H x W or B x T x C x H x W, got {shape}")
    if not image.is_floating_point():
        raise ValueError(
            f"sample['image'] has dtype {image.dtype} and shape {tuple(image.shape)}; "
            "augmentations need a floating point image, convert it with image.float()"
        )


def _check_annotation(key: str, value: Any, image: Tensor) -> None:
    """Refuse a mask or boxes that do not fit the image, naming both shapes."""
    layouts = (_MASK_LAYOUTS if key == "mask" else _BOX_LAYOUTS)[image.ndim]
    if not isinstance(value, Tensor):
        raise ValueError(f"sample[{key!r}] must be a tensor ({layouts}), got {type(value).__name__}")
    if key == "mask":
        ranks = {3: (2, 3), 4: (3, 4), 5: (3, 4, 5)}[image.ndim]
        fits = value.ndim in ranks and value.shape[-2:] == image.shape[-2:]
    else:
        ranks = {3: (2,), 4: (3,), 5: (3, 4)}[image.ndim]
        fits = value.ndim in ranks and value.shape[-1] == 4
    # The leading sizes shared with the image: none for one sample, B for a batch, B and T per time step.
    shared = 0 if image.ndim == 3 else 2 if _per_step(key, value, image) else 1
    if not fits or value.shape[:shared] != image.shape[:shared]:
        raise ValueError(
            f"sample[{key!r}] has shape {tuple(value.shape)} and sample['image'] {tuple(image.shape)}; "
            f"next to this image, {key} must be {layouts}, with the image's "
            + ("B, H and W" if key == "mask" else "B")
            + (" (and T, if it has T)" if image.ndim == 5 else "")
        )


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
