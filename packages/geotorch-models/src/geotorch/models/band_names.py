"""Matching band names across spellings of the same band (``B1`` and ``B01``; ``SR_B4`` and ``B4``).

Datasets and publishers spell the same band differently: GeoTorch's Sentinel-2 dataset names its bands
``B01`` ... ``B12``, ``B8A`` (as ESA's file names do), SSL4EO-S12 and Google Earth Engine ``B1`` ... ``B12``,
``B8A``. Two names are taken for the same band when:

1. they are equal; or
2. both are a band number, ``B<digits>`` with an optional letter (``B8A``) and an optional product prefix
   (``SR_B4``), and they differ only in leading zeros of the number: ``B1 == B01``, ``B8A == B08A``, but
   never ``B8 == B8A``; or
3. for weights of a Landsat sensor (``sensor`` starting with ``landsat``) whose
   :attr:`~geotorch.models.Weights.product` is a Collection 2 Level-2 one, a bare band number of the weights
   stands for that product's band: ``B4`` of ``SR`` weights (surface reflectance) is ``SR_B4``, ``B10`` of
   ``ST`` weights (surface temperature) is ``ST_B10``, and either for ``L2`` and ``L2SP``. A bare name of the
   bands given (``B4``: the Level-1 band, in GeoTorch's Landsat datasets) never matches a prefixed band of
   the weights, and for any other product (``TOA``, ``L1``) prefixed and bare names are different inputs.

Landsat band numbers mean different wavelengths on different sensors (TM's ``B4`` is near infrared, OLI's
is red): names are matched only as the weights' own sensor names its bands.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

#: A band number with an optional product prefix (``SR_``, ``ST_``) and an optional letter (``B8A``).
_NUMBERED = re.compile(r"(?P<prefix>[A-Z]+_)?B(?P<number>\d+)(?P<letter>[A-Z]?)")

#: The Landsat Collection 2 products whose inputs are the prefixed bands: product -> those prefixes.
_LANDSAT_LEVEL2_PREFIXES: dict[str, tuple[str, ...]] = {
    "SR": ("SR_",),
    "ST": ("ST_",),
    "L2": ("SR_", "ST_"),
    "L2SP": ("SR_", "ST_"),
}

_Key = str | tuple[str, int, str]


def _band_key(name: str) -> _Key:
    """``(prefix, number, letter)`` of a band number (the same for two spellings of it), else ``name`` itself."""
    match = _NUMBERED.fullmatch(name)
    if match is None:
        return name
    return (match["prefix"] or "", int(match["number"]), match["letter"])


def _source_keys(name: str, sensor: str | None, product: str | None) -> set[_Key]:
    """The keys of the names a band of the weights answers to: its own, and the product's bands it stands for."""
    key = _band_key(name)
    keys = {key}
    if isinstance(key, tuple) and not key[0] and sensor is not None and sensor.lower().startswith("landsat"):
        keys |= {(prefix, *key[1:]) for prefix in _LANDSAT_LEVEL2_PREFIXES.get((product or "").upper(), ())}
    return keys


def match_bands(
    bands: Sequence[str], source_bands: Sequence[str], sensor: str | None = None, product: str | None = None
) -> tuple[str, ...]:
    """Each of ``bands`` as ``source_bands`` spell it, where it is one of them (see the module's rules).

    A name equal to one of ``source_bands`` is kept; a name that is no band of ``source_bands`` is kept
    too, for the caller to report.

    Args:
        bands: the names to match, e.g. a dataset's ``all_bands``.
        source_bands: the names of the pretrained bands, e.g. :attr:`~geotorch.models.Weights.bands`.
        sensor: the sensor of ``source_bands``, or None.
        product: the input product of ``source_bands``, or None.

    Returns:
        The names, in the order of ``bands``.

    Raises:
        ValueError: if a name is not one of ``source_bands`` but could be either of two of them.
    """
    spellings: dict[_Key, list[str]] = {}
    for source in source_bands:
        for key in _source_keys(source, sensor, product):
            spellings.setdefault(key, []).append(source)
    matched: list[str] = []
    for band in bands:
        if band in source_bands:
            matched.append(band)
            continue
        found = spellings.get(_band_key(band), [])
        if len(found) > 1:
            raise ValueError(
                f"band {band!r} could be any of the pretrained bands {found} (of {list(source_bands)}); "
                "name it exactly as the weights do"
            )
        matched.append(found[0] if found else band)
    return tuple(matched)
