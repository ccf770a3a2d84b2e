"""The first image file directory of a TIFF, and its image structure where GDAL opens the file as read here.

GDAL (through libtiff) refuses some tag values when it opens a file (a
RowsPerStrip or tile size of 0, more ExtraSamples than samples, a per-sample
tag with too few values, a YCbCr subsampling libjpeg cannot decode...) and
tolerates others. :func:`image_structure` accepts only the values GDAL's own
writer and other common writers produce, each checked against the rest of
the directory (counts against SamplesPerPixel, strips and tiles against the
image size, types against the codec); any other value raises
:class:`Unsupported`, and GDAL then opens the file itself.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Collection
from typing import Any, NamedTuple

#: Size in bytes of one value of each TIFF field type (BYTE, ASCII, SHORT, LONG, RATIONAL, SBYTE,
#: UNDEFINED, SSHORT, SLONG, SRATIONAL, FLOAT, DOUBLE, IFD, LONG8, SLONG8, IFD8).
_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8, 17: 8, 18: 8}
BYTE, ASCII, SHORT, LONG, RATIONAL, UNDEFINED, DOUBLE, LONG8 = 1, 2, 3, 4, 5, 7, 12, 16
#: struct codes of the numeric field types whose values are read here.
CODES = {BYTE: "B", SHORT: "H", LONG: "I", DOUBLE: "d", LONG8: "Q"}
WIDTH, HEIGHT, BITS, COMPRESSION, PHOTOMETRIC, SAMPLES, PLANAR, FORMAT = 256, 257, 258, 259, 262, 277, 284, 339
STRIPS, ROWS_PER_STRIP, STRIP_BYTES, TILE_WIDTH, TILE_LENGTH, TILES, TILE_BYTES = 273, 278, 279, 322, 323, 324, 325
_PREDICTOR, _COLOR_MAP, _EXTRA_SAMPLES, _JPEG_TABLES, _SUBSAMPLING = 317, 320, 338, 347, 530
#: (SampleFormat, BitsPerSample) -> data type. 1 unsigned, 2 signed, 3 floating point.
_DTYPES = {
    (1, 8): "uint8", (2, 8): "int8", (1, 16): "uint16", (2, 16): "int16",
    (1, 32): "uint32", (2, 32): "int32", (3, 32): "float32", (3, 64): "float64",
}
#: Codecs built into every GDAL: none, LZW, JPEG, Deflate, PackBits, old Deflate (ZSTD, LERC... are optional).
_COMPRESSIONS = frozenset({1, 5, 7, 8, 32773, 32946})
_JPEG = 7
#: Codecs that apply a Predictor: LZW, Deflate, old Deflate.
_PREDICTING = frozenset({5, 8, 32946})
_MIN_IS_WHITE, _MIN_IS_BLACK, _RGB, _PALETTE, _YCBCR = 0, 1, 2, 3, 6
#: Stands for a missing PhotometricInterpretation: libtiff then guesses grey or RGB from the samples.
_GUESSED = -1
#: Bytes of one strip or tile beyond which libtiff's and GDAL's size arithmetic is left to them.
_LARGEST_BLOCK = 2**31 - 1
_LARGEST_SIZE = 2**31 - 1
_EVERY_ROW = 2**32 - 1


class Unsupported(ValueError):
    """Something in the header this reader does not fully understand: GDAL must read the file."""


class ImageStructure(NamedTuple):
    """What GDAL reports of a directory's image: its size, band count and band type.

    Attributes:
        width: columns.
        height: rows.
        bands: SamplesPerPixel.
        bits: BitsPerSample.
        sample_format: SampleFormat (1 unsigned, 2 signed, 3 floating point).
        dtype: numpy name of the band type.
    """

    width: int
    height: int
    bands: int
    bits: int
    sample_format: int
    dtype: str


class Directory:
    """The first image file directory: its entries and their values, decoded in one pass.

    Raises:
        Unsupported: if the directory lies beyond the bytes read, its tags are not in strictly
            ascending order (repeated or unsorted, which libtiff reorders or drops), one has no
            value or an unknown type, or a value lies beyond the end of the file (a file cut
            inside its header).
        struct.error: if the directory's entry count lies beyond the bytes read.
    """

    def __init__(self, data: bytes, size: int, offset: int, order: str, big: bool) -> None:
        count_format, entry_format, entry_size, head = ("Q", "HHQ8s", 20, 8) if big else ("H", "HHI4s", 12, 2)
        pointer = order + ("Q" if big else "I")
        (count,) = struct.unpack_from(order + count_format, data, offset)
        start, end = offset + head, offset + head + count * entry_size
        if end > len(data):
            raise Unsupported("directory beyond the bytes read")
        self.big = big
        #: tag -> (type, number of values, the numbers or, for other types, the bytes; None beyond the bytes read)
        self._entries: dict[int, tuple[int, int, tuple[Any, ...] | bytes | None]] = {}
        previous = -1
        for tag, kind, length, value in struct.iter_unpack(order + entry_format, data[start:end]):
            if tag <= previous or kind not in _SIZES or length == 0:
                raise Unsupported(f"tag {tag} out of order, of unknown type or empty")
            previous = tag
            nbytes = length * _SIZES[kind]
            raw: bytes | None = value[:nbytes]
            if nbytes > len(value):
                (place,) = struct.unpack(pointer, value)
                if place + nbytes > size:
                    raise Unsupported(f"tag {tag} beyond the end of the file")
                # A value beyond the first bytes (a large array of tile offsets) is only counted.
                raw = data[place:place + nbytes] if place + nbytes <= len(data) else None
            code = CODES.get(kind)
            self._entries[tag] = (kind, length, raw if code is None or raw is None else
                                  struct.unpack(f"{order}{length}{code}", raw))
        self.tags = self._entries.keys()

    def kind(self, tag: int) -> int:
        """The field type of ``tag`` (which must be present)."""
        return self._entries[tag][0]

    def count(self, tag: int) -> int:
        """The number of values of ``tag`` (which must be present)."""
        return self._entries[tag][1]

    def numbers(self, tag: int, kinds: Collection[int], default: tuple[Any, ...] | None = None) -> tuple[Any, ...]:
        """The values of numeric ``tag``, of one of ``kinds`` (``default`` when absent; required when None)."""
        entry = self._entries.get(tag)
        if entry is None:
            if default is None:
                raise Unsupported(f"no tag {tag}")
            return default
        kind, _, values = entry
        if kind not in kinds or not isinstance(values, tuple):
            raise Unsupported(f"tag {tag} of type {kind}, or beyond the bytes read")
        return values

    def one(self, tag: int, kinds: Collection[int], default: int | None = None) -> int:
        """The single integer value of ``tag`` (``default`` when absent; required when None)."""
        values = self.numbers(tag, kinds, None if default is None else (default,))
        if len(values) != 1:
            raise Unsupported(f"tag {tag} has {len(values)} values")
        return int(values[0])

    def text(self, tag: int, default: bytes | None = None) -> bytes:
        """The ASCII value of ``tag`` without its terminating NULs (``default`` when absent; required when None)."""
        entry = self._entries.get(tag)
        if entry is None:
            if default is None:
                raise Unsupported(f"no tag {tag}")
            return default
        kind, _, text = entry
        if kind != ASCII or not isinstance(text, bytes):
            raise Unsupported(f"tag {tag} of type {kind}, or beyond the bytes read")
        return text.rstrip(b"\x00")


class _Image(NamedTuple):
    """The directory's structural values, against which every other tag is checked."""

    samples: int
    bits: int
    sample_format: int
    compression: int
    photometric: int
    planar: int
    big: bool


