"""Datamodules over geospatial products: imagery intersected with a label raster or vector, split spatially."""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

import torch

from geotorch.core import GeoDataset, get_dataset_class, list_datasets
from geotorch.datamodules.geo import GeoDataModule, spatial_split
from geotorch.samplers import roi_split


def _dataset_class(name: str | type[GeoDataset]) -> type[GeoDataset]:
    """The GeoDataset class registered as ``name`` (or ``name`` itself, a class).

    Raises:
        ValueError: if no GeoDataset is registered as ``name``, listing the geospatial datasets registered, or
            ``name`` is a class (or anything else) that is not a GeoDataset class.
    """
    if not isinstance(name, str):
        if isinstance(name, type) and issubclass(name, GeoDataset):
            return name
        raise ValueError(
            f"{getattr(name, '__name__', repr(name))} is not a GeoDataset class (samples of places, to intersect "
            f"imagery with labels); give a GeoDataset class or a registered name, such as "
            f"{', '.join(list_datasets(geospatial=True)[:3])}"
        )
    found = get_dataset_class(name) if name in list_datasets() else None
    if not (isinstance(found, type) and issubclass(found, GeoDataset)):
        known = list_datasets(geospatial=True)
        spelt = [known_name for known_name in known if known_name.lower() == name.lower()]
        advice = f" (names are case-sensitive: {spelt[0]!r}?)" if spelt else ""
        raise ValueError(f"{name!r} is not a GeoDataset in the registry{advice}; known: {', '.join(known)}")
    return found


def _refuse_unknown(owner: str, dataset_class: type[GeoDataset], arguments: dict[str, Any], prefix: str,
                    kwargs_name: str) -> None:
    """Refuse an argument that ``dataset_class`` does not take, naming it as the datamodule was given it.

    Raises:
        ValueError: if a key of ``arguments`` is no parameter of ``dataset_class`` (one taking ``**kwargs``
            takes any).
    """
    parameters = inspect.signature(dataset_class).parameters
    if any(parameter.kind is inspect.Parameter.VAR_KEYWORD for parameter in parameters.values()):
        return
    unknown = [key for key in arguments if key not in parameters]
    if unknown:
        raise ValueError(
            f"{owner}: {prefix}_{unknown[0]} (or {kwargs_name}['{unknown[0]}']) is no argument of "
            f"{dataset_class.__name__}; its arguments are {', '.join(parameters)}"
        )


def _band_values(owner: str, name: str, values: float | Sequence[float]) -> tuple[float, ...]:
    """``mean`` or ``std`` as one value per band (or one value for every band), as Normalize takes them.

    A number, a list of numbers, a numpy array or a tensor (TorchGeo's datamodules hold tensors) are taken.

    Raises:
        TypeError: if ``values`` holds something that is not a number (a string, say), naming it.
    """
    try:
        return tuple(torch.as_tensor(values, dtype=torch.float64).flatten().tolist())
    except (TypeError, ValueError, RuntimeError) as error:
        raise TypeError(f"{owner}: {name}={values!r} must be a number or a list of numbers, one per band") from error


def _with_root(dataset_class: type[GeoDataset], arguments: dict[str, Any]) -> dict[str, Any]:
    """``arguments`` with TorchGeo's ``paths`` spelled ``root`` for a product class that only takes ``root``."""
    parameters = inspect.signature(dataset_class).parameters
    if "paths" in arguments and "paths" not in parameters and "root" in parameters:
        arguments = {**arguments}
        arguments["root"] = arguments.pop("paths")
    return arguments


