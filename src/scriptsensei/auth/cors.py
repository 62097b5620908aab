"""CORS: closed unless `cors_origins` lists the origins allowed to call the API from a
browser. Never `*`: credentials (the session cookie) are allowed for the listed origins."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from scriptsensei.auth.csrf import CSRF_HEADER
from scriptsensei.auth.dependencies import API_KEY_HEADER
from scriptsensei.core.settings import Settings


def install_cors(app: FastAPI, settings: Settings) -> None:
    origins = [origin.rstrip("/") for origin in settings.cors_origins if origin.strip()]
    if not origins:
        return  # no middleware: browsers refuse cross-origin reads on their own
    if "*" in origins:
        raise ValueError(
            "SCRIPTSENSEI_CORS_ORIGINS must list origins (https://example.org), not '*'."
        )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=origins,
        allow_credentials=True,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=["Content-Type", API_KEY_HEADER, CSRF_HEADER, "Authorization"],
        expose_headers=["Link", "X-Next-Cursor", "X-Request-Id", "Retry-After"],
    )
