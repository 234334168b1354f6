"""The dashboard in a real headless Chromium against a real server process.

`conflictlens serve` runs as a subprocess on a free loopback port over a SQLite file
holding the seed and a script-injection article. Debian's /usr/bin/chromium is driven by
Playwright (its Python package bundles the driver; `playwright install` is never run).
CI installs the browser with scripts/ci-setup-browser.sh; without it these tests skip.

Set CONFLICTLENS_SCREENSHOT=1 to refresh docs/dashboard.png from the filtered list view.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from corpus import ROOT, SEED_TXT

from conflictlens.pipeline import process
from conflictlens.stages.ingest import document_from_bytes
from conflictlens.store import Store

CHROMIUM = Path(os.environ.get("CONFLICTLENS_CHROMIUM", "/usr/bin/chromium"))
if not CHROMIUM.exists():
    pytest.skip(
        f"{CHROMIUM} not found: run scripts/ci-setup-browser.sh to install Debian's chromium",
        allow_module_level=True,
    )
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

XSS_TEXT = (
    "Gunmen attacked a police station in Quetta on Monday, March 6, 2023, killing three "
    "officers, police said. <script>window.__xss = 1</script> "
    '<img src=x onerror="window.__xss = 2"> The attackers fled.'
)
CHROME_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """A served database: the seed, the injection article, and a token."""
    folder = tmp_path_factory.mktemp("browser")
    db = folder / "ui.db"
    with Store.open(db) as store:
        seed = document_from_bytes(SEED_TXT.read_bytes(), "seed")
        xss = document_from_bytes(XSS_TEXT.encode(), "xss", published="2023-03-07")
        for document in (seed, xss):
            store.add_result(document, process(document))
        token = store.create_token("ui-tester")
        xss_article = document_from_bytes(XSS_TEXT.encode(), "xss").content_hash[:12]
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = os.environ | {"CONFLICTLENS_ALLOW_PRIVATE_URLS": "0"}
    server = subprocess.Popen(
        [sys.executable, "-m", "conflictlens.cli", "serve", "--db", str(db), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start: {server.stderr.read().decode()}")
            time.sleep(0.2)
        yield {"base": base, "token": token, "xss_article": xss_article, "db": db}
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROME_ARGS)
        yield instance
        instance.close()


@pytest.fixture()
def page(browser, site: dict) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    # Nothing but the app's own origin may be reached (no CDN, no tiles).
    context.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(site["base"]) else route.abort()
        ),
    )
    pg = context.new_page()
    pg.errors = []
    pg.on("pageerror", lambda exc: pg.errors.append(str(exc)))
    pg.on(
        "console",
        lambda msg: pg.errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    yield pg
    context.close()


def _karachi_link(page) -> object:
    row = page.locator("#events tbody tr", has_text="Karachi").filter(has_text="2023-02-17")
    return row.locator("a").first


def test_filter_and_open_the_karachi_event_with_highlighted_evidence(page, site: dict) -> None:
    api = httpx.get(f"{site['base']}/api/events").json()
    pk = [e for e in api["events"] if e["location"]["country_code"] == "PK"]
    assert len(pk) < api["total"]  # the filter has something to remove
    page.goto(site["base"] + "/")
    page.wait_for_selector("body[data-view=list]")
    assert page.locator("#events tbody tr").count() == api["total"]
    page.select_option("#f-country", "PK")
    page.click("#f-apply")
    # Locator waits, not wait_for_function: the page's CSP forbids string evaluation.
    sync_api.expect(page.locator("#events tbody tr")).to_have_count(len(pk))
    assert "country=PK" in page.url
    locations = page.locator("#events tbody tr td:nth-child(3)").all_inner_texts()
    assert locations and all(text.endswith("PK") for text in locations)
    located = [e for e in pk if e["location"].get("lat") is not None]
    assert page.locator("#map path.leaflet-interactive").count() == len(located)
    assert page.locator("#timeline rect").count() >= 2
    if os.environ.get("CONFLICTLENS_SCREENSHOT"):
        (ROOT / "docs").mkdir(exist_ok=True)
        page.screenshot(path=str(ROOT / "docs" / "dashboard.png"))

    _karachi_link(page).click()
    page.wait_for_selector("body[data-view=event]")
    assert "2023-02-17" in page.inner_text("#ev-title")
    date_mark = page.locator('#art-body mark[data-field="date"]')
    place_mark = page.locator('#art-body mark[data-field="location"]')
    assert date_mark.count() == 1 and date_mark.inner_text() == "Friday, February 17"
    assert place_mark.count() == 1 and place_mark.inner_text() == "Karachi"
    assert page.locator('#art-body mark[data-field="actor1"]').inner_text() == "Pakistani Taliban"
    assert "said by" in page.inner_text("#ev-sources")
    assert "Laurent Gayer" in page.inner_text("#art-speakers")
    assert page.errors == []


def test_review_from_the_event_page(page, site: dict) -> None:
    page.goto(site["base"] + "/")
    page.wait_for_selector("body[data-view=list]")
    page.fill("#token", site["token"])
    page.click("#token-form button")
    sync_api.expect(page.locator("#token-state")).to_have_text("saved")
    _karachi_link(page).click()
    page.wait_for_selector("body[data-view=event]")
    page.click('#ev-fields button[data-field="date"][data-action="confirm"]')
    page.wait_for_selector("#ev-history li:has-text('confirm date')")
    answers = iter(["7", "from the police"])
    page.on("dialog", lambda dialog: dialog.accept(next(answers)))
    page.click('#ev-fields button[data-field="fatalities"][data-action="correct"]')
    page.wait_for_selector("#ev-history li:has-text('correct fatalities')")
    assert page.inner_text('#ev-fields td[data-field="fatalities"]') == "7"
    event_id = page.url.rsplit("/", 1)[1]
    history = httpx.get(f"{site['base']}/api/events/{event_id}/corrections").json()
    assert [(c["field"], c["action"], c["user"]) for c in history] == [
        ("date", "confirm", "ui-tester"),
        ("fatalities", "correct", "ui-tester"),
    ]
    assert history[1]["note"] == "from the police"
    assert page.errors == []


def test_script_in_an_article_is_shown_not_run(page, site: dict) -> None:
    events = httpx.get(f"{site['base']}/api/articles/{site['xss_article']}").json()["events"]
    assert events, "the injection article should yield an event"
    page.goto(f"{site['base']}/#/event/{events[0]['id']}")
    page.wait_for_selector("body[data-view=event]")
    body = page.inner_text("#art-body")
    assert "<script>window.__xss = 1</script>" in body
    assert '<img src=x onerror="window.__xss = 2">' in body
    assert page.locator("#art-body script, #art-body img").count() == 0
    page.wait_for_timeout(200)
    assert page.evaluate("typeof window.__xss") == "undefined"


def test_screenshot_is_committed() -> None:
    shot = ROOT / "docs" / "dashboard.png"
    assert shot.exists() and shot.stat().st_size > 10_000
    assert shutil.which(str(CHROMIUM)) is not None
