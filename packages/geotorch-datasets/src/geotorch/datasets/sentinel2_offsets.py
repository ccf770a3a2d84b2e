"""Sentinel-2's radiometric offset of processing baseline 04.00 and later: found per product, applied per band file."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import xml.etree.ElementTree as ElementTree
from html import escape
from pathlib import Path

import rasterio

from geotorch.core import cache_home

#: A SAFE product's folder name, its processing baseline (``N0400`` is 04.00) in the group.
SAFE_BASELINE = re.compile(r"^S2[A-D]_MSIL(?:1C|2A)_\d{8}T\d{6}_N(\d{4})_")

#: The band of each ``band_id`` of a product's metadata (ESA numbers B01-B12 0-12, B8A 8th).
BAND_OF_ID = ("B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B09", "B10", "B11", "B12")

#: The offset ESA adds from processing baseline 04.00 (25 January 2022, and reprocessed archives named N0500).
BASELINE_0400_OFFSET = -1000

#: GDAL's names of the pixel types band files are stored in.
_GDAL_TYPES = {"uint8": "Byte", "uint16": "UInt16", "int16": "Int16", "uint32": "UInt32", "int32": "Int32",
               "float32": "Float32", "float64": "Float64"}

#: The product metadata files of L2A and L1C SAFE products, and the tags of their per-band offsets.
_METADATA = {"MTD_MSIL2A.xml": "BOA_ADD_OFFSET", "MTD_MSIL1C.xml": "RADIO_ADD_OFFSET"}


#: Baselines from 99.00 name products made by users with ESA's Sen2Cor (``_N9999_``, ``_N9933_``), not ESA's.
USER_PRODUCT_BASELINE = 9900


def safe_baseline(path: Path) -> int | None:
    """The processing baseline (400 for 04.00) named by the SAFE folder holding ``path``.

    None where no SAFE folder holds it, or its name gives 99.00 or more: Sen2Cor names the products it makes
    so whatever the baseline of its input and whether it applied the offset (from Sen2Cor 2.10 it does).
    """
    baseline = next((int(found.group(1)) for parent in path.parents if (found := SAFE_BASELINE.match(parent.name))),
                    None)
    return None if baseline is None or baseline >= USER_PRODUCT_BASELINE else baseline


def product_offsets(band_file: Path) -> dict[str, int] | None:
    """The offset ESA's product adds to each band's values (reflectance is ``(DN + offset) / 10000``).

    From the ``BOA_ADD_OFFSET`` (L2A) or ``RADIO_ADD_OFFSET`` (L1C) entries of the product's
    ``MTD_MSIL2A.xml`` / ``MTD_MSIL1C.xml`` in the SAFE folder holding ``band_file`` (or a folder between
    them), or beside ``band_file`` outside any SAFE folder (a metadata file without
    them is of a baseline before 04.00: no offset); else from the baseline in the SAFE folder's name
    (``_N0400_`` and later: -1000 for every band, before: 0; ``_N99xx_``, a product of the user's Sen2Cor,
    tells none).

    Args:
        band_file: a band file of the product (JP2 or GeoTIFF).

    Returns:
        ``{band: offset}``, a band missing from it has offset 0; None when neither a metadata file nor
        a SAFE folder name tells the baseline (a band file exported on its own).

    Raises:
        ValueError: if the metadata file is no XML or an offset is no whole number, naming the file.
    """
    safe = next((parent for parent in band_file.parents if SAFE_BASELINE.match(parent.name)), None)
    # Inside a SAFE, its folders up to the SAFE's own; outside, the band file's folder alone: a metadata file
    # higher up belongs to another product.
    folders = band_file.parents[: band_file.parents.index(safe) + 1] if safe else [band_file.parent]
    for folder in folders:
        for name, tag in _METADATA.items():
            metadata = folder / name
            if metadata.is_file():
                return _offsets_in(metadata, tag)
    baseline = safe_baseline(band_file)
    if baseline is None:
        return None
    return {band: BASELINE_0400_OFFSET for band in BAND_OF_ID} if baseline >= 400 else {}


def _offsets_in(metadata: Path, tag: str) -> dict[str, int]:
    """The ``tag`` entries of ``metadata``, ``{band: offset}`` (see :func:`product_offsets`)."""
    try:
        elements = ElementTree.parse(metadata).iter()
        offsets: dict[str, int] = {}
        for element in elements:
            if element.tag.rpartition("}")[2] == tag:
                offsets[BAND_OF_ID[int(element.attrib["band_id"])]] = int((element.text or "").strip())
    except (ElementTree.ParseError, KeyError, IndexError, ValueError) as error:
        raise ValueError(
            f"{metadata}: cannot read its {tag} values ({type(error).__name__}: {error}); the product's metadata "
            "is damaged: download the product again"
        ) from None
    return offsets


def offset_file(band_file: str, offset: int) -> str:
    """A file reading ``band_file``'s values with ``offset`` added, negative results clipped to 0.

    A GDAL VRT in ``$GEOTORCH_HOME/sentinel2-offsets`` (written once per version of the band file, named by
    its path, size, modification time and the offset), of the band file's grid, type and nodata value:
    ``max(DN + offset, 0)`` as ESA's harmonisation to earlier baselines, so 0 (no data) stays 0. An offset
    of 0 is ``band_file`` itself.

    Args:
        band_file: a local band file.
        offset: the value to add (ESA's ``BOA_ADD_OFFSET``, -1000).

    Returns:
        The path to read instead of ``band_file``.
    """
    if offset == 0:
        return band_file
    status = os.stat(band_file)
    identity = f"{Path(band_file).resolve()}\n{status.st_size}\n{status.st_mtime_ns}\n{offset}"
    folder = cache_home() / "sentinel2-offsets"
    target = folder / f"{Path(band_file).stem}-{hashlib.sha256(identity.encode()).hexdigest()[:16]}.vrt"
    if target.is_file():
        return str(target)
    folder.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.")
    with os.fdopen(descriptor, "w", encoding="utf-8") as written:
        written.write(_vrt(Path(band_file).resolve(), offset))
    os.replace(temporary, target)
    return str(target)


def _vrt(band_file: Path, offset: int) -> str:
    """The VRT XML reading band 1 of ``band_file`` plus ``offset`` (clipped to the band's type by GDAL)."""
    with rasterio.open(band_file) as source:
        gdal_type = _GDAL_TYPES[source.dtypes[0]]
        transform = source.transform.to_gdal()
        srs = escape(source.crs.to_wkt()) if source.crs else ""
        nodata = source.nodata
        width, height = source.width, source.height
    declared = "" if nodata is None else f"<NoDataValue>{nodata!r}</NoDataValue>"
    skipped = "" if nodata is None else f"<NODATA>{nodata!r}</NODATA>"
    return (
        f'<VRTDataset rasterXSize="{width}" rasterYSize="{height}">'
        f"<SRS>{srs}</SRS><GeoTransform>{', '.join(repr(value) for value in transform)}</GeoTransform>"
        f'<VRTRasterBand dataType="{gdal_type}" band="1">{declared}<ComplexSource>'
        f'<SourceFilename relativeToVRT="0">{escape(str(band_file))}</SourceFilename><SourceBand>1</SourceBand>'
        f"<ScaleOffset>{offset}</ScaleOffset><ScaleRatio>1</ScaleRatio>{skipped}"
        "</ComplexSource></VRTRasterBand></VRTDataset>\n"
    )
