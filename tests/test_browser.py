"""The dashboard in a real headless Chromium against a real server process.

`conflictlens serve` runs as a subprocess on a free loopback port over a SQLite file
holding the seed and a script-injection article. Debian's /usr/bin/chromium is driven by
Playwright (its Python package bundles the driver; `playwright install` is never run).
CI installs the browser with scripts/ci-setup-browser.sh; without it these tests skip.

Every request the page makes is recorded: the offline basemap, the clustering and the
pickers must never leave loopback. Set CONFLICTLENS_SCREENSHOT=1 to refresh the README's
screenshots (docs/dashboard.png, docs/event.png, docs/queue.png) from these tests.
"""

from __future__ import annotations

import csv
import io
import json
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
FRENCH_SEED = ROOT / "examples" / "rfi-karachi-entretien.txt"  # written for the tests
NG_TEXT = (
    "Gunmen attacked the village of Kuriga in Kaduna State, Nigeria, on Thursday, March 7, "
    "2024, killing two residents and abducting dozens of pupils, police said."
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
    """A served database: the seed and its French version, the injection article, a
    Nigerian report, and a token."""
    folder = tmp_path_factory.mktemp("browser")
    db = folder / "ui.db"
    with Store.open(db) as store:
        seed = document_from_bytes(SEED_TXT.read_bytes(), "seed")
        xss = document_from_bytes(XSS_TEXT.encode(), "xss", published="2023-03-07")
        nigeria = document_from_bytes(NG_TEXT.encode(), "ng", published="2024-03-08")
        french = document_from_bytes(FRENCH_SEED.read_bytes(), "fr")
        for document in (seed, xss, nigeria, french):
            store.add_result(document, process(document))
        token = store.create_token("ui-tester")
        xss_article = document_from_bytes(XSS_TEXT.encode(), "xss").content_hash[:12]
        fr_article = french.content_hash[:12]
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
        yield {
            "base": base,
            "token": token,
            "xss_article": xss_article,
            "fr_article": fr_article,
            "db": db,
        }
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
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    # Nothing but the app's own origin may be reached (no CDN, no tiles).
    context.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(site["base"]) else route.abort()
        ),
    )
    pg = context.new_page()
    pg.requests = []
    pg.on("request", lambda request: pg.requests.append(request.url))
    pg.errors = []
    pg.on("pageerror", lambda exc: pg.errors.append(str(exc)))
    pg.on(
        "console",
        lambda msg: pg.errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    yield pg
    context.close()


def _shot(page, name: str) -> None:
    if os.environ.get("CONFLICTLENS_SCREENSHOT"):
        (ROOT / "docs").mkdir(exist_ok=True)
        page.screenshot(path=str(ROOT / "docs" / name))


def _login(page, site: dict) -> None:
    page.goto(site["base"] + "/")
    page.wait_for_selector("body[data-view=list]")
    page.fill("#token", site["token"])
    page.click("#token-form button")
    sync_api.expect(page.locator("#token-state")).to_have_text("saved")


def _karachi_link(page) -> object:
    row = page.locator("#events tbody tr", has_text="Karachi").filter(has_text="2023-02-17")
    return row.locator("a").first


def _markers_shown(page, expected: int) -> int:
    """Events on the map: lone markers plus the counts their clusters show, once the
    clusters' zoom animation (which briefly shows both levels) has settled."""
    deadline = time.monotonic() + 5
    while True:
        lone = page.locator("#map .leaflet-overlay-pane path.leaflet-interactive").count()
        clusters = page.locator("#map .marker-cluster span").all_inner_texts()
        shown = lone + sum(int(n) for n in clusters)
        if shown == expected or time.monotonic() > deadline:
            return shown
        page.wait_for_timeout(100)


def _offsite(page, site: dict) -> list[str]:
    return [
        u for u in page.requests if not u.startswith(site["base"]) and not u.startswith("blob:")
    ]


def test_basemap_draws_offline_under_clustered_markers(page, site: dict) -> None:
    page.goto(site["base"] + "/")
    page.wait_for_selector("body[data-view=list]")
    page.wait_for_selector("#map[data-basemap=drawn]")
    # Natural Earth's countries: hundreds of outlines in the basemap pane, under markers.
    borders = page.locator("#map .leaflet-basemap-pane path").count()
    assert borders > 200
    news = httpx.get(f"{site['base']}/api/events", params={"background": "false"}).json()
    located = [e for e in news["events"] if (e["location"] or {}).get("lat") is not None]
    assert _markers_shown(page, len(located)) == len(located)
    assert any("/static/vendor/world-atlas/" in u for u in page.requests)
    assert _offsite(page, site) == []
    assert page.errors == []


def test_filter_and_open_the_karachi_event_with_highlighted_evidence(page, site: dict) -> None:
    # The dashboard lists what the API lists by default (merged reports) less the
    # background events, which it hides until asked.
    news = httpx.get(f"{site['base']}/api/events", params={"background": "false"}).json()
    everything = httpx.get(f"{site['base']}/api/events").json()
    pk = [e for e in news["events"] if e["location"]["country_code"] == "PK"]
    assert len(pk) < news["total"] < everything["total"]
    page.goto(site["base"] + "/")
    page.wait_for_selector("body[data-view=list]")
    assert page.locator("#events tbody tr").count() == news["total"]
    page.check("#f-background")
    page.click("#f-apply")
    sync_api.expect(page.locator("#events tbody tr")).to_have_count(everything["total"])
    page.uncheck("#f-background")
    page.select_option("#f-country", "PK")
    page.click("#f-apply")
    # Locator waits, not wait_for_function: the page's CSP forbids string evaluation.
    sync_api.expect(page.locator("#events tbody tr")).to_have_count(len(pk))
    assert "country=PK" in page.url
    locations = page.locator("#events tbody tr td:nth-child(3)").all_inner_texts()
    assert locations and all(text.endswith("PK") for text in locations)
    assert page.locator("#timeline rect[data-bucket]").count() >= 1
    located = [e for e in pk if e["location"].get("lat") is not None]
    assert _markers_shown(page, len(located)) == len(located)
    _shot(page, "dashboard.png")

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
    _shot(page, "event.png")
    assert page.errors == []


def test_timeline_brush_narrows_map_list_and_exports(page, site: dict) -> None:
    page.goto(site["base"] + "/#/?background=all")
    page.wait_for_selector("body[data-view=list]")
    page.click('#timeline-units button[data-unit="month"]')
    bars = page.locator("#timeline rect[data-bucket]")
    first, last = bars.first.get_attribute("data-bucket"), bars.last.get_attribute("data-bucket")
    assert first < last  # background events span years: something to brush away
    total = page.locator("#events tbody tr").count()
    # Drag over the last tenth of the chart: the newest months only.
    box = page.locator("#timeline svg").bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.90, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.99, y, steps=4)
    page.mouse.up()
    sync_api.expect(page.locator("#brush-clear")).to_be_visible()
    shown = page.locator("#events tbody tr").count()
    assert 0 < shown < total
    dates = page.locator("#events tbody tr td:first-child a").all_inner_texts()
    assert all(d[:7] >= "2023" for d in dates)
    href = page.get_attribute('#exports a[data-format="jsonl"]', "href")
    exported = httpx.get(site["base"] + href).text.splitlines()
    assert len(exported) == shown
    page.click("#brush-clear")
    sync_api.expect(page.locator("#events tbody tr")).to_have_count(total)


