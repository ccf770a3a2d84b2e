"""What the DDP scripts fitting a recorder on two CPU ranks share: the module's plumbing and the fit itself."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from lightning.pytorch import LightningDataModule, LightningModule, Trainer


class OneWeight(LightningModule):
    """A module of one weight (SGD, lr 0.1) that moves only a batch's tensors (bounds are frozen BoundingBoxes)."""

    def __init__(self) -> None:
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(1))

    def transfer_batch_to_device(self, batch: dict[str, Any], device: torch.device, dataloader_idx: int) -> Any:
        return {key: value.to(device) if isinstance(value, torch.Tensor) else value for key, value in batch.items()}

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.SGD(self.parameters(), lr=0.1)


def fit_on_two_ranks(
    task: LightningModule, datamodule: LightningDataModule, output: Path, max_epochs: int, findings: Callable[[], Any]
) -> None:
    """Fit ``task`` under DDP on two CPU ranks, then write this rank's ``findings()`` to ``output/rank<k>.json``."""
    trainer = Trainer(accelerator="cpu", devices=2, strategy="ddp", max_epochs=max_epochs, logger=False,
                      enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False,
                      num_sanity_val_steps=0, default_root_dir=output)
    trainer.fit(task, datamodule=datamodule)
    (output / f"rank{trainer.global_rank}.json").write_text(json.dumps(findings()))
