"""Published pretrained weights, one module per publisher; :data:`ALL_WEIGHTS` gathers them."""

from geotorch.models.weights_catalog import dofa, fmow, satlas, seco, ssl4eo_l, ssl4eo_s12

ALL_WEIGHTS = (*ssl4eo_s12.WEIGHTS, *ssl4eo_l.WEIGHTS, *seco.WEIGHTS, *fmow.WEIGHTS, *satlas.WEIGHTS, *dofa.WEIGHTS)

__all__ = ["ALL_WEIGHTS"]