#: A tag's rule: its allowed field types, whether a number of values is allowed, and (for numeric
#: tags) whether the values are; each given the image's structure.
_Rule = tuple[frozenset[int], Callable[[int, _Image], bool], Callable[[tuple[Any, ...], _Image], bool] | None]
_INTEGERS = frozenset({SHORT, LONG})


def _single(count: int, image: _Image) -> bool:
    return count == 1


def _any_count(count: int, image: _Image) -> bool:
    return True


def _among(*allowed: int) -> Callable[[tuple[Any, ...], _Image], bool]:
    return lambda values, image: all(value in allowed for value in values)


def _predictor(values: tuple[Any, ...], image: _Image) -> bool:
    """No prediction, horizontal differencing of integers or floats, or floating-point prediction of floats."""
    (predictor,) = values
    return predictor == 1 or (image.compression in _PREDICTING
                              and (predictor == 2 or (predictor == 3 and image.sample_format == 3)))


def _extra_samples(count: int, image: _Image) -> bool:
    """At most one ExtraSamples value per sample beyond the colour channels (libtiff refuses more).

    Without a photometric interpretation the colour channels are libtiff's guess: left to GDAL.
    """
    return image.photometric != _GUESSED and count <= image.samples - (3 if image.photometric in (_RGB, _YCBCR) else 1)


