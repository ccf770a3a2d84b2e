"""Tests of geotorch-datasets; fake data writers in ``tests.datasets.fakes``."""
