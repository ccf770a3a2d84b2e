"""``geotorch fit|validate|test|predict``: LightningCLI over every registered task and datamodule."""

from __future__ import annotations

import logging
import re
import sys
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jsonargparse import ArgumentError, Namespace
from lightning.pytorch import LightningDataModule, LightningModule
from lightning.pytorch.cli import ArgsType, LightningArgumentParser, LightningCLI

from geotorch.trainers.cli_checkpoint import checkpoint_model
from geotorch.trainers.cli_checkpoint_choices import checkpoint_choice_answered, last_checkpoint
from geotorch.trainers.cli_checks import check_names, check_output_folders, checkpoint_in_home
from geotorch.trainers.cli_errors import parse_error_line, with_config_option, with_key_meant
from geotorch.trainers.cli_limits import count_whole_batch_limits
from geotorch.trainers.cli_names import torchgeo_task_names
from geotorch.trainers.cli_secrets import RedactedConfigCallback
from geotorch.trainers.configs import resolve_config_arguments

#: Where Lightning logs its rank-zero messages, its advertising tips among them.
LIGHTNING_RANK_ZERO_LOGGER = "lightning.pytorch.utilities.rank_zero"
#: Lightning's warning that a task and a datamodule both move batches: GeoTorch's tasks and datamodules both do
#: (a task keeps ``crs`` and ``bounds`` of a plain DataLoader's batches), by design, whoever wrote the config.
TRANSFER_HOOK_WARNING = "You have overridden `transfer_batch_to_device` in "
#: torch's deprecation of ``LeafSpec``, which Lightning's own code still builds (its ``_pytree``) at every
#: prediction: nothing the user wrote or can change.
LIGHTNING_LEAFSPEC_WARNING = re.escape("`isinstance(treespec, LeafSpec)` is deprecated")


