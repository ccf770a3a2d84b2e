"""d's mosaic reference returns GeoTorch's samples: first file, then later files where the patch lacks data."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest

BENCH = Path(__file__).parents[2] / "bench"


def test_the_mosaic_reference_returns_the_pixels_geotorch_returns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("rasterio")
    import torch

    monkeypatch.syspath_prepend(str(BENCH))
    import matrix_data
    import matrix_design
    import scenarios
    from mosaic_reads import MosaicReads, drawn_reads

    for name in ("matrix_data", "matrix_design", "scenarios", "mosaic_reads"):
        sys.modules.pop(name, None)
    # Scenes of 640 px (19 km) 14 km apart: their rotated collars leave patches the first file cannot fill.
    cell = replace(matrix_design.BASE, bands=3)
    folder = matrix_data.write_cell(tmp_path, cell, size=640)
    reads = drawn_reads(folder, 48, seed=0)
    reference = MosaicReads(reads, str(next((folder / "labels").glob("landcover_*.tif"))))
    dataset = scenarios.build("geotorch", folder, "d")
    later = 0
    for index, ((left, bottom, right, top), _) in enumerate(reads):
        ours = dataset[left:right, bottom:top]
        theirs = reference[index]
        assert torch.equal(theirs["image"], ours["image"]), f"sample {index}"
        assert torch.equal(theirs["mask"], ours["mask"]), f"sample {index}"
        later += reference.later_reads[index]
    assert later > 0, "some patches need a later file, else the reference would be the limit"
