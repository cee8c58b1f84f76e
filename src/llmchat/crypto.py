"""Encryption of secrets at rest (Fernet, with key rotation) and masking for responses."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from llmchat.errors import ConfigurationError

MASK = "*****"
ENCRYPTION_KEY_FILE = "encryption.key"
JWT_KEY_FILE = "jwt.key"


def generate_key() -> str:
    return Fernet.generate_key().decode()


def load_or_create_key_file(data_dir: Path, name: str) -> str:
    """Return the key stored in the data directory, creating it with mode 0600 on first start."""
    path = data_dir / name
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = generate_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key + "\n")
    return key


class SecretBox:
    """Encrypts with the newest key; decrypts with any of them, so keys can be rotated."""

    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ConfigurationError("Invalid setting LLMCHAT_ENCRYPTION_KEYS: at least one key is needed.")
        try:
            self._fernet = MultiFernet([Fernet(k.encode()) for k in keys])
        except ValueError:
            raise ConfigurationError(
                "Invalid setting LLMCHAT_ENCRYPTION_KEYS: each key must be 32 url-safe base64-encoded bytes "
                "(make one with `llmchat keys generate`)."
            ) from None

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise ConfigurationError(
                "A stored secret cannot be decrypted with the configured keys; was LLMCHAT_ENCRYPTION_KEYS changed "
                "without keeping the old key?"
            ) from None

    def rotate(self, token: str) -> str:
        """Re-encrypt a token with the newest key."""
        return self._fernet.rotate(token.encode()).decode()


def mask(value: str | None) -> str | None:
    return MASK if value else None