def test_filter_then_export_button_downloads_the_filtered_rows(page, site: dict) -> None:
    page.goto(site["base"] + "/")
    page.wait_for_selector("body[data-view=list]")
    page.select_option("#f-country", "PK")
    page.click("#f-apply")
    page.wait_for_selector("body[data-view=list]")
    shown = page.locator("#events tbody tr").count()
    with page.expect_download() as download:
        page.click('#exports a[data-format="acled-csv"]')
    path = download.value.path()
    assert download.value.suggested_filename == "events.csv"
    rows = list(csv.DictReader(io.StringIO(Path(path).read_text(encoding="utf-8"))))
    assert len(rows) == shown and {r["iso"] for r in rows} == {"586"}
    with page.expect_download() as download:
        page.click('#exports a[data-format="geojson"]')
    features = json.loads(Path(download.value.path()).read_text())["features"]
    assert features and {f["properties"]["country"] for f in features} == {"Pakistan"}
    assert _offsite(page, site) == []


def _xss_event(site: dict) -> dict:
    events = httpx.get(f"{site['base']}/api/articles/{site['xss_article']}").json()["events"]
    return events[0]


def _open_picker(page, field: str) -> None:
    page.click(f'#ev-fields button[data-field="{field}"][data-action="correct"]')
    page.wait_for_selector("#editor[open]")


def _save(page, field: str, note: str) -> None:
    page.fill("#editor-note", note)
    page.click("#editor-save")
    page.wait_for_selector(f'#ev-history li[data-field="{field}"][data-action="correct"]')


