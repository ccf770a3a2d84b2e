"""Fake data in the real layouts, shared by the dataset, conformance and datamodule tests.

Writers of files: ``geo`` (geospatial rasters, vectors, archives), ``benchmark`` (chips, class folders, archives),
``dense`` (chips, label chips, served archives). Built on them, generators of whole datasets by family, each
``make_<dataset>(root) -> root``: ``classification``, ``segmentation``, ``change``, ``detection`` (benchmarks) and
``products`` (geospatial products).
"""
