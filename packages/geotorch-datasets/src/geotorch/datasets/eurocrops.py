"""EuroCrops: farmers' crop declarations of EU countries as parcel polygons with harmonised (HCAT) crop codes."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from geotorch.core import CRSLike, DatasetLifecycle, LabelValueError, Resource, Sample, Transform, VectorDataset
from geotorch.datasets.land_cover import plot_labels
from geotorch.datasets.product_paths import ProductPaths, download_folder, matching_files, product_paths
from geotorch.datasets.vector_res import DEGREE_RES, about_one_metre


class EuroCrops(VectorDataset, DatasetLifecycle):
    """EuroCrops v9 (CC BY 4.0): per-country (or region) shapefiles of crop parcels, rasterized to crop labels.

    Each parcel carries ``EC_hcat_c``, its 10-digit HCAT crop code; the codes
    form a hierarchy in which a parent replaces the rightmost non-zero digit
    by 0. ``classes`` lists the codes to keep (default: every code of
    ``HCAT2.csv``); a parcel is labelled with its code's position in that
    list plus 1, or with its nearest listed ancestor's, else 0.

    Files are named ``{country}[_{region}]_{year}_EC[21].shp`` (for instance
    ``AT_2021_EC21.shp``), their time span being that year.

    Source: https://zenodo.org/records/8229128
    """

    filename_glob = "*_EC*.shp"
    #: The product's folders and files: always local (downloads go there).
    paths: list[Path]
    filename_regex = r"^(?P<country>[A-Z]{2})(?:_(?P<region>[A-Z]+))?_(?P<date>\d{4})_EC(?:21)?\.shp$"
    date_format = "%Y"
    label_field: ClassVar[str] = "EC_hcat_c"
    url: ClassVar[str] = "https://zenodo.org/records/8229128/files/"
    hcat: ClassVar[Resource] = Resource("https://zenodo.org/records/8229128/files/HCAT2.csv", "HCAT2.csv",
                    md5="b323e8de3d8d507bd0550968925b6906", extract=False)
    md5s: ClassVar[dict[str, str]] = {
        "AT_2021.zip": "490241df2e3d62812e572049fc0c36c5",
        "BE_VLG_2021.zip": "ac4b9e12ad39b1cba47fdff1a786c2d7",
        "DE_LS_2021.zip": "6d94e663a3ff7988b32cb36ea24a724f",
        "DE_NRW_2021.zip": "a5af4e520cc433b9014cf8389c8f4c1f",
        "DK_2019.zip": "d296478680edc3173422b379ace323d8",
        "EE_2021.zip": "a7596f6691ad778a912d5a07e7ca6e41",
        "ES_NA_2020.zip": "023f3b397d0f6f7a020508ed8320d543",
        "FR_2018.zip": "282304734f156fb4df93a60b30e54c29",
        "HR_2020.zip": "8bfe2b0cbd580737adcf7335682a1ea5",
        "LT_2021.zip": "c7597214b90505877ee0cfa1232ac45f",
        "LV_2021.zip": "b7253f96c8699d98ca503787f577ce26",
        "NL_2020.zip": "823da32d28695b8b016740449391c0db",
        "PT.zip": "3dba9c89c559b34d57acd286505bcb66",
        "SE_2021.zip": "cab164c1c400fce56f7f1873bc966858",
        "SI_2021.zip": "6b2dde6ba9d09c3ef8145ea520576228",
        "SK_2021.zip": "c7762b4073869673edc08502e7b22f01",
    }

    def __init__(
        self,
        paths: ProductPaths | None = None,
        crs: CRSLike = "EPSG:4326",
        res: float | tuple[float, float] = DEGREE_RES,
        classes: Sequence[str] | None = None,
        transforms: Transform | None = None,
        download: bool = False,
        checksum: bool = False,
        *,
        root: ProductPaths | None = None,
    ) -> None:
        """Find (extracting or downloading when needed) and index the parcels (TorchGeo 0.10.1's arguments).

        Args:
            paths: a folder holding the shapefiles and ``HCAT2.csv`` (searched recursively), a shapefile,
                or a list of both; ``HCAT2.csv`` is read, and downloads go, in its first folder (the
                folder of the first shapefile when it names only files). Default: ``"data"``.
            crs: CRS of samples.
            res: pixel size of the rasterized mask in ``crs`` units (default: about 1 m in degrees; with a
                projected ``crs``, 1 m in its units).
            classes: HCAT codes to keep, labelled 1, 2, ... in this order (default: every code of HCAT2.csv).
            transforms: a function applied to every sample.
            download: fetch what is missing.
            checksum: verify archives against their published MD5.
            root: keyword alias of ``paths``.

        Raises:
            DatasetNotFoundError: if data is missing and ``download`` is False.
            ChecksumError: if ``checksum`` and an archive does not match.
            TypeError: if ``paths`` is not a path or a list of paths.
            ValueError: if a code of ``classes`` is not one of HCAT2.csv's, naming it and the table, or
                ``crs`` is not a CRS, naming it (before anything is downloaded), or ``paths`` names an archive
                (pass its folder).
        """
        # crs is checked before anything is downloaded.
        res = about_one_metre(crs, res, type(self).__name__)
        self.paths = product_paths(paths, root, type(self).__name__)
        self.root = download_folder(self.paths)
        self.prepare(download, checksum)
        codes = self._all_codes()
        self.classes = tuple(classes) if classes is not None else codes
        listed = {int(code) for code in codes}
        unknown = [code for code in self.classes if not str(code).isdigit() or int(code) not in listed]
        if unknown:
            raise ValueError(
                f"{type(self).__name__}: classes={unknown} are not HCAT codes of {self.code_table()} (10 digits, "
                f"e.g. {codes[0] if codes else '3301010100'}); no parcel would be labelled with them"
            )
        self.class_map = {int(code): label for label, code in enumerate(self.classes, start=1)}
        super().__init__(paths=self.paths, crs=crs, res=res, transforms=transforms,
                         label_name=self.label_field)

    def resources(self) -> list[Resource]:
        """The HCAT code table and every country's (or region's) archive."""
        return [self.hcat, *(Resource(self.url + name, name, md5=md5) for name, md5 in self.md5s.items())]

    def is_present(self) -> bool:
        """Whether ``root`` holds the code table and ``paths`` at least one shapefile.

        As in TorchGeo 0.10.1, the countries (or regions) found are the ones read: a folder of one country's
        parcels is a dataset of that country, and ``download=True`` fetches nothing more once one is there.
        """
        return self.code_table().is_file() and bool(matching_files(self.paths, self.filename_glob))

    def code_table(self) -> Path:
        """Where ``HCAT2.csv`` is (an override point for other layouts).

        Returns:
            The table in the first folder of ``paths`` holding it, else beside (or above) the first shapefile
            named directly that has it, else in ``root`` (where it is downloaded).
        """
        folders = [path for path in self.paths if path.is_dir()]
        folders += [parent for path in self.paths if path.is_file() for parent in path.parents]
        return next((folder / self.hcat.filename for folder in folders if (folder / self.hcat.filename).is_file()),
                    self.root / self.hcat.filename)

    def _all_codes(self) -> tuple[str, ...]:
        with self.code_table().open(newline="", encoding="utf-8") as table:
            return tuple(row["HCAT2_code"] for row in csv.DictReader(table))

    def label_of(self, code: int) -> int:
        """The label of HCAT ``code``: its own, else its nearest listed ancestor's, else 0.

        Raises:
            ValueError: if ``code`` is negative (no HCAT code; its hierarchy has no root to walk up to).
        """
        if code < 0:
            raise ValueError(f"{type(self).__name__}: {code} is no HCAT code (codes are positive, 10 digits)")
        while code:
            if code in self.class_map:
                return self.class_map[code]
            digit = 1
            while (code // digit) % 10 == 0:
                digit *= 10
            code -= (code // digit) % 10 * digit
        return 0

    def labels_of(self, values: np.ndarray) -> np.ndarray:
        """Labels of parcels from their HCAT codes (see :meth:`label_of`).

        A parcel without a code (null ``EC_hcat_c``, as some rows of the published files have, or an empty
        or NaN one) is background, 0, as in TorchGeo. Codes are read exactly, as text or numbers
        (:meth:`VectorDataset.labels_of <geotorch.core.VectorDataset.labels_of>`).

        Args:
            values: each parcel's ``EC_hcat_c``, ``(N,)``.

        Returns:
            One int64 label per parcel, ``(N,)``.

        Raises:
            LabelValueError: for the first code that is no whole number (``'wheat'``, ``3301010100.7``) or is
                negative, naming its position and value (the dataset adds the file and the parcel's FID).
        """
        present = np.array([not _no_code(code) for code in values], dtype=bool)
        codes = super().labels_of(np.where(present, np.asarray(values, dtype=object), 0))
        negative = np.flatnonzero(codes < 0)
        if len(negative):
            first = int(negative[0])
            raise LabelValueError(first, values[first], "is no HCAT code (codes are positive, 10 digits)")
        # Parcels share a few hundred codes: each code's hierarchy is walked once.
        distinct, positions = np.unique(codes, return_inverse=True)
        labels = np.array([self.label_of(int(code)) for code in distinct], dtype=np.int64)
        return labels[positions.reshape(-1)]

    def plot(self, sample: Sample, show_titles: bool = True, suptitle: str | None = None) -> Any:
        """Draw crop labels (and a ``prediction`` when present), background black, with a legend of HCAT codes.

        Returns:
            A matplotlib Figure made by pyplot (its current figure).
        """
        from matplotlib import colormaps

        colors = (colormaps["viridis"](np.linspace(0, 1, max(len(self.classes), 1))) * 255).astype(np.uint8)
        names = ["background", *(f"HCAT {code}" for code in self.classes)]
        return plot_labels(sample, np.vstack([[0, 0, 0, 255], colors]).astype(np.uint8), show_titles, suptitle, names)


def _no_code(code: object) -> bool:
    """Whether a parcel's ``EC_hcat_c`` holds no code: null, empty, or a NaN of a numeric field."""
    return code is None or (isinstance(code, str) and not code.strip()) or (isinstance(code, float) and code != code)