#: Tags that change nothing GDAL reports about the grid, bands or nodata, with the values accepted:
#: subfile type (a full-resolution image), descriptive text, fill order, thresholding, orientation
#: (ignored by GDAL), min/max values, resolution, page number, predictor, colour map, extra samples
#: (unspecified, associated or unassociated alpha), white point and primaries, JPEG tables,
#: YCbCr parameters, XMP, copyright, GDAL's metadata (statistics, band descriptions, scale and offset).
_INERT_TAGS: dict[int, _Rule] = {
    254: (_INTEGERS, _single, _among(0)),
    255: (frozenset({SHORT}), _single, _among(1)),
    263: (frozenset({SHORT}), _single, _among(1, 2, 3)),
    266: (frozenset({SHORT}), _single, _among(1, 2)),
    274: (frozenset({SHORT}), _single, _among(*range(1, 9))),
    280: (frozenset({SHORT}), lambda count, image: count in (1, image.samples), None),
    281: (frozenset({SHORT}), lambda count, image: count in (1, image.samples), None),
    282: (frozenset({RATIONAL}), _single, None),
    283: (frozenset({RATIONAL}), _single, None),
    296: (frozenset({SHORT}), _single, _among(1, 2, 3)),
    297: (frozenset({SHORT}), lambda count, image: count == 2, None),
    _PREDICTOR: (frozenset({SHORT}), _single, _predictor),
    318: (frozenset({RATIONAL}), lambda count, image: count == 2, None),
    319: (frozenset({RATIONAL}), lambda count, image: count == 6, None),
    _COLOR_MAP: (frozenset({SHORT}), lambda count, image: image.photometric == _PALETTE and count == 3 << image.bits,
                 None),
    _EXTRA_SAMPLES: (frozenset({SHORT}), _extra_samples, _among(0, 1, 2)),
    _JPEG_TABLES: (frozenset({UNDEFINED}), lambda count, image: image.compression == _JPEG, None),
    529: (frozenset({RATIONAL}), lambda count, image: count == 3, None),
    # libtiff refuses other factors; GDAL decodes subsampled YCbCr only from JPEG.
    _SUBSAMPLING: (frozenset({SHORT}), lambda count, image: image.photometric == _YCBCR and count == 2,
                   _among(1, 2, 4)),
    531: (frozenset({SHORT}), _single, _among(1, 2)),
    532: (frozenset({RATIONAL}), lambda count, image: count == 6, None),
    700: (frozenset({BYTE, UNDEFINED}), _any_count, None),
    **{tag: (frozenset({ASCII}), _any_count, None) for tag in (269, 270, 271, 272, 285, 305, 306, 315, 316,
                                                                33432, 42112)},
}
#: Tags read by :func:`image_structure` itself, then every tag it checks.
_STRUCTURE_TAGS = frozenset({WIDTH, HEIGHT, BITS, COMPRESSION, PHOTOMETRIC, SAMPLES, PLANAR, FORMAT, STRIPS,
                             ROWS_PER_STRIP, STRIP_BYTES, TILE_WIDTH, TILE_LENGTH, TILES, TILE_BYTES})
_KNOWN_TAGS = _STRUCTURE_TAGS | _INERT_TAGS.keys()


def image_structure(directory: Directory, geotiff_tags: frozenset[int]) -> ImageStructure:
    """The size, bands and band type of the directory's image, where GDAL opens it and reports them so.

    Args:
        directory: the first image file directory.
        geotiff_tags: the other tags the caller reads itself (georeferencing, nodata).

    Raises:
        Unsupported: if the directory holds a tag neither read here nor in ``geotiff_tags``, or
            a value GDAL may refuse or interpret differently.
    """
    unknown = directory.tags - _KNOWN_TAGS
    if unknown and not unknown <= geotiff_tags:
        raise Unsupported(f"tags {sorted(unknown - geotiff_tags)}")
    width, height = directory.one(WIDTH, _INTEGERS), directory.one(HEIGHT, _INTEGERS)
    samples = directory.one(SAMPLES, (SHORT,), 1)
    if not (0 < width <= _LARGEST_SIZE and 0 < height <= _LARGEST_SIZE and samples > 0):
        raise Unsupported("empty or oversized grid")
    image = _Image(samples, _per_sample(directory, BITS, samples), _per_sample(directory, FORMAT, samples),
                   directory.one(COMPRESSION, (SHORT,), 1), directory.one(PHOTOMETRIC, (SHORT,), _GUESSED),
                   directory.one(PLANAR, (SHORT,), 1), directory.big)
    dtype = _DTYPES.get((image.sample_format, image.bits))
    if dtype is None:
        raise Unsupported("data type")
    _check_bands(directory, image, dtype)
    _check_blocks(directory, image, width, height)
    for tag in directory.tags & _INERT_TAGS.keys():
        kinds, count_allowed, values_allowed = _INERT_TAGS[tag]
        if directory.kind(tag) not in kinds or not count_allowed(directory.count(tag), image):
            raise Unsupported(f"tag {tag} of type {directory.kind(tag)} with {directory.count(tag)} values")
        if values_allowed is not None and not values_allowed(directory.numbers(tag, kinds), image):
            raise Unsupported(f"tag {tag} with values GDAL may refuse")
    return ImageStructure(width, height, samples, image.bits, image.sample_format, dtype)


