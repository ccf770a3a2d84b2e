"""The cells of the benchmark matrix: which file layouts and worker counts are measured.

A full factorial of the factors (3 band counts x 3 types x 3 block layouts x 4
compressions x 2 overview settings x 3 worker counts, 648 cells) would take hours.
The matrix instead varies one factor at a time around a base cell (7-band uint16,
256 px tiles, DEFLATE, no overviews, the layout of the issue's workload), adds
corners where factors change together (the heaviest and the lightest layout, and
JPEG, which only holds 3-band uint8), and measures 4 workers on the base cell and
the heavy corner only. Every factor level appears in at least one cell.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

#: The levels of each factor, as the issue lists them.
BANDS = (3, 7, 13)
DTYPES = ("uint8", "uint16", "float32")
BLOCKS = ("256", "512", "strip")
COMPRESSIONS = ("DEFLATE", "LZW", "ZSTD", "JPEG")
OVERVIEWS = (False, True)
WORKERS = (0, 2, 4)


@dataclass(frozen=True)
class Cell:
    """One file layout of the scenes and the worker counts it is measured at.

    Attributes:
        bands: bands per scene.
        dtype: pixel type of the scenes.
        block: ``"256"`` or ``"512"`` (square tiles of that side) or ``"strip"`` (GDAL's default strips).
        compression: GeoTIFF compression (JPEG only for 3-band uint8).
        overviews: whether the scenes carry internal overviews (2, 4, 8).
        workers: the DataLoader worker counts this layout runs at.
        varies: what the cell changes from the base (``"base"``, a factor name, or ``"corner"``).
    """

    bands: int
    dtype: str
    block: str
    compression: str
    overviews: bool
    workers: tuple[int, ...]
    varies: str

    def __post_init__(self) -> None:
        if self.compression == "JPEG" and (self.bands, self.dtype) != (3, "uint8"):
            raise ValueError(f"JPEG cells hold 3-band uint8 scenes, not {self.bands}-band {self.dtype}")

    @property
    def name(self) -> str:
        """A folder name saying the layout, e.g. ``b7-uint16-t256-deflate``."""
        block = "strip" if self.block == "strip" else f"t{self.block}"
        overviews = "-ovr" if self.overviews else ""
        return f"b{self.bands}-{self.dtype}-{block}-{self.compression.lower()}{overviews}"


BASE = Cell(bands=7, dtype="uint16", block="256", compression="DEFLATE", overviews=False, workers=(0, 2, 4),
            varies="base")


def design() -> list[Cell]:
    """The base cell, one cell per other level of each factor, and three corners."""
    pair = (0, 2)
    cells = [BASE]
    cells += [replace(BASE, bands=bands, workers=pair, varies="bands") for bands in BANDS if bands != BASE.bands]
    cells += [replace(BASE, dtype=dtype, workers=pair, varies="dtype") for dtype in DTYPES if dtype != BASE.dtype]
    cells += [replace(BASE, block=block, workers=pair, varies="block") for block in BLOCKS if block != BASE.block]
    cells += [replace(BASE, compression=compression, workers=pair, varies="compression")
              for compression in COMPRESSIONS if compression not in (BASE.compression, "JPEG")]
    cells.append(replace(BASE, overviews=True, workers=pair, varies="overviews"))
    cells.append(Cell(3, "uint8", "256", "JPEG", False, pair, "corner"))
    cells.append(Cell(13, "float32", "strip", "ZSTD", True, (0, 2, 4), "corner"))
    cells.append(Cell(3, "uint8", "512", "LZW", False, pair, "corner"))
    return cells


def quick_design() -> list[Cell]:
    """A smoke subset: the base cell and the JPEG corner, at 0 and 2 workers."""
    return [replace(cell, workers=(0, 2)) for cell in design() if cell.varies == "base" or cell.compression == "JPEG"]
