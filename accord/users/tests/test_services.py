import pytest

from accord.core.actors import SYSTEM
from accord.core.errors import Conflict, ValidationFailed
from accord.core.models import AuditEntry
from accord.users.services import user_create

pytestmark = pytest.mark.django_db


def test_user_create_validates_username_and_password() -> None:
    with pytest.raises(ValidationFailed) as error:
        user_create(actor=SYSTEM, username="a b", password="a long enough passphrase")
    assert list(error.value.fields) == ["username"]
    with pytest.raises(ValidationFailed) as error:
        user_create(actor=SYSTEM, username="ann", password="123")
    assert list(error.value.fields) == ["password"]


def test_user_create_audits_and_refuses_duplicates() -> None:
    user = user_create(actor=SYSTEM, username="ann", password="a long enough passphrase", is_admin=True)
    assert (user.is_staff, user.is_superuser) == (True, True)
    assert AuditEntry.objects.get().action == "create"
    with pytest.raises(Conflict):
        user_create(actor=SYSTEM, username="ANN", password="a long enough passphrase")
