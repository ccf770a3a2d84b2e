"""Canadian Building Footprints: Microsoft's computer-generated building outlines, one GeoJSON per province."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from geotorch.core import CRSLike, DatasetLifecycle, Resource, Sample, Transform, VectorDataset
from geotorch.datasets.land_cover import plot_labels
from geotorch.datasets.product_paths import ProductPaths, download_folder, matching_files, names_files, product_paths
from geotorch.datasets.vector_res import DEGREE_RES, about_one_metre

#: Background white, buildings red.
COLORS = np.array([[255, 255, 255, 255], [200, 30, 30, 255]], dtype=np.uint8)


class CanadianBuildingFootprints(VectorDataset, DatasetLifecycle):
    """11.8 million building footprints of every Canadian province and territory (ODbL), in EPSG:4326.

    Each province or territory is published as ``{Name}.zip`` holding
    ``{Name}.geojson`` (``Alberta.geojson``, ...); other GeoJSON files in
    ``paths`` are not read. Samples are a ``mask`` with 1 on buildings.

    Source: https://github.com/Microsoft/CanadianBuildingFootprints
    """

    filename_glob = "*.geojson"
    #: The product's folders and files: always local (downloads go there).
    paths: list[Path]
    url: ClassVar[str] = "https://usbuildingdata.blob.core.windows.net/canadian-buildings-v2/"
    md5s: ClassVar[Mapping[str, str]] = {
        "Alberta": "8b4190424e57bb0902bd8ecb95a9235b",
        "BritishColumbia": "fea05d6eb0006710729c675de63db839",
        "Manitoba": "adf11187362624d68f9c69aaa693c46f",
        "NewBrunswick": "44269d4ec89521735389ef9752ee8642",
        "NewfoundlandAndLabrador": "65dd92b1f3f5f7222ae5edfad616d266",
        "NorthwestTerritories": "346d70a682b95b451b81b47f660fd0e2",
        "NovaScotia": "bd57cb1a7822d72610215fca20a12602",
        "Nunavut": "c1f29b73cdff9a6a9dd7d086b31ef2cf",
        "Ontario": "76ba4b7059c5717989ce34977cad42b2",
        "PrinceEdwardIsland": "2e4a3fa47b3558503e61572c59ac5963",
        "Quebec": "9ff4417ae00354d39a0cf193c8df592c",
        "Saskatchewan": "a51078d8e60082c7d3a3818240da6dd5",
        "YukonTerritory": "c11f3bd914ecabd7cac2cb2871ec0261",
    }
    #: Only the provinces' and territories' own files: another GeoJSON in ``paths`` (an area of interest, a
    #: label layer) is no building layer, and rasterized as one it would mark its polygons as buildings.
    filename_regex = rf"^(?P<province>{'|'.join(md5s)})\.geojson$"

    def __init__(
        self,
        paths: ProductPaths | None = None,
        crs: CRSLike | None = None,
        res: float | tuple[float, float] = DEGREE_RES,
        transforms: Transform | None = None,
        download: bool = False,
        checksum: bool = False,
        *,
        root: ProductPaths | None = None,
    ) -> None:
        """Find (extracting or downloading when needed) and index the footprints (TorchGeo 0.10.1's arguments).

        Args:
            paths: a folder holding the GeoJSON files (searched recursively), a GeoJSON file, or a list of
                both; downloads go into its first folder (default: ``"data"``).
            crs: CRS of samples (default: EPSG:4326, the files').
            res: pixel size of the rasterized mask in ``crs`` units (default: about 1 m in degrees; with a
                projected ``crs``, 1 m in its units).
            transforms: a function applied to every sample.
            download: fetch the missing provinces' archives.
            checksum: verify archives against their published MD5.
            root: keyword alias of ``paths``.

        Raises:
            DatasetNotFoundError: if a province is missing and ``download`` is False.
            ChecksumError: if ``checksum`` and an archive does not match.
            TypeError: if ``paths`` is not a path or a list of paths.
            ValueError: if ``crs`` is not a CRS, naming it (before anything is downloaded), or ``paths`` names
                an archive (pass its folder).
        """
        # crs is checked before anything is downloaded.
        res = about_one_metre(crs, res, type(self).__name__)
        self.paths = product_paths(paths, root, type(self).__name__)
        self.root = download_folder(self.paths)
        self.prepare(download, checksum)
        super().__init__(paths=self.paths, crs=crs, res=res, transforms=transforms)

    def resources(self) -> list[Resource]:
        """One archive per province or territory."""
        return [Resource(f"{self.url}{name}.zip", f"{name}.zip", md5=md5) for name, md5 in self.md5s.items()]

    def is_present(self) -> bool:
        """Whether ``paths`` holds the GeoJSON of every province and territory, or the GeoJSON files it names."""
        if names_files(self.paths):
            return bool(matching_files(self.paths, self.filename_glob))
        return all(matching_files(self.paths, f"{name}.geojson") for name in self.md5s)

    def plot(self, sample: Sample, show_titles: bool = True, suptitle: str | None = None) -> Any:
        """Draw buildings (and a ``prediction`` when present) in red on white, with a legend; returns a Figure."""
        return plot_labels(sample, COLORS, show_titles, suptitle, names=("background", "building"))
