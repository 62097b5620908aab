"""Every page router of the web interface, registered by the app as one module."""

from __future__ import annotations

from fastapi import APIRouter

from scriptsensei.web import (
    accuracy_page,
    auth_pages,
    dashboard,
    history_page,
    queue_page,
    review_page,
    settings_page,
    static,
    upload_page,
)

router = APIRouter(include_in_schema=False)
for module in (
    static,
    auth_pages,
    dashboard,
    upload_page,
    queue_page,
    review_page,
    history_page,
    settings_page,
    accuracy_page,
):
    router.include_router(module.router)
