"""Shared fixtures. Each area keeps its fixtures in its own module under tests/fixtures/."""

pytest_plugins = [
    "tests.fixtures.db",
    "tests.fixtures.app",
    "tests.fixtures.auth",
    "tests.fixtures.fake_llm",
    "tests.fixtures.mcp_servers",
    "tests.fixtures.cli",
]