def test_corrections_from_every_picker_reach_page_history_and_export(page, site: dict) -> None:
    event = _xss_event(site)
    _login(page, site)
    page.goto(f"{site['base']}/#/event/{event['id']}")
    page.wait_for_selector("body[data-view=event]")

    _open_picker(page, "type")  # the ACLED taxonomy: type, then its sub-types
    page.select_option("#pick-event-type", "Explosions/Remote violence")
    options = page.locator("#pick-sub-type option").all_inner_texts()
    assert "Suicide bomb" in options and "Armed clash" not in options
    page.select_option("#pick-sub-type", "Suicide bomb")
    _save(page, "type", "a bomber, per the police")

    _open_picker(page, "actor2")  # the actor dictionary, typed into
    page.fill("#pick-actor", "Civilians")
    page.locator("#pick-actor-results button", has_text="Civilians (Pakistan)").click()
    _save(page, "actor2", "the dead were bystanders")

    _open_picker(page, "actor1")  # a name the dictionary lacks: kept, marked new
    page.fill("#pick-actor", "Lashkar-e-Nowhere")
    sync_api.expect(page.locator("#pick-actor-chosen .new")).to_have_text("new actor")
    _save(page, "actor1", "a new group")

    _open_picker(page, "location")  # the gazetteer, typed into, then a map pick
    page.fill("#pick-place", "Peshaw")
    page.locator("#pick-place-results button", has_text="Peshawar").first.click()
    sync_api.expect(page.locator("#pick-place-chosen")).to_contain_text("Peshawar")
    page.wait_for_selector("#pick-map[data-basemap=drawn]")
    with page.expect_response(lambda r: "/api/places/near" in r.url) as near:
        page.locator("#pick-map").click()  # the middle: where Peshawar was pinned
    assert near.value.ok
    sync_api.expect(page.locator("#pick-place-chosen")).to_contain_text("Peshawar")
    _save(page, "location", "moved by the analyst")

    _open_picker(page, "date")  # a date picker and a precision
    page.fill("#pick-date-start", "2023-03-05")
    page.fill("#pick-date-end", "2023-03-06")
    page.select_option("#pick-date-precision", "range")
    _save(page, "date", "overnight")

    _open_picker(page, "fatalities")  # numbers
    page.fill("#pick-best", "4")
    page.fill("#pick-low", "3")
    page.fill("#pick-high", "6")
    _save(page, "fatalities", "hospital figures")

    fields = {
        f: page.inner_text(f'#ev-fields td[data-field="{f}"]')
        for f in ("type", "actor1", "actor2", "location", "date", "fatalities")
    }
    assert fields == {
        "type": "Explosions/Remote violence/Suicide bomb",
        "actor1": "Lashkar-e-Nowhere",
        "actor2": "Civilians (Pakistan)",
        "location": "Peshawar, Khyber Pakhtunkhwa, PK",
        "date": "2023-03-05 – 2023-03-06 (range)",
        "fatalities": "4 (3–6)",
    }
    history = page.inner_text("#ev-history")
    assert (
        "ui-tester corrected actor 2 to Civilians (Pakistan) — “the dead were bystanders”"
        in history
    )
    assert "corrected fatalities to 4 (3–6)" in history
    stored = httpx.get(f"{site['base']}/api/events/{event['id']}/corrections").json()
    assert [c["field"] for c in stored] == [
        "type",
        "actor2",
        "actor1",
        "location",
        "date",
        "fatalities",
    ]
    assert stored[2]["value"]["new"] is True and stored[1]["value"]["category"] == "Civilians"
    assert page.errors == [] and _offsite(page, site) == []

    # The export carries the corrections and the codes derived from them.
    rows = csv.DictReader(io.StringIO(httpx.get(f"{site['base']}/api/export/acled-csv").text))
    row = next(r for r in rows if r["actor1"] == "Lashkar-e-Nowhere")
    assert (row["event_type"], row["sub_event_type"]) == (
        "Explosions/Remote violence",
        "Suicide bomb",
    )
    # ACLED's fatalities column is the conservative figure: the low end of 3-6.
    assert (row["actor1"], row["actor2"], row["fatalities"]) == (
        "Lashkar-e-Nowhere",
        "Civilians (Pakistan)",
        "3",
    )
    assert (row["inter2"], row["interaction"]) == ("7", "78")
    assert row["civilian_targeting"] == "Civilian targeting"
    assert row["disorder_type"] == "Political violence"
    assert row["event_date"] == "2023-03-05" and row["time_precision"] == "2"


