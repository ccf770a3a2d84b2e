"""National Agriculture Imagery Program (NAIP): USDA's leaf-on aerial orthoimagery, red, green, blue, near-infrared."""

from __future__ import annotations

from geotorch.datasets.manual import ManualRaster


class NAIP(ManualRaster):
    """NAIP digital ortho quarter quads (DOQQ), 0.3-1 m, in UTM (NAD83).

    Files are named ``m_{quadrangle}_{quarter}_{utm zone}_{resolution}_{date}[_{processed}]``,
    for instance ``m_3807511_ne_18_060_20181104.tif`` (60 cm, acquired
    2018-11-04, the sample's time). Quads of the early years, and the
    aws-naip bucket's ``rgb`` copies, hold red, green and blue only: read
    them with ``bands=["R", "G", "B"]``.

    Source: https://naip-usdaonline.hub.arcgis.com/
    """

    filename_glob = "m_*"
    filename_regex = r"""
        ^m_(?P<quadrangle>\d+)
        _(?P<quarter>[a-z]+)
        _(?P<utm_zone>\d+)
        _(?P<resolution>\d+)
        _(?P<date>\d{8})
        (?:_(?P<processed>\d+))?
        \.(?i:tiff?|jp2)$
    """
    all_bands = ("R", "G", "B", "NIR")
    rgb_bands = ("R", "G", "B")
    manual = (
        "NAIP cannot be downloaded automatically: get quarter quads from USGS EarthExplorer "
        "(https://earthexplorer.usgs.gov/, NAIP collection), the Planetary Computer or the AWS naip-source "
        "requester-pays bucket, and put them under root"
    )
