"""An example third-party GeoTorch plugin: a dataset, a model, a weight and a ``hello`` command."""

__all__: list[str] = []
