"""Run by test_predict_outputs.py: ``predict_raster`` in column tiles of 48 px, stopped at a stage until killed.

Usage: python killed_predict.py INPUT OUTPUT_DIR STAGE READY

STAGE ``parts``: once both parts are written; ``join``: once their join is written, before the
COG; ``none``: not stopped. READY is created when the run waits to be killed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import torch

from geotorch.trainers import predict_cog, predict_grid
from geotorch.trainers.predict import predict_raster


def stop_after(function: Any, ready: Path) -> Any:
    def stopped(*args: Any, **kwargs: Any) -> Any:
        result = function(*args, **kwargs)
        ready.touch()
        time.sleep(600)
        return result

    return stopped


def main(source: str, folder: str, stage: str, ready: Path) -> None:
    predict_grid.COLUMN_TILE = 48
    if stage == "parts":
        predict_cog.publish_cog = stop_after(lambda *args, **kwargs: None, ready)  # type: ignore[assignment]
        import geotorch.trainers.predict as predict_module

        predict_module.publish_cog = predict_cog.publish_cog  # type: ignore[attr-defined]
    elif stage == "join":
        predict_cog._join = stop_after(predict_cog._join, ready)  # type: ignore[attr-defined]
    torch.manual_seed(1)
    predict_raster(torch.nn.Conv2d(3, 4, 1), source, folder, patch_size=32, overlap=8)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], Path(sys.argv[4]))
