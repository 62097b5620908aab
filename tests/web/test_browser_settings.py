"""The Settings page in real Chromium: an admin switches an LLM engine off (the upload page
stops offering it), sets a custom prompt for one field, then resets it and sees the
built-in instruction again, with the override gone from the server; deactivates, activates
and sets a new password for a user."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from scriptsensei.auth.permissions import Role
from scriptsensei.auth.users import create_user
from scriptsensei.core.db import Database
from scriptsensei.core.settings import Settings
from scriptsensei.core.transaction import unit_of_work
from tests.web.conftest import ADMIN, screenshot
from tests.web.server import LiveServer

pytestmark = pytest.mark.browser

FIELD = "patientDetails.patientName"
DEFAULT_TEXT = "the patient's full name, without titles such as Mr/Mrs"
CUSTOM_TEXT = "Copy the name with its initials, as printed."
NURSE = "nurse"
NEW_PASSWORD = "a brand new password"


def _create_users(live_server: LiveServer) -> None:
    settings = Settings(env="development", data_dir=live_server.data_dir, llm_engines=[])

    async def create() -> None:
        db = Database(settings)
        try:
            async with unit_of_work(db) as session:
                await create_user(session, ADMIN[0], ADMIN[1], Role.ADMIN)
                await create_user(session, NURSE, "first password!", Role.VIEWER)
        finally:
            await db.dispose()

    # Playwright's sync API runs an event loop in this thread: use another thread.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, create()).result()


@pytest.fixture(scope="module")
def signed_up(live_server: LiveServer) -> LiveServer:
    _create_users(live_server)
    return live_server


def _open_settings(page: Page) -> None:
    """The settings page, signing in first unless this browser profile already is."""
    page.goto("/settings")
    if "/login" in page.url:
        page.get_by_label("Username").fill(ADMIN[0])
        page.get_by_label("Password").fill(ADMIN[1])
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Settings", exact=True)).to_be_visible()


def _default_config(page: Page) -> Locator:
    return page.locator('form[aria-label="Config Default Configuration"]')


def _open_group(form: Locator, group: str) -> None:
    details = form.locator("details.prompt-group", has=form.page.locator("summary", has_text=group))
    if details.get_attribute("open") is None:
        details.locator("summary").click()


def test_an_admin_switches_an_engine_off(page: Page, signed_up: LiveServer) -> None:
    _open_settings(page)
    switch = page.get_by_label("Enable vision-b")
    expect(switch).to_be_checked()
    switch.uncheck()
    row = page.locator("#engine-vision-b")
    expect(row).to_contain_text("switched off in Settings")
    expect(page.get_by_label("Enable vision-b")).not_to_be_checked()
    expect(page.locator("#engine-vision-a")).to_contain_text("available")
    screenshot(page, "settings-engines")

    page.goto("/upload")
    expect(page.locator('input[name="engine"][value="vision-b"]')).to_be_disabled()
    expect(page.locator('input[name="engine"][value="vision-a"]')).to_be_enabled()
    answer = page.request.get("/api/engines")
    listed = {e["name"]: e for e in answer.json()}
    assert listed["vision-b"]["available"] is False


def test_a_field_prompt_is_set_then_reset_to_the_default(page: Page, signed_up: LiveServer) -> None:
    _open_settings(page)
    form = _default_config(page)
    _open_group(form, "patientDetails")
    prompt = form.get_by_label(FIELD, exact=True)
    default_line = form.locator(f"#{prompt.get_attribute('id')}-default")
    expect(default_line).to_have_text(f"Default: {DEFAULT_TEXT}")
    expect(prompt).to_have_attribute("placeholder", DEFAULT_TEXT)
    prompt.fill(CUSTOM_TEXT)
    form.get_by_role("button", name="Save", exact=True).click()

    form = _default_config(page)
    prompt = form.get_by_label(FIELD, exact=True)
    expect(prompt).to_have_value(CUSTOM_TEXT)  # after the reload: stored on the server
    expect(form.locator(f"#{prompt.get_attribute('id')}-default")).to_be_hidden()
    assert _stored_prompts(page).get(FIELD) == CUSTOM_TEXT

    form.get_by_role("button", name=f"Reset the {FIELD} prompt to the default").click()
    expect(prompt).to_have_value("")
    default_line = form.locator(f"#{prompt.get_attribute('id')}-default")
    expect(default_line).to_be_visible()
    expect(default_line).to_have_text(f"Default: {DEFAULT_TEXT}")
    expect(page.locator("#toast")).to_contain_text("back to the default")
    screenshot(page, "settings-prompts")
    assert FIELD not in _stored_prompts(page)

    page.reload()
    form = _default_config(page)
    _open_group(form, "patientDetails")
    expect(form.get_by_label(FIELD, exact=True)).to_have_value("")
    expect(form.locator(f"#{prompt.get_attribute('id')}-default")).to_be_visible()


def _stored_prompts(page: Page) -> dict[str, str]:
    configs = page.request.get("/api/configs").json()
    default = next(c for c in configs if c["isDefault"])
    prompts: dict[str, str] = default["customPrompts"]
    return prompts


def test_a_user_is_deactivated_activated_and_given_a_new_password(
    page: Page, signed_up: LiveServer
) -> None:
    _open_settings(page)
    row = page.locator(f"#user-{NURSE}")
    row.get_by_role("button", name=f"Deactivate {NURSE}").click()
    page.get_by_role("button", name="Yes, go ahead").click()
    expect(row.get_by_role("button", name=f"Activate {NURSE}")).to_be_visible()
    expect(row.locator("td").nth(1)).to_contain_text("no")
    assert _sign_in_over_api(signed_up, "first password!") == 403  # deactivated

    row.get_by_role("button", name=f"Activate {NURSE}").click()
    expect(row.get_by_role("button", name=f"Deactivate {NURSE}")).to_be_visible()
    row.get_by_label(f"New password for {NURSE}").fill(NEW_PASSWORD)
    row.get_by_role("button", name="Set password").click()
    expect(page.locator("#toast")).to_contain_text(f"Password changed: {NURSE}")
    expect(row.get_by_label(f"New password for {NURSE}")).to_have_value("")
    assert _sign_in_over_api(signed_up, "first password!") == 401
    assert _sign_in_over_api(signed_up, NEW_PASSWORD) == 200


def _sign_in_over_api(live_server: LiveServer, password: str) -> int:
    body = {"username": NURSE, "password": password}
    return httpx.post(f"{live_server.url}/api/auth/login", json=body, timeout=10).status_code
