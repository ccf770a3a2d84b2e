"""NonGeoDataModule: a benchmark's published train, validation and test splits, batched and augmented."""

from __future__ import annotations

import math
from collections.abc import Callable
from numbers import Real
from typing import Any

import torch
from torch.utils.data import DataLoader, Dataset, random_split

from geotorch.core import NonGeoDataset, Sample, get_dataset_class
from geotorch.datamodules.base import BaseDataModule

#: The share held out for validation or testing when a datamodule is given none.
DEFAULT_SPLIT_PCT = 0.2


def split_share(value: float | None, name: str, owner: str) -> float | None:
    """``value`` (None passes) checked to be a share of a dataset: a number from 0 up to, not including, 1.

    Raises:
        TypeError: if ``value`` is not a number (a string, a bool).
        ValueError: if it is NaN, below 0, or 1 or more (a percentage such as 20 meant as 0.2), naming ``name``.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{owner}: {name}={value!r} must be a number from 0 to below 1, the share to hold out")
    share = float(value)
    if math.isnan(share) or not 0 <= share < 1:
        hint = f" (a percentage? give {share / 100:g})" if 1 <= share <= 100 else ""
        raise ValueError(f"{owner}: {name}={value!r} must be a share from 0 to below 1{hint}; 0 holds out nothing")
    return share


def _stack(samples: list[Sample]) -> Sample:
    from geotorch.core import stack_samples

    return stack_samples(samples)


class NonGeoDataModule(BaseDataModule):
    """A datamodule over a NonGeoDataset built as ``dataset_class(split=..., **kwargs)``.

    ``dataset_class`` is a class or the name it is registered under (``"EuroSAT"``, or a
    plugin's dataset: ``geotorch datasets`` lists them), looked up in the registry.

    ``setup`` builds the ``train``, ``val`` and ``test`` splits (the names in :attr:`split_names`);
    a benchmark published without a validation split sets ``val_split_pct`` and gets that share
    of its training split, drawn with a fixed seed. A benchmark published without any split
    (``split_names`` None) is built once, without a ``split`` argument, and ``val_split_pct`` and
    ``test_split_pct`` of it (default 0.2 each) validate and test, drawn with a fixed seed.
    Prediction uses :attr:`predict_split`, by default the test split. Under DDP, Lightning gives
    each loader a distributed sampler.
    """

    #: The dataset's names of the training, validation and test splits (a None validation split:
    #: held out of the training split; None altogether: the benchmark has no splits).
    split_names: tuple[str, str | None, str] | None = ("train", "val", "test")
    #: The split to predict on, when not the test split (one published without labels).
    predict_split: str | None = None

    def __init__(
        self,
        dataset_class: Callable[..., NonGeoDataset] | str | None = None,
        batch_size: int = 1,
        num_workers: int = 0,
        val_split_pct: float | None = None,
        test_split_pct: float | None = None,
        **kwargs: Any,
    ) -> None:
        """Keep the settings; datasets are built in :meth:`setup`.

        Args:
            dataset_class: the dataset to build, or its registered name (subclasses set it).
            batch_size: samples per batch.
            num_workers: DataLoader worker processes.
            val_split_pct: share of the training split held out for validation when the
                benchmark publishes no validation split (None: 0.2), or of the whole set when it
                publishes no split at all; 0 holds out nothing.
            test_split_pct: share of the whole set held out for testing when the benchmark
                publishes no split at all (None: 0.2); 0 holds out nothing.
            **kwargs: passed to ``dataset_class`` (``root=...``, ``bands=...``, ``download=...``).

        Raises:
            KeyError: if ``dataset_class`` is a name no dataset is registered under, listing the known ones.
            TypeError: if ``val_split_pct`` or ``test_split_pct`` is not a number.
            ValueError: if ``val_split_pct`` or ``test_split_pct`` is not from 0 to below 1, or (a benchmark
                without splits) they add up to 1 or more, which would leave nothing to train on.
        """
        super().__init__(batch_size=batch_size, num_workers=num_workers, **kwargs)
        owner = type(self).__name__
        val_split_pct = split_share(val_split_pct, "val_split_pct", owner)
        test_split_pct = split_share(test_split_pct, "test_split_pct", owner)
        held_out = [DEFAULT_SPLIT_PCT if share is None else share for share in (val_split_pct, test_split_pct)]
        if self.split_names is None and sum(held_out) >= 1:
            raise ValueError(f"{owner}: val_split_pct + test_split_pct must be below 1, got {held_out[0]} + "
                             f"{held_out[1]}: nothing would be left to train on")
        self.dataset_class: Callable[..., NonGeoDataset] | None = (
            get_dataset_class(dataset_class) if isinstance(dataset_class, str) else dataset_class
        )
        self.val_split_pct = val_split_pct
        self.test_split_pct = test_split_pct
        self.train_dataset: Dataset[Sample] | None = None
        self.val_dataset: Dataset[Sample] | None = None
        self.test_dataset: Dataset[Sample] | None = None
        self.predict_dataset: Dataset[Sample] | None = None
        #: How the loaders join samples into a batch (TorchGeo's attribute: a subclass or user sets it).
        self.collate_fn: Callable[[list[Sample]], Sample] = _stack
        self.train_aug = self.flips()

    def build(self, split: str | None) -> Dataset[Sample]:
        """The dataset of ``split`` (None: the whole benchmark, which has no splits).

        Raises:
            ValueError: if the datamodule has no ``dataset_class``.
        """
        if self.dataset_class is None:
            raise ValueError(f"{type(self).__name__}: give dataset_class")
        arguments = self.kwargs if split is None else {"split": split, **self.kwargs}
        dataset: Dataset[Sample] = self.dataset_class(**arguments)
        return dataset

    def _split_whole(self) -> None:
        """Draw train, validation and test subsets of a benchmark without splits, with a fixed seed."""
        val_fraction = DEFAULT_SPLIT_PCT if self.val_split_pct is None else self.val_split_pct
        test_fraction = DEFAULT_SPLIT_PCT if self.test_split_pct is None else self.test_split_pct
        if val_fraction + test_fraction >= 1:
            raise ValueError(f"{type(self).__name__}: val_split_pct + test_split_pct must be below 1, "
                             f"got {val_fraction} + {test_fraction}")
        fractions = [1 - val_fraction - test_fraction, val_fraction, test_fraction]
        train, val, test = random_split(self.build(None), fractions, generator=torch.Generator().manual_seed(0))
        self.train_dataset, self.val_dataset, self.test_dataset, self.predict_dataset = train, val, test, test

    def setup(self, stage: str) -> None:
        """Build the splits the stage needs."""
        if self.split_names is None:
            if self.train_dataset is None:
                self._split_whole()
            return
        train_name, val_name, test_name = self.split_names
        if stage in ("fit", "validate") and self.train_dataset is None:
            train = self.build(train_name)
            if val_name is not None:
                self.train_dataset, self.val_dataset = train, self.build(val_name)
            else:
                fraction = DEFAULT_SPLIT_PCT if self.val_split_pct is None else self.val_split_pct
                parts = random_split(train, [1 - fraction, fraction], generator=torch.Generator().manual_seed(0))
                self.train_dataset, self.val_dataset = parts[0], parts[1]
        if stage == "test" and self.test_dataset is None:
            self.test_dataset = self.build(test_name)
        if stage == "predict" and self.predict_dataset is None:
            self.predict_dataset = self.build(self.predict_split or test_name)

    def collate_for(self, stage: str) -> Callable[[list[Sample]], Sample]:
        """How the loader of ``stage`` ("fit", "validate", "test", "predict") joins samples into a batch.

        :attr:`collate_fn` for every stage; a subclass whose samples must be cut to one size before they are
        stacked (pairs of cities of different sizes) returns another for some stages.
        """
        return self.collate_fn

    def _loader(self, dataset: Dataset[Sample] | None, stage: str, shuffle: bool) -> DataLoader[Sample]:
        if dataset is None:
            self.setup(stage)
            dataset = {"fit": self.train_dataset, "validate": self.val_dataset, "test": self.test_dataset,
                       "predict": self.predict_dataset}[stage]
        assert dataset is not None
        return DataLoader(dataset, batch_size=self.batch_size, shuffle=shuffle, num_workers=self.num_workers,
                          collate_fn=self.collate_for(stage))

    def train_dataloader(self) -> DataLoader[Sample]:
        """The training split, shuffled."""
        return self._loader(self.train_dataset, "fit", shuffle=True)

    def val_dataloader(self) -> DataLoader[Sample]:
        """The validation split."""
        return self._loader(self.val_dataset, "validate", shuffle=False)

    def test_dataloader(self) -> DataLoader[Sample]:
        """The test split."""
        return self._loader(self.test_dataset, "test", shuffle=False)

    def predict_dataloader(self) -> DataLoader[Sample]:
        """The test split, for prediction."""
        return self._loader(self.predict_dataset, "predict", shuffle=False)
