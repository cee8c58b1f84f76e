"""Benchmark users, written straight into the service's database, with login tokens signed by its JWT key.

Creating 200 users through the API would hash 200 passwords with argon2 (deliberately ~0.1-0.5 s of CPU
each), and logging each in would verify 200 more: minutes of set-up that measure nothing asked for. The rows
share one real argon2 hash; the tokens are the same JWTs `POST /auth/login` issues (llmchat's own function).
"""

from __future__ import annotations

from argon2 import PasswordHasher
from sqlalchemy import select

from llmchat.auth.login import issue_login_token
from llmchat.db import Database, User

PASSWORD = "bench-user-password"


def bench_email(index: int) -> str:
    return f"user{index:04d}@bench.local"


async def seed_users(database_url: str, jwt_secret: str, count: int) -> dict[str, str]:
    """Users user0000@bench.local... (role `user`); returns {email: bearer token}. Idempotent."""
    db = Database(database_url)
    try:
        password_hash = PasswordHasher().hash(PASSWORD)
        emails = [bench_email(i) for i in range(count)]
        async with db.session() as session:
            existing = set((await session.scalars(select(User.email).where(User.email.in_(emails)))).all())
            session.add_all(
                User(email=email, password_hash=password_hash, role="user", is_active=True)
                for email in emails
                if email not in existing
            )
            await session.commit()
            users = (await session.scalars(select(User).where(User.email.in_(emails)))).all()
            return {user.email: issue_login_token(user, jwt_secret, 24 * 60).access_token for user in users}
    finally:
        await db.dispose()
