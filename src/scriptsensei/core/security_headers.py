"""Headers every HTTP response carries unless its handler set its own (pages set a fuller
policy): no MIME sniffing, no framing, no referrer sent to other sites.

A JSON body or an image must never be run as a page, so a response that is not HTML gets
a policy that allows nothing at all. HTML the pages did not render themselves (the
interactive API docs, which load their viewer from a CDN with an inline bootstrap) only
gets `frame-ancestors 'none'`.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

NOT_A_PAGE_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"
FOREIGN_PAGE_POLICY = "frame-ancestors 'none'"

BASE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def _policy_for(content_type: str) -> str:
    return FOREIGN_PAGE_POLICY if content_type.startswith("text/html") else NOT_A_PAGE_POLICY


def add_security_headers(headers: MutableHeaders) -> None:
    for name, value in BASE_HEADERS.items():
        headers.setdefault(name, value)
    headers.setdefault("Content-Security-Policy", _policy_for(headers.get("content-type", "")))


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                add_security_headers(MutableHeaders(scope=message))
            await send(message)

        await self.app(scope, receive, send_with_headers)
