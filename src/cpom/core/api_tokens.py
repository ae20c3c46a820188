"""API tokens as the platform keeps them: the secret is shown once, only its digest is stored.

A token reads ``cpom_`` then 43 URL-safe characters (32 random bytes). The prefix (its first 13 characters) is kept
in clear so that a person can tell their tokens apart in « Mon compte » and an administrator can find a leaked one;
the rest never leaves the response that created it. SHA-256 is enough (no slow hash): the secret has 256 bits of
entropy, there is nothing to guess by trying words.
"""

import hashlib
import secrets
from dataclasses import dataclass

SCHEME = "cpom_"
PREFIX_LENGTH = 13
_RANDOM_BYTES = 32


@dataclass(frozen=True)
class NewToken:
    secret: str  # given to the person once
    prefix: str  # kept, shown
    digest: str  # kept, compared


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_token() -> NewToken:
    secret = SCHEME + secrets.token_urlsafe(_RANDOM_BYTES)
    return NewToken(secret=secret, prefix=secret[:PREFIX_LENGTH], digest=digest_of(secret))


def looks_like_a_token(text: str) -> bool:
    """Whether ``text`` has a token's form: checked before any query, so that garbage costs nothing."""
    return text.startswith(SCHEME) and 40 <= len(text) <= 80 and text.isascii() and text.isprintable()
