"""DemoDataModule: land cover from the generated demo area's imagery, split into west, middle and east strips."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from geotorch.core import GeoDataset, Sample, get_dataset_class
from geotorch.datamodules.geo import GeoDataModule, spatial_split
from geotorch.samplers import roi_split


class DemoDataModule(GeoDataModule):
    """Six-band scenes in two UTM zones and a land-cover raster, generated on first use: no download.

    Samples are ``DemoImagery & DemoLandCover`` on the first scene's grid (EPSG:32616, 30 m).
    Splits (spatial, so neighbouring patches never straddle two splits): the western 60 % of
    the area trains, the next 20 % validates, the eastern 20 % tests; prediction covers the
    test strip of the imagery alone. Masks hold classes 0 (no data: use ``ignore_index: 0``)
    to 5; images are reflectance x 10000, normalised with the band statistics below
    (both scenes, valid pixels).
    """

    mean = (880.0, 1066.0, 1070.0, 2055.0, 1858.0, 1419.0)
    std = (445.0, 500.0, 735.0, 1110.0, 1040.0, 935.0)
    num_channels = 6
    #: Share of the area in the training, validation and test strips.
    fractions = (0.6, 0.2, 0.2)

    def __init__(
        self,
        batch_size: int = 16,
        patch_size: int = 64,
        length: int | None = None,
        num_workers: int = 0,
        root: str | Path | None = None,
        **kwargs: Any,
    ) -> None:
        """Keep the settings; the area is generated (once, into the GeoTorch cache) in :meth:`setup`.

        Args:
            batch_size: patches per batch.
            patch_size: patch size in pixels.
            length: training patches per epoch (default: the training strip's area over a patch's area).
            num_workers: DataLoader worker processes.
            root: folder of the demo area (default: the GeoTorch cache).
            **kwargs: further :class:`GeoDataModule` settings (``stride``, ``predict_stride``).
        """
        super().__init__(batch_size=batch_size, patch_size=patch_size, length=length, num_workers=num_workers,
                         splits=self.fractions, **kwargs)
        self.root = root

    def build_splits(self) -> tuple[GeoDataset, GeoDataset, GeoDataset, GeoDataset]:
        """Intersect imagery and land cover, cut into strips; predict on the test strip of the imagery."""
        images = get_dataset_class("DemoImagery")(self.root)
        dataset = images & get_dataset_class("DemoLandCover")(self.root)
        train, val, test = spatial_split(dataset, self.splits, patch_size=self.patch_size)
        predict = roi_split(images, [test.bounds])[0]
        return train, val, test, predict

    def plot(self, sample: Sample) -> Any:
        """Image (red, green, blue), mask and prediction in ``DemoLandCover``'s classes and colours.

        Returns:
            A matplotlib Figure.
        """
        from geotorch.core import plot_sample

        labels = get_dataset_class("DemoLandCover")
        return plot_sample(
            sample, rgb_indices=[2, 1, 0], num_classes=len(labels.classes), classes=labels.classes, colors=labels.colors
        )
