"""Lightning's batch limits on the ``geotorch`` command line: a whole number is a count of batches."""

from __future__ import annotations

from lightning.pytorch.cli import LightningArgumentParser

#: The Trainer arguments where an int counts batches and a float is a fraction of them, by split.
BATCH_LIMITS = {
    "limit_train_batches": "training",
    "limit_val_batches": "validation",
    "limit_test_batches": "test",
    "limit_predict_batches": "prediction",
}


def count_whole_batch_limits(parser: LightningArgumentParser) -> None:
    """Read a whole number given as ``--trainer.limit_*_batches`` (option or config) as that many batches.

    Lightning types them ``float | int | None``, so jsonargparse, trying the float first, read ``1`` as
    ``1.0``: the whole split instead of the one batch ``Trainer(limit_train_batches=1)`` runs. The
    options are declared again as ``int | float | None``; a value with a decimal point (``1.0``,
    ``0.25``) is still a fraction.

    Args:
        parser: a subcommand's parser, holding the ``trainer`` group.
    """
    group = parser.groups["trainer"] if parser.groups and "trainer" in parser.groups else None
    if group is None:
        return
    handler = group.conflict_handler
    group.conflict_handler = "resolve"  # replaces Lightning's declaration of each option, not adds a second
    try:
        for name, split in BATCH_LIMITS.items():
            group.add_argument(
                f"--trainer.{name}",
                type=int | float | None,
                default=parser.get_default(f"trainer.{name}"),
                help=f"How much of the {split} data to run each epoch, per device: a whole number of batches "
                     "(1 is one batch) or a fraction (0.25; 1.0 is all of it). Default: all of it.",
            )
    finally:
        group.conflict_handler = handler
