"""NonGeoDataset: index-based datasets of fixed chips (benchmarks)."""

from __future__ import annotations

import abc

from torch.utils.data import Dataset

from geotorch.core.sample import Sample


class NonGeoDataset(Dataset[Sample], abc.ABC):
    """A dataset of pre-cut chips addressed by integer index, returning sample dicts."""

    @abc.abstractmethod
    def __getitem__(self, index: int) -> Sample:
        """Return the sample at ``index``.

        Raises:
            IndexError: if ``index`` is out of range.
        """

    @abc.abstractmethod
    def __len__(self) -> int:
        """Number of samples."""

    def __str__(self) -> str:
        """The class name and the number of samples."""
        return f"{type(self).__name__} with {len(self)} samples"
