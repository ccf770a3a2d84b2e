"""Scenes of one-file-per-band products (``separate_files``): which files are the bands of one scene."""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Hashable
from pathlib import Path
from typing import ClassVar

from geotorch.core.remote import Location, is_remote


def _spelled_as_on_disk(path: Path) -> str:
    """``path``, or where no file has that name, the first in its folder whose name differs only in case."""
    if path.exists():
        return str(path)
    try:
        names = sorted(os.listdir(path.parent))
    except OSError:
        return str(path)
    wanted = path.name.casefold()
    return str(next((path.parent / name for name in names if name.casefold() == wanted), path))


class SceneFiles:
    """The ``separate_files`` part of :class:`~geotorch.core.RasterDataset`: band files grouped into scenes.

    Its public override points, :meth:`scene_key` and :meth:`band_files`, are RasterDataset's (see its
    docstring); the dataset indexes one file per scene and reads every band from the files
    :meth:`band_files` returned at indexing.
    """

    filename_regex: ClassVar[str]
    bands: tuple[str, ...]
    #: Per file standing for a scene: every band's file found by the glob, by band name.
    _scene_files: dict[str, dict[str, str]]
    #: Per file standing for a scene: the file of each selected band, in ``bands`` order.
    _scene_bands: dict[str, list[str]]
    #: The scenes skipped for lacking a selected band, with the reason.
    _incomplete_scenes: list[str]

    def _one_file_per_scene(
        self, matches: list[tuple[Location, re.Match[str]]]
    ) -> list[tuple[Location, re.Match[str]]]:
        """One file of each scene of a one-file-per-band product, to index the scene by.

        Files are of the same scene when their :meth:`scene_key` is equal (by default, when their
        names differ only in the ``band`` group, the rest compared ignoring case: ``x_B01.tif``
        and ``x_B02.TIF`` are one scene), so a glob
        naming any one band's files finds every scene, whatever the order of ``bands``. The file
        of the first selected band stands for the scene when it was found, else the file of the
        earliest selected band that was. A selected band whose file the glob did not find is
        looked for under that file's name with the band replaced. A scene lacking a selected
        band's file, and a file whose name holds no band, are skipped with a warning naming them.

        Raises:
            ValueError: if ``filename_regex`` has no ``band`` group.
        """
        if not self.bands:
            return matches
        if "band" not in re.compile(self.filename_regex, re.VERBOSE).groupindex:
            raise ValueError(
                f"{type(self).__name__}: separate_files=True needs a (?P<band>...) group in "
                f"filename_regex to tell each band's file"
            )
        scenes: dict[Hashable, dict[str, tuple[Location, re.Match[str]]]] = {}
        for path, match in matches:
            band = match.groupdict().get("band")
            if band is None:
                warnings.warn(
                    f"{type(self).__name__}: skipping {path}: its name holds no band (filename_regex's "
                    f"band group) and separate_files=True reads each band from its own file",
                    stacklevel=4,
                )
                continue
            scenes.setdefault(self.scene_key(path, match), {}).setdefault(band, (path, match))
        rank = {band: number for number, band in enumerate(self.bands)}
        chosen = []
        for files in scenes.values():
            path, match = files[min(files, key=lambda band: rank.get(band, len(rank)))]
            self._scene_files[str(path)] = {band: str(file) for band, (file, _) in files.items()}
            try:
                band_paths = self.band_files(str(path))
                missing = next(
                    (
                        f"no file {file} of a selected band; choose bands=... it has"
                        for file in band_paths
                        if not (is_remote(file) or os.path.exists(file))
                    ),
                    None,
                )
            except FileNotFoundError as error:
                missing = str(error)
            else:
                # Reads then take each band's file as found here, without looking again.
                self._scene_bands[str(path)] = band_paths
            if missing is not None:
                self._incomplete_scenes.append(f"{path}: {missing}")
                warnings.warn(f"{type(self).__name__}: skipping the scene of {path}: {missing}", stacklevel=4)
                continue
            chosen.append((path, match))
        return chosen

    def scene_key(self, path: Location, match: re.Match[str]) -> Hashable:
        """What the files of one scene of a ``separate_files`` product have in common.

        Called at indexing for every file found whose name holds a band.

        Args:
            path: the file.
            match: its name's ``filename_regex`` match (with a ``band`` group).

        Returns:
            A key equal for the files of one scene, different for other scenes: by default the
            folder and the name before and after the ``band`` group, ignoring case.
        """
        start, end = match.span("band")
        return path.parent, path.name[:start].casefold(), path.name[end:].casefold()

    def band_files(self, path: str) -> list[str]:
        """For ``separate_files`` products, the file of every selected band of the scene ``path``.

        Called once per scene at indexing, with the file that stands for the scene; every read
        of the scene then uses the files returned.

        Args:
            path: the file the index returns for the scene.

        Returns:
            One file per band of ``bands``, in that order: by default the files found for the scene
            when indexing, else ``path``'s name with its band replaced (where no file has that
            name, one whose name differs only in case).

        Raises:
            FileNotFoundError: may be raised when the scene lacks a selected band; the scene is
                skipped with a warning holding the message (so is a scene whose files do not exist).
        """
        directory, name = Path(path).parent, Path(path).name
        match = re.match(self.filename_regex, name, re.VERBOSE)
        if match is None or "band" not in match.groupdict() or match.group("band") is None:
            return [path]
        start, end = match.span("band")
        found = self._scene_files.get(path, {})
        return [
            found.get(band) or _spelled_as_on_disk(directory / f"{name[:start]}{band}{name[end:]}")
            for band in self.bands
        ]
