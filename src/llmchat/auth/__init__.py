"""Users, roles, login tokens and API tokens. No FastAPI here: the API and the CLI call these functions."""

from llmchat.auth.api_tokens import (
    TOKEN_PREFIX,
    NewToken,
    TokenInfo,
    create_api_token,
    list_api_tokens,
    revoke_api_token,
)
from llmchat.auth.authenticate import authenticate_bearer, authenticate_jwt
from llmchat.auth.bootstrap import bootstrap_admin
from llmchat.auth.cookies import CSRF_COOKIE, CSRF_HEADER, JWT_COOKIE, check_csrf, new_csrf_token
from llmchat.auth.login import LoginToken, login
from llmchat.auth.principal import Principal
from llmchat.auth.roles import ADMIN, LLM_INVOKE, LLM_READ, ROLES, Role, permissions_for
from llmchat.auth.users import (
    UserInfo,
    create_user,
    delete_user,
    get_user_by_email,
    list_users,
    update_user,
)

__all__ = [
    "ADMIN",
    "CSRF_COOKIE",
    "CSRF_HEADER",
    "JWT_COOKIE",
    "LLM_INVOKE",
    "LLM_READ",
    "ROLES",
    "TOKEN_PREFIX",
    "LoginToken",
    "NewToken",
    "Principal",
    "Role",
    "TokenInfo",
    "UserInfo",
    "authenticate_bearer",
    "authenticate_jwt",
    "bootstrap_admin",
    "check_csrf",
    "create_api_token",
    "create_user",
    "delete_user",
    "get_user_by_email",
    "list_api_tokens",
    "list_users",
    "login",
    "new_csrf_token",
    "permissions_for",
    "revoke_api_token",
    "update_user",
]
