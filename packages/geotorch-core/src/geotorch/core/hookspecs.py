"""Hook specifications: every extension point a GeoTorch plugin can implement.

A plugin is any module listed under the ``geotorch`` entry-point group that
defines functions decorated with :data:`geotorch.core.hookimpl` whose names
match the specifications below. Each hook receives a callback instead of
returning a list, so a plugin registers as many things as it likes.

Every hook is called once per process, the first time a registry is used
(see :func:`geotorch.core.plugins.load_plugins`), core's own plugins first,
then the others in load order. Nothing a plugin does ends or disables the
program or the other plugins; each fault is a ``RuntimeWarning`` naming the
plugin and its distribution:

- a plugin that fails to import (whatever it raises, ``SystemExit`` and
  ``KeyboardInterrupt`` included), takes a plugin name already in use,
  implements a hook not listed below (a misspelling, also one hidden by
  ``optionalhook=True`` or ``specname``), a hook with arguments its
  specification lacks, a hook wrapper, a hook that is a generator,
  coroutine (``async def``) or async generator function, a hook that
  cannot be called with its arguments (an instance method of a class
  registered as the plugin), marks with ``@hookimpl`` something pluggy
  cannot call (a class, a callable object, a partial), or defines a
  function named like a hook without marking it, is left out entirely;
- a hook that raises anything, registers a name twice, registers a name
  another plugin (or core) took first, or passes ``register`` / ``cli.add``
  something they refuse contributes nothing to that registry; the plugin's
  other hooks still count;
- a hook that returns something other than ``None`` is warned about (the
  value is ignored; a returned generator or coroutine is closed unrun);
  ``tryfirst`` / ``trylast`` are warned about and ignored: core's plugins
  always come first, then the others in load order.

The warnings are issued once plugins are loaded and the registry is
filled, so a warning turned into an error (``-W error``) propagates once
and every later call works.

A hook is a plain function (a module function, a staticmethod or
classmethod, or a method of a registered instance) that calls the callback
it receives and returns ``None``. It may declare fewer arguments than its
specification (none at all); it then receives only those it declares.

The hooks, with their documented signatures:

- ``register_datasets(register)``
- ``register_datamodules(register)``
- ``register_models(register)``
- ``register_weights(register)``
- ``register_tasks(register)``
- ``register_commands(cli)``
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import pluggy

# Imported at run time (not only for type checking) so the signatures can be inspected.
from geotorch.core.commands import CommandRegistrar
from geotorch.core.registry import Register

PROJECT_NAME = "geotorch"

_F = TypeVar("_F", bound=Callable[..., Any])

hookspec: Callable[[_F], _F] = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl: Callable[[_F], _F] = pluggy.HookimplMarker(PROJECT_NAME)


# -- data ---------------------------------------------------------------------


@hookspec
def register_datasets(register: Register) -> None:
    """Contribute datasets.

    Called once when the dataset registry is first used. Call
    ``register(obj, name=None, **metadata)`` for each dataset, where ``obj`` is
    a dataset class or an import path ``"package.module:ClassName"`` (imported
    only when the dataset is built). ``name`` defaults to the class name.
    Useful metadata keys: ``task``, ``geospatial``, ``license``, ``size``.
    """


@hookspec
def register_datamodules(register: Register) -> None:
    """Contribute Lightning datamodules.

    Called once when the datamodule registry is first used. Call
    ``register(obj, name=None, **metadata)`` with the datamodule class or its
    import path, as in :func:`register_datasets`.
    """


# -- models -------------------------------------------------------------------


@hookspec
def register_models(register: Register) -> None:
    """Contribute model builders.

    Called once when the model registry is first used. Call
    ``register(obj, name=None, **metadata)`` where ``obj`` is a callable (or
    its import path) that builds the model; ``get_model(name, **kwargs)``
    calls it with the keyword arguments it was given (``weights=...`` among
    them when asked for).
    """


@hookspec
def register_weights(register: Register) -> None:
    """Contribute pretrained weights.

    Called once when the weights registry is first used. Call
    ``register(obj, name=..., **metadata)`` where ``obj`` is a weight
    description (or its import path) and ``name`` carries architecture and
    tag (``"resnet50.sentinel2_all_moco"``); metadata such as ``arch``,
    ``in_chans`` and ``sensor`` make it searchable with
    ``list_weights(sensor=...)``.
    """


# -- training -----------------------------------------------------------------


@hookspec
def register_tasks(register: Register) -> None:
    """Contribute training tasks (LightningModules).

    Called once when the task registry is first used. Call
    ``register(obj, name=None, **metadata)`` with the task class or its
    import path, as in :func:`register_datasets`.
    """


# -- command line -------------------------------------------------------------


@hookspec
def register_commands(cli: CommandRegistrar) -> None:
    """Contribute subcommands of the ``geotorch`` program.

    Called once when ``geotorch`` starts (and by ``geotorch plugins``). Call
    ``cli.add(name, run, help=...)`` on the ``cli`` registrar, where
    ``run(argv)`` receives the arguments after the subcommand's name and
    returns an exit status. Import heavy modules inside ``run``, not here.
    Core's own commands (``plugins``, ``datasets``, ``download``) are added
    through this same hook.
    """
