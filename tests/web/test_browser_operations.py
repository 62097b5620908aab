"""More of the web interface in real Chromium, on a server of its own: where a vision
engine's value is on the page, keyboard moves between fields and prescriptions, the
accuracy table and a JSON export after a correction, bulk reprocessing from history, the
queue's cancel / retry / reprocess / delete, and the review and queue pages at tablet
width. The tests run in order and share the server."""

from __future__ import annotations

import csv
import io
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Download,
    Locator,
    Page,
    ViewportSize,
    expect,
)

from tests.fakes.openai_server import FakeOpenAIServer, RecordedRequest, Response
from tests.web.conftest import (
    complete_first_run,
    expect_live,
    screenshot,
    upload_through_page,
)
from tests.web.server import LiveServer

pytestmark = pytest.mark.browser

PROCESSING_TIMEOUT_MS = 120_000
# Held vision replies are let go before the engines' own time-out (10 s) would retry them.
HOLD_SECONDS = 8.0
NAME = "patientDetails.patientName"
CORRECTION = "Corrected In Review"
# Reprocessing uses the default config: make it every engine this server has.
DEFAULT_TO_EVERY_ENGINE = """async () => {
  const configs = await ScriptSensei.api("GET", "/api/configs");
  const standard = configs.find((config) => config.isDefault);
  const engines = ["tesseract", "vision-a", "vision-b"];
  await ScriptSensei.api("PUT", "/api/configs/" + standard.id, {selectedModels: engines});
}"""
TABLET: ViewportSize = {"width": 820, "height": 1180}


class _HeldReplies:
    """The fake vision engines answer as usual, but only once released."""

    def __init__(self, server: FakeOpenAIServer) -> None:
        self.usual = server.default
        self.released = threading.Event()

    def respond(self, request: RecordedRequest, server: FakeOpenAIServer) -> Response:
        self.released.wait(HOLD_SECONDS)
        return self.usual.respond(request, server)


@contextmanager
def vision_replies_held(server: FakeOpenAIServer) -> Iterator[None]:
    """The vision engines' replies wait for the end of the block (at most HOLD_SECONDS), so
    the prescriptions they read stay in flight meanwhile."""
    held = _HeldReplies(server)
    server.default = held
    try:
        yield
    finally:
        server.default = held.usual
        held.released.set()


@pytest.fixture(scope="module")
def prescriptions(
    context: BrowserContext, live_server: LiveServer, samples: list[Path]
) -> dict[str, str]:
    """The two generated images uploaded and read by every engine: file name -> id."""
    page = context.new_page()
    complete_first_run(page, live_server)
    page.evaluate(DEFAULT_TO_EVERY_ENGINE)
    queue = context.new_page()
    queue.goto("/queue")
    expect_live(queue)
    upload_through_page(page, samples[:2])
    done = queue.locator('#queue-body tr[data-status="completed"]')
    expect(done).to_have_count(2, timeout=PROCESSING_TIMEOUT_MS)
    ids = {row.locator("a").inner_text(): str(row.get_attribute("data-rx")) for row in done.all()}
    queue.close()
    page.close()
    return ids


def _truth_box(sample: Path, path: str) -> list[float]:
    """Where the generator drew the field's value, as fractions of the page."""
    meta = json.loads(sample.with_name(f"{sample.stem}.meta.json").read_text(encoding="utf-8"))
    box: list[float] = meta["field_boxes"][path][0]
    return box


def _fractions(mark: Locator, image: Locator) -> tuple[float, float, float, float]:
    box, page = mark.bounding_box(), image.bounding_box()
    assert box is not None and page is not None
    return (
        (box["x"] - page["x"]) / page["width"],
        (box["y"] - page["y"]) / page["height"],
        (box["x"] + box["width"] - page["x"]) / page["width"],
        (box["y"] + box["height"] - page["y"]) / page["height"],
    )


def _on_the_text(found: tuple[float, float, float, float], drawn: list[float]) -> bool:
    """On the drawn value's line, and over part of it. An OCR line's box is shared among its
    characters, so a value inside a longer line is placed only roughly along it."""
    x0, y0, x1, y1 = found
    middle = (y0 + y1) / 2
    return drawn[1] - 0.005 <= middle <= drawn[3] + 0.005 and x0 < drawn[2] and x1 > drawn[0]


