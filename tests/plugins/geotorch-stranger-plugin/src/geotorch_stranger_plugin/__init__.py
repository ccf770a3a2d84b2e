"""UC Merced Land Use and its datamodule as a stranger's GeoTorch plugin, on geotorch.core alone."""

__all__: list[str] = []
