"""Run by test_predict.py: rewrites a prediction with ``write_raster`` and stops in the middle of it.

Usage: python interrupted_rewrite.py OUTPUT READY

The new values (the old ones plus one) are written half-way, then READY is created and the
process sleeps until the test kills it.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
import rasterio.io
from rasterio.windows import Window

from geotorch.trainers.outputs import write_raster


def main(output: Path, ready: Path) -> None:
    with rasterio.open(output) as old:
        profile = old.profile
        values = old.read()
    write = rasterio.io.DatasetWriter.write

    def write_half_then_wait(self: rasterio.io.DatasetWriter, array: np.ndarray, *args: Any, **kwargs: Any) -> None:
        half = array.shape[-2] // 2
        write(self, array[..., :half, :], window=Window(0, 0, array.shape[-1], half))
        ready.touch()
        time.sleep(600)

    rasterio.io.DatasetWriter.write = write_half_then_wait  # type: ignore[method-assign]
    write_raster(output, values + 1, profile, {"source": "interrupted rewrite"})


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
