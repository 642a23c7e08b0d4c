"""Verification codes: random, short enough to type from paper, forgiving of the usual misreadings."""

from __future__ import annotations

import secrets

from apps.certificates.models import CODE_ALPHABET, CODE_LENGTH

# Crockford's decoding: letters easily misread as digits are read as those digits.
_MISREAD = str.maketrans({"O": "0", "I": "1", "L": "1"})


def generate_code() -> str:
    """12 characters of a 32-letter alphabet: 60 random bits from the operating system's CSPRNG."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str | None:
    """The stored form of a typed code (case, spaces, dashes and misread letters forgiven), or None when it
    cannot be a code."""
    code = "".join(text.split()).replace("-", "").upper().translate(_MISREAD)
    if len(code) != CODE_LENGTH or any(char not in CODE_ALPHABET for char in code):
        return None
    return code
