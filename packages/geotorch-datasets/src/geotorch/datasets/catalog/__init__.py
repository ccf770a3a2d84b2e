"""Light registry entries (import path and metadata) of every dataset geotorch-datasets contributes.

Listing datasets imports only these tables, never the dataset modules themselves.
"""

from geotorch.datasets.catalog.classification import ENTRIES as CLASSIFICATION
from geotorch.datasets.catalog.demo import ENTRIES as DEMO
from geotorch.datasets.catalog.dense import ENTRIES as DENSE
from geotorch.datasets.catalog.geospatial import ENTRIES as GEOSPATIAL

ENTRIES = DEMO + GEOSPATIAL + CLASSIFICATION + DENSE

__all__ = ["ENTRIES"]
