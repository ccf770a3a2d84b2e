"""GeoTorch datamodules: Lightning datamodules that sample geospatial datasets and augment batches."""

__all__: list[str] = []
