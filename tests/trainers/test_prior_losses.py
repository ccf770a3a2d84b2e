"""geotorch.losses: TorchGeo's QRLoss and RQLoss, checked against values worked out by hand."""

from __future__ import annotations

import math

import pytest
import torch

from geotorch.losses import QRLoss, RQLoss

# One image, two classes, two pixels: class-major, so PROBS[c][k] is class c at pixel k.
PROBS = [[0.8, 0.4], [0.2, 0.6]]
PRIOR = [[0.5, 0.9], [0.5, 0.1]]


def as_tensor(values: list[list[float]]) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float64).view(1, 2, 1, 2)


def test_qr_loss_by_hand() -> None:
    # Mean prediction per class over pixels: 0.6 and 0.4.
    neg_entropy = 0.6 * math.log(0.6) + 0.4 * math.log(0.4)
    cross = ((0.8 * math.log(0.5) + 0.2 * math.log(0.5)) + (0.4 * math.log(0.9) + 0.6 * math.log(0.1))) / 2
    loss = QRLoss(eps=0.0)(as_tensor(PROBS), as_tensor(PRIOR))
    assert loss.item() == pytest.approx(neg_entropy - cross, rel=1e-12)


def test_rq_loss_by_hand() -> None:
    # Class masses 1.2 and 0.8; pixel 1: (0.8/1.2 * 0.5, 0.2/0.8 * 0.5) = (1/3, 1/8) -> r = (8/11, 3/11);
    # pixel 2: (0.4/1.2 * 0.9, 0.6/0.8 * 0.1) = (0.3, 0.075) -> r = (0.8, 0.2).
    first = 8 / 11 * math.log((8 / 11) / 0.8) + 3 / 11 * math.log((3 / 11) / 0.2)
    second = 0.8 * math.log(0.8 / 0.4) + 0.2 * math.log(0.2 / 0.6)
    loss = RQLoss(eps=0.0)(as_tensor(PROBS), as_tensor(PRIOR))
    assert loss.item() == pytest.approx((first + second) / 2, rel=1e-12)


def test_qr_loss_is_zero_for_uniform_prediction_and_prior() -> None:
    uniform = torch.full((2, 4, 3, 3), 0.25)
    assert QRLoss()(uniform, uniform).item() == pytest.approx(0.0, abs=1e-6)


def test_losses_backpropagate_to_the_logits() -> None:
    logits = torch.randn(2, 3, 4, 4, requires_grad=True)
    prior = torch.softmax(torch.randn(2, 3, 4, 4), dim=1)
    for loss in (QRLoss(), RQLoss()):
        logits.grad = None
        loss(torch.softmax(logits, dim=1), prior).backward()
        assert logits.grad is not None and torch.isfinite(logits.grad).all()


def test_zero_probabilities_give_a_finite_loss_with_the_default_eps() -> None:
    probs = torch.tensor([1.0, 0.0]).view(1, 2, 1, 1)
    prior = torch.tensor([0.0, 1.0]).view(1, 2, 1, 1)
    assert math.isfinite(QRLoss()(probs, prior).item())
    assert math.isfinite(RQLoss()(probs, prior).item())


@pytest.mark.parametrize("loss", [QRLoss, RQLoss])
def test_negative_eps_is_refused(loss: type[QRLoss] | type[RQLoss]) -> None:
    with pytest.raises(ValueError, match="eps=-1"):
        loss(eps=-1)


@pytest.mark.parametrize("loss", [QRLoss(), RQLoss()])
def test_shapes_must_match(loss: QRLoss | RQLoss) -> None:
    with pytest.raises(ValueError, match=r"probs \(1, 2, 3, 3\) and target \(1, 3, 3, 3\)"):
        loss(torch.rand(1, 2, 3, 3), torch.rand(1, 3, 3, 3))