class GeoTorchCLI(LightningCLI):
    """LightningCLI whose ``model`` is any registered task and ``data`` any registered datamodule.

    Tasks and datamodules are given by class name (``SemanticSegmentationTask``) or import path;
    every registered one, a third-party plugin's included, is imported first so its class name
    resolves. ``predict`` on a :class:`~geotorch.datamodules.GeoDataModule` adds a
    :class:`~geotorch.trainers.GeoTIFFPredictionWriter` writing to ``<default_root_dir>/predictions``
    unless the configuration has a prediction writer already. What the run writes of its configuration
    (``config.yaml``, the hyperparameters in ``hparams.yaml`` and the checkpoint) shows URLs without their
    credentials (see :mod:`.cli_secrets`); the task and data are built with the URLs as given.
    """

    def __init__(self, args: ArgsType = None, run: bool = True, typed: Sequence[str] | None = None) -> None:
        """Parse ``args`` (``["fit", "--config", "quickstart.yaml"]``) and run the subcommand.

        ``typed``: the arguments as the user wrote them (a shipped config by name), repeated in the
        command the fit summary suggests next (default: ``args``).
        """
        given = typed if typed is not None else args
        self.arguments = [str(argument) for argument in given] if isinstance(given, (list, tuple)) else []
        super().__init__(
            model_class=LightningModule,
            datamodule_class=LightningDataModule,
            subclass_mode_model=True,
            subclass_mode_data=True,
            seed_everything_default=0,
            save_config_callback=RedactedConfigCallback,
            save_config_kwargs={"overwrite": True},
            parser_kwargs={"prog": "geotorch"},
            args=args,
            run=run,
        )

    def init_parser(self, **kwargs: Any) -> LightningArgumentParser:
        """LightningCLI's parser, raising its errors for :meth:`parse_arguments` to report, not exiting."""
        return super().init_parser(**kwargs, exit_on_error=False)

    def add_arguments_to_parser(self, parser: LightningArgumentParser) -> None:
        """Read ``--trainer.limit_*_batches 1`` as one batch, not as all of them (see :mod:`.cli_limits`)."""
        count_whole_batch_limits(parser)

    def parse_arguments(self, parser: LightningArgumentParser, args: ArgsType) -> None:
        """Parse ``args`` only: under ``geotorch`` the process's own arguments are the same ones.

        A value of the wrong type, an option no class accepts (a typo in a config) and the like are
        reported as ``geotorch SUBCOMMAND: error: ...`` naming the option on one line
        (:func:`~geotorch.trainers.cli_errors.parse_error_line`), without the usage of the hundred
        options around it, and a config given without ``--config`` is told how to be given; the exit status is 2.
        """
        try:
            if isinstance(args, (dict, Namespace)):
                self.config = parser.parse_object(args)
            else:
                self.config = parser.parse_args(args)
        except ArgumentError as error:
            command = " ".join(["geotorch", *[str(word) for word in self.arguments[:1]]])
            line = with_key_meant(parse_error_line(str(error)), self._accepted_keys())
            line = with_config_option(line, command)
            print(f"{command}: error: {line}\n(`{command} --help` lists the options)", file=sys.stderr)
            raise SystemExit(2) from None

    def _accepted_keys(self) -> list[str]:
        """Every key the subcommand being parsed accepts (``trainer.max_epochs``, ``ckpt_path``, ...)."""
        subcommand = str(self.arguments[0]) if self.arguments else ""
        parser = getattr(self, "_subcommand_parsers", {}).get(subcommand)
        return list(parser.get_defaults().keys()) if parser is not None else []

    def _parse_ckpt_path(self) -> None:
        """Take the task and its hyperparameters from ``ckpt_path``'s checkpoint, as LightningCLI does.

        Lightning's own reading fails, without naming the file, on a damaged checkpoint or a
        ``torch.save`` of weights alone, on a checkpoint of a script's ``Trainer`` (which records
        no task: the configured one is meant), and builds the task of a checkpoint of another task
        than the configured one in its place (see
        :func:`~geotorch.trainers.cli_checkpoint.checkpoint_model`).

        Outside ``fit``, ``--ckpt_path last`` is first taken to the file Lightning would load
        (:func:`~geotorch.trainers.cli_checkpoint_choices.last_checkpoint`), so its task is built as
        fitted, as from that file's path.

        Raises:
            ValueError: naming the checkpoint, if it is no Lightning checkpoint or of another task.
        """
        subcommand = self.config.get("subcommand")
        ckpt_path = self.config[subcommand].get("ckpt_path") if subcommand else None
        if ckpt_path == "last" and subcommand != "fit":
            trainer = self.config[subcommand].get("trainer")
            last = last_checkpoint(trainer.get("callbacks") if isinstance(trainer, Namespace) else None)
            if last is not None:
                ckpt_path = self.config[subcommand]["ckpt_path"] = str(last)
        if not ckpt_path or not Path(ckpt_path).is_file():
            return
        model = self.config[subcommand].get("model")
        configured = model.get("class_path") if isinstance(model, Namespace) else None
        given = checkpoint_model(Path(ckpt_path), configured)
        if given is not None:
            self.config = self.parser.parse_object({subcommand: {"model": given}}, self.config)

    def _set_seed(self) -> None:
        """Seed as LightningCLI does; a seed numpy cannot take is named as the ``seed_everything`` it is.

        Raises:
            ValueError: if ``seed_everything`` (option or config key) is outside 0..2**32 - 1, which
                Lightning reports without naming the option.
        """
        try:
            super()._set_seed()
        except ValueError:
            seed = self._get(self.config, "seed_everything")
            raise ValueError(
                f"seed_everything {seed}: not a seed numpy takes (0..{2**32 - 1}); give one of those, true for a "
                "random one, or false to seed nothing"
            ) from None

    def before_instantiate_classes(self) -> None:
        """Refuse an output folder that is a file before anything is built (see :func:`check_output_folders`)."""
        subcommand = self.config.get("subcommand")
        trainer = self.config[subcommand].get("trainer") if subcommand else None
        if isinstance(trainer, Namespace):
            check_output_folders(trainer, subcommand)

    def instantiate_classes(self) -> None:
        """Build the task, datamodule and trainer; one refusing its arguments is reported by its own error.

        jsonargparse wraps a class's error (``unknown segmentation model 'resnet18'; choose from ...``)
        in a dozen lines ending with every argument's value. Under ``--ckpt_path`` the error names
        the checkpoint, whose hyperparameters the task is built with.

        Raises:
            Exception: the class's error (a ValueError naming the checkpoint under ``--ckpt_path``).
        """
        try:
            super().instantiate_classes()
        except ValueError as error:
            cause = error.__cause__
            if not isinstance(cause, Exception):
                raise
            subcommand = self.config.get("subcommand")
            ckpt_path = self.config[subcommand].get("ckpt_path") if subcommand else None
            if ckpt_path:
                raise ValueError(
                    f"--ckpt_path {ckpt_path}: the task refuses the hyperparameters it holds "
                    f"(a checkpoint of another task?): {cause}"
                ) from cause
            raise cause from None

    def _run_subcommand(self, subcommand: str) -> None:
        """Run ``subcommand``; Ctrl-C stays a ``KeyboardInterrupt``, which ``geotorch`` reports with status 130.

        Lightning catches it, shuts the run down gracefully, then exits with status 1 as a failure would.
        ``--ckpt_path best`` or ``last`` that loads no checkpoint is refused, not run untrained
        (see :func:`~geotorch.trainers.cli_checkpoint_choices.checkpoint_choice_answered`).
        """
        try:
            with checkpoint_choice_answered(subcommand, self.config[subcommand].get("ckpt_path")):
                super()._run_subcommand(subcommand)
        except SystemExit:
            trainer = getattr(self, "trainer", None)
            if trainer is not None and trainer.interrupted:
                raise KeyboardInterrupt from None
            raise

    def before_validate(self) -> None:
        """Warn when no checkpoint is given: the scores would be an untrained task's (see :func:`untrained`)."""
        self._warn_untrained("validate")

    def before_test(self) -> None:
        """Warn when no checkpoint is given: the scores would be an untrained task's (see :func:`untrained`)."""
        self._warn_untrained("test")

    def _warn_untrained(self, subcommand: str) -> None:
        if getattr(self.config.get(subcommand), "ckpt_path", None) is None:
            warnings.warn(untrained(subcommand), stacklevel=3)

    def after_fit(self) -> None:
        """Say how the fit went, where its checkpoint is and what to run next (``fit_summary``)."""
        from geotorch.trainers.predict_summary import fit_summary

        if self.trainer.is_global_zero:
            print(fit_summary(self.trainer, self.arguments[1:]))

    def before_predict(self) -> None:
        """Warn when no checkpoint is given; add a streaming COG writer for a GeoDataModule's predictions if none is.

        Another datamodule's predictions without a writer are warned of (see :func:`unwritten`): they would be
        computed and dropped.

        Unless ``--return_predictions`` is given, the predictions are not kept to be returned: the command
        drops what ``trainer.predict`` returns, and Lightning would hold every batch's prediction until the
        end, all the windows of a whole raster, beside the writer that streams them to disk (a writer with
        ``write_interval="epoch"`` still gets them).

        A prediction logs nothing, so it runs without the configured loggers: each would open a version
        folder of its own (``lightning_logs/version_N`` holding only the config), numbering the next fit's
        checkpoints past it. Without ``--ckpt_path`` (an untrained task, or one of pretrained weights never
        fit to these classes), a writer's ``output_dir`` holding earlier predictions is refused rather than
        written over.

        Raises:
            FileExistsError: without ``--ckpt_path``, if a prediction writer's ``output_dir`` holds GeoTIFFs,
                naming it, one of them and the fixes.
        """
        from lightning.pytorch.callbacks import BasePredictionWriter

        from geotorch.datamodules import GeoDataModule
        from geotorch.trainers.predict_summary import UNTRAINED
        from geotorch.trainers.writer import GeoTIFFPredictionWriter

        untrained = getattr(self.config.get(self.subcommand), "ckpt_path", None) is None
        if untrained:
            warnings.warn(UNTRAINED, stacklevel=2)
        arguments = self.config_init[self.subcommand]
        if arguments.get("return_predictions") is None:
            arguments["return_predictions"] = False
        self.trainer.loggers = []
        callbacks: list[Any] = getattr(self.trainer, "callbacks", [])
        if not any(isinstance(callback, BasePredictionWriter) for callback in callbacks):
            if isinstance(self.datamodule, GeoDataModule):
                callbacks.append(GeoTIFFPredictionWriter(Path(self.trainer.default_root_dir) / "predictions"))
            else:
                warnings.warn(unwritten(self.datamodule), stacklevel=2)
        if untrained:
            for callback in callbacks:
                if isinstance(callback, GeoTIFFPredictionWriter):
                    refuse_untrained_over(callback.output_dir)


