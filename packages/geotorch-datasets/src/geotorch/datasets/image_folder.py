"""ClassFolderDataset: scene classification benchmarks stored as one folder of images per class, plus split files."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import torch

from geotorch.core import (
    DatasetLifecycle,
    DatasetNotFoundError,
    NonGeoDataset,
    Resource,
    Sample,
    Transform,
    plot_chip,
    rgb_channels,
)
from geotorch.datasets.chip_files import chip_files, is_hidden
from geotorch.datasets.raster_chips import read_array, read_rgb


def split_file_resources(mirror: str, prefix: str, sha256s: Mapping[str, str]) -> dict[str, Resource]:
    """The split files ``{prefix}-{split}.txt`` under the URL ``mirror``, one per split, with their SHA-256.

    Args:
        mirror: the URL the files lie under, ending with ``/``.
        prefix: the files' name before ``-{split}.txt``.
        sha256s: each split's SHA-256 digest.

    Returns:
        The :attr:`ClassFolderDataset.split_files` of a dataset.
    """
    return {
        split: Resource(mirror + f"{prefix}-{split}.txt", f"{prefix}-{split}.txt", sha256=digest, extract=False)
        for split, digest in sha256s.items()
    }


class ClassFolderDataset(DatasetLifecycle, NonGeoDataset):
    """Chips in ``<root>/<images_folder>/<class>/<name>.<ext>``, a split listed by file name in a text file.

    A subclass is pure declaration (see :class:`~geotorch.datasets.EuroSAT`): ``images_folder``,
    ``classes`` (the folder names; a sample's label is the index of its folder here), ``extensions``,
    the ``archive`` holding the images, ``split_files`` (one text file per split listing its images one
    name a line; :func:`split_file_resources` builds them; their names, sorted, are ``splits``) and,
    beyond RGB, ``all_bands`` and ``rgb_bands``. Split files may name the images with another extension
    than the archive holds (EuroSAT lists ``.jpg`` names for its ``.tif`` chips), so files are matched
    by name without extension. The lifecycle (:class:`~geotorch.core.DatasetLifecycle`) fetches the
    archive unless its images are extracted, and the split file unless it is there.

    Samples are ``{"image": float32 (C, H, W), "label": int64 scalar}``. RGB pictures are read as shown: a
    JPEG with an EXIF orientation (a camera turned on its side) is turned as that tag says (TorchGeo's
    reader, PIL without ``exif_transpose``, read it as stored, on its side).
    """

    images_folder: ClassVar[str]
    classes: ClassVar[tuple[str, ...]]
    extensions: ClassVar[tuple[str, ...]] = (".jpg",)
    archive: ClassVar[Resource]
    split_files: ClassVar[Mapping[str, Resource]] = {}
    all_bands: ClassVar[tuple[str, ...]] = ("red", "green", "blue")
    rgb_bands: ClassVar[tuple[str, ...]] = ("red", "green", "blue")
    image_size: ClassVar[tuple[int, int] | None] = None
    """(height, width) every chip is resampled to (bilinear), for archives whose chips differ in size."""
    rgb_pictures: ClassVar[bool] = True
    """Whether the chips are 8-bit RGB pictures, read as such whatever colour model a few were saved in
    (grey, palette, RGBA: see :func:`~geotorch.datasets.raster_chips.read_rgb`); False for multispectral
    chips, whose bands are read as stored."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A subclass's ``splits`` are the names of its ``split_files``, sorted."""
        super().__init_subclass__(**kwargs)
        cls.splits = tuple(sorted(cls.split_files))

    def __init__(
        self,
        root: str | Path = "data",
        split: str | None = "train",
        transforms: Transform | None = None,
        download: bool = False,
        checksum: bool = False,
        *,
        bands: Sequence[str] | None = None,
    ) -> None:
        """Open the ``split`` images under ``root``, extracting or downloading them first if asked.

        Args:
            root: folder holding the extracted archive and the split files.
            split: one of ``split_files``; None for every image (datasets without official splits).
            transforms: a function applied to every sample.
            download: fetch the archive and split file when missing.
            checksum: verify downloaded and existing archives against their published checksums.
            bands: the bands to read, in this order (default: ``all_bands``).

        Raises:
            ValueError: if ``split`` or a band is unknown, one image name is in two places (naming both), or a
                folder among the class folders is no class (a class folder renamed), naming it.
            DatasetNotFoundError: if the data is missing and ``download`` is False, no image of the split is in
                ``root``, or an image the split file lists is in no class folder, naming it.
            ChecksumError: if ``checksum`` and an archive fails verification.
        """
        self.split = split if split is None else self.check_split(split)
        self.bands = self.select_bands(bands)
        self.root = Path(root)
        self.transforms = transforms
        self._indexes = [self.all_bands.index(band) + 1 for band in self.bands]
        self.prepare(download, checksum)
        self.files, self.labels = self._list_images()

    def _split_file(self) -> Path | None:
        return None if self.split is None else self.root / self.split_files[self.split].filename

    def is_present(self) -> bool:
        """Whether the images are extracted and the split's file is in ``root``."""
        split_file = self._split_file()
        return (self.root / self.images_folder).is_dir() and (split_file is None or split_file.is_file())

    def resources(self) -> list[Resource]:
        """The archive unless its images are extracted, and the split's file unless it is in ``root``."""
        missing = [] if (self.root / self.images_folder).is_dir() else [self.archive]
        split_file = self._split_file()
        if split_file is not None and not split_file.is_file():
            missing.append(self.split_files[str(self.split)])
        return missing

    def _check_class_folders(self, where: Path) -> None:
        strays = sorted(path.name for path in where.iterdir()
                        if path.is_dir() and not is_hidden(path.name) and path.name not in self.classes)
        if strays:
            raise ValueError(
                f"{type(self).__name__}: {where} holds folders that are no class of it, {strays}, whose images would "
                f"be left out: a class folder renamed? its classes are {list(self.classes)}"
            )

    def _list_images(self) -> tuple[list[Path], list[int]]:
        self._check_class_folders(self.root / self.images_folder)
        split_file = self._split_file()
        # utf-8-sig: a split file saved by Windows' Notepad starts with a byte-order mark, glued to its first name.
        names = [] if split_file is None else split_file.read_text(encoding="utf-8-sig").split()
        if split_file is not None and not names:
            raise DatasetNotFoundError(type(self).__name__, split_file, (
                "the split file lists no image: a download cut short? remove it and pass download=True"
            ))
        wanted = None if split_file is None else {Path(name).stem for name in names}
        files: list[Path] = []
        labels: list[int] = []
        for label, name in enumerate(self.classes):
            for path in chip_files(self.root / self.images_folder / name):
                if path.suffix.lower() in self.extensions and (wanted is None or path.stem in wanted):
                    files.append(path)
                    labels.append(label)
        where = self.root / self.images_folder
        if not files:
            listed = f"listed in {split_file}" if split_file is not None else f"with extension {self.extensions}"
            hint = f"no image {listed} is in a class folder ({', '.join(self.classes[:3])}, ...)"
            raise DatasetNotFoundError(type(self).__name__, where, hint)
        first_of: dict[str, Path] = {}
        for path in files:
            other = first_of.setdefault(path.stem, path)
            if other != path:
                raise ValueError(
                    f"{type(self).__name__}: {other} and {path} are one image name in two places: a copy that would "
                    "be a sample twice (of two classes when their folders differ); remove one"
                )
        missing = sorted((wanted or set()) - set(first_of))
        if missing:
            shown = ", ".join(missing[:3]) + (", ..." if len(missing) > 3 else "")
            raise DatasetNotFoundError(type(self).__name__, where, (
                f"{len(missing)} image(s) listed in {split_file} are in no class folder ({shown}): the archive "
                "was extracted in part; extract it again"
            ))
        return files, labels

    def __len__(self) -> int:
        """Number of images in the split."""
        return len(self.files)

    def __getitem__(self, index: int) -> Sample:
        """The image at ``index`` (float32, C x H x W, bands in the order asked) and its class index."""
        sample: Sample = {"image": self._read(self.files[index]), "label": torch.tensor(self.labels[index])}
        if self.transforms is not None:
            sample = self.transforms(sample)
        return sample

    def _read(self, path: Path) -> torch.Tensor:
        if self.rgb_pictures:
            # A class is the whole picture's: it is read as shown, turned by its EXIF orientation.
            return read_rgb(path, self.image_size, upright=True)[[index - 1 for index in self._indexes]]
        return torch.from_numpy(read_array(path, self._indexes, self.image_size).astype("float32"))

    def plot(self, sample: Sample, show_titles: bool = True, suptitle: str | None = None) -> Any:
        """Draw a sample's RGB bands (its first band when they were not read), titled with label and prediction.

        Args:
            sample: a sample of this dataset, optionally with a ``prediction`` class index.
            show_titles: write the label (and prediction) under the image.
            suptitle: a title over the figure.

        Returns:
            A matplotlib Figure.
        """
        return plot_chip(sample, self.classes, [rgb_channels(self.bands, self.rgb_bands)], show_titles, suptitle)
