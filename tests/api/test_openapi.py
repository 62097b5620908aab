"""The OpenAPI schema documents every API operation's success body and its errors."""

from __future__ import annotations

from pathlib import Path

from scriptsensei.app import create_app
from tests.api.test_auth_matrix import PUBLIC, REQUIRED
from tests.conftest import make_settings

# The API domains of this package; the auth and admin routes are their owners' business.
OURS = (
    "/api/prescriptions",
    "/api/review",
    "/api/extraction-results",
    "/api/configs",
    "/api/engines",
    "/api/export",
    "/api/stats",
)


def test_every_operation_documents_its_answers(tmp_path: Path) -> None:
    app = create_app(make_settings("sqlite+aiosqlite:///" + str(tmp_path / "x.db"), tmp_path))
    paths = app.openapi()["paths"]
    problems = []
    for (method, path), required in REQUIRED.items():
        if not path.startswith(OURS):
            continue
        operation = paths[path][method.lower()]
        codes = set(operation["responses"])
        success = [c for c in codes if c.startswith("2")]
        if not success:
            problems.append((method, path, "no success response"))
        if required != PUBLIC and not {"401", "403"} <= codes:
            problems.append((method, path, "401/403 undocumented"))
        for code in codes - {"200", "201", "202", "204", "207", "304"}:
            content = operation["responses"][code].get("content", {})
            schema = content.get("application/json", {}).get("schema", {})
            if not schema:
                problems.append((method, path, f"{code} without a body schema"))
    assert not problems, "\n".join(map(str, problems))


def test_docs_are_served(tmp_path: Path) -> None:
    app = create_app(make_settings("sqlite+aiosqlite:///" + str(tmp_path / "x.db"), tmp_path))
    routes = {getattr(r, "path", None) for r in app.routes}
    assert "/docs" in routes
    assert "/openapi.json" in routes
