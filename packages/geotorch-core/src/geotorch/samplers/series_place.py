"""The index object of a place of a time series read from several files: its files, and the name they share."""

from __future__ import annotations

import re
from dataclasses import dataclass

#: What separates the words of a product's file name (``T31TGL_20200301T103031_B02``, ``MOD13Q1.A2020001.h18v04``).
_SEPARATORS = re.compile(r"([_.-])")


@dataclass(frozen=True)
class SeriesPlace:
    """A place of :func:`~geotorch.samplers.series_places` read from several files, as its index object.

    Attributes:
        files: the place's files (paths, GDAL virtual paths or URLs), oldest date first.
    """

    files: tuple[str, ...]

    @property
    def name(self) -> str:
        """A path naming the place after what its files' names share: its tile, path/row or scene.

        The words of the files' names (between ``_``, ``.`` and ``-``) that every file has at the same position
        are kept and the others (dates, processing times) left out: Sentinel-2's ``T31TGL_20200301T103031_B02_10m``
        and ``T31TGL_20200501T103031_B02_10m`` name the place ``T31TGL_B02_10m``, Landsat's
        ``LC08_L2SP_044034_20200101_20200110_02_T1_SR_B1`` and its later dates ``LC08_L2SP_044034_02_T1_SR_B1``.
        Where the names have different word counts, or share no word, the place takes its oldest file's name.
        The name sits in the folder all the files share and keeps the oldest file's extension, so it depends on
        the files alone (not on the order of the index): a prediction writer names the place's output after it
        as after a file of its own (see :func:`~geotorch.trainers.outputs.output_names`).

        Returns:
            ``<shared folder>/<shared words><extension>``, spelled as the files are (``/`` between folders).
        """
        paths = [file.replace("\\", "/") for file in self.files]
        names = [path.rsplit("/", 1)[-1] for path in paths]
        stems = [name.rsplit(".", 1)[0] if "." in name else name for name in names]
        extension = names[0][len(stems[0]):]
        words = [_SEPARATORS.split(stem) for stem in stems]
        shared = stems[0]
        if len({len(split) for split in words}) == 1:
            kept = [
                (words[0][position - 1] if position else "", word)
                for position, word in enumerate(words[0])
                if position % 2 == 0 and word and all(split[position] == word for split in words)
            ]
            if kept:
                shared = "".join((separator if number else "") + word for number, (separator, word) in enumerate(kept))
        folders = [path.split("/")[:-1] for path in paths]
        common = next((level for level, parts in enumerate(zip(*folders, strict=False)) if len(set(parts)) > 1),
                      min(map(len, folders)))
        return "/".join([*folders[0][:common], shared + extension])