def _per_sample(directory: Directory, tag: int, samples: int) -> int:
    """The value of a per-sample tag (BitsPerSample, SampleFormat): one value, or one per sample, all equal.

    libtiff refuses fewer values than samples (except one); GDAL reads bands of one type only.
    """
    values = set(directory.numbers(tag, (SHORT,), (1,)))
    if tag in directory.tags and directory.count(tag) not in (1, samples):
        raise Unsupported(f"tag {tag} has {directory.count(tag)} values for {samples} samples")
    if len(values) != 1:
        raise Unsupported("bands of different types")
    return int(values.pop())


def _check_bands(directory: Directory, image: _Image, dtype: str) -> None:
    """Codec, photometric interpretation and planar configuration GDAL reads as one band per sample."""
    if image.compression not in _COMPRESSIONS:
        raise Unsupported("codec")
    if image.compression == _JPEG and (dtype != "uint8" or image.photometric not in (_MIN_IS_BLACK, _RGB, _YCBCR)):
        raise Unsupported("JPEG of other than 8-bit grey, RGB or YCbCr samples")
    if image.planar not in (1, 2):
        raise Unsupported("planar configuration")
    if image.photometric in (_MIN_IS_WHITE, _MIN_IS_BLACK) or (image.photometric == _GUESSED
                                                               and image.compression != _JPEG):
        return
    if image.photometric == _RGB and image.samples >= 3:
        return
    if image.photometric == _PALETTE and image.samples == 1 and dtype in ("uint8", "uint16") and \
            _COLOR_MAP in directory.tags:
        return
    if image.photometric == _YCBCR and image.compression == _JPEG and image.samples == 3 and image.planar == 1:
        return
    raise Unsupported("photometric interpretation GDAL converts, or not matching the samples")


def _check_blocks(directory: Directory, image: _Image, width: int, height: int) -> None:
    """Strips or tiles, as many as the image needs, of a size libtiff and GDAL accept."""
    offsets = frozenset({SHORT, LONG, LONG8} if image.big else {SHORT, LONG})
    planes = image.samples if image.planar == 2 else 1
    rows_per_strip = directory.one(ROWS_PER_STRIP, _INTEGERS, _EVERY_ROW)
    if rows_per_strip == 0:
        raise Unsupported("no rows per strip")
    tiled = bool(directory.tags & {TILE_WIDTH, TILE_LENGTH, TILES, TILE_BYTES})
    if tiled:
        block_width, block_height = directory.one(TILE_WIDTH, _INTEGERS), directory.one(TILE_LENGTH, _INTEGERS)
        if not (block_width > 0 and block_height > 0 and block_width % 16 == 0 and block_height % 16 == 0):
            raise Unsupported("tile size not a positive multiple of 16")
        tags = (TILES, TILE_BYTES)
    else:
        block_width, block_height = width, min(rows_per_strip, height)
        tags = (STRIPS, STRIP_BYTES)
    blocks = -(-width // block_width) * -(-height // block_height) * planes
    if (directory.tags & {STRIPS, STRIP_BYTES, TILES, TILE_BYTES}) != set(tags) or any(
            directory.kind(tag) not in offsets or directory.count(tag) != blocks for tag in tags):
        raise Unsupported("strips or tiles not matching the image size")
    if block_width * block_height * (image.samples // planes) * image.bits // 8 > _LARGEST_BLOCK:
        raise Unsupported("strip or tile too large")
