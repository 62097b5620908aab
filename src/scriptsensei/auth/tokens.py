"""Random secrets and their stored digests (session tokens, API keys, the setup token).

Every secret handed out has 256 bits of randomness, so a plain SHA-256 digest is enough to
store it: nothing can be guessed from it and no salt is needed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def same_secret(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))
