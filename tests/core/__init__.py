"""Tests of geotorch-core (data model, downloads, plugins, registry); helpers: ``rasters``, ``tiff_bytes``."""
