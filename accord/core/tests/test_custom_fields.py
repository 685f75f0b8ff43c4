import pytest

from accord.core.custom_fields import custom_field_filter, validate_custom_fields
from accord.core.errors import ValidationFailed
from accord.core.models import CustomField
from accord.customers.models import Company

pytestmark = pytest.mark.django_db


@pytest.fixture
def definitions() -> None:
    for key, field_type, extra in [
        ("segment", "choice", {"choices": ["smb", "enterprise"]}),
        ("seats", "number", {}),
        ("renewal", "date", {}),
        ("vip", "boolean", {}),
        ("notes", "text", {}),
    ]:
        CustomField.objects.create(
            object_type="company", key=key, label=key.title(), field_type=field_type, **extra
        )


@pytest.mark.usefixtures("definitions")
def test_valid_values_are_stored_in_canonical_form() -> None:
    values = validate_custom_fields(
        "company", {"segment": "smb", "seats": 12, "renewal": "2027-01-31", "vip": True, "notes": "x"}
    )
    assert values == {"segment": "smb", "seats": 12, "renewal": "2027-01-31", "vip": True, "notes": "x"}


@pytest.mark.usefixtures("definitions")
def test_every_bad_value_is_reported_by_field() -> None:
    with pytest.raises(ValidationFailed) as error:
        validate_custom_fields(
            "company", {"segment": "huge", "seats": "12", "renewal": "31/01/2027", "vip": "yes", "nope": 1}
        )
    assert set(error.value.fields) == {
        "custom_fields.segment",
        "custom_fields.seats",
        "custom_fields.renewal",
        "custom_fields.vip",
        "custom_fields.nope",
    }


@pytest.mark.usefixtures("definitions")
def test_required_fields_and_clearing() -> None:
    CustomField.objects.filter(key="seats").update(is_required=True)
    with pytest.raises(ValidationFailed) as error:
        validate_custom_fields("company", {"notes": "x"})
    assert error.value.fields == {"custom_fields.seats": ["This field is required."]}
    assert validate_custom_fields("company", {"notes": None}, current={"seats": 3, "notes": "x"}) == {
        "seats": 3
    }


@pytest.mark.usefixtures("definitions")
def test_filtering_by_custom_fields() -> None:
    Company.objects.create(name="A", custom_fields={"segment": "smb", "seats": 5, "vip": True})
    Company.objects.create(name="B", custom_fields={"segment": "enterprise", "seats": 50, "vip": False})

    def names(params: dict[str, str]) -> list[str]:
        return sorted(
            Company.objects.filter(custom_field_filter("company", params)).values_list("name", flat=True)
        )

    assert names({"cf.segment": "smb"}) == ["A"]
    assert names({"cf.seats": "50"}) == ["B"]
    assert names({"cf.vip": "false"}) == ["B"]
    assert names({"other": "x"}) == ["A", "B"]
    with pytest.raises(ValidationFailed):
        custom_field_filter("company", {"cf.seats": "many"})
    with pytest.raises(ValidationFailed):
        custom_field_filter("company", {"cf.unknown": "1"})
