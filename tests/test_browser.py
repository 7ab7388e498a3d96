"""A real browser: headless Chromium (Debian ``chromium``) driven by Playwright opens the start
page of ``policygraph serve``, follows a competency question's link into the query editor,
runs it, and the result table shows the rows of the expected CSV, in order.

Skipped where Chromium or Playwright is missing (``.ci/run`` installs Chromium; Playwright
comes with the test extras and drives the system browser: no browser download). Set
``POLICYGRAPH_UI_SCREENSHOT=docs/images/query-ui.png`` to refresh the documentation's
screenshot.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from policygraph.queries import expected_path, read_expected, read_question

from .conftest import ROOT
from .serve_helpers import Served

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed (pip install -e '.[test]')"
)
pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="Chromium is not installed (apt-get install chromium; .ci/run does)",
    ),
]

QUESTION = "measures-by-actor"
# Chromium in a closed network: no sandbox as root, and no calls home.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CELLS = """rows => rows.map(tr => Array.from(tr.querySelectorAll("td")).slice(1).map(td => {
  const literal = td.querySelector(".nonIri");
  if (literal) return literal.childNodes[0].textContent;
  const iri = td.querySelector("a.iri");
  return iri ? "<" + iri.getAttribute("href") + ">" : "";
}))"""


def plain(cell: str) -> str:
    """A cell as the expected CSV writes it: IRI without brackets, literal without quotes."""
    if cell.startswith("<") and cell.endswith(">"):
        return cell[1:-1]
    if len(cell) >= 2 and cell[0] == cell[-1] == '"':
        return cell[1:-1]
    return cell


@pytest.fixture(scope="module")
def served(release_dir):
    with Served(["--dist", str(release_dir), "--port", "0", "--quiet"]) as server:
        yield server


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    profile = tmp_path_factory.mktemp("chromium-profile")
    with playwright_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=FLAGS,
            viewport={"width": 1400, "height": 1000},
        )
        try:
            yield context
        finally:
            context.close()


def test_example_query_runs_in_the_query_editor(served, browser, tmp_path):
    q = read_question(ROOT / "queries" / f"{QUESTION}.rq")
    page = browser.new_page()
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.goto(served.url)
    link = page.locator(f"#{QUESTION} a.open")
    assert link.inner_text() == "Open in the query editor"
    link.click()
    page.wait_for_url("**/ui?**")
    page.wait_for_selector(".yasqe .CodeMirror")
    assert page.locator(".tabsList .tab.active").inner_text().splitlines()[0] == q.title
    page.click(".yasqe_queryButton")
    page.wait_for_selector(".yasr table.dataTable tbody tr", timeout=30_000)
    header = page.eval_on_selector_all(
        ".yasr table.dataTable thead th", "cells => cells.map(c => c.innerText.trim())"
    )
    shown = page.eval_on_selector_all(".yasr table.dataTable tbody tr", CELLS)
    columns, expected = read_expected(expected_path(q))
    assert [h for h in header if h] == columns
    assert [tuple(plain(c) for c in row) for row in shown] == expected
    assert page.locator(".yasr").inner_text().count(f"{len(expected)} results") == 1
    assert failed == [], f"requests that failed (nothing may leave the server): {failed}"
    picture = tmp_path / "query-ui.png"
    page.screenshot(path=str(picture))
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    target = os.environ.get("POLICYGRAPH_UI_SCREENSHOT")
    if target:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(picture, target)
    page.close()
