"""Catalog entries of the dense datasets: `("geotorch.datasets.module:Class", metadata)` pairs."""

from typing import Any

ENTRIES: list[tuple[str, dict[str, Any]]] = [
    ("geotorch.datasets.loveda:LoveDA",
     {"task": "segmentation", "geospatial": False, "license": "CC-BY-NC-SA-4.0",
      "downloadable": True}),
    ("geotorch.datasets.landcoverai:LandCoverAI",
     {"task": "segmentation", "geospatial": False, "license": "CC-BY-NC-SA-4.0", "downloadable": True}),
    ("geotorch.datasets.inria:InriaAerialImageLabeling",
     {"task": "segmentation", "geospatial": False, "license": "the publisher's terms (registration)",
      "downloadable": False}),
    ("geotorch.datasets.deepglobe:DeepGlobeLandCover",
     {"task": "segmentation", "geospatial": False, "license": "the challenge's terms (Kaggle account)",
      "downloadable": False}),
    ("geotorch.datasets.etci2021:ETCI2021",
     {"task": "segmentation", "geospatial": False, "license": "the competition's terms", "downloadable": True}),
    ("geotorch.datasets.levircd:LEVIRCD",
     {"task": "change detection", "geospatial": False, "license": "the publisher's terms (academic use)",
      "downloadable": True}),
    ("geotorch.datasets.oscd:OSCD",
     {"task": "change detection", "geospatial": False, "license": "the publisher's terms", "downloadable": True}),
    ("geotorch.datasets.nwpu:VHR10",
     {"task": "object detection", "geospatial": False, "license": "the publisher's terms (research use)",
      "downloadable": True}),
]
