"""Tests of geotorch-trainers (tasks, datamodules); helpers: ``task_fakes``."""
