"""The scenes a RasterDataset indexes: records of them, by default of its files found by name."""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np

from geotorch.core.bbox import MAX_TIME, MIN_TIME
from geotorch.core.crs import crs_from_wkt, crs_name
from geotorch.core.earth import at_a_place
from geotorch.core.errors import DatasetNotFoundError
from geotorch.core.files import find_files
from geotorch.core.profiles import read_profiles
from geotorch.core.raster_profile import RasterProfile
from geotorch.core.remote import Location, RemotePath, is_remote
from geotorch.core.timeseries import SeriesFiles, check_dated, check_series_regex
from geotorch.core.timestamps import interval_from_match
from geotorch.core.url_secrets import redacted


@dataclass(frozen=True)
class SceneRecord:
    """One scene for a :class:`~geotorch.core.RasterDataset` to index: where and when it lies, which files hold it.

    :meth:`~geotorch.core.RasterDataset.scene_records` returns these; the dataset indexes each at
    its footprint and time without opening any file, and reads its pixels only when a query needs them.

    Attributes:
        path: what the index returns for the scene, unique in the dataset: the file read when
            ``band_files`` is None (a local path, URL or GDAL virtual path); with ``band_files``, any
            name of the scene (e.g. a STAC item id). Messages name the scene by it.
        profile: the grid, band count, pixel type and nodata of the scene's file (for ``separate_files``
            products, of its first band's file): ``crs`` as WKT, ``bounds`` ``(left, bottom, right, top)``
            in that CRS, ``res`` in its units.
        mint: start of the scene's time interval, POSIX seconds (default: open).
        maxt: end of the scene's time interval, POSIX seconds (default: open).
        band_files: for ``separate_files`` products, the file of each selected band, in ``bands``
            order; indexed as given and looked up for every read of the scene, so a sequence that
            computes its items (e.g. signs short-lived URLs) does so at each read. None for a product
            whose scene is the one file ``path``.
        acquisition: with ``time_series=True``, scenes with equal keys are mosaicked into one time
            step; None keys the scene by its time interval ``(mint, maxt)``.
    """

    path: str
    profile: RasterProfile
    mint: float = MIN_TIME
    maxt: float = MAX_TIME
    band_files: Sequence[str] | None = None
    acquisition: Hashable | None = None


def records_at_places(owner: str, records: Sequence[SceneRecord]) -> list[SceneRecord]:
    """``records`` less those whose footprint lies at no place on the Earth, each skipped with a warning naming it.

    A file wholly past a pole (latitudes 95..105), or at an export's 'no coordinate' sentinel (1e30 m), holds
    nothing a query can find; its CRS would become the dataset's were it first, and in another CRS PROJ
    gives it no box. TorchGeo skips files it cannot open: such a file does not stop a dataset of many.
    A file reaching past a pole from a place (80..95 N) is kept. See :func:`geotorch.core.earth.at_a_place`.

    Args:
        owner: the dataset's class name, for messages.
        records: the scenes, each with its profile's CRS (WKT) and ``bounds`` ``(left, bottom, right, top)``.

    Returns:
        The records at a place on the Earth, in their order.

    Raises:
        ValueError: if no record is, naming the first and how many others.
    """
    placed = np.ones(len(records), dtype=bool)
    by_crs: dict[str, list[int]] = {}
    for number, record in enumerate(records):
        by_crs.setdefault(record.profile.crs, []).append(number)
    for wkt, numbers in by_crs.items():
        boxes = np.array([records[number].profile.bounds for number in numbers], dtype=np.float64).T
        placed[numbers] = at_a_place(crs_from_wkt(wkt), boxes)
    reasons = [
        redacted(
            f"{record.path}: its footprint {record.profile.bounds} in {crs_name(crs_from_wkt(record.profile.crs))} "
            "lies at no place on the Earth (past a pole, or at an export's 'no coordinate' sentinel such as "
            "1e30); check its georeferencing (gdalinfo)"
        )
        for record, kept in zip(records, placed, strict=True)
        if not kept
    ]
    if reasons and not placed.any():
        others = f" (nor {len(reasons) - 1} other file(s))" if len(reasons) > 1 else ""
        raise ValueError(f"{owner}: cannot index {reasons[0]}{others}")
    for reason in reasons:
        warnings.warn(f"{owner}: skipping {reason}", UserWarning, stacklevel=4)
    return [record for record, kept in zip(records, placed, strict=True) if kept]


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


