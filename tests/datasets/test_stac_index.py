"""``geotorch stac index`` against a small fake STAC API served on 127.0.0.1 by the test (no internet)."""

from __future__ import annotations

import json
import threading
import traceback
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pyarrow.parquet as pq
import pytest
import torch

from geotorch.core import BoundingBox
from geotorch.core.cli import main
from geotorch.datasets import STACDataset
from geotorch.datasets.stac_index import build_stac_index
from tests.datasets.fakes.stac import FakeItem, item_records

ITEMS = [
    FakeItem(
        "t-0105",
        "2020-01-05T10:30:00Z",
        32631,
        600_000,
        5_000_160,
        10,
        16,
        {"red": 11, "nir": 12},
        {"eo:cloud_cover": 5},
    ),
    FakeItem(
        "t-0205",
        "2020-02-05T10:30:00Z",
        32631,
        600_000,
        5_000_160,
        10,
        16,
        {"red": 21, "nir": 22},
        {"eo:cloud_cover": 50},
    ),
    FakeItem(
        "t-0305",
        "2020-03-05T10:30:00Z",
        32631,
        600_000,
        5_000_160,
        10,
        16,
        {"red": 31, "nir": 32},
        {"eo:cloud_cover": 10},
    ),
    FakeItem(
        "t-0405",
        "2020-04-05T10:30:00Z",
        32631,
        600_000,
        5_000_160,
        10,
        16,
        {"red": 41, "nir": 42},
        {"eo:cloud_cover": 15},
    ),
]
CONFORMS_TO = [
    "https://api.stacspec.org/v1.0.0/core",
    "https://api.stacspec.org/v1.0.0/item-search",
    "https://api.stacspec.org/v1.0.0/item-search#query",
    "https://api.stacspec.org/v1.0.0/item-search#filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
]
PAGE = 2


class FakeSTACAPI(BaseHTTPRequestHandler):
    """/, /conformance and POST /search (pages of two items, a next link with a token); records search bodies."""

    records: ClassVar[list[dict[str, Any]]] = []
    searches: ClassVar[list[dict[str, Any]]] = []

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def _send(self, document: dict[str, Any], content_type: str = "application/json") -> None:
        body = json.dumps(document).encode()
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _root(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def do_GET(self) -> None:
        root = self._root()
        if self.path.rstrip("/") == "":
            self._send(
                {
                    "type": "Catalog",
                    "id": "fake",
                    "description": "a fake STAC API",
                    "stac_version": "1.0.0",
                    "conformsTo": CONFORMS_TO,
                    "links": [
                        {"rel": "self", "href": f"{root}/"},
                        {"rel": "root", "href": f"{root}/"},
                        {"rel": "conformance", "href": f"{root}/conformance"},
                        {"rel": "search", "href": f"{root}/search", "method": "POST", "type": "application/geo+json"},
                    ],
                }
            )
        elif self.path == "/conformance":
            self._send({"conformsTo": CONFORMS_TO})
        else:
            self.send_error(404)

    def do_POST(self) -> None:
        if self.path != "/search":
            self.send_error(404)
            return
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
        type(self).searches.append(body)
        chosen = [record for record in self.records if _passes(record, body)]
        start = int(body.get("token", 0))
        features = chosen[start : start + PAGE]
        links = []
        if start + PAGE < len(chosen):
            links.append(
                {
                    "rel": "next",
                    "href": f"{self._root()}/search",
                    "method": "POST",
                    "body": {**body, "token": start + PAGE},
                }
            )
        self._send({"type": "FeatureCollection", "features": features, "links": links}, "application/geo+json")


def _passes(record: dict[str, Any], body: dict[str, Any]) -> bool:
    """The fake's search: datetime interval and the query extension's lt (what the tests send)."""
    if "datetime" in body:
        start, end = body["datetime"].split("/")
        when = record["properties"]["datetime"]
        if not (start in ("..", "") or when >= start) or not (end in ("..", "") or when <= end):
            return False
    for name, condition in body.get("query", {}).items():
        if "lt" in condition and not record["properties"][name] < condition["lt"]:
            return False
    return True


@pytest.fixture
def api(tmp_path: Path) -> Iterator[str]:
    FakeSTACAPI.records = item_records(tmp_path / "assets", ITEMS)
    FakeSTACAPI.searches = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeSTACAPI)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_index_writes_every_page_and_stacdataset_reads_it(api: str, tmp_path: Path) -> None:
    output = tmp_path / "index" / "items.parquet"
    assert main(["stac", "index", api, str(output), "--collections", "fake-s2", "--bbox", "4,45,5,46"]) == 0
    assert pq.read_table(output).column("id").to_pylist() == ["t-0105", "t-0205", "t-0305", "t-0405"]
    assert len(FakeSTACAPI.searches) == 2  # two pages
    assert FakeSTACAPI.searches[0]["collections"] == ["fake-s2"] and FakeSTACAPI.searches[0]["bbox"] == [4, 45, 5, 46]
    assert not list(output.parent.glob("*.partial"))
    dataset = STACDataset(output, ["nir", "red"], time_series=True, filters="eo:cloud_cover < 20")
    assert len(dataset) == 3
    bounds = dataset.bounds
    sample = dataset[BoundingBox(600_040, 600_120, 5_000_040, 5_000_120, bounds.mint, bounds.maxt)]
    assert sample["image"].shape == (3, 2, 8, 8)
    assert [int(step[0, 0, 0]) for step in sample["image"]] == [12, 32, 42]
    assert torch.all(sample["image"][:, 1] == torch.tensor([11, 31, 41]).view(3, 1, 1))


