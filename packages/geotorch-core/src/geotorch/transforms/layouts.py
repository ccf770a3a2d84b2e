"""The layouts a sample's image, mask and boxes may have when augmented, and the errors for those that do not fit."""

from __future__ import annotations

from typing import Any

from torch import Tensor

from geotorch.transforms.temporal import Rearrange

MASK_LAYOUTS = {
    (4, True): "H x W or C x H x W",
    (4, False): "B x H x W or B x C x H x W",
    (5, True): "H x W, C x H x W or T x C x H x W",
    (5, False): "B x H x W, B x C x H x W or B x T x C x H x W",
}
"""The layouts a mask may have, by the rank of the batched image and whether the image is one sample."""

BOX_LAYOUTS = {
    (4, True): "N x 4",
    (4, False): "B x N x 4",
    (5, True): "N x 4 or T x N x 4",
    (5, False): "B x N x 4 or B x T x N x 4",
}
"""The layouts boxes may have, by the rank of the batched image and whether the image is one sample."""

IMAGE_LAYOUTS = "C x H x W, B x C x H x W or B x T x C x H x W"
"""The layouts an image may have without ``time_series=True``."""


def check_image(image: Any, time_series: bool) -> None:
    """Refuse an image kornia cannot augment, naming its shape and dtype."""
    ranks, layouts = ((4, 5), "T x C x H x W or B x T x C x H x W") if time_series else ((3, 4, 5), IMAGE_LAYOUTS)
    if not isinstance(image, Tensor) or image.ndim not in ranks:
        shape = tuple(image.shape) if isinstance(image, Tensor) else type(image).__name__
        given = " with time_series=True" if time_series else ""
        raise ValueError(f"sample['image'] must be {layouts}{given}, got {shape}")
    if not image.is_floating_point():
        raise ValueError(
            f"sample['image'] has dtype {image.dtype} and shape {tuple(image.shape)}; "
            "augmentations need a floating point image, convert it with image.float()"
        )


def check_rearranged(rearrange: Rearrange, batch: dict[str, Tensor], keys: list[str]) -> None:
    """Refuse a rearranged image, or the mask and boxes beside it, that the next augmentations cannot take."""
    image = batch["image"]
    if image.ndim not in (4, 5):
        raise ValueError(
            f"Rearrange({rearrange.pattern!r}) made an image of shape {tuple(image.shape)}; the augmentations "
            "after it take B x C x H x W or B x T x C x H x W images"
        )
    for key in keys[1:]:
        try:
            check_annotation(key, batch[key], image, single=False)
        except ValueError as error:
            raise ValueError(f"after Rearrange({rearrange.pattern!r}), which changes the image only: {error}") from None


def check_annotation(key: str, value: Any, image: Tensor, single: bool) -> None:
    """Refuse a mask or boxes that do not fit the image, naming both shapes.

    ``single`` says whether the image is one sample, without the batch axis ``B``.
    """
    rank = image.ndim + single
    layouts = (MASK_LAYOUTS if key == "mask" else BOX_LAYOUTS)[rank, single]
    if not isinstance(value, Tensor):
        raise ValueError(f"sample[{key!r}] must be a tensor ({layouts}), got {type(value).__name__}")
    # Checked in batch form, a single sample being a batch of one.
    batched, image_shape = (value.unsqueeze(0), (1, *image.shape)) if single else (value, tuple(image.shape))
    if key == "mask":
        fits = batched.ndim in {4: (3, 4), 5: (3, 4, 5)}[rank] and value.shape[-2:] == image.shape[-2:]
    else:
        fits = batched.ndim in {4: (3,), 5: (3, 4)}[rank] and value.shape[-1] == 4
    # The leading sizes shared with the image: B, and T for one entry per time step.
    shared = 2 if rank == 5 and batched.ndim == (5 if key == "mask" else 4) else 1
    if not fits or tuple(batched.shape[:shared]) != image_shape[:shared]:
        sizes = ([] if single else ["B"]) + (["H", "W"] if key == "mask" else [])
        fit = f", with the image's {', '.join(sizes[:-1])} and {sizes[-1]}" if len(sizes) > 1 else ""
        fit = ", with the image's B" if sizes == ["B"] else fit
        raise ValueError(
            f"sample[{key!r}] has shape {tuple(value.shape)} and sample['image'] {tuple(image.shape)}; "
            f"next to this image, {key} must be {layouts}{fit}" + (" (and T, if it has T)" if rank == 5 else "")
        )