def test_hovering_a_vision_engines_value_highlights_where_it_is_written(
    page: Page, prescriptions: dict[str, str], samples: list[Path]
) -> None:
    page.goto(f"/prescriptions/{prescriptions[samples[0].name]}")
    row = page.locator(f'tr.field[data-field="{NAME}"]')
    # vision-b misreads the name (the fake engine's deterministic mistake), so its value is
    # not the OCR engine's: the page found it among the OCR lines of the run.
    found = row.locator('td.engine-value[data-engine="vision-b"]')
    expect(found).to_have_attribute("data-box-unit", "px")
    expect(found.locator(".value-text")).not_to_have_text(
        row.locator('td.engine-value[data-engine="tesseract"] .value-text').inner_text()
    )
    found.hover()
    mark = page.locator(".page .highlight:visible")
    expect(mark).to_have_count(1)
    expect(mark).to_have_attribute("data-engine", "vision-b")
    image = page.locator(".page img").first
    drawn = _truth_box(samples[0], NAME)
    assert _on_the_text(_fractions(mark, image), drawn)
    screenshot(page, "review-found-value")

    page.mouse.move(0, 0)
    expect(mark).to_have_count(0)
    row.locator("td.consensus").hover()
    expect(mark).to_have_attribute("data-engine", "consensus")
    assert _on_the_text(_fractions(mark, image), drawn)


def test_keys_move_between_fields_and_to_the_next_prescription(
    page: Page, prescriptions: dict[str, str]
) -> None:
    page.goto("/review/next")
    first = page.url
    fields = page.locator("#review-fields tr.field")
    names = [fields.nth(i).get_attribute("data-field") for i in range(3)]
    current = page.locator("#review-fields tr.field.current")
    for key, expected in (("j", 0), ("j", 1), ("j", 2), ("k", 1)):
        page.keyboard.press(key)
        expect(current).to_have_attribute("data-field", str(names[expected]))
    expect(current).to_be_focused()

    title = page.locator("h1.rx-title")
    first_title = title.inner_text()
    page.keyboard.press("]")
    expect(title).not_to_have_text(first_title)
    second = page.url.rsplit("/", 1)[1]
    assert second in prescriptions.values() and page.url != first
    page.keyboard.press("]")  # the queue wraps round to the oldest
    expect(title).to_have_text(first_title)
    assert page.url == first


def _download(page: Page, control: Locator) -> Download:
    with page.expect_download() as download:
        control.click()
    return download.value


def _accuracy_table(page: Page) -> list[dict[str, str]]:
    page.goto("/accuracy")
    download = _download(page, page.get_by_role("link", name="Download table (CSV)"))
    content = Path(download.path()).read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(content)))


def test_the_accuracy_table_download_reflects_a_correction(
    page: Page, prescriptions: dict[str, str], samples: list[Path]
) -> None:
    assert _accuracy_table(page) == []  # nothing reviewed yet

    page.goto(f"/prescriptions/{prescriptions[samples[0].name]}")
    final = page.locator(f'tr.field[data-field="{NAME}"] input[name=value]')
    final.fill(CORRECTION)
    final.press("Enter")
    expect(page.locator("#decisions")).to_contain_text(CORRECTION)
    page.locator("#approve-force").check()
    page.get_by_role("button", name="Approve prescription").click()
    expect(page.locator("#review-status")).to_contain_text("approved")

    table = _accuracy_table(page)
    expect(page.locator("#reviewed-count")).to_have_text("1")
    name_rows = {row["engine"]: row for row in table if row["field"] == NAME}
    assert set(name_rows) == {"tesseract", "vision-a", "vision-b"}
    for row in name_rows.values():  # every engine read the name the reviewer replaced
        assert (row["correct"], row["total"], row["accuracy"]) == ("0", "1", "0.0")
    assert any(row["correct"] == "1" for row in table)  # values the reviewer kept count right


def test_history_exports_the_selected_prescription_as_json(
    page: Page, prescriptions: dict[str, str], samples: list[Path]
) -> None:
    page.goto("/history")
    page.locator("#history-table tbody tr", has_text=samples[0].name).locator(".row-select").check()
    expect(page.locator("#selected-count")).to_have_text("1 selected")
    download = _download(page, page.get_by_role("button", name="Export JSON"))
    exported: list[dict[str, Any]] = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert [item["id"] for item in exported] == [prescriptions[samples[0].name]]
    item = exported[0]
    assert item["fileName"] == samples[0].name
    assert (item["processingStatus"], item["reviewStatus"]) == ("completed", "approved")
    assert item["extractedData"]["patientDetails"]["patientName"] == CORRECTION
    assert item["imageUrl"].startswith("/api/prescriptions/") and "imageData" not in item


