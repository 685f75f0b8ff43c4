"""Who may run the customer analysis and read its runs."""

from __future__ import annotations

from accord.core.actors import Actor
from accord.core.errors import PermissionDenied

# Built-in roles whose users may run the analysis, besides administrators: its report covers every
# customer's orders, which is a manager's view of the business (docs/analytics-refresh.md).
ANALYTICS_ROLES = frozenset({"sales_manager"})


def may_run_analytics(actor: Actor) -> bool:
    """Administrators (and Accord itself: the command line, the nightly job) and sales managers."""
    access = actor.access
    return access.is_admin or (access.role is not None and access.role.key in ANALYTICS_ROLES)


def require_analytics(actor: Actor) -> None:
    if not may_run_analytics(actor):
        raise PermissionDenied(
            "Only administrators and sales managers may run or read the customer analysis."
        )
