"""The images and objects of a detection batch checked: finite pixels; boxes, labels and masks that fit.

torchvision's detectors check little of their targets: a box list longer than its labels, boxes of another
image's frame, NaN corners or masks of half the image's size are trained on without a word, and float labels
or a 2-D mask fail deep inside the model. :func:`checked_objects` names each such fault in one line.
"""

from __future__ import annotations

import torch
from torch import Tensor


def checked_objects(owner: str, index: int, image: Tensor, objects: dict[str, Tensor]) -> dict[str, Tensor]:
    """The objects of one image as the detector takes them, or a ValueError naming what does not fit.

    Boxes are ``(N, 4)`` x_min, y_min, x_max, y_max in the image's pixel coordinates, where the image spans
    ``[0, W] x [0, H]``; a box reaching past an edge is clipped to the image (as torchvision clips the boxes it
    predicts, so that a perfect detection of the visible part scores IoU 1). Labels are ``(N,)`` whole numbers,
    returned as int64. Masks are ``(N, H, W)`` (or ``(N, 1, H, W)``, returned as ``(N, H, W)``) of the
    image's height and width, each one object's 0/1 (or boolean, or fractional 0 to 1) mask.

    Args:
        owner: the task's name, for messages.
        index: the image's position in its batch, for messages.
        image: the image ``(C, H, W)``.
        objects: the image's ``boxes``, ``labels`` and (instance segmentation) ``masks``; keys absent are
            not checked.

    Returns:
        ``objects`` with boxes clipped to the image, labels int64 and masks ``(N, H, W)``.

    Raises:
        ValueError: if boxes are not ``(N, 4)``, not finite, have no area, lie wholly outside the image, or
            the labels or masks are not one per box, labels are not whole numbers, or masks are not of the
            image's height and width or hold values outside 0 to 1.
    """
    height, width = image.shape[-2:]
    where = f"{owner}: image {index} of the batch ({height} x {width} pixels)"
    checked = dict(objects)
    boxes = objects.get("boxes")
    if boxes is not None:
        checked["boxes"] = _checked_boxes(where, boxes, height, width)
    count = None if boxes is None else len(checked["boxes"])
    labels = objects.get("labels")
    if labels is not None:
        checked["labels"] = _checked_labels(where, labels, count)
    masks = objects.get("masks")
    if masks is not None:
        checked["masks"] = _checked_masks(where, masks, count, height, width)
    return checked


def check_image_finite(owner: str, index: int, image: Tensor) -> None:
    """Refuse an image holding NaN or infinite values, such as the NaN nodata of float rasters.

    One such pixel made every loss of the batch NaN (and the weights after the step), and the detections
    of the image NaN, scored as misses.

    Raises:
        ValueError: naming the image and how many of its values are not finite.
    """
    if not image.is_floating_point():
        return
    finite = image.isfinite()
    if not bool(finite.all()):
        raise ValueError(
            f"{owner}: image {index} of the batch holds {int((~finite).sum())} NaN or infinite values (nodata "
            "pixels?); fill them before the task (torch.nan_to_num in the dataset's transforms)"
        )


def _checked_boxes(where: str, boxes: Tensor, height: int, width: int) -> Tensor:
    if boxes.numel() == 0:
        return boxes.reshape(0, 4).float()
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        raise ValueError(
            f"{where} has boxes of shape {tuple(boxes.shape)}; give (N, 4): one row of x_min, y_min, x_max, "
            "y_max per object"
        )
    boxes = boxes.float()
    if not boxes.isfinite().all():
        raise ValueError(f"{where} has boxes that are not finite: {_rows(boxes[~boxes.isfinite().all(dim=1)])}")
    flat = (boxes[:, 2] <= boxes[:, 0]) | (boxes[:, 3] <= boxes[:, 1])
    if flat.any():
        raise ValueError(
            f"{where} has boxes without area (x_max <= x_min or y_max <= y_min): {_rows(boxes[flat])}; boxes are "
            "x_min, y_min, x_max, y_max: COCO's x, y, width, height boxes need x and y added to width and height, "
            "and objects a crop cut away must be left out"
        )
    clipped = boxes.clone()
    clipped[:, 0::2] = boxes[:, 0::2].clamp(0, width)
    clipped[:, 1::2] = boxes[:, 1::2].clamp(0, height)
    outside = (clipped[:, 2] <= clipped[:, 0]) | (clipped[:, 3] <= clipped[:, 1])
    if outside.any():
        raise ValueError(
            f"{where} has boxes wholly outside it: {_rows(boxes[outside])}; boxes are in the image's pixel "
            f"coordinates (x from 0 to {width}, y from 0 to {height}), not map coordinates, and objects a crop "
            "cut away must be left out"
        )
    return clipped


def _checked_labels(where: str, labels: Tensor, count: int | None) -> Tensor:
    if labels.ndim != 1 and labels.numel() != 0:
        raise ValueError(f"{where} has labels of shape {tuple(labels.shape)}; give (N,): one class per object")
    labels = labels.reshape(-1)
    if count is not None and len(labels) != count:
        raise ValueError(f"{where} has {count} boxes but {len(labels)} labels; give one label per box")
    if labels.is_floating_point() and not (labels.isfinite() & (labels == labels.round())).all():
        fractions = sorted({float(value) for value in labels[~(labels == labels.round())].tolist()})
        raise ValueError(f"{where} has labels {fractions}, which are no whole numbers; labels are class ids")
    return labels.long()


def _checked_masks(where: str, masks: Tensor, count: int | None, height: int, width: int) -> Tensor:
    if masks.ndim == 4 and masks.shape[1] == 1:
        masks = masks[:, 0]
    if masks.ndim != 3 or tuple(masks.shape[-2:]) != (height, width):
        raise ValueError(
            f"{where} has masks of shape {tuple(masks.shape)}; give (N, {height}, {width}): one mask per object, "
            "of the image's height and width (resize or crop them with the image)"
        )
    if count is not None and len(masks) != count:
        raise ValueError(f"{where} has {count} boxes but {len(masks)} masks; give one mask per box")
    if masks.dtype != torch.bool:
        outside = masks[(masks < 0) | (masks > 1) | masks.isnan()]
        if outside.numel():
            values = [float(value) for value in torch.unique(outside)[:5].tolist()]
            raise ValueError(
                f"{where} has mask values {values}, outside 0 to 1; each mask marks its object's pixels with 1 "
                "(a 0/255 mask: divide it by 255, or pass mask > 0)"
            )
    return masks


def _rows(boxes: Tensor) -> str:
    """The first few rows of ``boxes``, for a message."""
    rows = [[round(value, 2) for value in row] for row in boxes[:3].tolist()]
    return f"{rows}" + (f" and {len(boxes) - 3} more" if len(boxes) > 3 else "")