def test_history_reprocesses_the_selected_rows_and_shows_it_live(
    page: Page, prescriptions: dict[str, str], fake_vision: FakeOpenAIServer
) -> None:
    page.goto("/history")
    expect_live(page)
    statuses = page.locator('#history-table tbody [data-role="status"]')
    expect(statuses).to_have_count(2)
    page.get_by_label("Select every row on this page").check()
    expect(page.locator("#selected-count")).to_have_text("2 selected")
    with vision_replies_held(fake_vision):
        page.get_by_role("button", name="Reprocess").click()
        expect(page.locator("#confirm-text")).to_have_text(re.compile("Read 2 prescription"))
        page.get_by_role("button", name="Yes, go ahead").click()
        expect(page.locator("#toast")).to_have_text("Queued for reprocessing.")
        for index in range(2):
            expect(statuses.nth(index)).to_have_text(re.compile("queued|processing"))
    for index in range(2):
        expect(statuses.nth(index)).to_have_text(
            re.compile("completed"), timeout=PROCESSING_TIMEOUT_MS
        )


def test_queue_cancel_retry_reprocess_and_delete(
    context: BrowserContext, samples: list[Path], fake_vision: FakeOpenAIServer
) -> None:
    pdf = samples[2]
    queue = context.new_page()
    queue.goto("/queue")
    expect_live(queue)
    upload = context.new_page()
    row = queue.locator("#queue-body tr", has_text=pdf.name)

    def button(action: str) -> Locator:
        return row.get_by_role("button", name=f"{action} {pdf.name}")

    with vision_replies_held(fake_vision):
        upload_through_page(upload, [pdf])
        expect(row).to_have_attribute("data-status", re.compile("queued|processing"))
        expect(button("Retry")).to_be_hidden()
        button("Cancel").click()
        expect(row).to_have_attribute("data-status", "failed")
        expect(row.locator('[data-role="status"]')).to_contain_text("failed")
    expect(button("Cancel")).to_be_hidden()
    screenshot(queue, "queue-cancelled")

    button("Retry").click()
    expect(row).to_have_attribute("data-status", "completed", timeout=PROCESSING_TIMEOUT_MS)
    expect(button("Retry")).to_be_hidden()

    with vision_replies_held(fake_vision):
        button("Reprocess").click()
        expect(row).to_have_attribute("data-status", re.compile("queued|processing"))
        expect(button("Cancel")).to_be_visible()
    expect(row).to_have_attribute("data-status", "completed", timeout=PROCESSING_TIMEOUT_MS)
    expect(row).to_contain_text("3 of 3 engines")

    button("Delete").click()
    expect(queue.locator("#confirm-text")).to_contain_text(pdf.name)
    queue.get_by_role("button", name="Yes, go ahead").click()
    expect(row).to_have_count(0)
    queue.reload()
    expect(queue.locator("#queue-body")).not_to_contain_text(pdf.name)
    upload.close()
    queue.close()


def _fits_the_width(page: Page, *selectors: str) -> None:
    width = page.evaluate("window.innerWidth")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the {width}px window"
    for selector in selectors:
        box = page.locator(selector).first.bounding_box()
        assert box is not None, selector
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, selector


def test_review_and_queue_pages_fit_a_tablet(
    browser: Browser,
    context: BrowserContext,
    live_server: LiveServer,
    prescriptions: dict[str, str],
    samples: list[Path],
    fake_vision: FakeOpenAIServer,
) -> None:
    tablet = browser.new_context(
        base_url=live_server.url, viewport=TABLET, storage_state=context.storage_state()
    )
    page = tablet.new_page()
    rx_id = prescriptions[samples[1].name]
    page.goto(f"/prescriptions/{rx_id}")
    expect_live(page)
    expect(page.locator("#review-fields tr.field").first).to_be_visible()
    _fits_the_width(page, ".viewer-panel", ".fields-panel", "#approve", "#next-rx")
    # Every field table fits its panel: no scrolling sideways to reach a value or Save.
    panel = page.locator(".fields-panel")
    assert panel.evaluate("(panel) => panel.scrollWidth <= panel.clientWidth")
    screenshot(page, "review-tablet")

    with vision_replies_held(fake_vision):  # a row in flight, with its actions
        page.evaluate(f"ScriptSensei.api('POST', '/api/prescriptions/{rx_id}/reprocess')")
        page.goto("/queue")
        expect_live(page)
        expect(page.locator("#queue-body tr")).to_have_count(1)
        _fits_the_width(page, "main", ".table-wrap")
        screenshot(page, "queue-tablet")
        page.evaluate(f"ScriptSensei.api('POST', '/api/prescriptions/{rx_id}/cancel')")
    tablet.close()
