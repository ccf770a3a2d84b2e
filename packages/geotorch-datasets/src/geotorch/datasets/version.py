"""The installed version of the geotorch-datasets distribution."""

from importlib.metadata import version

#: The version of geotorch-datasets, as installed (PEP 440).
__version__: str = version("geotorch-datasets")
