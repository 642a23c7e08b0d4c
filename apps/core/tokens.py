"""Single-use tokens for e-mailed links (colleague and participant invitations).

The link carries 32 random bytes; only their SHA-256 is stored, so a leaked database does not
leak usable links (docs/decisions.md, "Invitation tokens").
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

INVITATION_VALID_FOR = timedelta(days=14)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh token for the link, and the hash to store in its place."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)
