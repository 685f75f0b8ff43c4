"""The authentication backend (``AUTHENTICATION_BACKENDS``): Django's password check behind the throttle.

Every ``django.contrib.auth.authenticate()`` call goes through it, so the admin site's sign-in, the web
sign-in page and anything later are throttled alike without each view remembering to.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from accord.users import throttle
from accord.users.models import User

# Set on the request when the throttle refused a sign-in, for its audit entry (``accord.users.login_audit``).
THROTTLED_ATTRIBUTE = "accord_login_throttled"


class ThrottledModelBackend(ModelBackend):
    """Refuses sign-ins over the limits of ``accord.users.throttle``.

    Whatever the reason (unknown or disabled account, wrong password, throttled) a refusal costs one
    password hash and looks the same to the client, so neither timing nor answers tell whether an
    account exists or is throttled.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: Any = None,
        password: Any = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        attempt = throttle.attempt_start(username=str(username), address=throttle.client_address(request))
        # Checked even when the attempt is refused, so that a refusal costs the same work as a wrong password.
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if attempt.refused:
            throttle.attempt_refused(attempt)
            if request is not None:
                setattr(request, THROTTLED_ATTRIBUTE, True)
            return None
        if user is not None:
            throttle.attempt_succeeded(attempt)
        return user

    async def aauthenticate(
        self,
        request: HttpRequest | None,
        username: Any = None,
        password: Any = None,
        **kwargs: Any,
    ) -> User | None:
        """Django's async variant would skip the throttle: run the one above instead."""
        return await sync_to_async(self.authenticate)(request, username=username, password=password, **kwargs)
