r"""The QR and RQ losses between predicted class probabilities and prior class probabilities.

From Malkin et al., "Resolving label uncertainty with implicit posterior models" (UAI 2022,
https://arxiv.org/abs/2202.14000). With ``q`` the network's probabilities and ``p`` the prior, both
``B x C x H x W`` and summing to 1 over ``C``, and :math:`\bar q_c` the mean of ``q`` over batch and pixels:

* QR (forward): :math:`\sum_c \bar q_c \log \bar q_c - \langle \sum_c q_c \log p_c \rangle`;
* RQ (backward): the implicit posterior :math:`r \propto p \cdot q / \sum_{b,h,w} q` (normalised over classes)
  and the loss :math:`\langle \sum_c r_c (\log r_c - \log q_c) \rangle`;

where :math:`\langle \cdot \rangle` is the mean over batch and pixels.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn


def _check_eps(eps: float, owner: str) -> float:
    if not eps >= 0:
        raise ValueError(f"{owner}: eps={eps!r}; it must be 0 or more")
    return eps


def _check_shapes(probs: Tensor, target: Tensor, owner: str) -> None:
    if probs.ndim != 4 or probs.shape != target.shape:
        raise ValueError(
            f"{owner}: probs {tuple(probs.shape)} and target {tuple(target.shape)} must both be B x C x H x W"
        )


class QRLoss(nn.Module):
    """The QR (forward) loss of predicted class probabilities against a prior.

    Args:
        eps: added inside the logarithms so that a zero probability gives a finite loss; 0 or more.

    Raises:
        ValueError: if ``eps`` is negative.
    """

    def __init__(self, eps: float = 1e-8) -> None:
        super().__init__()
        self.eps = _check_eps(eps, "QRLoss")

    def forward(self, probs: Tensor, target: Tensor) -> Tensor:
        """The loss, a scalar tensor.

        Args:
            probs: predicted class probabilities, ``B x C x H x W``, summing to 1 over ``C``.
            target: prior class probabilities, same shape.

        Raises:
            ValueError: if the shapes differ or are not ``B x C x H x W``.
        """
        _check_shapes(probs, target, "QRLoss")
        mean_q = probs.mean(dim=(0, 2, 3))
        neg_entropy = (mean_q * torch.log(mean_q + self.eps)).sum()
        cross = (probs * torch.log(target + self.eps)).sum(dim=1).mean()
        return neg_entropy - cross


class RQLoss(nn.Module):
    """The RQ (backward) loss of predicted class probabilities against a prior.

    Args:
        eps: added inside the logarithms and as a floor of the per-class normaliser; 0 or more.

    Raises:
        ValueError: if ``eps`` is negative.
    """

    def __init__(self, eps: float = 1e-8) -> None:
        super().__init__()
        self.eps = _check_eps(eps, "RQLoss")

    def forward(self, probs: Tensor, target: Tensor) -> Tensor:
        """The loss, a scalar tensor.

        Args:
            probs: predicted class probabilities, ``B x C x H x W``, summing to 1 over ``C``.
            target: prior class probabilities, same shape.

        Raises:
            ValueError: if the shapes differ or are not ``B x C x H x W``.
        """
        _check_shapes(probs, target, "RQLoss")
        class_mass = probs.abs().sum(dim=(0, 2, 3), keepdim=True).clamp_min(self.eps)
        weighted = probs / class_mass * target
        posterior = weighted / weighted.abs().sum(dim=1, keepdim=True).clamp_min(1e-12)
        divergence = posterior * (torch.log(posterior + self.eps) - torch.log(probs + self.eps))
        return divergence.sum(dim=1).mean()
