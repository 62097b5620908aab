"""Headers every HTTP response carries unless its handler set its own: no MIME sniffing,
no framing, no referrer sent to other sites.

Pages (the API docs among them) set their own policy, which allows scripts and styles from
this origin only. Every other response gets a policy that allows nothing at all: a JSON
body, an image or HTML no page rendered must never run as a page.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

NOT_A_PAGE_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"

BASE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def add_security_headers(headers: MutableHeaders) -> None:
    for name, value in BASE_HEADERS.items():
        headers.setdefault(name, value)
    headers.setdefault("Content-Security-Policy", NOT_A_PAGE_POLICY)


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