class ImageLabelDataModule(GeoDataModule):
    """Semantic segmentation of ``image_dataset & label_dataset``, on the imagery's grid.

    Samples hold the imagery's ``image`` and the label product's ``mask``, the label
    warped onto the imagery's CRS and resolution. The intersection is cut into strips
    along its longer side (``splits``: train, validation, test; see
    :func:`~geotorch.datamodules.spatial_split`), so no patch straddles two splits;
    prediction covers the test strip of the imagery alone. Images are normalised by
    ``mean`` and ``std`` (one value each, or one per band).

    The two datasets' arguments are ``image_kwargs`` and ``label_kwargs``. A subclass names
    its datasets and takes their arguments with prefixes instead, as TorchGeo's datamodules
    do (``naip_root=...``, ``chesapeake_root=...``; ``<prefix>_paths`` is accepted for ``root``).
    """

    #: Registered names of the imagery and the labels (``geotorch datasets`` lists them), set by subclasses.
    image_name = ""
    label_name = ""
    #: Argument prefixes of the imagery's and the labels' arguments, set by subclasses.
    image_prefix = "image"
    label_prefix = "label"

    def __init__(
        self,
        batch_size: int = 64,
        patch_size: int | tuple[int, int] = 256,
        length: int | None = None,
        num_workers: int = 0,
        *,
        image_dataset: str | type[GeoDataset] | None = None,
        label_dataset: str | type[GeoDataset] | None = None,
        image_kwargs: dict[str, Any] | None = None,
        label_kwargs: dict[str, Any] | None = None,
        mean: float | Sequence[float] | None = None,
        std: float | Sequence[float] | None = None,
        **kwargs: Any,
    ) -> None:
        """Keep the settings; the datasets are built in :meth:`setup`.

        Args:
            batch_size: patches per batch.
            patch_size: patch size in pixels of the imagery's grid.
            length: training patches per epoch (default: the training strip's area over a patch's area).
            num_workers: DataLoader worker processes.
            image_dataset: the imagery: a registered dataset name (``"Sentinel2"``, or a plugin's) or a class
                (this and the following arguments are keyword-only).
            label_dataset: the labels: a registered dataset name (``"NLCD"``) or a class.
            image_kwargs: arguments of the imagery (``root``, ``bands``, ...).
            label_kwargs: arguments of the labels (``root``, ``classes``, ``years``, ...).
            mean: per-band (or one) mean of the raw images (default: the class's).
            std: per-band (or one) standard deviation of the raw images (default: the class's).
            **kwargs: ``<image_prefix>_*`` and ``<label_prefix>_*`` arguments of the two datasets, then
                further :class:`GeoDataModule` settings (``stride``, ``predict_stride``, ``splits``).

        Raises:
            TypeError: if ``mean`` or ``std`` is neither a number nor a list of numbers.
            ValueError: if a dataset is not named, a name is not a GeoDataset in the registry, or an argument is
                no argument of its dataset (a misspelt ``cdl_yeras``, naming it and the dataset's arguments).
        """
        image_arguments, label_arguments, rest = dict(image_kwargs or {}), dict(label_kwargs or {}), {}
        for key, value in kwargs.items():
            if key.startswith(f"{self.image_prefix}_"):
                image_arguments[key.removeprefix(f"{self.image_prefix}_")] = value
            elif key.startswith(f"{self.label_prefix}_"):
                label_arguments[key.removeprefix(f"{self.label_prefix}_")] = value
            else:
                rest[key] = value
        image_dataset = image_dataset or self.image_name
        label_dataset = label_dataset or self.label_name
        if not image_dataset or not label_dataset:
            raise ValueError(f"{type(self).__name__}: give image_dataset and label_dataset")
        self.image_class = _dataset_class(image_dataset)
        self.label_class = _dataset_class(label_dataset)
        self.image_arguments = _with_root(self.image_class, image_arguments)
        self.label_arguments = _with_root(self.label_class, label_arguments)
        _refuse_unknown(type(self).__name__, self.image_class, self.image_arguments, self.image_prefix, "image_kwargs")
        _refuse_unknown(type(self).__name__, self.label_class, self.label_arguments, self.label_prefix, "label_kwargs")
        if mean is not None:
            self.mean = _band_values(type(self).__name__, "mean", mean)
        if std is not None:
            self.std = _band_values(type(self).__name__, "std", std)
        super().__init__(batch_size=batch_size, patch_size=patch_size, length=length, num_workers=num_workers,
                         **rest)

    def build_splits(self) -> tuple[GeoDataset, GeoDataset, GeoDataset, GeoDataset]:
        """Intersect imagery and labels, cut into strips; predict on the test strip of the imagery."""
        images = self.image_class(**self.image_arguments)
        dataset = images & self.label_class(**self.label_arguments)
        train, val, test = spatial_split(dataset, self.splits, patch_size=self.patch_size)
        predict = roi_split(images, [test.bounds])[0]
        return train, val, test, predict


class NAIPChesapeakeDataModule(ImageLabelDataModule):
    """NAIP (R, G, B, NIR, 8-bit) with Chesapeake Conservancy's 7-class land cover (1 m).

    Arguments of the two datasets take the prefixes ``naip_`` and ``chesapeake_``. Masks hold
    the classes 1-7 and 0 for no data (train with ``ignore_index: 0``, ``num_classes: 8``).
    """

    image_name = "NAIP"
    label_name = "Chesapeake7"
    image_prefix = "naip"
    label_prefix = "chesapeake"
    mean = (0.0,)
    std = (255.0,)
    num_channels = 4


class _Sentinel2LabelDataModule(ImageLabelDataModule):
    """Sentinel-2 reflectance x 10000 (L1C or L2A), scaled to reflectance, with a label product."""

    image_name = "Sentinel2"
    image_prefix = "sentinel2"
    mean = (0.0,)
    std = (10000.0,)


class Sentinel2CDLDataModule(_Sentinel2LabelDataModule):
    """Sentinel-2 with USDA's Cropland Data Layer (30 m crop types, viewed on Sentinel-2's 10 m grid).

    Arguments take the prefixes ``sentinel2_`` and ``cdl_`` (``cdl_years``, ``cdl_classes``). The
    scenes' dates must fall in a chosen CDL year, or the intersection is empty.
    """

    label_name = "CDL"
    label_prefix = "cdl"


class Sentinel2EuroCropsDataModule(_Sentinel2LabelDataModule):
    """Sentinel-2 with EuroCrops' parcel polygons, rasterised onto Sentinel-2's grid.

    Arguments take the prefixes ``sentinel2_`` and ``eurocrops_`` (``eurocrops_classes``).
    """

    label_name = "EuroCrops"
    label_prefix = "eurocrops"


class Sentinel2NLCDDataModule(_Sentinel2LabelDataModule):
    """Sentinel-2 with the Annual National Land Cover Database (30 m, conterminous US).

    Arguments take the prefixes ``sentinel2_`` and ``nlcd_`` (``nlcd_years``, ``nlcd_classes``).
    """

    label_name = "NLCD"
    label_prefix = "nlcd"


class Sentinel2Esri2020DataModule(_Sentinel2LabelDataModule):
    """Sentinel-2 of 2020 with Esri's 2020 10 m land cover (10 classes, made from Sentinel-2 itself).

    Arguments take the prefixes ``sentinel2_`` and ``esri2020_`` (``esri2020_classes``). The map
    spans 2020: scenes of other years do not intersect it.
    """

    label_name = "Esri2020"
    label_prefix = "esri2020"
