import pytest
from django.db import transaction

from accord.access.models import Role
from accord.core.actors import SYSTEM, Actor
from accord.core.errors import Conflict, PermissionDenied, ValidationFailed
from accord.core.models import AuditEntry
from accord.users import services
from accord.users.models import User
from accord.users.services import user_create, user_disable, user_enable, user_set_password, user_update
from accord.users.tests.conftest import PASSWORD, MakeUser

pytestmark = pytest.mark.django_db


def role_id(key: str) -> int:
    return Role.objects.get(key=key).pk


def test_user_create_validates_every_field() -> None:
    with pytest.raises(ValidationFailed) as error:
        user_create(actor=SYSTEM, username="a b", password="123", email="not an email", role_id=10**9)
    assert sorted(error.value.fields) == ["email", "password", "role_id", "username"]
    with pytest.raises(ValidationFailed) as error:
        user_create(actor=SYSTEM, username="ann", password=PASSWORD)
    assert error.value.fields == {
        "role_id": ["A user needs a role; disable the user to take every right away."]
    }
    assert not AuditEntry.objects.exists()


def test_user_create_audits_and_refuses_duplicates() -> None:
    user = user_create(actor=SYSTEM, username="ann", password=PASSWORD, is_admin=True)
    assert (user.is_staff, user.is_superuser) == (True, True)
    assert AuditEntry.objects.get().action == "create"
    with pytest.raises(Conflict):
        user_create(actor=SYSTEM, username="ANN", password=PASSWORD, role_id=role_id("sales_rep"))


def test_user_create_records_the_role_and_never_the_password() -> None:
    user = user_create(
        actor=SYSTEM,
        username="bob",
        password=PASSWORD,
        email=" Bob@Example.com",
        first_name=" Bob ",
        role_id=role_id("sales_rep"),
    )
    assert (user.email, user.first_name, user.role_id) == ("bob@example.com", "Bob", role_id("sales_rep"))
    entry = AuditEntry.objects.get()
    assert entry.changes == {"role": [None, "sales_rep"]}


def test_users_are_administered_by_administrators_only(make_user: MakeUser) -> None:
    rep = Actor(user=make_user("rep2"), via="api")
    target = make_user("target")
    calls = [
        lambda: user_create(actor=rep, username="x", password=PASSWORD, role_id=role_id("sales_rep")),
        lambda: user_update(actor=rep, user=target, data={"first_name": "X"}),
        lambda: user_disable(actor=rep, user=target),
        lambda: user_enable(actor=rep, user=target),
        lambda: user_set_password(actor=rep, user=target, password=PASSWORD + "!"),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert not AuditEntry.objects.exists()


def test_users_may_set_their_own_password(make_user: MakeUser) -> None:
    ann = make_user("ann")
    user_set_password(actor=Actor(user=ann, via="web"), user=ann, password="another long passphrase")
    assert ann.check_password("another long passphrase")
    assert AuditEntry.objects.get().changes == {}


def test_a_failing_write_leaves_no_audit_entry_and_no_change(
    make_user: MakeUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = make_user("target")

    def broken(*, user_id: int) -> int:
        raise RuntimeError("the session table is gone")

    monkeypatch.setattr(services, "sessions_end", broken)
    with pytest.raises(RuntimeError), transaction.atomic():
        user_disable(actor=SYSTEM, user=target)

    target.refresh_from_db()
    assert (target.is_active, target.version, AuditEntry.objects.count()) == (True, 1, 0)


def test_the_last_active_administrator_stays(make_user: MakeUser) -> None:
    boss = make_user("boss", role="administrator")
    with pytest.raises(Conflict, match="last active administrator"):
        user_disable(actor=SYSTEM, user=boss)
    with pytest.raises(Conflict, match="last active administrator"):
        user_update(actor=SYSTEM, user=boss, data={"role_id": role_id("sales_manager")})

    second = make_user("second", role="administrator")
    user_update(actor=SYSTEM, user=boss, data={"role_id": role_id("sales_manager")})
    with pytest.raises(Conflict, match="last active administrator"):
        user_disable(actor=SYSTEM, user=second)
    assert [entry.action for entry in AuditEntry.objects.all()] == ["role_change"]


def test_a_superuser_counts_as_an_administrator(make_user: MakeUser) -> None:
    boss = make_user("boss", role="administrator")
    root = User.objects.create_superuser(username="root", password=PASSWORD)
    user_disable(actor=SYSTEM, user=boss)
    with pytest.raises(Conflict):
        user_disable(actor=SYSTEM, user=root)


def test_writes_that_change_nothing_leave_no_entry(make_user: MakeUser) -> None:
    ann = make_user("ann", first_name="Ann")
    user_update(actor=SYSTEM, user=ann, data={"first_name": "Ann", "role_id": role_id("sales_rep")})
    user_enable(actor=SYSTEM, user=ann)
    assert not AuditEntry.objects.exists()
