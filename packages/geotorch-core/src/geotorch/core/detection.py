"""Object detection targets: COCO annotations as tensors, drawing boxes, and batching samples of unequal sizes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import torch
from rasterio.features import rasterize
from torch import Tensor

from geotorch.core.coco_rle import rle_mask
from geotorch.core.collate import check_same_keys
from geotorch.core.panels import stretch
from geotorch.core.sample import Sample


def coco_targets(annotations: Sequence[Mapping[str, Any]], height: int, width: int) -> Sample:
    """The objects of one image from its COCO annotations: ``boxes``, ``labels`` and ``masks``.

    Crowd annotations (``iscrowd`` 1) are left out. Boxes (COCO's x, y, width, height) become
    x_min, y_min, x_max, y_max clipped to the image; objects whose box is empty after clipping are
    dropped. Each object's polygons (flat ``[x1, y1, x2, y2, ...]`` lists in pixel coordinates) are
    rasterised into its mask, pixels whose centre lies inside set; a run-length encoded segmentation
    (``{"size": [h, w], "counts": ...}``, runs listed or compressed) is decoded.

    Args:
        annotations: the image's COCO annotation dicts (``bbox``, ``category_id``, ``segmentation``).
        height: the image's height in pixels.
        width: the image's width in pixels.

    Returns:
        ``boxes`` float32 (N, 4), ``labels`` int64 (N,) (the category ids), ``masks`` uint8 (N, H, W).

    Raises:
        ValueError: if a run-length encoding is not of the image's size or its runs do not cover it, naming
            the annotation's id.
    """
    objects = [annotation for annotation in annotations if not annotation.get("iscrowd", 0)]
    boxes = torch.tensor([annotation["bbox"] for annotation in objects], dtype=torch.float32).reshape(-1, 4)
    boxes[:, 2:] += boxes[:, :2]
    boxes[:, 0::2] = boxes[:, 0::2].clamp(0, width)
    boxes[:, 1::2] = boxes[:, 1::2].clamp(0, height)
    labels = torch.tensor([annotation["category_id"] for annotation in objects], dtype=torch.int64)
    masks = torch.from_numpy(np.stack([_object_mask(annotation, height, width) for annotation in objects]) if objects
                             else np.zeros((0, height, width), np.uint8))
    keep = (boxes[:, 2] > boxes[:, 0]) & (boxes[:, 3] > boxes[:, 1])
    return {"boxes": boxes[keep], "labels": labels[keep], "masks": masks[keep]}


def _object_mask(annotation: Mapping[str, Any], height: int, width: int) -> np.ndarray:
    """The mask of one COCO annotation: its polygons rasterised, or its run-length encoding decoded."""
    segmentation = annotation.get("segmentation", [])
    if not isinstance(segmentation, Mapping):
        return _polygon_mask(segmentation, height, width)
    try:
        return rle_mask(segmentation, height, width)
    except ValueError as error:
        raise ValueError(f"COCO annotation {annotation.get('id')}: {error}") from None


def _polygon_mask(polygons: Iterable[Sequence[float]], height: int, width: int) -> np.ndarray:
    rings = [list(zip(polygon[0::2], polygon[1::2], strict=True)) for polygon in polygons if len(polygon) >= 6]
    if not rings:
        return np.zeros((height, width), np.uint8)
    shapes = [({"type": "Polygon", "coordinates": [[*ring, ring[0]]]}, 1) for ring in rings]
    return np.asarray(rasterize(shapes, out_shape=(height, width), fill=0, dtype="uint8"))


def collate_detection(samples: Iterable[Sample]) -> Sample:
    """Batch detection samples as lists: each key holds the list of the samples' values.

    Images of detection benchmarks differ in size and hold different numbers of objects, so
    ``stack_samples`` cannot stack them (it raises, naming the key). This keeps one tensor per
    sample, the form torchvision's detection models take (``model(batch["image"], targets)``).
    Use it as ``DataLoader(dataset, collate_fn=collate_detection)``; to stack, resize or crop
    the images to one size first and keep the targets listed.

    Args:
        samples: sample dicts with the same keys.

    Returns:
        One dict mapping every key to the list of its values, in sample order.

    Raises:
        ValueError: if the samples have different keys, naming them.
    """
    listed = list(samples)
    check_same_keys(listed, "collate_detection")
    return {key: [sample[key] for sample in listed] for key in (listed[0] if listed else {})}


def draw_objects(axis: Any, image: Tensor, objects: Mapping[str, Tensor], names: Sequence[str],
                 min_score: float = 0.5) -> None:
    """Draw ``image`` (RGB) on ``axis`` with its objects' boxes, class names and masks.

    Args:
        axis: a matplotlib Axes.
        image: a (C, H, W) image; its first three channels are shown.
        objects: ``boxes`` (N, 4) x_min, y_min, x_max, y_max and ``labels`` (N,), optionally ``masks``
            (N, H, W), or (N, 1, H, W) probabilities as Mask R-CNN predicts them, and ``scores`` (N,).
        names: class names by label.
        min_score: objects scored below this are not drawn.

    Raises:
        ValueError: if a label has no name (a prediction of a model of more classes), or the masks are not
            one (H, W) layer per object of the image's size.
    """
    from matplotlib import colormaps
    from matplotlib.patches import Rectangle

    labels = objects["labels"].reshape(-1)
    unnamed = sorted({int(label) for label in labels.tolist() if not 0 <= label < len(names)})
    if unnamed:
        raise ValueError(
            f"draw_objects: labels {unnamed} are outside 0 to {len(names) - 1}, the labels of the {len(names)} class "
            "names: a prediction of a model with other classes?"
        )
    masks = objects.get("masks")
    if masks is not None and masks.ndim == 4 and masks.shape[1] == 1:
        masks = masks[:, 0]
    if masks is not None and (masks.ndim != 3 or masks.shape[1:] != image.shape[-2:] or len(masks) != len(labels)):
        raise ValueError(
            f"draw_objects: masks of shape {tuple(masks.shape)} are not one (H, W) layer for each of the "
            f"{len(labels)} objects of the {tuple(image.shape[-2:])} image"
        )
    axis.imshow(stretch(image[:3]))
    axis.set_axis_off()
    colours = colormaps["tab10"]
    scores = objects.get("scores")
    for index, (box, label) in enumerate(zip(objects["boxes"].tolist(), labels.long().tolist(), strict=True)):
        if scores is not None and float(scores[index]) < min_score:
            continue
        colour = colours(label % 10)
        x_min, y_min, x_max, y_max = box
        axis.add_patch(Rectangle((x_min, y_min), x_max - x_min, y_max - y_min, fill=False, edgecolor=colour))
        axis.text(x_min, y_min, names[label], color="white", fontsize="small", verticalalignment="bottom",
                  bbox={"facecolor": colour, "alpha": 0.6, "pad": 1, "linewidth": 0})
        if masks is not None:
            layer = np.ma.masked_equal(masks[index].detach().cpu().numpy() > 0.5, False)
            axis.imshow(layer, cmap="autumn", alpha=0.4, interpolation="nearest")
