"""Tests of geotorch.samplers; helper: ``places``."""
