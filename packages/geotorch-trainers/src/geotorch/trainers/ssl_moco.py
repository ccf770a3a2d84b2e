"""MoCoTask: self-supervised pre-training against a momentum encoder's keys, from a queue or the batch (InfoNCE)."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from geotorch.trainers.base import rename_legacy
from geotorch.trainers.ssl_arguments import check_ssl_arguments
from geotorch.trainers.ssl_common import SelfSupervisedTask, projection_head

#: Each MoCo version's defaults: projection layers, hidden and output width, temperature and queue length.
#: v1 has a linear head, v2 an MLP head, v3 a batch-normed MLP, a predictor and in-batch negatives.
MOCO_DEFAULTS: dict[int, dict[str, Any]] = {
    1: {"layers": 1, "hidden_dim": 2048, "output_dim": 128, "temperature": 0.07, "memory_bank_size": 65536},
    2: {"layers": 2, "hidden_dim": 2048, "output_dim": 128, "temperature": 0.2, "memory_bank_size": 65536},
    3: {"layers": 3, "hidden_dim": 4096, "output_dim": 256, "temperature": 1.0, "memory_bank_size": 0},
}


def info_nce_loss(queries: Tensor, keys: Tensor, temperature: float, queue: Tensor | None = None) -> Tensor:
    """MoCo's InfoNCE: each query must pick its own key among the negatives.

    Args:
        queries: the online encoder's outputs ``(B, D)``.
        keys: the momentum encoder's outputs for the other views ``(B, D)``, without gradient.
        temperature: the softmax temperature.
        queue: normalised keys of earlier batches ``(K, D)``, the negatives of MoCo v1 and v2;
            None takes the batch's other keys as negatives (MoCo v3).

    Returns:
        The mean loss.
    """
    queries, keys = F.normalize(queries, dim=1), F.normalize(keys, dim=1)
    if queue is None:
        logits = queries @ keys.T
        targets = torch.arange(queries.shape[0], device=queries.device)
    else:
        positives = (queries * keys).sum(dim=1, keepdim=True)
        logits = torch.cat([positives, queries @ queue.T], dim=1)
        targets = torch.zeros(queries.shape[0], dtype=torch.long, device=queries.device)
    return F.cross_entropy(logits / temperature, targets)


class MoCoTask(SelfSupervisedTask):
    """MoCo (He et al. 2020; v2 Chen et al. 2020; v3 Chen et al. 2021): contrast queries with momentum keys.

    The momentum encoder (``momentum_backbone`` and ``momentum_projection``) is not trained by
    the optimiser: at each training step it moves toward the online one by EMA with
    ``moco_momentum``. v1 and v2 take their negatives from a queue of the last
    ``memory_bank_size`` keys (the batch's keys if it is 0); v3 adds a predictor to the online
    branch and takes the batch's other keys as negatives. Batches, logs and predictions as
    :class:`~geotorch.trainers.ssl_simclr.SimCLRTask`.

    Args:
        model: a registered backbone or any timm name.
        weights: a registered weight name, a checkpoint file, ``"imagenet"`` (downloaded if not cached), or None.
        in_channels: bands of the input images.
        version: 1, 2 or 3; sets the defaults of the arguments left None (see :data:`MOCO_DEFAULTS`).
        layers: linear layers of the projection head.
        hidden_dim: width of the projection's (and v3 predictor's) hidden layers.
        output_dim: width of the projections.
        temperature: the InfoNCE temperature.
        memory_bank_size: keys kept as negatives (v1, v2); 0 uses the batch's.
        moco_momentum: EMA momentum of the momentum encoder.
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
        ValueError: if ``version`` is not 1, 2 or 3, v3 is given a memory bank, ``memory_bank_size`` is not a
            whole number of 0 or more, ``temperature`` is not above 0, ``moco_momentum`` is not from 0 to 1, or
            a width, ``layers``, ``in_channels`` or ``size`` is not a whole number of at least 1.
    """

    #: Normalised keys of earlier batches ``(memory_bank_size, output_dim)``; None without a memory bank.
    queue: Tensor | None
    #: Where the next keys go in the queue.
    queue_pointer: Tensor
    #: v3's predictor on the online branch; None in v1 and v2.
    predictor: nn.Module | None

    def __init__(
        self,
        model: str = "resnet18",
        weights: str | bool | None = None,
        in_channels: int = 3,
        version: int = 3,
        layers: int | None = None,
        hidden_dim: int | None = None,
        output_dim: int | None = None,
        lr: float = 1e-3,
        weight_decay: float = 1e-6,
        *,
        temperature: float | None = None,
        memory_bank_size: int | None = None,
        moco_momentum: float = 0.99,
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
        if version not in MOCO_DEFAULTS:
            raise ValueError(f"MoCoTask: version={version!r} must be 1, 2 or 3")
        defaults = MOCO_DEFAULTS[version]
        layers = defaults["layers"] if layers is None else layers
        hidden_dim = defaults["hidden_dim"] if hidden_dim is None else hidden_dim
        output_dim = defaults["output_dim"] if output_dim is None else output_dim
        temperature = defaults["temperature"] if temperature is None else temperature
        memory_bank_size = defaults["memory_bank_size"] if memory_bank_size is None else memory_bank_size
        if version == 3 and memory_bank_size:
            raise ValueError(
                f"MoCoTask: version 3 takes its negatives from the batch; memory_bank_size={memory_bank_size} "
                "needs version 1 or 2, or set memory_bank_size=0"
            )
        check_ssl_arguments(type(self).__name__, temperature=temperature, moco_momentum=moco_momentum,
                            memory_bank_size=memory_bank_size, counts={
            "in_channels": in_channels, "layers": layers, "hidden_dim": hidden_dim, "output_dim": output_dim,
            "size": size})
        super().__init__()
        self.save_hyperparameters(ignore=["augmentations"])
        self.configure_views(augmentations)
        self.configure_task()

    def configure_models(self) -> None:
        """The backbone and projection, their momentum copies, v3's predictor and v1/v2's queue."""
        hparams = self.hparams
        width = self.configure_backbone()
        version, hidden, output = hparams["version"], hparams["hidden_dim"], hparams["output_dim"]
        self.projection = projection_head(width, hidden, output, hparams["layers"], batch_norm=version == 3)
        self.predictor = projection_head(output, hidden, output, 2, batch_norm=True) if version == 3 else None
        self.configure_momentum()
        size = hparams["memory_bank_size"]
        self.register_buffer("queue", F.normalize(torch.randn(size, output), dim=1) if size else None)
        self.register_buffer("queue_pointer", torch.zeros((), dtype=torch.long))

    def contrasts_within_batch(self) -> bool:
        """Whether the batch's other keys are the negatives: without a memory bank (v3, or size 0)."""
        return self.queue is None

    @torch.no_grad()
    def enqueue(self, keys: Tensor) -> None:
        """Put ``keys`` into the queue in place of its oldest ones."""
        queue: Tensor | None = self.queue
        if queue is None:
            return
        slots = (self.queue_pointer + torch.arange(keys.shape[0], device=queue.device)) % queue.shape[0]
        queue[slots] = F.normalize(keys.detach(), dim=1).to(queue.dtype)
        self.queue_pointer.copy_((self.queue_pointer + keys.shape[0]) % queue.shape[0])

    def pair_loss(self, first: Tensor, second: Tensor, training: bool) -> Tensor:
        """Symmetric InfoNCE of each view's queries against the other view's keys; in training, EMA then enqueue."""
        if training:
            self.update_momentum()
        images = torch.cat([first, second])
        queries = self.projection(self(images))
        if self.predictor is not None:
            queries = self.predictor(queries)
        queries_first, queries_second = queries.chunk(2)
        keys = self.momentum_projections(images)
        keys_first, keys_second = keys.chunk(2)
        # A copy: enqueueing below writes into the queue in place, which autograd still needs for backward.
        queue = None if self.queue is None else self.queue.clone()
        temperature = self.hparams["temperature"]
        loss = (info_nce_loss(queries_first, keys_second, temperature, queue)
                + info_nce_loss(queries_second, keys_first, temperature, queue)) / 2
        if training:
            self.enqueue(keys)
        return loss
