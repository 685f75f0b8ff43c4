"""Who may run the customer analysis, and who may read what it found."""

from __future__ import annotations

from accord.access.rules import Access
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
        raise PermissionDenied("Only administrators and sales managers may run the customer analysis.")


def sees_every_customer(access: Access) -> bool:
    """Whether the actor's scope covers every contact and every order, amounts included: only then may
    they read figures computed over all of them (a run's report, on the page and through the API)."""
    return (
        access.can("view", "contact")
        and access.can("view", "order")
        and access.owners_visible("contact") is None
        and access.owners_visible("order") is None
        and "total" not in access.hidden_keys("order")
    )


def require_report_reader(actor: Actor) -> None:
    if not sees_every_customer(actor.access):
        raise PermissionDenied(
            "The analysis covers every customer's orders: only users who see every contact and order, "
            "with their totals, may read it."
        )