def test_datetime_query_and_max_items_are_sent(api: str, tmp_path: Path) -> None:
    output = tmp_path / "items.parquet"
    argv = [
        "stac",
        "index",
        api,
        str(output),
        "--datetime",
        "2020-02-01T00:00:00Z/..",
        "--query",
        '{"eo:cloud_cover": {"lt": 20}}',
        "--max-items",
        "1",
    ]
    assert main(argv) == 0
    assert pq.read_table(output).column("id").to_pylist() == ["t-0305"]
    assert FakeSTACAPI.searches[0]["query"] == {"eo:cloud_cover": {"lt": 20}}
    assert FakeSTACAPI.searches[0]["datetime"].startswith("2020-02-01T00:00:00")
    filtered = tmp_path / "filtered.parquet"
    cql = '{"op": "<", "args": [{"property": "eo:cloud_cover"}, 20]}'
    assert main(["stac", "index", api, str(filtered), "--filter", cql]) == 0
    assert FakeSTACAPI.searches[-1]["filter"] == json.loads(cql)


def test_an_empty_search_writes_nothing_and_says_so(
    api: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "items.parquet"
    assert main(["stac", "index", api, str(output), "--datetime", f"{datetime(2030, 1, 1).isoformat()}Z/.."]) == 1
    assert "found no item" in capsys.readouterr().err
    assert not output.exists() and not list(tmp_path.glob("*.partial"))


def test_an_unreachable_or_failing_api_is_named(api: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "items.parquet"
    missing = api + "no/such/api/"
    assert main(["stac", "index", missing, str(output)]) == 1
    assert f"the STAC API at {missing} failed" in capsys.readouterr().err
    assert not output.exists()


def test_a_failing_api_is_named_without_its_key(api: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Before: "geotorch stac index: the STAC API at http://.../no/such/api/?apikey=SECRET5EC failed: 404 Client Error:
    # Not Found for url: http://.../no/such/api/?apikey=SECRET5EC", on stderr and in every log of the run.
    output = tmp_path / "items.parquet"
    missing = api + "no/such/api/?apikey=SECRET5EC"
    assert main(["stac", "index", missing, str(output)]) == 1
    said = capsys.readouterr().err
    assert f"the STAC API at {api}no/such/api/?apikey=... failed" in said, said
    assert "SECRET5EC" not in said, said
    with pytest.raises(ConnectionError) as raised:
        build_stac_index(missing, output)
    assert "SECRET5EC" not in "".join(traceback.format_exception(raised.value))


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("yesterday", "'yesterday' is not an RFC 3339 date or date-time; give 2020-01-01T00:00:00Z"),
        ("2020-13-01", "'2020-13-01' is no such date or time (month must be in 1..12)"),
        ("2020-01-01T25:00:00Z", "'2020-01-01T25:00:00Z' is no such date or time (hour must be in 0..23)"),
        ("2020-01-01/2020-02-30", "'2020-02-30' (in '2020-01-01/2020-02-30') is no such date or time"),
        ("2020-03-01/2020-01-01", "'2020-03-01/2020-01-01': the interval starts (2020-03-01) after it ends"),
        ("../..", "'../..': both ends of the interval are open"),
        ("2020/2021/2022", "'2020/2021/2022': an interval has two ends (START/END), not 3"),
    ],
)
def test_a_datetime_that_is_no_rfc_3339_instant_or_interval_is_refused_before_any_request(
    value: str, says: str, api: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "items.parquet"
    assert main(["stac", "index", api, str(output), "--datetime", value]) == 2
    assert f"error: argument --datetime: {says}" in capsys.readouterr().err
    with pytest.raises(ValueError, match=r"geotorch stac index: datetime '"):
        build_stac_index(api, output, datetime=value)
    assert FakeSTACAPI.searches == [] and not output.exists()


@pytest.mark.parametrize("value", ["2020", "2020-01/2020-02", "2020-01-01T00:00:00/", "../2020-03-01T10:00:00+02:00"])
def test_short_and_open_datetimes_still_search(value: str, api: str, tmp_path: Path) -> None:
    assert main(["stac", "index", api, str(tmp_path / "items.parquet"), "--datetime", value]) == 0
    assert len(FakeSTACAPI.searches) >= 1


def test_an_output_that_cannot_be_written_is_named_before_the_search(
    api: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before: the search ran (2 requests), then "geotorch: error: [Errno 17] File exists: '.../a-file'".
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("")
    output = in_the_way / "index" / "items.parquet"
    assert main(["stac", "index", api, str(output)]) == 1
    said = capsys.readouterr().err
    assert f"the output {output}: cannot make its folder {output.parent} (" in said, said
    folder = tmp_path / "items.parquet"
    folder.mkdir()
    assert main(["stac", "index", api, str(folder)]) == 1
    assert f"the output {folder} is a folder; give a file name ending in .parquet" in capsys.readouterr().err
    assert FakeSTACAPI.searches == []


@pytest.mark.parametrize("count", ["0", "-1", "two"])
def test_a_max_items_under_one_is_refused_not_read_as_no_limit(
    count: str, api: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before: --max-items 0 wrote all 4 items (pystac-client reads 0 as no limit); -1 searched and found 'no item'.
    output = tmp_path / "items.parquet"
    assert main(["stac", "index", api, str(output), "--max-items", count]) == 2
    assert f"error: argument --max-items: {count!r} is not a whole number >= 1" in capsys.readouterr().err
    with pytest.raises(ValueError, match="max_items 0 is not a whole number >= 1"):
        build_stac_index(api, output, max_items=0)
    assert FakeSTACAPI.searches == [] and not output.exists()


@pytest.mark.parametrize(
    ("box", "says"),
    [
        ("600000,5000000,601000,5001000", "longitudes must lie in -180..180 and latitudes in -90..90"),
        ("0,0,200,95", "longitudes must lie in -180..180 and latitudes in -90..90"),
        ("4,46,5,45", "its south edge 46 lies north of its north edge 45; swap them"),
        ("nan,45,5,46", "every value must be a finite number"),
    ],
)
def test_a_bbox_that_is_no_lon_lat_box_is_refused_before_any_request(
    box: str, says: str, api: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before: each was sent as asked; this API answered all 4 items for them (a real one a 400 or nothing),
    # and 'nan' went out as JSON's invalid NaN.
    output = tmp_path / "items.parquet"
    assert main(["stac", "index", api, str(output), "--bbox", box]) == 2
    assert f"error: argument --bbox: --bbox {box!r}: {says}" in capsys.readouterr().err
    with pytest.raises(ValueError, match=r"geotorch stac index: bbox \["):
        build_stac_index(api, output, bbox=[float(value) for value in box.split(",")])
    assert FakeSTACAPI.searches == [] and not output.exists()


def test_a_bbox_across_the_antimeridian_still_searches(api: str, tmp_path: Path) -> None:
    assert main(["stac", "index", api, str(tmp_path / "items.parquet"), "--bbox", "179,-17,-179,-16"]) == 0
    assert FakeSTACAPI.searches[0]["bbox"] == [179, -17, -179, -16]  # the fake answers every item to any box


@pytest.mark.parametrize("given", ["", ",", " , "])
def test_collections_that_name_none_are_refused_not_searched_as_all(
    given: str, api: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before: '--collections ""' (an unset shell variable) searched every collection: all 4 items written.
    output = tmp_path / "items.parquet"
    assert main(["stac", "index", api, str(output), "--collections", given]) == 2
    assert f"error: argument --collections: {given!r} names no collection" in capsys.readouterr().err
    assert FakeSTACAPI.searches == [] and not output.exists()


@pytest.mark.parametrize("given", ["foo", "eo:cloud_cover<<20", "[1, 2]"])
def test_a_query_that_is_no_condition_is_refused_not_dropped(
    given: str, api: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before: pystac-client left 'foo' and 'eo:cloud_cover<<20' out of the search ('query': {}) and all 4 items
    # were written; '[1, 2]' failed with "'list' object has no attribute 'items'".
    output = tmp_path / "items.parquet"
    assert main(["stac", "index", api, str(output), "--query", given]) == 1
    assert f"geotorch stac index: query {given!r}" in capsys.readouterr().err
    assert FakeSTACAPI.searches == [] and not output.exists()


def test_query_conditions_are_sent_with_numbers_as_numbers_and_merged(api: str, tmp_path: Path) -> None:
    # Before: 'eo:cloud_cover<20' was sent as {"lt": "20"}, the text, which no number is less than in JSON terms.
    argv = ["stac", "index", api, str(tmp_path / "items.parquet"), "--query", "eo:cloud_cover<20",
            "--query", "eo:cloud_cover>=5"]
    assert main(argv) == 0
    assert FakeSTACAPI.searches[0]["query"] == {"eo:cloud_cover": {"lt": 20, "gte": 5}}
    assert pq.read_table(tmp_path / "items.parquet").column("id").to_pylist() == ["t-0105", "t-0305", "t-0405"]


def test_an_api_url_without_its_scheme_is_named(api: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Before: "geotorch: error: [Errno 2] No such file or directory: '<working folder>/127.0.0.1:<port>'".
    bare = api.removeprefix("http://")
    assert main(["stac", "index", bare, str(tmp_path / "items.parquet")]) == 1
    assert (f"geotorch stac index: the STAC API {bare} is neither a URL nor a file; give its landing page's URL "
            f"(https://{bare})") in capsys.readouterr().err
    assert FakeSTACAPI.searches == []