class SceneFiles(SeriesFiles):
    """The scenes of a :class:`~geotorch.core.RasterDataset`: its files found by name, band files grouped into scenes.

    Its public override points, :meth:`scene_records`, :meth:`scene_key` and :meth:`band_files`, are
    RasterDataset's (see its docstring); for ``separate_files`` products the dataset indexes one file
    per scene and reads every band from the files :meth:`band_files` returned at indexing.
    """

    filename_glob: ClassVar[str]
    filename_regex: ClassVar[str]
    separate_files: ClassVar[bool]
    paths: Sequence[Location]
    bands: tuple[str, ...]
    #: Per file standing for a scene: every band's file found by the glob, by band name.
    _scene_files: dict[str, dict[str, str]]
    #: Per file standing for a scene: the file of each selected band, in ``bands`` order.
    _scene_bands: dict[str, Sequence[str]]
    #: The scenes skipped for lacking a selected band, with the reason.
    _incomplete_scenes: list[str]

    def scene_records(self) -> Sequence[SceneRecord]:
        """The scenes to index, in index order (the first gives the default CRS, resolution and fill).

        Called once by the constructor, after :meth:`select_bands`. Override it to index scenes
        from records one already has (a catalogue, a STAC table) without finding or opening files;
        the default finds the files of ``paths`` matching ``filename_glob`` and ``filename_regex``
        (for ``separate_files``, one per scene, see :meth:`scene_key` and :meth:`band_files`), takes
        their time from the regex's ``date`` (or ``start`` and ``stop``) group and their headers from
        the persisted profile cache where a file is unchanged since it was last indexed (see
        :mod:`geotorch.core.profiles`); a file that is not a readable raster is skipped with a warning.

        Returns:
            One :class:`SceneRecord` per scene.

        Raises:
            DatasetNotFoundError: if no readable file matches (the default; an override may raise it
                too, naming where it looked).
            ValueError: with ``time_series``, if ``filename_regex`` has no ``date`` group (nor ``start``
                and ``stop``) or a file's name holds no date (the default).
        """
        owner = type(self).__name__
        if self.time_series:
            check_series_regex(owner, self.filename_regex)
        pattern = re.compile(self.filename_regex, re.VERBOSE)
        matches = [
            (path, match)
            for path in find_files(self.paths, self.filename_glob)
            if (match := pattern.match(path.name)) is not None
        ]
        candidates = self._one_file_per_scene(matches) if self.separate_files else matches
        key = "\n".join(
            [
                type(self).__module__,
                type(self).__qualname__,
                self.filename_glob,
                self.filename_regex,
                *sorted(str(path.resolve()) for path in self.paths),
            ]
        )
        profiles = read_profiles([path for path, _ in candidates], key)
        records: list[SceneRecord] = []
        for (path, match), profile in zip(candidates, profiles, strict=True):
            if isinstance(profile, str):
                warnings.warn(redacted(f"{owner}: skipping {path}: not a readable raster ({profile})"), stacklevel=4)
                continue
            mint, maxt = interval_from_match(match, self.date_format, str(path))
            acquisition = None
            if self.time_series:
                check_dated(owner, path, (mint, maxt))
                acquisition = self.acquisition_key(path, match)
            records.append(SceneRecord(str(path), profile, mint, maxt, self._scene_bands.get(str(path)), acquisition))
        if not records:
            incomplete = (
                f" ({len(self._incomplete_scenes)} scene(s) lack a selected band, e.g. {self._incomplete_scenes[0]})"
                if self._incomplete_scenes
                else ""
            )
            raise DatasetNotFoundError(
                owner,
                [str(path) for path in self.paths],
                f"no readable file matches filename_glob={self.filename_glob!r} and "
                f"filename_regex{incomplete}; pass paths=... pointing at the rasters",
            )
        return records

    def _keep_band_files(self, record: SceneRecord) -> None:
        """Keep a ``separate_files`` scene's band files for its reads.

        Raises:
            ValueError: if the record gives band files for a product of one file per scene, or
                not one file per selected band for a ``separate_files`` product, naming the scene.
        """
        if record.band_files is None:
            if self.separate_files and self.bands:
                raise ValueError(
                    f"{type(self).__name__}: scene {record.path} has no band_files, but separate_files=True "
                    f"reads each of bands={list(self.bands)} from its own file; give one file per band"
                )
            return
        if not self.separate_files:
            raise ValueError(
                f"{type(self).__name__}: scene {record.path} gives band_files, but separate_files=False reads "
                f"every band from the file path; give band_files=None, or set separate_files=True"
            )
        if len(record.band_files) != len(self.bands):
            raise ValueError(
                f"{type(self).__name__}: scene {record.path} gives {len(record.band_files)} band_files for "
                f"bands={list(self.bands)}; give one file per selected band, in that order"
            )
        self._scene_bands[record.path] = record.band_files

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
                    f"{type(self).__name__}: skipping {redacted(str(path))}: its name holds no band (filename_regex's "
                    f"band group) and separate_files=True reads each band from its own file",
                    stacklevel=5,
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
                skipped = redacted(f"{type(self).__name__}: skipping the scene of {path}: {missing}")
                warnings.warn(skipped, stacklevel=5)
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
        remote = is_remote(path)
        directory, name = Path(path).parent, RemotePath(path).name if remote else Path(path).name
        match = re.match(self.filename_regex, name, re.VERBOSE)
        if match is None or "band" not in match.groupdict() or match.group("band") is None:
            return [path]
        start, end = match.span("band")
        found = self._scene_files.get(path, {})
        # A URL keeps its scheme's double slash and its query: only its name changes (Path would merge the slashes).
        head, _, tail = path.rpartition(name)
        return [
            found.get(band)
            or (f"{head}{name[:start]}{band}{name[end:]}{tail}" if remote
                else _spelled_as_on_disk(directory / f"{name[:start]}{band}{name[end:]}"))
            for band in self.bands
        ]
