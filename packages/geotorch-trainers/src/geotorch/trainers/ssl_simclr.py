"""SimCLRTask: self-supervised pre-training by telling each image's other view apart from the batch (NT-Xent)."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from geotorch.trainers.base import rename_legacy
from geotorch.trainers.ssl_arguments import check_ssl_arguments
from geotorch.trainers.ssl_common import SelfSupervisedTask, projection_head

#: Projection depth of each SimCLR version: v1 has a two-layer head, v2 a three-layer one.
SIMCLR_LAYERS = {1: 2, 2: 3}


def nt_xent_loss(first: Tensor, second: Tensor, temperature: float) -> Tensor:
    """SimCLR's normalised temperature-scaled cross-entropy of two batches of projections.

    Each of the ``2B`` projections must pick out its other view among the ``2B - 1`` others.

    Args:
        first: projections of the first views ``(B, D)``.
        second: projections of the second views ``(B, D)``.
        temperature: the softmax temperature.

    Returns:
        The mean loss.
    """
    projections = F.normalize(torch.cat([first, second]), dim=1)
    similarity = projections @ projections.T / temperature
    count = first.shape[0]
    # A projection is trivially most similar to itself: leave it out of its own softmax.
    similarity = similarity.masked_fill(torch.eye(2 * count, dtype=torch.bool, device=similarity.device),
                                        float("-inf"))
    positives = torch.arange(2 * count, device=similarity.device).roll(count)
    return F.cross_entropy(similarity, positives)


class SimCLRTask(SelfSupervisedTask):
    """SimCLR (Chen et al. 2020, v2 2020): pre-train a backbone by contrasting two augmented views of each image.

    Batches hold ``image`` ``(B, C, H, W)``, augmented twice by ``augmentations``, or two
    given views ``(B, 2, C, H, W)``. Logs ``train_loss`` and ``val_loss``; ``predict_step``
    returns backbone features.

    Args:
        model: a registered backbone or any timm name.
        weights: a registered weight name, a checkpoint file, ``"imagenet"`` (downloaded if not cached), or None.
        in_channels: bands of the input images.
        version: 1 or 2; the version sets the default projection depth (2 or 3 layers).
        layers: linear layers of the projection head; None takes the version's.
        hidden_dim: width of the projection's hidden layers; None takes the backbone's feature width.
        output_dim: width of the projections.
        temperature: the NT-Xent temperature.
        lr: learning rate of AdamW.
        weight_decay: weight decay of AdamW.
        patience: epochs without improvement of ``val_loss`` before the plateau scheduler lowers the rate.
        scheduler: ``cosine`` (default), ``plateau`` or ``none``.
        size: height and width of the default augmentations' crops.
        augmentations: a module taking and returning a batch dict, or a kornia augmentation or container
            taking image tensors (TorchGeo's ``K.AugmentationSequential``), applied once per view;
            None uses :func:`~geotorch.trainers.ssl_common.default_augmentations`.
        **legacy: TorchGeo's older names (``learning_rate``, ...).

    Raises:
        ValueError: if ``version`` is not 1 or 2, ``temperature`` is not above 0, or a width, ``layers``,
            ``in_channels`` or ``size`` is not a whole number of at least 1.
    """

    def __init__(
        self,
        model: str = "resnet18",
        weights: str | bool | None = None,
        in_channels: int = 3,
        version: int = 2,
        layers: int | None = None,
        hidden_dim: int | None = None,
        output_dim: int = 128,
        lr: float = 1e-3,
        *,
        weight_decay: float = 1e-4,
        temperature: float = 0.07,
        size: int = 224,
        augmentations: nn.Module | None = None,
        patience: int = 10,
        scheduler: str = "cosine",
        **legacy: Any,
    ) -> None:
        renamed = rename_legacy(type(self).__name__, legacy)
        legacy.clear()
        model = renamed.get("model", model)
        weights = renamed.get("weights", weights)
        lr = renamed.get("lr", lr)
        patience = renamed.get("patience", patience)
        if version not in SIMCLR_LAYERS:
            raise ValueError(f"SimCLRTask: version={version!r} must be 1 or 2")
        layers = SIMCLR_LAYERS[version] if layers is None else layers
        check_ssl_arguments(type(self).__name__, temperature=temperature, counts={
            "in_channels": in_channels, "layers": layers, "hidden_dim": hidden_dim, "output_dim": output_dim,
            "size": size})
        super().__init__()
        self.save_hyperparameters(ignore=["augmentations"])
        self.configure_views(augmentations)
        self.configure_task()

    def configure_models(self) -> None:
        """The backbone and the projection head (batch norm in v2's)."""
        hparams = self.hparams
        width = self.configure_backbone()
        self.projection = projection_head(width, hparams["hidden_dim"] or width, hparams["output_dim"],
                                          hparams["layers"], batch_norm=hparams["version"] == 2)

    def contrasts_within_batch(self) -> bool:
        """True: the batch's other images are the negatives."""
        return True

    def pair_loss(self, first: Tensor, second: Tensor, training: bool) -> Tensor:
        """NT-Xent of the two views' projections."""
        projections = self.projection(self(torch.cat([first, second])))
        first_projections, second_projections = projections.chunk(2)
        return nt_xent_loss(first_projections, second_projections, self.hparams["temperature"])
