"""PASTIS: Sentinel-2 (and Sentinel-1) time series of French farmland with semantic and parcel-instance labels."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, NamedTuple

import numpy as np
import torch
from torch import Tensor

from geotorch.core import (
    DatasetLifecycle,
    DatasetNotFoundError,
    NonGeoDataset,
    Panel,
    Resource,
    Sample,
    Transform,
    class_legend,
    draw_panels,
    image_panel,
    label_panel,
)

#: The key of a sample's acquisition times: (T,) float64 POSIX seconds, midnight UTC of each date.
TIME_KEY = "time"


class Patch(NamedTuple):
    """One PASTIS patch: its id, fold, and the acquisition time of each stored step of the chosen sensor."""

    id: int
    fold: int
    times: tuple[float, ...]
    """POSIX seconds of each step, in the order the ``.npy`` stores them."""


class PASTIS(DatasetLifecycle, NonGeoDataset):
    """PASTIS-R: 2,433 patches of 128 x 128 px at 10 m over France, satellite series and crop parcels.

    Published by Garnot & Landrieu 2021 (https://doi.org/10.1109/ICCV48922.2021.00483), Sentinel-1 added
    in https://doi.org/10.1016/j.isprsjprs.2022.03.012. Each patch holds a Sentinel-2 L2A series (38 to
    61 dates of 10 bands, Sept. 2018 to Nov. 2019), an ascending and a descending Sentinel-1 series (3
    channels each) and the parcels of the French LPIS labelled in 18 crop classes, plus background (0)
    and void (19, parcels mostly outside the patch).
    Layout under ``root/PASTIS-R`` (TorchGeo 0.10.1's and the Zenodo record 5735646's):

    - ``DATA_S2/S2_{id}.npy``: int16 ``(T, 10, 128, 128)``, bands B02 B03 B04 B05 B06 B07 B08 B8A B11 B12;
      ``DATA_S1A/S1A_{id}.npy`` and ``DATA_S1D/S1D_{id}.npy``: ``(T, 3, 128, 128)`` VV, VH, VV/VH.
    - ``ANNOTATIONS/TARGET_{id}.npy``: ``(3, 128, 128)``, the semantic class in its first channel.
    - ``INSTANCE_ANNOTATIONS/INSTANCES_{id}.npy``: ``(128, 128)`` parcel ids, 0 outside parcels.
    - ``metadata.geojson``: a feature per patch whose properties hold ``ID_PATCH``, ``Fold`` (1 to 5,
      the five folds of the paper's cross-validation) and ``dates-S2`` / ``dates-S1A`` / ``dates-S1D``:
      ``{"0": 20180924, "1": 20181004, ...}``, the date (YYYYMMDD) of each step of that sensor's ``.npy``
      (a JSON object, or its text).

    Samples, ``mode="semantic"``: ``image`` float32 ``(T, C, H, W)`` in time order, ``mask`` int64
    ``(H, W)`` class indices, ``time`` float64 ``(T,)`` POSIX seconds (midnight UTC) of each step.
    ``mode="instance"``: ``image`` and ``time`` as above, ``mask`` int64 ``(N, H, W)`` 0/1 masks of the
    ``N`` parcels, ``bbox_xyxy`` float32 ``(N, 4)`` their pixel boxes (inclusive corners), ``label``
    int64 ``(N,)`` their classes (each parcel's most frequent class in the semantic target).
    Series differ in length from patch to patch: batch them with a padding collate (the
    ``PASTISDataModule`` pads them and adds each sample's ``length``).
    """

    classes: ClassVar[tuple[str, ...]] = (
        "background", "meadow", "soft_winter_wheat", "corn", "winter_barley", "winter_rapeseed",
        "spring_barley", "sunflower", "grapevine", "beet", "winter_triticale", "winter_durum_wheat",
        "fruits_vegetables_flowers", "potatoes", "leguminous_fodder", "soybeans", "orchard", "mixed_cereal",
        "sorghum", "void_label",
    )
    #: The colour of each class, RGB 0-255 (TorchGeo's: black background, white void, tab20 for the crops).
    colors: ClassVar[tuple[tuple[int, int, int], ...]] = (
        (0, 0, 0), (174, 199, 232), (255, 127, 14), (255, 187, 120), (44, 160, 44), (152, 223, 138),
        (214, 39, 40), (255, 152, 150), (148, 103, 189), (197, 176, 213), (140, 86, 75), (196, 156, 148),
        (227, 119, 194), (247, 182, 210), (127, 127, 127), (199, 199, 199), (188, 189, 34), (219, 219, 141),
        (23, 190, 207), (255, 255, 255),
    )
    #: The void class: the index to ignore in losses and scores.
    ignore_index: ClassVar[int] = 19
    s2_bands: ClassVar[tuple[str, ...]] = ("B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B11", "B12")
    s1a_bands: ClassVar[tuple[str, ...]] = ("S1A_VV", "S1A_VH", "S1A_VV_VH")
    s1d_bands: ClassVar[tuple[str, ...]] = ("S1D_VV", "S1D_VH", "S1D_VV_VH")
    rgb_bands: ClassVar[tuple[str, ...]] = ("B04", "B03", "B02")
    all_bands: ClassVar[tuple[str, ...]] = s2_bands + s1a_bands + s1d_bands
    #: Per sensor: its bands, its folder and file prefix, and the metadata property of its dates.
    sensors: ClassVar[dict[str, tuple[tuple[str, ...], str, str]]] = {
        "s2": (s2_bands, "DATA_S2/S2_", "dates-S2"),
        "s1a": (s1a_bands, "DATA_S1A/S1A_", "dates-S1A"),
        "s1d": (s1d_bands, "DATA_S1D/S1D_", "dates-S1D"),
    }
    target_prefix: ClassVar[str] = "ANNOTATIONS/TARGET_"
    instance_prefix: ClassVar[str] = "INSTANCE_ANNOTATIONS/INSTANCES_"
    modes: ClassVar[tuple[str, ...]] = ("semantic", "instance")
    directory: ClassVar[str] = "PASTIS-R"
    """The folder the archive extracts to, under ``root``."""
    archive: ClassVar[Resource] = Resource(
        "https://zenodo.org/records/5735646/files/PASTIS-R.zip?download=1",
        "PASTIS-R.zip",
        md5="4887513d6c2d2b07fa935d325bd53e09",
    )

    def __init__(
        self,
        root: str | Path = "data",
        folds: Sequence[int] = (1, 2, 3, 4, 5),
        bands: Sequence[str] = s2_bands,
        mode: str = "semantic",
        transforms: Transform | None = None,
        download: bool = False,
        checksum: bool = False,
    ) -> None:
        """Open the patches of ``folds`` under ``root``, extracting or downloading the archive first if asked.

        Args:
            root: folder holding ``PASTIS-R/`` (or ``PASTIS-R.zip``, or nothing yet).
            folds: the folds (1 to 5) whose patches to read, in the metadata's patch order.
            bands: the bands to read, in this order, all of one sensor: some of ``s2_bands`` (default:
                all ten), of ``s1a_bands`` or of ``s1d_bands``.
            mode: "semantic" (a class per pixel) or "instance" (a mask, box and class per parcel).
            transforms: a function applied to every sample.
            download: fetch the archive when missing.
            checksum: verify the archive against its published MD5.

        Raises:
            ValueError: if a fold is not 1 to 5 (or none is given), ``mode`` is unknown, ``bands`` is
                empty, names an unknown band or mixes sensors, or ``metadata.geojson`` lists no patch of
                ``folds`` or does not fit (see :meth:`read_metadata`).
            DatasetNotFoundError: if the data is missing and ``download`` is False, or a patch file is missing.
            ChecksumError: if ``checksum`` and the archive fails verification.
        """
        if not isinstance(folds, Sequence) or not folds or any(
            isinstance(fold, bool) or not isinstance(fold, int) or fold not in (1, 2, 3, 4, 5) for fold in folds
        ):
            raise ValueError(f"{type(self).__name__}: folds must be some of 1, 2, 3, 4, 5 (a sequence such as "
                             f"(3,)), got {folds!r}")
        if mode not in self.modes:
            raise ValueError(f"{type(self).__name__}: unknown mode {mode!r}; choose one of {list(self.modes)}")
        self.sensor = self.sensor_of(bands)
        self.bands = tuple(bands)
        sensor_bands = self.sensors[self.sensor][0]
        self.band_indices = [sensor_bands.index(band) for band in self.bands]
        self.root = Path(root)
        self.folds = tuple(folds)
        self.mode = mode
        self.transforms = transforms
        self.folder = self.root / self.directory
        self.prepare(download, checksum)
        self.patches = self.read_metadata()
        self._check_files()

    @classmethod
    def sensor_of(cls, bands: Sequence[str]) -> str:
        """The sensor (``"s2"``, ``"s1a"`` or ``"s1d"``) all of ``bands`` belong to.

        Raises:
            ValueError: if ``bands`` is empty, a band is unknown, or the bands belong to different sensors.
        """
        if isinstance(bands, str) or not bands:
            raise ValueError(f"{cls.__name__}: bands must be a non-empty sequence of band names, got {bands!r}")
        for sensor, (names, _, _) in cls.sensors.items():
            if set(bands) <= set(names):
                return sensor
        unknown = [band for band in bands if band not in cls.all_bands]
        problem = f"unknown band(s) {unknown}" if unknown else "bands of different sensors"
        raise ValueError(f"{cls.__name__}: {problem} in bands={list(bands)}; choose among one of s2_bands "
                         f"{list(cls.s2_bands)}, s1a_bands {list(cls.s1a_bands)}, s1d_bands {list(cls.s1d_bands)}")

    def resources(self) -> list[Resource]:
        """The archive."""
        return [self.archive]

    def is_present(self) -> bool:
        """Whether the archive is extracted: ``PASTIS-R/metadata.geojson`` exists."""
        return (self.folder / "metadata.geojson").is_file()

    def read_metadata(self) -> list[Patch]:
        """The patches of the chosen folds, in the order ``metadata.geojson`` lists them.

        Raises:
            ValueError: naming the file (and the patch), if it is not a GeoJSON FeatureCollection, a
                feature lacks ``ID_PATCH``, ``Fold`` or the sensor's dates, ``ID_PATCH`` or ``Fold`` is not a
                whole number, or a date is not YYYYMMDD; or if it lists no patch of the chosen folds.
        """
        path = self.folder / "metadata.geojson"
        dates_property = self.sensors[self.sensor][2]
        try:
            features = json.loads(path.read_text())["features"]
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"{path}: not a GeoJSON FeatureCollection of the patches ({error!r}); extract "
                             f"PASTIS-R.zip again, or download it with download=True") from error
        patches = []
        listed: set[int] = set()
        for feature in features:
            properties = feature.get("properties") or {}
            patch_id = properties.get("ID_PATCH", "no ID_PATCH")
            try:
                number, fold = _whole(properties["ID_PATCH"]), _whole(properties["Fold"])
                dates = properties[dates_property]
            except KeyError as error:
                raise ValueError(f"{path}: a feature ({patch_id}) lacks the property {error.args[0]!r}") from error
            except (ValueError, TypeError) as error:
                raise ValueError(f"{path}: a feature ({patch_id}) has ID_PATCH {properties['ID_PATCH']!r} and Fold "
                                 f"{properties['Fold']!r}; both must be whole numbers") from error
            if fold in self.folds:
                patches.append(Patch(number, fold, _step_times(dates, f"{path}, patch {patch_id}")))
            listed.add(fold)
        if not patches:
            raise ValueError(f"{path} lists no patch of folds {self.folds} (it lists folds {sorted(listed)}); "
                             "choose among those, or extract PASTIS-R.zip again")
        return patches

    def _check_files(self) -> None:
        for patch in self.patches:
            for path in self.paths(patch):
                if not path.is_file():
                    raise DatasetNotFoundError(type(self).__name__, self.folder, f"{path} is missing")

    def paths(self, patch: Patch) -> list[Path]:
        """The files a sample of ``patch`` reads: the sensor's series, the target, and the instances if asked."""
        prefixes = [self.sensors[self.sensor][1], self.target_prefix]
        if self.mode == "instance":
            prefixes.append(self.instance_prefix)
        return [self.folder / f"{prefix}{patch.id}.npy" for prefix in prefixes]

    def __len__(self) -> int:
        """Number of patches in the chosen folds."""
        return len(self.patches)

    def __getitem__(self, index: int) -> Sample:
        """The patch at ``index``: its series in time order and its targets (see the class docstring).

        Raises:
            IndexError: if ``index`` is out of range.
            ValueError: naming the file and its shape, if a series is not ``(T, C, H, W)`` with a step per
                date and the sensor's ``C`` bands, a target not ``(K, H, W)`` or an instance map not
                ``(H, W)`` of the series' height and width.
        """
        patch = self.patches[index]
        series_path, target_path, *instance_path = self.paths(patch)
        series = np.load(series_path)
        bands = len(self.sensors[self.sensor][0])
        if series.ndim != 4 or len(series) != len(patch.times) or series.shape[1] != bands:
            raise ValueError(f"{series_path}: expected (T, C, H, W) with T = {len(patch.times)} dates in "
                             f"metadata.geojson and C = {bands} bands of {self.sensor}, got shape {series.shape}")
        size = series.shape[2:]
        order = np.argsort(patch.times, kind="stable")
        image = torch.from_numpy(series[order][:, self.band_indices].astype(np.float32))
        target = np.load(target_path)
        if target.ndim != 3 or len(target) == 0 or target.shape[1:] != size:
            raise ValueError(f"{target_path}: expected (K, H, W) classes in its first channel, of the series' "
                             f"H x W = {size[0]} x {size[1]}, got shape {target.shape}")
        semantic = torch.from_numpy(target[0].astype(np.int64))
        sample: Sample = {"image": image, TIME_KEY: torch.tensor(patch.times, dtype=torch.float64)[order]}
        if instance_path:
            instances = np.load(instance_path[0])
            if instances.shape != size:
                raise ValueError(f"{instance_path[0]}: expected (H, W) parcel ids of the series' H x W = "
                                 f"{size[0]} x {size[1]}, got shape {instances.shape}")
            sample.update(instance_targets(torch.from_numpy(instances.astype(np.int64)), semantic))
        else:
            sample["mask"] = semantic
        if self.transforms is not None:
            sample = self.transforms(sample)
        return sample

    def plot(self, sample: Sample, show_titles: bool = True, suptitle: str | None = None) -> Any:
        """Draw the first and last step (RGB when read, else the first band), the classes and a ``prediction``.

        Args:
            sample: a sample of this dataset, optionally with a ``prediction`` of the mask's layout. A
                row of a padded batch taken key by key (``length`` included) has its last real step drawn,
                not padding; ``unbind_samples`` already gives each sample only its own steps.
            show_titles: title each panel (the steps with their dates).
            suptitle: a title over the figure.

        Returns:
            A matplotlib Figure with a legend of the classes shown.
        """
        image = sample["image"]
        channels = ([self.bands.index(band) for band in self.rgb_bands] if set(self.rgb_bands) <= set(self.bands)
                    else [0])
        times = sample.get(TIME_KEY)
        steps = int(sample["length"]) if "length" in sample else len(image)
        panels: list[Panel] = []
        for step in sorted({0, max(steps, 1) - 1}):
            date = "" if times is None else " " + datetime.fromtimestamp(float(times[step]), UTC).date().isoformat()
            panels.append(image_panel(f"Step {step}{date}", image[step], channels))
        colors = ["#{:02x}{:02x}{:02x}".format(*color) for color in self.colors]
        layers = [self.semantic_map(sample)]
        if "prediction" in sample:
            prediction = {"mask": sample["prediction"], "label": sample.get("prediction_labels", sample.get("label"))}
            layers.append(self.semantic_map(prediction))
        panels += [label_panel(title, layer, len(self.classes), colors)
                   for title, layer in zip(("Mask", "Prediction"), layers, strict=False)]
        return draw_panels(panels, show_titles, suptitle, legend=class_legend(layers, self.classes, colors))

    def semantic_map(self, sample: Sample) -> Tensor:
        """The ``(H, W)`` class map of a sample's ``mask``.

        That is the mask itself when semantic; for ``(N, H, W)`` instance masks, each parcel painted with
        its ``label``, background (0) elsewhere.
        """
        mask = torch.as_tensor(sample["mask"]).cpu()
        if mask.ndim == 2:
            return mask
        classes = torch.zeros(mask.shape[-2:], dtype=torch.int64)
        for layer, label in zip(mask, torch.as_tensor(sample["label"]).cpu(), strict=True):
            classes[layer > 0] = int(label)
        return classes


def instance_targets(instances: Tensor, semantic: Tensor) -> Sample:
    """The parcels of an instance map as TorchGeo's detection targets.

    Args:
        instances: ``(H, W)`` parcel ids, 0 outside parcels.
        semantic: ``(H, W)`` class of every pixel.

    Returns:
        ``mask`` int64 ``(N, H, W)`` 0/1, ``bbox_xyxy`` float32 ``(N, 4)`` (xmin, ymin, xmax, ymax, pixel
        indices, inclusive) and ``label`` int64 ``(N,)`` (each parcel's most frequent class), parcels in id order.
    """
    ids = torch.unique(instances)
    ids = ids[ids != 0]
    masks = instances[None] == ids[:, None, None]
    boxes, labels = [], []
    for mask in masks:
        rows, columns = torch.nonzero(mask, as_tuple=True)
        boxes.append([columns.min(), rows.min(), columns.max(), rows.max()])
        labels.append(torch.mode(semantic[mask]).values)
    height, width = instances.shape
    return {
        "mask": masks.to(torch.int64).reshape(len(ids), height, width),
        "bbox_xyxy": torch.tensor(boxes, dtype=torch.float32).reshape(len(ids), 4),
        "label": torch.tensor(labels, dtype=torch.int64),
    }


def _step_times(dates: Any, source: str) -> tuple[float, ...]:
    """POSIX seconds of each step of a ``dates-*`` property (``{"0": 20180924, ...}`` or its JSON text).

    Raises:
        ValueError: naming ``source``, if ``dates`` is no such object (or JSON text of one) or a date is not YYYYMMDD.
    """
    try:
        mapping = json.loads(dates) if isinstance(dates, str) else dates
    except ValueError as error:
        raise ValueError(f"{source}: dates {dates!r} are not JSON text of a {{step: YYYYMMDD}} object") from error
    if not isinstance(mapping, dict) or not mapping:
        raise ValueError(f"{source}: dates must be a non-empty {{step: YYYYMMDD}} object, got {dates!r}")
    times = []
    for step in range(len(mapping)):
        value = mapping.get(str(step))
        try:
            day = datetime.strptime(str(value), "%Y%m%d").replace(tzinfo=UTC)
        except ValueError as error:
            raise ValueError(f"{source}: step {step} has date {value!r}, not YYYYMMDD") from error
        times.append(day.timestamp())
    return tuple(times)


class PASTIS100(PASTIS):
    """100 patches of PASTIS-R in the same layout (TorchGeo's Hugging Face subset), for tutorials and tests."""

    archive: ClassVar[Resource] = Resource(
        "https://huggingface.co/datasets/torchgeo/PASTIS-R-100/resolve/"
        "acd0180e834e40934b79c0121f606d4f8ca3299d/PASTIS-R.zip",
        "PASTIS-R.zip",
        md5="6b4a428bd27cdbc2abda44973ba42892",
    )


def _whole(value: Any) -> int:
    """``value`` as a whole number (``10000``, ``10000.0`` or ``"10000"``).

    Raises:
        ValueError: if it is not a whole number (``10000.5``, ``"one"``, ``True``).
    """
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ValueError(f"{value!r} is not a whole number")
    return int(value)