def untrained(subcommand: str) -> str:
    """The warning for ``geotorch validate|test`` without ``--ckpt_path``: scores of a task fitted to nothing.

    A forgotten ``--ckpt_path`` after ``geotorch fit`` prints the scores of random weights (or of pretrained
    ones never fitted to these classes) as it prints a trained task's.
    """
    return (
        f"geotorch {subcommand} without --ckpt_path scores the task as configured, untrained (random weights, or "
        "pretrained ones never fitted to these classes): pass --ckpt_path=<checkpoint of geotorch fit>"
    )


def unwritten(datamodule: object) -> str:
    """The warning for a prediction whose outputs nothing writes: a datamodule of chips, not places, without a writer.

    GeoTorch writes a :class:`~geotorch.datamodules.GeoDataModule`'s windows as GeoTIFFs; the chips or series of
    any other datamodule (PASTIS, EuroSAT) have no place to be written at, and the command keeps no prediction.
    """
    return (
        f"geotorch predict: {type(datamodule).__name__} is no GeoDataModule, whose windows GeoTorch writes as "
        "GeoTIFFs, and no prediction writer is configured, so the predictions will be computed and dropped: add a "
        "lightning.pytorch.callbacks.BasePredictionWriter to trainer.callbacks to keep them"
    )


def refuse_untrained_over(folder: Path) -> None:
    """Refuse to write an untrained task's predictions (no ``--ckpt_path``) into a folder holding predictions.

    They would replace a trained checkpoint's of the same inputs without a trace (the warning aside), or
    lie beside them as if of one model.

    Raises:
        FileExistsError: if ``folder`` holds a GeoTIFF (at any depth), naming the folder, one of them and the fixes.
    """
    found = sorted(path for path in folder.rglob("*.tif") if path.is_file()) if folder.is_dir() else []
    if found:
        raise FileExistsError(
            f"geotorch predict without --ckpt_path would write an untrained task's predictions into {folder}, which "
            f"holds {len(found)} earlier GeoTIFF(s) ({found[0].relative_to(folder)} first): pass "
            "--ckpt_path=<checkpoint of geotorch fit>, or move them, or predict into another folder "
            "(--trainer.default_root_dir)"
        )


