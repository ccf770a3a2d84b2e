"""The built documentation site (``nox -s docs``) as a reader's browser shows it: headless Chromium.

The site in ``site/`` is served on 127.0.0.1 and opened in Debian's ``chromium`` driven by
Playwright. Without a built site, Chromium or Playwright the tests skip saying which, except
under ``GEOTORCH_DOCS_REQUIRED=1`` (the docs session), where that is a failure.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

SITE = Path(__file__).resolve().parents[2] / "site"
#: Chromium without a sandbox (CI runs as root), a GPU, or any request of its own to the internet.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REQUIRED = os.environ.get("GEOTORCH_DOCS_REQUIRED") == "1"


def _missing(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"{reason} (GEOTORCH_DOCS_REQUIRED=1)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def site_url() -> Iterator[str]:
    """The built site, served by http.server on a free port of 127.0.0.1."""
    if not (SITE / "index.html").is_file():
        _missing(f"no built site at {SITE}: run `nox -s docs` (mkdocs build)")
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        _missing("Chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (pip install playwright)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any, site_url: str) -> Iterator[Any]:
    """A fresh page that records, as ``page.failures``, the site's requests that failed or got 400 or more.

    Requests elsewhere (the theme asks GitHub's API for the repository's stars) fail offline and
    are left out: the site itself must be whole.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.failures = []

    def record(url: str, failed: bool) -> None:
        if failed and url.startswith(site_url):
            opened.failures.append(url)

    opened.on("response", lambda response: record(response.url, response.status >= 400))
    opened.on("requestfailed", lambda request: record(request.url, True))
    try:
        yield opened
    finally:
        context.close()


def _images(page: Any) -> list[dict[str, Any]]:
    """Every image of the page's article, with its source and natural width once loaded."""
    page.wait_for_load_state("load")
    return page.eval_on_selector_all(
        "article img", "images => images.map(image => ({src: image.src, width: image.naturalWidth}))"
    )


def test_home_page_renders_with_its_figure(site_url: str, page: Any) -> None:
    page.goto(site_url)
    assert page.title().startswith("GeoTorch")
    assert page.locator("article h1").first.inner_text().startswith("GeoTorch")
    images = _images(page)
    assert images, "the home page shows no image"
    assert all(image["width"] > 0 for image in images), images
    tutorials = page.locator("article a[href*='tutorials/']")
    assert tutorials.count() >= 8
    assert page.failures == []


def test_api_page_documents_raster_dataset(site_url: str, page: Any) -> None:
    page.goto(site_url + "reference/geotorch.core/")
    heading = page.locator("[id='geotorch.core.RasterDataset']")
    assert heading.count() == 1
    assert "RasterDataset" in heading.inner_text()
    # Its docstring's sections are rendered: the Args table names the constructor's parameters.
    section = page.locator(".doc-object:has([id='geotorch.core.RasterDataset'])").first
    assert "time_series" in section.inner_text()
    assert "filename_glob" in section.inner_text()
    assert all(image["width"] > 0 for image in _images(page))
    assert page.failures == []


def test_tutorial_renders_the_figures_and_output_it_produced(site_url: str, page: Any) -> None:
    page.goto(site_url + "tutorials/time-series/")
    images = _images(page)
    assert len(images) >= 2, images
    assert all(image["width"] > 0 for image in images), images
    assert all("/tutorials/time-series/" in image["src"] for image in images)
    # What the code printed is on the page: the (T, C, H, W) shape of the whole tile's series.
    assert "torch.Size([8, 4, 128, 128])" in page.locator("article").inner_text()
    assert page.failures == []


def test_search_finds_raster_dataset(site_url: str, page: Any) -> None:
    page.goto(site_url)
    box = page.locator("input.md-search__input")
    box.click()
    box.fill("RasterDataset")
    results = page.locator(".md-search-result__item")
    # The search worker indexes 0.77 MB of pages first: 5 s on an idle 2-core machine, over 15 s beside training.
    results.first.wait_for(timeout=60_000)
    links = page.eval_on_selector_all(".md-search-result__item a", "links => links.map(link => link.href)")
    targets = {(urlsplit(link).path, urlsplit(link).fragment) for link in links}
    assert ("/reference/geotorch.core/", "geotorch.core.RasterDataset") in targets, links
    assert page.failures == []
