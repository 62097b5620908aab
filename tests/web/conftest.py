"""Browser test fixtures: generated prescriptions (one as a PDF), a fake vision LLM server
answering their truth with deterministic misreadings, the app as a live server with the
tesseract engine and two LLM engines, and headless Chromium.

Outside CI a machine without /usr/bin/chromium skips the browser tests with the reason;
in CI (`CI=true`) that is a failure."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from scriptsensei.samples.dataset import write_samples
from scriptsensei.samples.generator import SampleOptions
from tests.fakes.fixtures import engine_settings_for
from tests.fakes.openai_server import FakeOpenAIServer, TruthIndex, TruthReply
from tests.web.server import LiveServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
ADMIN = ("admin", "correct-horse-battery")
LLM_ERROR_RATE = 0.2

expect.set_options(timeout=20_000)


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} is missing: install Debian's chromium package"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Three generated prescriptions; the last one saved as a PDF."""
    directory = tmp_path_factory.mktemp("samples")
    options = SampleOptions(profile="clean", pdf_share=0.0, handwriting_share=0.0)
    written = write_samples(directory, 3, seed=11, options=options)
    paths = [directory / w.image for w in written]
    pdf = paths[-1].with_suffix(".pdf")
    with Image.open(paths[-1]) as image:
        image.convert("RGB").save(pdf, resolution=200.0)
    paths[-1].unlink()
    return [*paths[:-1], pdf]


@pytest.fixture(scope="module")
def fake_vision(samples: list[Path]) -> Iterator[FakeOpenAIServer]:
    truth = TruthIndex.from_dir(samples[0].parent)
    with FakeOpenAIServer(truth=truth, default=TruthReply(error_rate=LLM_ERROR_RATE)) as server:
        yield server


@pytest.fixture(scope="module")
def live_server(
    tmp_path_factory: pytest.TempPathFactory, fake_vision: FakeOpenAIServer
) -> Iterator[LiveServer]:
    require_chromium()
    engines = [engine_settings_for(fake_vision, name) for name in ("vision-a", "vision-b")]
    server = LiveServer(tmp_path_factory.mktemp("server") / "data", engines)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    require_chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def context(browser: Browser, live_server: LiveServer) -> Iterator[BrowserContext]:
    """One signed-in browser profile (its tabs share the session cookie)."""
    made = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    made.set_default_timeout(15_000)
    refused: list[str] = []
    made.on("console", lambda m: refused.append(m.text) if _csp_refusal(m.text) else None)
    yield made
    made.close()
    assert not refused, refused  # nothing on any page needs more than the policy allows


def _csp_refusal(text: str) -> bool:
    return "Content Security Policy" in text or "Refused to" in text


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    opened.close()
    assert not errors, errors  # no script failed on the page


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


# --- helpers for test modules that bring up their own server -----------------------------


def expect_live(page: Page) -> None:
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")


def complete_first_run(page: Page, server: LiveServer) -> None:
    """Create the administrator on a fresh server; the page's profile is then signed in."""
    page.goto("/setup")
    page.get_by_label("Setup token").fill(server.setup_token())
    page.get_by_label("Administrator's username").fill(ADMIN[0])
    page.get_by_label("Password").fill(ADMIN[1])
    page.get_by_role("button", name="Create administrator").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def upload_through_page(page: Page, files: list[Path]) -> None:
    """Send files from the upload page to every available engine; returns once accepted."""
    page.goto("/upload")
    page.locator("#file-input").set_input_files([str(f) for f in files])
    expect(page.locator(".file-item")).to_have_count(len(files))
    page.get_by_label("Extraction config").select_option("")  # the engines ticked below
    page.get_by_role("button", name="Process all").click()
    done = page.locator('.file-item[data-state="done"]')
    expect(done).to_have_count(len(files), timeout=60_000)