def test_a_french_article_shows_with_its_evidence(page, site: dict) -> None:
    article = httpx.get(f"{site['base']}/api/articles/{site['fr_article']}").json()
    assert article["language"] == "fr"
    karachi = next(
        e
        for e in article["events"]
        if e["date"]["start"] == "2023-02-17" and e["location"]["name"] == "Karachi"
    )
    page.goto(f"{site['base']}/#/event/{karachi['id']}")
    page.wait_for_selector("body[data-view=event]")
    assert page.inner_text("#art-headline") == (
        "Karachi : « Les talibans pakistanais s'en prennent d'abord à la police »"
    )
    assert " · fr" in page.inner_text("#art-meta")
    assert "Laurent Gayer" in page.inner_text("#art-speakers")
    assert page.locator('#art-body mark[data-field="date"]').inner_text() == "vendredi 17 février"
    assert page.locator('#art-body mark[data-field="location"]').first.inner_text() == "Karachi"
    assert page.inner_text('#ev-fields td[data-field="location"]') == "Karachi, Sindh, PK"
    assert page.errors == []


def test_script_in_an_article_is_shown_not_run(page, site: dict) -> None:
    page.goto(f"{site['base']}/#/event/{_xss_event(site)['id']}")
    page.wait_for_selector("body[data-view=event]")
    body = page.inner_text("#art-body")
    assert "<script>window.__xss = 1</script>" in body
    assert '<img src=x onerror="window.__xss = 2">' in body
    assert page.locator("#art-body script, #art-body img").count() == 0
    page.wait_for_timeout(200)
    assert page.evaluate("typeof window.__xss") == "undefined"


def test_review_queue_walks_unreviewed_events_with_the_keyboard(page, site: dict) -> None:
    _login(page, site)
    queue = httpx.get(f"{site['base']}/api/queue", params={"limit": 10}).json()["events"]
    assert len(queue) >= 4
    sure = [e["confidence"] or 0.0 for e in queue]
    assert sure == sorted(sure)  # least sure first
    page.goto(site["base"] + "/#/queue")
    page.wait_for_selector("body[data-view=queue]")
    listed = page.locator("#queue tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.eventId)"
    )
    assert listed[:4] == [e["id"] for e in queue[:4]]
    page.click("#queue-start")
    page.wait_for_selector(f'body[data-event="{queue[0]["id"]}"]')
    page.keyboard.press("c")  # confirm, then on to the next
    page.wait_for_selector(f'body[data-event="{queue[1]["id"]}"]')
    page.keyboard.press("n")  # skip
    page.wait_for_selector(f'body[data-event="{queue[2]["id"]}"]')
    page.keyboard.press("x")  # reject
    page.wait_for_selector(f'body[data-event="{queue[3]["id"]}"]')
    page.click('#ev-fields button[data-field="date"][data-action="confirm"]')
    page.wait_for_selector("#ev-history li[data-action=confirm]")
    assert "ui-tester confirmed date" in page.inner_text("#ev-history")

    def actions(event_id: str) -> list[tuple[str, str]]:
        history = httpx.get(f"{site['base']}/api/events/{event_id}/corrections").json()
        return [(c["field"], c["action"]) for c in history]

    assert actions(queue[0]["id"]) == [("event", "confirm")]
    assert actions(queue[1]["id"]) == []
    assert actions(queue[2]["id"]) == [("event", "reject")]
    page.goto(site["base"] + "/#/queue")
    page.wait_for_selector("body[data-view=queue]")
    row = page.locator('#reviewers tr[data-user="ui-tester"] td').all_inner_texts()
    counts = httpx.get(f"{site['base']}/api/reviewers").json()
    mine = next(r for r in counts if r["user"] == "ui-tester")
    assert row[:5] == [
        "ui-tester",
        str(mine["events"]),
        str(mine["confirm"]),
        str(mine["correct"]),
        str(mine["reject"]),
    ]
    assert mine["confirm"] >= 2 and mine["reject"] == 1
    _shot(page, "queue.png")
    assert page.errors == []


def test_screenshots_are_committed() -> None:
    for name in ("dashboard.png", "event.png", "queue.png"):
        shot = ROOT / "docs" / name
        assert shot.exists() and shot.stat().st_size > 10_000, name
    assert shutil.which(str(CHROMIUM)) is not None
