"""What a dataset declares to be opened: the files it needs, how to tell they are there, its splits and bands."""

from __future__ import annotations

import abc
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import ClassVar

from geotorch.core.resources import Resource, ensure_present


def check_choice(dataset: str, kind: str, value: object, choices: Collection[object]) -> None:
    """Refuse a constructor argument that is not one of ``choices``.

    Args:
        dataset: the dataset's name, for the message.
        kind: what the argument chooses ("split", "version", ...), for the message.
        value: the argument.
        choices: the values accepted, in the order the message lists them.

    Raises:
        ValueError: ``"<dataset>: unknown <kind> <value>; choose one of [<choices>]"`` if ``value`` is not
            among ``choices``.
    """
    if value not in choices:
        raise ValueError(f"{dataset}: unknown {kind} {value!r}; choose one of {list(choices)}")


def choose_bands(
    dataset: str, bands: Sequence[str] | None, all_bands: Sequence[str], default_bands: Sequence[str] = ()
) -> tuple[str, ...]:
    """The bands to read, in sample order: ``bands``, else ``default_bands``, else ``all_bands``.

    The one band rule of every dataset (:meth:`DatasetLifecycle.select_bands`,
    :meth:`~geotorch.core.RasterDataset.select_bands`).

    Args:
        dataset: the dataset's name, for the message.
        bands: the bands asked for, or None for the default.
        all_bands: every band the dataset has.
        default_bands: the bands read when ``bands`` is None (all when empty).

    Raises:
        TypeError: if ``bands`` is one string (``'RGB'``, ``'B04'``), which would be read letter by letter.
        ValueError: ``"<dataset>: unknown band(s) [...]; choose from [...]"`` if a band is not in
            ``all_bands``, or ``"<dataset>: bands must name at least one band; ..."`` if ``bands`` is empty.
    """
    if isinstance(bands, str | bytes):
        example = f", such as {list(all_bands[:3])}" if all_bands else ""
        raise TypeError(
            f"{dataset}: bands={bands!r} must be a list of band names{example}, not one string (read letter by "
            f"letter)"
        )
    chosen = tuple(bands) if bands is not None else tuple(default_bands or all_bands)
    if not chosen and bands is not None:
        raise ValueError(f"{dataset}: bands must name at least one band; choose from {list(all_bands)}")
    unknown = [band for band in chosen if band not in all_bands]
    if unknown:
        raise ValueError(f"{dataset}: unknown band(s) {unknown}; choose from {list(all_bands)}")
    return chosen


class DatasetLifecycle(abc.ABC):
    """Mixin giving a dataset the lifecycle of its files, and its split and band checks.

    Mix it into a :class:`~geotorch.core.NonGeoDataset` or :class:`~geotorch.core.GeoDataset`
    subclass (``class MyDataset(DatasetLifecycle, NonGeoDataset)``). The constructor sets ``root``
    and whatever :meth:`resources` and :meth:`is_present` read (the split, the bands), then calls
    :meth:`prepare`, which uses the files in ``root`` as they are, else extracts the archives found
    there, else downloads them (only when asked), else raises a
    :class:`~geotorch.core.DatasetNotFoundError` naming ``root`` and how to get the data.

    Override points (class attributes and public methods; none is private):

    - :meth:`is_present` (required): whether the extracted data this instance reads is complete
      under ``root``.
    - :meth:`resources`: the files still to obtain for this instance (archives, split files), as
      :class:`~geotorch.core.Resource`; none by default (data that cannot be downloaded).
    - ``manual``: how to obtain the data by hand, for data behind a registration or a client;
      :meth:`resources` then names the archives the user places in ``root``, which are verified
      and extracted but never fetched.
    - ``splits``: the split names :meth:`check_split` accepts, in the order its message lists them
      (a mapping from each split to what it needs serves as well: its keys are the names).
    - ``all_bands``: every band the product has, in file order; :meth:`select_bands` picks among them
      (``default_bands`` when none is asked, all when that is empty), by the same rule as
      :class:`~geotorch.core.RasterDataset`, so the order of the two bases does not matter.

    Example, a whole downloadable dataset's declaration::

        class Fields(DatasetLifecycle, NonGeoDataset):
            splits = ("train", "test")
            archive = Resource("https://example.org/fields.zip", "fields.zip", md5="...")

            def __init__(self, root="data", split="train", download=False, checksum=False):
                self.root, self.split = Path(root), self.check_split(split)
                self.prepare(download, checksum)

            def resources(self):
                return [self.archive]

            def is_present(self):
                return (self.root / "fields" / self.split).is_dir()
    """

    root: Path
    """The folder that holds (or will hold) the data."""
    manual: ClassVar[str] = ""
    """How to obtain archives that cannot be downloaded automatically ("" when they can)."""
    splits: ClassVar[Collection[str]] = ()
    """The split names :meth:`check_split` accepts."""
    all_bands: ClassVar[tuple[str, ...]] = ()
    default_bands: ClassVar[tuple[str, ...]] = ()
    """Every band of the product, in file order; :meth:`select_bands` chooses among them."""

    def resources(self) -> Sequence[Resource]:
        """The files still to obtain for this instance: archives to extract into ``root``, plain files.

        Leave out a resource whose content is already in place: when anything else is missing, every
        resource listed is fetched (if absent) and extracted again.

        Returns:
            The resources, in the order to fetch them; none by default.
        """
        return ()

    @abc.abstractmethod
    def is_present(self) -> bool:
        """Whether the extracted data this instance reads is complete under ``root``."""

    def prepare(self, download: bool, checksum: bool) -> None:
        """Make this instance's data present under ``root``, doing as little as possible.

        Runs :func:`~geotorch.core.ensure_present` with this class's name, ``root``,
        :meth:`resources`, :meth:`is_present` and ``manual``.

        Args:
            download: fetch the missing resources (never for a dataset with a ``manual`` hint).
            checksum: verify archives against their published checksums.

        Raises:
            DatasetNotFoundError: if the data is missing and cannot or may not be downloaded, or if what
                was extracted does not satisfy :meth:`is_present`.
            ChecksumError: if ``checksum`` and a downloaded or existing archive fails verification.
        """
        ensure_present(type(self).__name__, self.root, self.resources(), self.is_present, download, checksum,
                       self.manual)

    def check_split(self, split: str) -> str:
        """``split`` itself, when it is one of ``splits``.

        Raises:
            ValueError: ``"<class>: unknown split '<split>'; choose one of [...]"`` otherwise.
        """
        check_choice(type(self).__name__, "split", split, self.splits)
        return split

    def select_bands(self, bands: Sequence[str] | None) -> tuple[str, ...]:
        """The bands to read, in the order asked: ``bands``, else ``default_bands``, else ``all_bands``.

        Raises:
            TypeError: if ``bands`` is one string, not a list of band names (see :func:`choose_bands`).
            ValueError: if a band is not in ``all_bands`` or ``bands`` names none (see :func:`choose_bands`).
        """
        return choose_bands(type(self).__name__, bands, self.all_bands, self.default_bands)
