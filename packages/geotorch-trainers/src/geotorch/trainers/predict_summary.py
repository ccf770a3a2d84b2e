"""What ``geotorch fit`` says at its end: validation scores, checkpoint, where predictions go, what to run next."""

from __future__ import annotations

import math
import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import Any

#: The warning of ``geotorch predict`` without ``--ckpt_path``.
UNTRAINED = (
    "geotorch predict without --ckpt_path predicts with the task as configured, untrained (random weights, "
    "or pretrained ones never fitted to these classes): pass --ckpt_path=<checkpoint of geotorch fit>"
)

#: Most validation scores listed.
MAX_SCORES = 8


def fit_summary(trainer: Any, arguments: Sequence[str]) -> str:
    """The lines ``geotorch fit`` prints at its end.

    Args:
        trainer: the Lightning trainer that ran the fit.
        arguments: the command's arguments after ``fit`` (those of the next command).

    Returns:
        Validation scores (``val_*`` of the last validation but the classwise ones, at most
        :data:`MAX_SCORES`, the checkpoint's monitor first), the
        checkpoint (the best one by the checkpoint callback's monitor, else the last), where
        ``geotorch predict`` writes (``<default_root_dir>/predictions``) and the command to run.
    """
    scores = {
        name: float(value)
        for name, value in trainer.callback_metrics.items()
        if name.startswith("val_") and "Classwise" not in name and _is_scalar(value)
    }
    callback = getattr(trainer, "checkpoint_callback", None)
    monitor = getattr(callback, "monitor", None)
    # The score the checkpoints are chosen by first, then the loss, then the rest by name.
    order = sorted(scores, key=lambda name: (name != monitor, name != "val_loss", name))
    shown = [(name, scores[name]) for name in order[:MAX_SCORES]]
    lines = ["geotorch fit: done"]
    lines.append(
        "  validation: "
        + (
            "  ".join(f"{name}={value:.4g}" for name, value in shown)
            if shown
            else "none ran (no validation data or limit_val_batches=0)"
        )
    )
    checkpoint = (
        (getattr(callback, "best_model_path", "") or getattr(callback, "last_model_path", "")) if callback else ""
    )
    predictions = Path(trainer.default_root_dir) / "predictions"
    if checkpoint:
        kind = f" (best {monitor})" if monitor and getattr(callback, "best_model_path", "") else ""
        lines.append(f"  checkpoint: {checkpoint}{kind}")
        command = [*_without_checkpoint(arguments), f"--ckpt_path={checkpoint}"]
        lines.append(f"  predictions: geotorch predict writes one Cloud-Optimized GeoTIFF per input to {predictions}/")
        lines.append("  next: geotorch predict " + " ".join(shlex.quote(argument) for argument in command))
    else:
        lines.append("  checkpoint: none saved (checkpointing is off); predictions would be of an untrained model")
    return "\n".join(lines)


def _is_scalar(value: Any) -> bool:
    """Whether a logged value is one finite number (a one-element tensor or a Python number)."""
    numel = getattr(value, "numel", None)
    if callable(numel) and numel() != 1:
        return False
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def _without_checkpoint(arguments: Sequence[str]) -> list[str]:
    """``arguments`` less any ``--ckpt_path`` option."""
    kept: list[str] = []
    skip = False
    for argument in arguments:
        if skip:
            skip = False
        elif argument == "--ckpt_path":
            skip = True
        elif not argument.startswith("--ckpt_path="):
            kept.append(argument)
    return kept
