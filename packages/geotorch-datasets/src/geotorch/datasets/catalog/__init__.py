"""Registry metadata (task, licence, size, ...) of every dataset geotorch-datasets contributes, by class name.

The import path of each class comes from :mod:`geotorch.datasets`' name table; listing datasets
imports only these tables, never the dataset modules themselves.
"""

from geotorch.datasets.catalog.classification import DATASETS as CLASSIFICATION
from geotorch.datasets.catalog.demo import DATASETS as DEMO
from geotorch.datasets.catalog.dense import DATASETS as DENSE
from geotorch.datasets.catalog.geospatial import DATASETS as GEOSPATIAL

#: class name -> registry metadata of every dataset the plugin registers, in listing order.
DATASETS = DEMO | GEOSPATIAL | CLASSIFICATION | DENSE

__all__ = ["DATASETS"]
