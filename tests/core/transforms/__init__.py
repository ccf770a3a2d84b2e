"""Tests of geotorch.transforms."""
