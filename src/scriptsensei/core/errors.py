"""One error base class, rendered by one handler as `{error, detail}`."""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    """An error a client can act on. `detail` is a sentence a person understands."""

    status_code = 400
    error = "bad_request"

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"error": self.error, "detail": self.detail, **self.extra}


class BadRequest(AppError):
    status_code, error = 400, "bad_request"


class Unauthorized(AppError):
    status_code, error = 401, "unauthorized"


class Forbidden(AppError):
    status_code, error = 403, "forbidden"


class NotFound(AppError):
    status_code, error = 404, "not_found"


class Conflict(AppError):
    status_code, error = 409, "conflict"


class PayloadTooLarge(AppError):
    status_code, error = 413, "payload_too_large"


class UnsupportedMediaType(AppError):
    status_code, error = 415, "unsupported_media_type"


class Unprocessable(AppError):
    status_code, error = 422, "invalid_request"


class RateLimited(AppError):
    status_code, error = 429, "rate_limited"


class ServiceUnavailable(AppError):
    status_code, error = 503, "service_unavailable"
