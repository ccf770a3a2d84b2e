"""The module the ``geotorch`` entry point names: one hook per kind of contribution."""

from __future__ import annotations

from collections.abc import Sequence

from geotorch.core import CommandRegistrar, Register, hookimpl
from geotorch_example_plugin.dataset import ExampleScenes

DISTRIBUTION = "geotorch-example-plugin"


@hookimpl
def register_datasets(register: Register) -> None:
    """Register the dataset class itself: its task, licence and size come from its attributes."""
    register(ExampleScenes)


@hookimpl
def register_models(register: Register) -> None:
    """Register the model builder by import path, so torch.nn modules load only when it is built."""
    register("geotorch_example_plugin.model:example_cnn", task="segmentation")


@hookimpl
def register_weights(register: Register) -> None:
    """Register one weight description by import path, with searchable metadata."""
    register("geotorch_example_plugin.model:EXAMPLE_CNN_SEED0", name="example_cnn.seed0",
             arch="example_cnn", in_chans=3, sensor="rgb")


@hookimpl
def register_commands(cli: CommandRegistrar) -> None:
    """Add ``geotorch hello``."""
    cli.add("hello", hello, help="say hello from the example plugin")


def hello(argv: Sequence[str]) -> int:
    """``geotorch hello [NAME]``: greet NAME (default: world)."""
    name = " ".join(argv) or "world"
    print(f"Hello, {name}, from {DISTRIBUTION}!")
    return 0
