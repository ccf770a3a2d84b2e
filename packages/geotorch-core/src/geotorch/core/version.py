"""The installed version of the geotorch-core distribution."""

from importlib.metadata import version

#: The version of geotorch-core, as installed (PEP 440).
__version__: str = version("geotorch-core")
