"""GeoTorch trainers: Lightning tasks for classification, segmentation and regression."""

__all__: list[str] = []
