"""NWPU VHR-10: very high resolution images with boxes and instance masks of 10 object classes."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any, ClassVar

from geotorch.core import (
    DatasetLifecycle,
    DatasetNotFoundError,
    NonGeoDataset,
    Resource,
    Sample,
    Transform,
    coco_targets,
    draw_objects,
    new_figure,
)
from geotorch.datasets.chip_files import check_files_present, chip_files
from geotorch.datasets.json_files import read_json
from geotorch.datasets.raster_chips import read_rgb

# TorchGeo's pinned Hugging Face mirror of the images and of the COCO annotations of Su et al. 2019.
_MIRROR = "https://hf.co/datasets/torchgeo/vhr10/resolve/7e7968ad265dadc4494e0ca4a079e0b63dc6f3f8/"
_FOLDER = "NWPU VHR-10 dataset"


class VHR10(DatasetLifecycle, NonGeoDataset):
    """NWPU VHR-10 (Cheng et al. 2014, https://doi.org/10.1016/j.isprsjprs.2014.10.002): 800 images.

    715 Google Earth images (0.5 to 2 m) and 85 pansharpened colour-infrared Vaihingen images (8 cm):
    the ``positive`` set (650 images, each with at least one object) and the ``negative`` set (150
    images without objects). Objects of 10 classes carry boxes and instance masks, from the COCO-style
    annotations of Su et al. 2019 (https://doi.org/10.3390/rs12060989). Layout: ``NWPU VHR-10
    dataset/<positive|negative> image set/<nnn>.jpg`` and ``NWPU VHR-10 dataset/annotations.json``,
    whose COCO image id ``k`` is the file ``<k + 1>.jpg`` (three digits) of the positive set.

    Samples: ``image`` float32 (3, H, W); ``boxes`` float32 (N, 4) x_min, y_min, x_max, y_max in pixels;
    ``labels`` int64 (N,), 1 to 10 indexing ``classes`` (0 is the background); ``masks`` uint8
    (N, H, W). Negative images have N = 0. Images differ in size and object count: batch them with
    ``collate_fn=geotorch.core.collate_detection``, not ``stack_samples``.
    """

    splits: ClassVar[tuple[str, ...]] = ("positive", "negative")
    classes: ClassVar[tuple[str, ...]] = (
        "background", "airplane", "ship", "storage tank", "baseball diamond", "tennis court",
        "basketball court", "ground track field", "harbor", "bridge", "vehicle",
    )
    images: ClassVar[Resource] = Resource(
        _MIRROR + "NWPU%20VHR-10%20dataset.zip", f"{_FOLDER}.zip", md5="6add6751469c12dd8c8d6223064c6c4d"
    )
    annotations: ClassVar[Resource] = Resource(
        _MIRROR + "annotations.json", f"{_FOLDER}/annotations.json", md5="7c76ec50c17a61bb0514050d20f22c08",
        extract=False,
    )

    def __init__(
        self,
        root: str | Path = "data",
        split: str = "positive",
        transforms: Transform | None = None,
        download: bool = False,
        checksum: bool = False,
    ) -> None:
        """Open the ``split`` image set under ``root``, downloading and extracting it first if asked.

        Args:
            root: folder holding ``NWPU VHR-10 dataset/`` (or its zip, or nothing yet).
            split: "positive" or "negative".
            transforms: a function applied to every sample.
            download: fetch the images zip (and, for the positive set, the annotations) when missing.
            checksum: verify the downloads against their published MD5s.

        Raises:
            ValueError: if ``split`` is unknown, or annotations.json (positive set) is not COCO annotations.
            DatasetNotFoundError: if the data is missing and ``download`` is False, holds no image, or lacks an
                image the annotations name, naming it.
            ChecksumError: if ``checksum`` and a download fails verification.
        """
        self.root = Path(root)
        self.split = self.check_split(split)
        self.transforms = transforms
        self.folder = self.root / _FOLDER / f"{split} image set"
        self.prepare(download, checksum)
        self.files, self.objects = self._list_images()
        if not self.files:
            raise DatasetNotFoundError("VHR10", self.folder, "it holds no image of the set")
        check_files_present("VHR10", self.folder, self.files)

    def resources(self) -> list[Resource]:
        """The images zip unless the split's folder is extracted, and (positive set) the annotations unless there."""
        wanted = [(self.folder, self.images)]
        if self.split == "positive":
            wanted.append((self.root / self.annotations.filename, self.annotations))
        return [resource for path, resource in wanted if not path.exists()]

    def is_present(self) -> bool:
        """Whether the split's image folder (and, for the positive set, the annotations) are in ``root``."""
        return not self.resources()

    def _list_images(self) -> tuple[list[Path], list[list[dict[str, Any]]]]:
        if self.split == "negative":
            files = chip_files(self.folder, "*.jpg")
            return files, [[] for _ in files]
        coco = read_json(self.root / self.annotations.filename, "VHR10", ["images", "annotations"])
        by_image: defaultdict[int, list[dict[str, Any]]] = defaultdict(list)
        for annotation in coco["annotations"]:
            by_image[annotation["image_id"]].append(annotation)
        ids = sorted(image["id"] for image in coco["images"])
        return [self.folder / f"{k + 1:03d}.jpg" for k in ids], [by_image[k] for k in ids]

    def __len__(self) -> int:
        """Number of images in the set."""
        return len(self.files)

    def __getitem__(self, index: int) -> Sample:
        """The image at ``index`` with its objects' ``boxes``, ``labels`` and ``masks``."""
        image = read_rgb(self.files[index])
        sample: Sample = {"image": image, **coco_targets(self.objects[index], *image.shape[-2:])}
        if self.transforms is not None:
            sample = self.transforms(sample)
        return sample

    def plot(self, sample: Sample, show_titles: bool = True, suptitle: str | None = None) -> Any:
        """Draw the image with its objects, and beside it a ``prediction`` when present.

        Args:
            sample: a sample of this dataset, optionally with a ``prediction``: a dict of ``boxes``,
                ``labels`` and optionally ``scores`` and ``masks`` (a torchvision detection model's
                output for the image); objects scored below 0.5 are not drawn.
            show_titles: title each panel.
            suptitle: a title over the figure.

        Returns:
            A matplotlib Figure.
        """
        panels: list[tuple[str, Any]] = [("Ground truth", sample)]
        if "prediction" in sample:
            panels.append(("Prediction", sample["prediction"]))
        figure = new_figure(6 * len(panels), 6)
        for axis, (title, objects) in zip(figure.subplots(1, len(panels), squeeze=False)[0], panels, strict=True):
            draw_objects(axis, sample["image"], objects, self.classes)
            if show_titles:
                axis.set_title(title)
        if suptitle:
            figure.suptitle(suptitle)
        return figure

