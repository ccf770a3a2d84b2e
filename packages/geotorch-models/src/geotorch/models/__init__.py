"""GeoTorch models: multispectral backbones, task heads and pretrained weights."""

__all__: list[str] = []
