"""The web interface in real Chromium against a live server: first run, upload, the live
queue in a second tab, side-by-side review with the keyboard, accuracy, CSV export, and a
server restart while a page is open. The tests run in order and share the server."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from scriptsensei.audit.service import Actor
from scriptsensei.core.db import Database
from scriptsensei.core.settings import Settings
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.review.service import approve
from tests.web.conftest import ADMIN, screenshot
from tests.web.server import LiveServer

pytestmark = pytest.mark.browser

PROCESSING_TIMEOUT_MS = 120_000
RECONNECT_TIMEOUT_MS = 60_000
CORRECTION = "Corrected Patient Name"


def sign_in(page: Page, password: str = ADMIN[1]) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(ADMIN[0])
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def expect_live(page: Page) -> None:
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")


def test_first_run_setup_then_sign_in(page: Page, live_server: LiveServer) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/setup$"))
    screenshot(page, "setup")
    page.get_by_label("Setup token").fill("not-the-token")
    page.get_by_label("Administrator's username").fill(ADMIN[0])
    page.get_by_label("Password").fill(ADMIN[1])
    page.get_by_role("button", name=re.compile("Create administrator")).click()
    expect(page.get_by_role("alert")).to_contain_text("setup token is wrong")

    page.get_by_label("Setup token").fill(live_server.setup_token())
    page.get_by_label("Password").fill(ADMIN[1])
    page.get_by_role("button", name=re.compile("Create administrator")).click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect_live(page)

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    sign_in(page, password="wrong password!")
    expect(page.get_by_role("alert")).to_contain_text("Wrong username or password")
    screenshot(page, "login")
    sign_in(page)
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def test_upload_three_and_watch_them_complete_in_another_tab(
    context: BrowserContext, samples: list[Path], tmp_path: Path
) -> None:
    queue = context.new_page()
    queue.goto("/queue")
    expect_live(queue)
    queue.evaluate("window.__sameDocument = true")
    history = context.new_page()
    history.goto("/history")
    expect_live(history)

    upload = context.new_page()
    upload.goto("/upload")
    not_an_image = tmp_path / "notes.txt"
    not_an_image.write_text("not a prescription")
    upload.locator("#file-input").set_input_files([*map(str, samples), str(not_an_image)])
    items = upload.locator(".file-item")
    expect(items).to_have_count(4)
    expect(upload.locator("img.thumb:visible")).to_have_count(2)
    expect(upload.locator(".thumb.pdf:visible")).to_have_count(1)
    expect(items.nth(3)).to_contain_text("Not a type we can read")
    upload.get_by_label("Extraction config").select_option("")
    engines = upload.locator('input[name="engine"]:checked')
    expect(engines).to_have_count(3)  # tesseract and both vision engines
    screenshot(upload, "upload")
    upload.get_by_role("button", name="Process all").click()
    # A PDF is rendered to page images on arrival, behind the OCR already running.
    done_uploads = upload.locator('.file-item[data-state="done"]')
    expect(done_uploads).to_have_count(3, timeout=PROCESSING_TIMEOUT_MS)
    expect(upload.locator('.file-item[data-state="done"] progress[value="100"]')).to_have_count(3)

    rows = queue.locator("#queue-body tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("of 3 engines")
    screenshot(queue, "queue")
    done = queue.locator('#queue-body tr[data-status="completed"]')
    expect(done).to_have_count(3, timeout=PROCESSING_TIMEOUT_MS)
    expect(rows.first).to_contain_text("3 of 3 engines")
    assert queue.evaluate("window.__sameDocument") is True  # updated live, never reloaded
    for name in (p.name for p in samples):
        expect(queue.locator("#queue-body")).to_contain_text(name)
    expect(history.locator("#history-new")).to_contain_text("3 new prescription(s)")
    history.get_by_role("link", name="Show the newest").click()
    expect(history.locator("#history-table tbody tr")).to_have_count(3)
    history.close()
    queue.close()
    upload.close()


def _open_first_for_review(page: Page) -> str:
    page.goto("/review/next")
    expect(page).to_have_url(re.compile(r"/prescriptions/[0-9a-f-]+$"))
    return page.url.rsplit("/", 1)[1]


def test_review_side_by_side_highlight_keyboard_correction_and_approval(
    context: BrowserContext,
) -> None:
    page = context.new_page()
    rx_id = _open_first_for_review(page)
    watcher = context.new_page()
    watcher.goto(f"/prescriptions/{rx_id}")
    expect_live(watcher)
    expect_live(page)

    table = page.locator("table.fields").first
    for engine in ("tesseract", "vision-a", "vision-b", "Consensus", "State"):
        expect(table.locator("thead")).to_contain_text(engine)
    name_row = page.locator('tr.field[data-field="patientDetails.patientName"]')
    expect(name_row.locator("td.engine-value")).to_have_count(3)

    located = page.locator('td.engine-value[data-engine="tesseract"][data-box]').first
    located.hover()
    mark = page.locator(".page .highlight:visible")
    expect(mark).to_have_count(1)
    box, image = mark.bounding_box(), page.locator(".page img").first.bounding_box()
    assert box and image and box["width"] > 0 and box["height"] > 0
    assert image["x"] <= box["x"] and box["x"] + box["width"] <= image["x"] + image["width"] + 1
    screenshot(page, "review")

    name_row.locator("th").click()
    page.keyboard.press("e")
    expect(name_row.locator("input[name=value]")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type(CORRECTION)
    page.keyboard.press("Enter")
    expect(page.locator("#decisions")).to_contain_text(CORRECTION)
    expect(page.locator('tr.field[data-field="patientDetails.patientName"]')).to_contain_text(
        "Reviewed"
    )
    expect(watcher.locator("#decisions")).to_contain_text(CORRECTION)  # the other tab, live

    page.keyboard.press("n")  # the next field needing review...
    target = page.locator("tr.field.current")
    expect(target).to_have_attribute("data-needs-review", "true")
    field = target.get_attribute("data-field")
    page.keyboard.press("a")  # ...whose consensus value is accepted with one key
    expect(page.locator("#decisions tbody tr")).to_have_count(2)
    expect(page.locator("#decisions")).to_contain_text(str(field))

    page.get_by_role("button", name="Zoom in").click()
    expect(page.locator("#zoom-level")).to_have_text("125 %")
    page.locator("tr.field").first.click()
    page.keyboard.press("r")
    expect(page.locator("#zoom-level")).to_have_text("125 %, rotated 90°")
    page.keyboard.press("0")
    expect(page.locator("#zoom-level")).to_have_text("100 %")

    page.keyboard.press("?")
    expect(page.locator("#help-overlay")).to_be_visible()
    expect(page.locator("#help-overlay")).to_contain_text("Next field that needs review")
    screenshot(page, "review-shortcuts")
    page.keyboard.press("Escape")
    expect(page.locator("#help-overlay")).to_be_hidden()

    page.locator("#approve-force").check()
    page.locator("tr.field").first.click()
    page.keyboard.press("Shift+A")
    expect(page.locator("#review-status")).to_contain_text("approved")
    expect(watcher.locator("#review-status")).to_contain_text("approved")
    watcher.close()
    page.close()


def test_accuracy_reflects_the_correction(page: Page) -> None:
    page.goto("/accuracy")
    expect(page.locator("#reviewed-count")).to_have_text("1")
    row = page.locator('#field-accuracy tr[data-field="patientDetails.patientName"]')
    for engine in ("tesseract", "vision-a", "vision-b"):
        # Every engine read the name the reviewer replaced: wrong on that field.
        expect(row.locator(f'td[data-engine="{engine}"]')).to_contain_text("0 %")
    expect(page.locator("#engine-accuracy tbody tr")).to_have_count(3)
    expect(page.locator("canvas#chart-groups")).to_be_visible()
    screenshot(page, "accuracy")


def test_history_exports_the_selected_rows_as_csv(page: Page) -> None:
    page.goto("/history")
    rows = page.locator("#history-table tbody tr")
    expect(rows).to_have_count(3)
    page.get_by_label("Search").fill("")
    reviewed = page.locator("#history-table tbody tr", has_text="approved").first
    reviewed.locator(".row-select").check()
    expect(page.locator("#selected-count")).to_have_text("1 selected")
    screenshot(page, "history")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export CSV").click()
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")
    table = list(csv.DictReader(io.StringIO(content)))
    assert len(table) == 1
    assert CORRECTION in table[0].values()


def _approve_while_down(live_server: LiveServer, rx_id: str) -> None:
    settings = Settings(env="development", data_dir=live_server.data_dir, llm_engines=[])

    async def change() -> None:
        db = Database(settings)
        try:
            async with unit_of_work(db) as session:
                await approve(session, rx_id, Actor("user", None, "night-shift"), force=True)
        finally:
            await db.dispose()

    # Playwright's sync API runs an event loop in this thread: use another thread.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, change()).result()


def test_restart_reconnects_and_catches_up(
    context: BrowserContext, live_server: LiveServer
) -> None:
    page = context.new_page()
    page.goto("/history")
    link = page.locator("#history-table tbody tr", has_not_text="approved").first.locator("a")
    rx_id = link.get_attribute("href").rsplit("/", 1)[1]  # type: ignore[union-attr]
    page.goto(f"/prescriptions/{rx_id}")
    expect_live(page)
    page.evaluate("window.__sameDocument = true")

    live_server.stop()
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "reconnecting")
    screenshot(page, "reconnecting")
    _approve_while_down(live_server, rx_id)  # its event is published while no one listens
    live_server.start()

    expect(page.locator("#live-indicator")).to_have_attribute(
        "data-state", "live", timeout=RECONNECT_TIMEOUT_MS
    )
    expect(page.locator("#review-status")).to_contain_text("approved")
    assert page.evaluate("window.__sameDocument") is True
    page.close()


def test_settings_show_engines_and_a_new_api_key_once(page: Page) -> None:
    page.goto("/settings")
    expect(page.get_by_role("heading", name="Engines")).to_be_visible()
    expect(page.locator("#engines")).to_contain_text("vision-a")
    expect(page.locator("#engines")).to_contain_text("tesseract")
    page.get_by_label("Name", exact=True).last.fill("integration")
    page.get_by_role("button", name="Create key").click()
    expect(page.locator("#new-key")).to_be_visible()
    key = page.locator("#new-key-value").inner_text()
    assert len(key) > 20
    screenshot(page, "settings")
    page.get_by_role("button", name="I have copied it").click()
    expect(page.locator("#apikeys")).to_contain_text("integration")
    expect(page.locator("#apikeys")).not_to_contain_text(key)


def test_dashboard_counts_after_the_run(page: Page) -> None:
    page.goto("/")
    expect(page.locator("#count-completed")).to_have_text("3")
    expect(page.locator("#engines-title")).to_be_visible()
    screenshot(page, "dashboard")


def test_delete_asks_first_and_the_row_leaves_every_open_page(context: BrowserContext) -> None:
    history = context.new_page()
    history.goto("/history")
    other = context.new_page()
    other.goto("/history")
    expect_live(other)
    row = history.locator("#history-table tbody tr", has_text="rx-00002.pdf")
    row.locator(".row-select").check()

    history.get_by_role("button", name="Delete").click()
    expect(history.locator("#confirm-dialog")).to_be_visible()
    history.get_by_role("button", name="Keep it").click()
    expect(row).to_have_count(1)

    history.get_by_role("button", name="Delete").click()
    history.get_by_role("button", name="Yes, go ahead").click()
    expect(row).to_have_count(0)
    expect(other.locator("#history-table tbody tr", has_text="rx-00002.pdf")).to_have_count(0)
    history.goto("/")
    expect(history.locator("#count-completed")).to_have_text("2")
    other.close()
    history.close()
