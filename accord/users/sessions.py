"""The session engine (``SESSION_ENGINE``): Django's database sessions, each row tagged with its user.

Django's own session table cannot tell whose a session is without decoding every row, so disabling a
user could not end their sessions. Tagging the row on save keeps the mapping right through every key
change (sign-in, password change), which a table filled only on sign-in would miss.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

from accord.users.models import UserSession


class SessionStore(DatabaseSessionStore):
    @classmethod
    def get_model_class(cls) -> type[UserSession]:
        return UserSession

    def create_model_instance(self, data: dict[str, Any]) -> UserSession:
        session = super().create_model_instance(data)
        assert isinstance(session, UserSession)
        try:
            session.user_id = int(data[SESSION_KEY])
        except (KeyError, TypeError, ValueError):
            session.user_id = None
        return session


def sessions_end(*, user_id: int) -> int:
    """Delete every session of a user; how many there were."""
    deleted, _ = UserSession.objects.filter(user_id=user_id).delete()
    return deleted
