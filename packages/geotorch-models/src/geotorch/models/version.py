"""The installed version of the geotorch-models distribution."""

from importlib.metadata import version

#: The version of geotorch-models, as installed (PEP 440).
__version__: str = version("geotorch-models")