def load_registered() -> None:
    """Import every registered task and datamodule, so LightningCLI finds them by class name.

    A plugin whose class cannot be imported is a warning naming it; the rest stay usable.
    """
    from geotorch.core import get_entry, list_datamodules, list_tasks

    for kind, names in (("task", list_tasks()), ("datamodule", list_datamodules())):
        for name in names:
            entry = get_entry(kind, name)
            try:
                entry.load()
            except (ImportError, AttributeError) as error:
                warnings.warn(f"{kind} {name!r} of plugin {entry.plugin!r} cannot be imported: {error}",
                              stacklevel=2)


class LightningTipFilter(logging.Filter):
    """Drops Lightning's advertising (``💡 Tip: ... try installing litlogger``) from its log."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep every record but the tips."""
        return not record.getMessage().lstrip().startswith("💡 Tip:")


def silence_lightning_tips() -> None:
    """Keep Lightning from advertising its cloud services in ``geotorch`` commands' output (idempotent)."""
    logger = logging.getLogger(LIGHTNING_RANK_ZERO_LOGGER)
    if not any(isinstance(existing, LightningTipFilter) for existing in logger.filters):
        logger.addFilter(LightningTipFilter())


def run(subcommand: str, argv: Sequence[str]) -> int:
    """Run ``geotorch <subcommand> ARGS``; return the exit status (LightningCLI exits itself on usage errors).

    A ``--config`` value that is no file but the name of a shipped config (``quickstart``) means that config.
    TorchGeo 0.10's task names (``class_path: Classification``) mean GeoTorch's (``ClassificationTask``).
    Lightning's warning that the task and the datamodule both define ``transfer_batch_to_device`` (every
    GeoTorch task and GeoDataModule do) is not shown: the user did not write either; nor is torch's
    deprecation warning to Lightning's own code (``LeafSpec``).
    """
    with tempfile.TemporaryDirectory(prefix="geotorch-config-") as workdir, warnings.catch_warnings():
        warnings.filterwarnings("ignore", TRANSFER_HOOK_WARNING)
        warnings.filterwarnings("ignore", LIGHTNING_LEAFSPEC_WARNING, FutureWarning, module=r"lightning\.")
        resolved = torchgeo_task_names(checkpoint_in_home(resolve_config_arguments(argv)), Path(workdir))
        if not any(argument in ("-h", "--help") or argument.startswith("--print_config") for argument in resolved):
            check_names(resolved)
        load_registered()
        silence_lightning_tips()
        GeoTorchCLI(args=[subcommand, *resolved], typed=[subcommand, *argv])
    return 0
