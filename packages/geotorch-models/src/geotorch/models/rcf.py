"""Random Convolutional Features (MOSAIKS, Rolf et al. 2021): a fixed, untrained feature extractor."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

import torch
import torch.nn.functional as F
from torch import Tensor, nn


class RCF(nn.Module):
    """Convolve with fixed random filters, rectify both signs, average over the image.

    Half of the ``features`` come from ``relu(conv(x, w) + bias)``, half from ``relu(-conv(x, w) + bias)``.
    Filters are drawn from a standard normal (``mode="gaussian"``) or are ZCA-whitened patches cut from
    images of a dataset (``mode="empirical"``), as in MOSAIKS.

    Args:
        in_channels: the number of input bands.
        features: the length of the feature vector; even.
        kernel_size: the side of each filter.
        bias: the bias added to every response (MOSAIKS uses -1).
        seed: seed of the random draws, for reproducible filters.
        mode: ``"gaussian"`` or ``"empirical"``.
        dataset: for ``"empirical"``, samples with an ``"image"`` tensor ``(C, H, W)`` to cut patches from;
            patches are cut where every value is finite, so nodata read as NaN stays out of the filters.

    Raises:
        ValueError: if ``features`` is odd, ``mode`` is unknown, or ``"empirical"`` lacks images (or windows
            of them free of NaN).
    """

    weights: Tensor
    biases: Tensor

    def __init__(
        self,
        in_channels: int = 4,
        features: int = 16,
        kernel_size: int = 3,
        bias: float = -1.0,
        seed: int | None = None,
        mode: Literal["gaussian", "empirical"] = "gaussian",
        dataset: Iterable[Mapping[str, Any]] | None = None,
    ) -> None:
        super().__init__()
        if features % 2:
            raise ValueError(f"features must be even (half per sign), got {features}")
        generator = torch.Generator()
        if seed is not None:
            generator.manual_seed(seed)
        else:
            generator.seed()
        count = features // 2
        if mode == "gaussian":
            filters = torch.randn(count, in_channels, kernel_size, kernel_size, generator=generator)
        elif mode == "empirical":
            if dataset is None:
                raise ValueError("mode='empirical' needs dataset=... to draw image patches from")
            filters = empirical_filters(dataset, count, in_channels, kernel_size, generator)
        else:
            raise ValueError(f"unknown mode {mode!r}; choose 'gaussian' or 'empirical'")
        self.register_buffer("weights", filters)
        self.register_buffer("biases", torch.full((count,), bias))
        self.num_features = features

    def forward(self, x: Tensor) -> Tensor:
        """Return ``(B, features)`` for ``(B, C, H, W)`` images, or ``(features,)`` for one ``(C, H, W)``.

        The filters are fixed, so images are taken as read: integer pixels (uint8, uint16, ...) give float32
        features, floating-point ones features in their own precision.

        Raises:
            ValueError: if the images are not ``(B, C, H, W)`` or ``(C, H, W)``, have another number of bands than
                ``in_channels``, or are smaller than a filter.
        """
        batched = x if x.ndim == 4 else x.unsqueeze(0)
        filters, biases = self.weights, self.biases
        if batched.is_floating_point():
            filters, biases = filters.to(batched.dtype), biases.to(batched.dtype)
        else:
            batched = batched.to(filters.dtype)
        bands, side = filters.shape[1], filters.shape[-1]
        if batched.ndim != 4:
            raise ValueError(f"RCF: images must be (B, C, H, W) or (C, H, W), got shape {tuple(x.shape)}")
        if batched.shape[1] != bands:
            raise ValueError(
                f"RCF: images of {batched.shape[1]} bands, but the filters take {bands} (in_channels={bands})"
            )
        if min(batched.shape[-2:]) < side:
            height, width = batched.shape[-2:]
            raise ValueError(f"RCF: images of {height} x {width} px are smaller than the {side} x {side} px filters")
        response = F.conv2d(batched, filters)
        positive = F.relu(response + biases.view(1, -1, 1, 1)).mean(dim=(2, 3))
        negative = F.relu(-response + biases.view(1, -1, 1, 1)).mean(dim=(2, 3))
        result = torch.cat([positive, negative], dim=1)
        return result if x.ndim == 4 else result.squeeze(0)


def empirical_filters(
    dataset: Iterable[Mapping[str, Any]],
    count: int,
    in_channels: int,
    kernel_size: int,
    generator: torch.Generator,
    epsilon: float = 0.01,
) -> Tensor:
    """``count`` ZCA-whitened ``kernel_size`` patches cut at random places of the dataset's images.

    Patches are cut only where every value of every band is finite: nodata read as NaN (a scene's collar, a
    cloud mask) would turn the patch covariance, and so every filter, into NaN. Each draw takes one of the
    images holding such a window, then one of its windows, uniformly.

    Args:
        dataset: samples with an ``"image"`` tensor ``(C, H, W)``; nodata as NaN.
        count: how many filters to draw.
        in_channels: the bands each image must have.
        kernel_size: the side of each patch.
        generator: the source of randomness.
        epsilon: added to the eigenvalues of the patch covariance before whitening.

    Returns:
        Filters of shape ``(count, in_channels, kernel_size, kernel_size)``.

    Raises:
        ValueError: if the dataset has no images, an image has other bands or is smaller than a patch, or no
            window of any image is free of NaN or infinite values.
    """
    images = [sample["image"].float() for sample in dataset]
    if not images:
        raise ValueError("the dataset holds no images to draw patches from")
    for image in images:
        if image.ndim != 3 or image.shape[0] != in_channels or min(image.shape[-2:]) < kernel_size:
            raise ValueError(
                f"images must have {in_channels} bands and be at least {kernel_size} pixels wide, "
                f"got shape {tuple(image.shape)}"
            )
    windows = [_finite_windows(image, kernel_size) for image in images]
    usable = [index for index, found in enumerate(windows) if bool(found.any())]
    if not usable:
        raise ValueError(
            f"no {kernel_size} x {kernel_size} window of the dataset's {len(images)} images is free of NaN or "
            "infinite values (nodata): give images holding data to draw filters from"
        )
    patches = []
    for _ in range(count):
        index = usable[int(torch.randint(len(usable), (1,), generator=generator))]
        places = windows[index].flatten().nonzero().flatten()
        place = int(places[int(torch.randint(len(places), (1,), generator=generator))])
        row, col = divmod(place, windows[index].shape[1])
        patches.append(images[index][:, row : row + kernel_size, col : col + kernel_size].reshape(-1))
    flat = torch.stack(patches).double()
    centred = flat - flat.mean(dim=0)
    covariance = centred.T @ centred / max(len(patches) - 1, 1)
    values, vectors = torch.linalg.eigh(covariance)
    whitening = vectors @ torch.diag((values.clamp(min=0) + epsilon).rsqrt()) @ vectors.T
    filters: Tensor = (centred @ whitening).float().view(count, in_channels, kernel_size, kernel_size)
    return filters


def _finite_windows(image: Tensor, kernel_size: int) -> Tensor:
    """``(H - k + 1, W - k + 1)`` booleans: whether the window at each top-left pixel holds finite values only."""
    bad = (~image.isfinite()).any(dim=0).float()[None, None]
    return F.max_pool2d(bad, kernel_size, stride=1)[0, 0] == 0
