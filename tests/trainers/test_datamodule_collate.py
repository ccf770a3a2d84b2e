"""A datamodule's loaders join samples with its ``collate_fn``, TorchGeo's attribute, whoever sets it."""

from __future__ import annotations

import torch

from geotorch.core import NonGeoDataset, Sample, stack_samples
from geotorch.datamodules import NonGeoDataModule


class Numbers(NonGeoDataset):
    """Four one-band 2x2 images holding their index, in every split."""

    def __init__(self, split: str = "train") -> None:
        self.split = split

    def __len__(self) -> int:
        return 4

    def __getitem__(self, index: int) -> Sample:
        return {"image": torch.full((1, 2, 2), float(index))}


def test_loaders_stack_samples_by_default() -> None:
    datamodule = NonGeoDataModule(Numbers, batch_size=2)
    batch = next(iter(datamodule.test_dataloader()))
    assert batch["image"].shape == (2, 1, 2, 2)
    assert batch["image"][:, 0, 0, 0].tolist() == [0.0, 1.0]


def test_every_loader_uses_the_collate_fn_set_on_the_datamodule() -> None:
    calls: list[int] = []

    def collate(samples: list[Sample]) -> Sample:
        calls.append(len(samples))
        return {**stack_samples(samples), "collated_by": "collate"}

    datamodule = NonGeoDataModule(Numbers, batch_size=2, val_split_pct=0.5)
    datamodule.collate_fn = collate
    loaders = [datamodule.train_dataloader(), datamodule.val_dataloader(), datamodule.test_dataloader()]
    assert all(next(iter(loader))["collated_by"] == "collate" for loader in loaders)
    assert calls == [2, 2, 2]
