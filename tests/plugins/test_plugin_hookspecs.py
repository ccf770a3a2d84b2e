"""Every hook specification is documented, with the signature the design documents (datasette's test)."""

from __future__ import annotations

import inspect
import re

import pytest

from geotorch.core import hookspecs
from geotorch.core.commands import CommandRegistrar
from geotorch.core.plugins import REGISTRY_HOOKS, load_plugins
from geotorch.core.registry import Register

#: The hooks of the design (DESIGN.md, "Plugins"), with their parameters.
DOCUMENTED = {
    "register_datasets": ["register"],
    "register_datamodules": ["register"],
    "register_models": ["register"],
    "register_weights": ["register"],
    "register_tasks": ["register"],
    "register_commands": ["cli"],
}


def _specs() -> dict[str, object]:
    return {
        name: function
        for name, function in vars(hookspecs).items()
        if callable(function) and hasattr(function, f"{hookspecs.PROJECT_NAME}_spec")
    }


def test_the_hooks_are_exactly_the_documented_ones():
    assert sorted(_specs()) == sorted(DOCUMENTED)


@pytest.mark.parametrize("name", sorted(DOCUMENTED))
def test_hookspec_has_the_documented_signature(name):
    signature = inspect.signature(_specs()[name], eval_str=True)
    assert list(signature.parameters) == DOCUMENTED[name]
    expected = CommandRegistrar if DOCUMENTED[name] == ["cli"] else Register
    assert [parameter.annotation for parameter in signature.parameters.values()] == [expected]
    assert signature.return_annotation is None


@pytest.mark.parametrize("name", sorted(DOCUMENTED))
def test_hookspec_docstring_says_when_it_is_called_and_what_it_receives(name):
    doc = inspect.getdoc(_specs()[name])
    assert doc, f"{name} has no docstring"
    assert "Called once" in doc, f"{name}'s docstring must say when it is called"
    for parameter in DOCUMENTED[name]:
        assert re.search(rf"``{parameter}[.(`]", doc), f"{name}'s docstring must say how to use ``{parameter}``"


def test_module_docstring_lists_every_hook_with_its_signature():
    listed = re.findall(r"``(register_\w+)\((\w+)\)``", hookspecs.__doc__ or "")
    assert {name: [parameter] for name, parameter in listed} == DOCUMENTED


def test_every_registry_kind_has_a_hookspec():
    assert set(REGISTRY_HOOKS.values()) <= set(DOCUMENTED)


def test_hook_calls_must_use_keyword_arguments():
    hook = load_plugins().hook.register_datasets
    with pytest.raises(TypeError):
        hook(lambda obj, name=None, **metadata: None)
