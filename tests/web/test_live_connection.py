"""live.js in Chromium with a scripted WebSocket and clock: the back-off schedule, the
reset after a successful open, the offline banner, and resume with the page's number."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route

LIVE_JS = Path(__file__).resolve().parents[2] / "src/scriptsensei/web/static/js/live.js"
ORIGIN = "http://scriptsensei.test"

pytestmark = pytest.mark.browser

TEST_PAGE = """<!doctype html><html><head>
<meta name="live-seq" content="41">
<script src="/static/js/live.js"></script></head><body>
<span id="live-indicator" data-state="connecting"><span class="live-label"></span></span>
<div id="offline-banner" hidden>offline</div></body></html>"""

# Installed before the page's scripts: sockets that fail (or open, for the attempts listed
# in window.__opens), and a clock that records each delay and fires at once.
STUBS = """
window.__delays = []; window.__sockets = []; window.__opens = window.__opens || [];
window.setTimeout = function (callback, delay) {
  window.__delays.push(delay); Promise.resolve().then(callback); return window.__delays.length;
};
window.WebSocket = class {
  constructor(url) {
    this.url = url; this.listeners = {}; this.sent = [];
    window.__sockets.push(this);
    const attempt = window.__sockets.length;
    Promise.resolve().then(() => {
      if (window.__opens.includes(attempt)) {
        this.fire("open", {});
        this.fire("message", {data: JSON.stringify({type: "connected", seq: 50})});
      }
      this.fire("close", {code: 1006});
    });
  }
  addEventListener(type, callback) { (this.listeners[type] = this.listeners[type] || []).push(callback); }
  send(text) { this.sent.push(JSON.parse(text)); }
  fire(type, event) { (this.listeners[type] || []).forEach((callback) => callback(event)); }
};
"""


@pytest.fixture
def stub_page(browser: Browser) -> Iterator[Page]:
    """A page of our own origin whose requests never reach a network."""
    context = browser.new_context()
    opened = context.new_page()

    def serve(route: Route) -> None:
        if route.request.url.endswith("/static/js/live.js"):
            route.fulfill(status=200, content_type="text/javascript", path=LIVE_JS)
        else:
            route.fulfill(status=200, content_type="text/html", body=TEST_PAGE)

    opened.route(f"{ORIGIN}/**", serve)
    yield opened
    context.close()


def _open(page: Page, opens: list[int]) -> None:
    page.add_init_script(f"window.__opens = {opens};" + STUBS)
    page.goto(f"{ORIGIN}/live-test")
    page.wait_for_function("document.documentElement.getAttribute('data-live') === 'offline'")


def test_backoff_doubles_to_the_cap_then_gives_up_with_a_banner(stub_page: Page) -> None:
    page = stub_page
    _open(page, opens=[])
    delays = page.evaluate("window.__delays")
    assert delays == [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000, 30000]
    assert page.evaluate("window.__sockets.length") == 11  # the first try and ten retries
    assert page.locator("#offline-banner").is_visible()
    assert page.evaluate("window.__sockets[0].url").endswith("/ws")


def test_a_successful_open_resets_the_backoff_and_resumes(stub_page: Page) -> None:
    page = stub_page
    _open(page, opens=[3])
    delays = page.evaluate("window.__delays")
    assert delays[:3] == [1000, 2000, 1000]  # the third socket opened: counting restarts
    assert len(delays) == 12
    sent = page.evaluate("window.__sockets[2].sent")
    assert sent == [{"type": "resume", "since": 41}]  # the number the page was rendered at
    assert page.evaluate("sessionStorage.getItem('scriptsensei.lastSeq')") == "41"
