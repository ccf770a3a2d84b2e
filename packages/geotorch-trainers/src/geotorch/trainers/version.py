"""The installed version of the geotorch-trainers distribution."""

from importlib.metadata import version

#: The version of geotorch-trainers, as installed (PEP 440).
__version__: str = version("geotorch-trainers")
