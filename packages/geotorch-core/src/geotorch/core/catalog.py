"""The registry façade: list and build what the installed plugins contribute."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from geotorch.core.plugins import registry
from geotorch.core.registry import Entry
from geotorch.core.weights import Weights, WeightsSpec

Patterns = str | Iterable[str] | None


def list_datasets(include: Patterns = None, exclude: Patterns = None, **metadata: Any) -> list[str]:
    """Names of registered datasets matching fnmatch patterns and metadata (e.g. ``task="segmentation"``)."""
    return registry("dataset").names(include, exclude, **metadata)


def get_dataset_class(name: str) -> type[Any]:
    """The dataset class registered as ``name``.

    Raises:
        KeyError: if no dataset has that name; the message lists the known ones.
    """
    found: type[Any] = registry("dataset")[name].load()
    return found


def get_dataset(name: str, **kwargs: Any) -> Any:
    """Build the dataset registered as ``name`` with ``kwargs`` (``root=...``, ``download=...``)."""
    return get_dataset_class(name)(**kwargs)


def list_datamodules(include: Patterns = None, exclude: Patterns = None, **metadata: Any) -> list[str]:
    """Names of registered Lightning datamodules matching the patterns and metadata."""
    return registry("datamodule").names(include, exclude, **metadata)


def get_datamodule(name: str, **kwargs: Any) -> Any:
    """Build the datamodule registered as ``name`` with ``kwargs``."""
    return registry("datamodule")[name].load()(**kwargs)


def list_models(include: Patterns = None, exclude: Patterns = None, **metadata: Any) -> list[str]:
    """Names of registered model builders matching the patterns and metadata."""
    return registry("model").names(include, exclude, **metadata)


def get_model(name: str, weights: WeightsSpec = None, **kwargs: Any) -> Any:
    """Build the model registered as ``name``.

    Args:
        name: a registered model name (see :func:`list_models`).
        weights: passed to the builder when not None: a registered weight name, a :class:`Weights`, a
            checkpoint file, or ImageNet (``True``, ``"imagenet"``); what each builder accepts is in its
            docstring (GeoTorch's take every form, see ``geotorch.models.load_pretrained``).
        **kwargs: further builder arguments (``in_chans``, ``num_classes``, ``strict``, ...).

    Returns:
        The built model.

    Raises:
        KeyError: if no model has that name; the message lists the known ones.
        WeightsMismatchError: if the builder finds that the weights do not fit the model.
    """
    builder = registry("model")[name].load()
    if weights is not None:
        kwargs["weights"] = weights
    return builder(**kwargs)


def list_weights(include: Patterns = None, exclude: Patterns = None, **metadata: Any) -> list[str]:
    """Names of registered weights matching patterns and metadata (``sensor=...``, ``in_chans=...``)."""
    return registry("weight").names(include, exclude, **metadata)


def get_weight(name: str) -> Weights:
    """The weights registered as ``name`` (e.g. ``"resnet50.sentinel2_all_moco"``).

    A plugin registers objects that satisfy :class:`Weights`, so that every builder and task loads them; the
    object is returned as registered, unchecked, for builders that take weights of their own kind.

    Raises:
        KeyError: if no weights have that name; the message lists the known ones.
    """
    found: Weights = registry("weight")[name].load()
    return found


def list_tasks(include: Patterns = None, exclude: Patterns = None, **metadata: Any) -> list[str]:
    """Names of registered training tasks matching the patterns and metadata."""
    return registry("task").names(include, exclude, **metadata)


def get_task(name: str, **kwargs: Any) -> Any:
    """Build the task registered as ``name`` with ``kwargs``."""
    return registry("task")[name].load()(**kwargs)


def get_entry(kind: str, name: str) -> Entry:
    """The registry entry of ``name``: its metadata, the plugin and distribution that registered it, and ``load()``.

    Nothing is imported until ``load()`` is called, so listing commands can show every entry cheaply.

    Args:
        kind: ``"dataset"``, ``"datamodule"``, ``"model"``, ``"weight"`` or ``"task"``.
        name: a registered name (see the ``list_*`` functions).

    Raises:
        KeyError: if ``kind`` is not a registry, or no entry of that kind has ``name``; the message lists the
            known ones.
    """
    return registry(kind)[name]
