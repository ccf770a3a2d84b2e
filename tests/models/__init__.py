"""Tests of geotorch-models."""
