"""argon2 hashing off the event loop, and the password policy."""

from __future__ import annotations

import pytest

from llmchat.auth.passwords import check_password_policy, generate_password, hash_password, verify_password
from llmchat.errors import InvalidInput


async def test_hash_then_verify() -> None:
    hashed = await hash_password("correct horse")
    assert hashed.startswith("$argon2id$")
    assert "correct horse" not in hashed
    assert await verify_password(hashed, "correct horse")
    assert not await verify_password(hashed, "wrong horse")


async def test_no_hash_never_verifies() -> None:
    assert not await verify_password(None, "anything")
    assert not await verify_password("not a hash", "anything")


@pytest.mark.parametrize(
    ("password", "message"),
    [("short", "password must be at least 8 characters."), ("x" * 1025, "password must be at most 1024 characters.")],
)
def test_policy_names_the_field(password: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        check_password_policy(password)


def test_generated_passwords_pass_the_policy_and_differ() -> None:
    first, second = generate_password(), generate_password()
    check_password_policy(first)
    assert first != second
