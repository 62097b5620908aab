"""Templates and scripts: no polling anywhere, nothing inline that a `script-src 'self'`
policy would block, vendored files present with their licences and versions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[2] / "src" / "scriptsensei" / "web"
TEMPLATES = sorted((WEB / "templates").rglob("*.html"))
OWN_SCRIPTS = sorted((WEB / "static" / "js").glob("*.js"))
VENDOR = WEB / "static" / "vendor"

POLLING = [
    re.compile(r"setInterval\s*\("),
    re.compile(r"hx-trigger\s*=\s*[\"'][^\"']*\bevery\b"),
    re.compile(r"\bload\s+delay\b"),
    re.compile(r"hx-trigger\s*=\s*[\"'][^\"']*\bload\b[^\"']*delay"),
    re.compile(r"\bx-init\s*=\s*[\"'][^\"']*setTimeout"),
]
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.IGNORECASE | re.DOTALL)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)


def test_there_is_something_to_check() -> None:
    assert len(TEMPLATES) >= 10 and len(OWN_SCRIPTS) >= 7


@pytest.mark.parametrize("path", TEMPLATES + OWN_SCRIPTS, ids=lambda p: p.name)
def test_nothing_polls(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    found = [pattern.pattern for pattern in POLLING if pattern.search(text)]
    assert not found, f"{path.name} polls: {found}"


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_templates_have_no_inline_script_handler_or_style(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for attributes, body in SCRIPT_TAG.findall(text):
        data_block = 'type="application/json"' in attributes
        assert data_block or "src=" in attributes, f"inline <script> in {path.name}"
        assert data_block or not body.strip(), f"inline code in {path.name}"
    assert not INLINE_HANDLER.search(text), f"inline event handler in {path.name}"
    assert not STYLE_ATTRIBUTE.search(text), f"style attribute in {path.name}"
    assert "hx-on" not in text, f"hx-on needs eval: {path.name}"
    assert "<style" not in text, f"inline <style> in {path.name}"


def test_the_checks_catch_polling_and_inline_code() -> None:
    assert any(p.search('<div hx-get="/x" hx-trigger="every 2s">') for p in POLLING)
    assert any(p.search("setInterval(refresh, 1000)") for p in POLLING)
    assert any(p.search('hx-trigger="load delay:1s"') for p in POLLING)
    assert INLINE_HANDLER.search('<button onclick="go()">')
    assert not any(p.search('hx-trigger="ss-review_updated from:body"') for p in POLLING)


def test_vendored_files_have_licences_and_versions() -> None:
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    for name in (
        "htmx-2.0.11.min.js",
        "alpinejs-csp-3.17.4.min.js",
        "chart-4.6.1.umd.min.js",
        "LICENSE-htmx.txt",
        "LICENSE-alpinejs.md",
        "LICENSE-chartjs.md",
    ):
        assert (VENDOR / name).is_file(), name
        assert name in readme, name


def test_pages_load_only_files_that_exist() -> None:
    for template in TEMPLATES:
        for src in re.findall(r'src="/static/([^"?]+)', template.read_text(encoding="utf-8")):
            assert (WEB / "static" / src).is_file(), f"{template.name} loads missing {src}"
