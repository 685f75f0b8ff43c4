"""Forms of the settings pages. They parse what the browser sent; the services check the rules and their
field errors are shown beside the fields (``ServiceForm.add_service_error``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from django import forms
from django.core.validators import RegexValidator
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone

from accord.access.builtin_roles import CUSTOMER_RECORDS
from accord.access.models import Action, ObjectType, Role, Team, Visibility
from accord.access.rules import SENSITIVE_FIELDS
from accord.core.errors import AccordError, Conflict, PreconditionFailed, ValidationFailed
from accord.core.models import CustomField
from accord.users.models import ApiToken, User

PLURAL_LABELS = {
    "company": "Companies",
    "contact": "Contacts",
    "lead": "Leads",
    "deal": "Deals",
    "order": "Orders",
    "interaction": "Interactions",
    "task": "Tasks",
    "product": "Products",
    "pipeline": "Pipelines",
}
# Ids are positive 64-bit integers; a larger number is bad input, not a database overflow.
MAX_ID = 2**63 - 1


def values_of(record: Any, *names: str, **values: Any) -> dict[str, Any]:
    """An edit form's initial values: the record's attributes ``names``, the other ``values`` and its
    ``version`` (what the service checks when the form is saved)."""
    return {**{name: getattr(record, name) for name in names}, **values, "version": record.version}


class ServiceForm(forms.Form):
    """A form whose values a service checks. ``error_fields`` maps a service's field names to this form's
    (``role_id`` → ``role``); nested names (``member_ids.2``) go to the field of their first part; an
    error naming no field of the form is shown above it. ``conflict_field`` takes a 409's message
    (a username that is taken)."""

    error_fields: ClassVar[dict[str, str]] = {}
    conflict_field: ClassVar[str | None] = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.describe_fields()

    def describe_fields(self) -> None:
        """Point each input at its help and its errors (the ids ``form_field.html`` gives them), so a
        screen reader reads them with the field."""
        for name, field in self.fields.items():
            auto_id = self[name].auto_id
            described = [f"{auto_id}_error", *([f"{auto_id}_help"] if field.help_text else [])]
            field.widget.attrs.setdefault("aria-describedby", " ".join(described))

    def field_for(self, key: str) -> str | None:
        for candidate in (key, key.split(".")[0]):
            name = self.error_fields.get(candidate, candidate)
            if name in self.fields:
                return name
        return None

    def add_service_error(self, error: AccordError) -> None:
        if isinstance(error, ValidationFailed) and error.fields:
            for key, messages in error.fields.items():
                target = self.field_for(key)
                for message in messages:
                    self.add_error(target, message)
            return
        target = self.conflict_field if isinstance(error, Conflict) else None
        self.add_error(target, error.message)

    def show_conflict(self, error: PreconditionFailed, *, saved: Mapping[str, Any], version: int) -> None:
        """Someone saved the record after this form was loaded: keep what the user typed, show the saved
        value beside each field that differs, and take the new version so that saving again is a choice
        made knowing both."""
        self.add_error(
            None,
            "Someone else saved this while you were editing. Their values are shown beside your fields; "
            "save again to keep yours.",
        )
        for name, value in saved.items():
            if name not in self.fields or name == "version":
                continue
            field = self.fields[name]
            mine = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            if _comparable(mine) != _comparable(value):
                self.add_error(name, f"Saved meanwhile: {_display(field, value)}")
        data = self.data.copy() if isinstance(self.data, QueryDict) else dict(self.data)
        data[self.add_prefix("version")] = str(version)
        self.data = data


def _comparable(value: Any) -> Any:
    if isinstance(value, list | tuple | set):
        return sorted(str(item) for item in value)
    if value is None or value is False:
        return ""
    if value is True or value == "on":
        return "True"
    return str(value)


def _display(field: forms.Field, value: Any) -> str:
    choices = dict((str(key), str(label)) for key, label in getattr(field, "choices", ()))
    values = value if isinstance(value, list | tuple | set) else [value]
    if isinstance(field, forms.BooleanField):
        return "yes" if value else "no"
    shown = [choices.get(str(item), str(item)) for item in values if item not in (None, "")]
    return ", ".join(shown) or "(empty)"


class VersionField(forms.IntegerField):
    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, max_value=MAX_ID, required=False, **kwargs)


# ---------------------------------------------------------------- users


class UserFields(ServiceForm):
    error_fields = {"role_id": "role", "team_ids": "teams"}

    first_name = forms.CharField(max_length=150, required=False, label="First name")
    last_name = forms.CharField(max_length=150, required=False, label="Last name")
    email = forms.CharField(
        max_length=254, required=False, label="Email", widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    role = forms.ModelChoiceField(queryset=Role.objects.none(), label="Role", empty_label="Choose a role")
    teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.none(), required=False, label="Teams", widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, roles: QuerySet[Role], teams: QuerySet[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = roles  # type: ignore[attr-defined]
        self.fields["teams"].queryset = teams  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "first_name": data["first_name"],
            "last_name": data["last_name"],
            "email": data["email"],
            "role_id": data["role"].pk,
            "team_ids": sorted(team.pk for team in data["teams"]),
        }


class UserCreateForm(UserFields):
    conflict_field = "username"
    field_order = ["username", "first_name", "last_name", "email", "role", "teams", "password"]

    username = forms.CharField(
        max_length=150, label="Username", widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    password = forms.CharField(
        max_length=1024,
        required=False,
        label="Password",
        strip=False,
        help_text="Leave blank to have one generated; it is shown once.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class UserEditForm(UserFields):
    version = VersionField()


def user_initial(user: User) -> dict[str, Any]:
    return values_of(
        user,
        "first_name",
        "last_name",
        "email",
        role=user.role_id,
        teams=[team.pk for team in user.teams.all()],
    )


class PasswordSetForm(ServiceForm):
    password = forms.CharField(
        max_length=1024,
        required=False,
        strip=False,
        label="New password",
        help_text="Leave both blank to have one generated; it is shown once.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    confirm = forms.CharField(
        max_length=1024,
        required=False,
        strip=False,
        label="New password again",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password", "") != data.get("confirm", ""):
            self.add_error("confirm", "The two passwords differ.")
        return data


class UserFilterForm(forms.Form):
    """The query string of the users list; a value it cannot read answers 400."""

    q = forms.CharField(max_length=200, required=False, label="Search")
    status = forms.ChoiceField(
        choices=[("active", "Active"), ("disabled", "Disabled"), ("all", "All")],
        required=False,
        label="Status",
    )
    role = forms.TypedChoiceField(coerce=int, required=False, label="Role", empty_value=None)
    cursor = forms.CharField(max_length=500, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, roles: Iterable[Role], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", "Any role"), *((role.pk, role.name) for role in roles)]  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        status = self.cleaned_data.get("status") or "active"
        return {
            "is_active": {"active": True, "disabled": False}.get(status),
            "role_id": self.cleaned_data.get("role"),
        }


# ---------------------------------------------------------------- teams


class TeamForm(ServiceForm):
    error_fields = {"manager_id": "manager", "member_ids": "members"}

    name = forms.CharField(max_length=100, label="Name")
    manager = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label="Manager", empty_label="No manager"
    )
    members = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(), required=False, label="Members", widget=forms.CheckboxSelectMultiple
    )
    version = VersionField()

    def __init__(self, *args: Any, users: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = users  # type: ignore[attr-defined]
        self.fields["members"].queryset = users  # type: ignore[attr-defined]
        self.fields["manager"].label_from_instance = _user_label  # type: ignore[attr-defined]
        self.fields["members"].label_from_instance = _user_label  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "manager_id": data["manager"].pk if data["manager"] else None,
            "member_ids": sorted(user.pk for user in data["members"]),
        }


def _user_label(user: User) -> str:
    full = user.get_full_name()
    return f"{full} ({user.username})" if full else user.username


def team_initial(team: Team) -> dict[str, Any]:
    return values_of(
        team,
        "name",
        manager=team.manager_id,
        members=[membership.user_id for membership in team.memberships.all()],
    )


# ---------------------------------------------------------------- roles


@dataclass(frozen=True)
class GridRow:
    """One object type of the role grid: its checkboxes and the errors about them."""

    object_type: str
    label: str
    cells: list[forms.BoundField]
    errors: list[str]
    names: tuple[str, ...] = ()

    @property
    def named_cells(self) -> list[tuple[forms.BoundField, str]]:
        """The hidden-field checkboxes with the field name each stands for, as shown beside it."""
        return list(zip(self.cells, self.names, strict=True))


class RoleForm(ServiceForm):
    """A custom role: names, and the grid of object type × action plus the sensitive fields it hides.

    The checkboxes are ``perm__<type>__<action>`` and ``hide__<type>__<field>``; the service's errors
    about a type's row (``permissions.contact``) are shown in that row."""

    key = forms.CharField(
        max_length=50,
        label="Key",
        help_text="Lower-case letters, digits, - and _; it cannot change later.",
        validators=[RegexValidator(r"^[a-z0-9_-]+$", "Use lower-case letters, digits, - and _ only.")],
    )
    name = forms.CharField(max_length=100, label="Name")
    description = forms.CharField(
        max_length=2000, required=False, label="Description", widget=forms.Textarea(attrs={"rows": 3})
    )
    is_external = forms.BooleanField(
        required=False,
        label="External (partners): sees only its own and shared records, whatever the sharing defaults",
    )
    version = VersionField()

    def __init__(self, *args: Any, creating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["key"]
        for object_type, type_label in ObjectType.choices:
            for action, action_label in Action.choices:
                self.fields[f"perm__{object_type}__{action}"] = forms.BooleanField(
                    required=False, label=f"{type_label}: {action_label.lower()}"
                )
            for name in SENSITIVE_FIELDS.get(object_type, ()):
                self.fields[f"hide__{object_type}__{name}"] = forms.BooleanField(
                    required=False, label=f"{type_label}: hide {name.replace('_', ' ')}"
                )
        self.row_errors: dict[str, list[str]] = {}
        self.hidden_errors: dict[str, list[str]] = {}
        self.describe_fields()

    def add_service_error(self, error: AccordError) -> None:
        if isinstance(error, ValidationFailed):
            rest: dict[str, list[str]] = {}
            for key, messages in error.fields.items():
                group, _, object_type = key.partition(".")
                if group == "permissions" and object_type:
                    self.row_errors.setdefault(object_type, []).extend(messages)
                elif group == "hidden_fields" and object_type:
                    self.hidden_errors.setdefault(object_type, []).extend(messages)
                else:
                    rest[key] = list(messages)
            if rest:
                super().add_service_error(ValidationFailed(rest))
            elif not self.errors:
                self.add_error(None, "Some rows of the grid need a change; see the messages in them.")
            return
        super().add_service_error(error)

    @property
    def has_row_errors(self) -> bool:
        return bool(self.row_errors or self.hidden_errors)

    def grid(self) -> list[GridRow]:
        return [
            GridRow(
                object_type,
                str(label),
                [self[f"perm__{object_type}__{action}"] for action in Action.values],
                self.row_errors.get(object_type, []),
            )
            for object_type, label in ObjectType.choices
        ]

    def hidden_grid(self) -> list[GridRow]:
        return [
            GridRow(
                object_type,
                str(label),
                [self[f"hide__{object_type}__{name}"] for name in SENSITIVE_FIELDS[object_type]],
                self.hidden_errors.get(object_type, []),
                tuple(name.replace("_", " ") for name in SENSITIVE_FIELDS[object_type]),
            )
            for object_type, label in ObjectType.choices
            if object_type in SENSITIVE_FIELDS
        ]

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        permissions = {
            object_type: [action for action in Action.values if data.get(f"perm__{object_type}__{action}")]
            for object_type in ObjectType.values
        }
        hidden = {
            object_type: [name for name in names if data.get(f"hide__{object_type}__{name}")]
            for object_type, names in SENSITIVE_FIELDS.items()
        }
        fields = {
            "name": data["name"],
            "description": data["description"],
            "is_external": data["is_external"],
            "permissions": {key: value for key, value in permissions.items() if value},
            "hidden_fields": {key: value for key, value in hidden.items() if value},
        }
        if "key" in self.fields:
            fields["key"] = data["key"]
        return fields


def role_initial(role: Role) -> dict[str, Any]:
    initial = values_of(role, "key", "name", "description", "is_external")
    for object_type in ObjectType.values:
        granted = Action.values if role.is_admin else role.permissions.get(object_type, [])
        for action in granted:
            initial[f"perm__{object_type}__{action}"] = True
        for name in role.hidden_fields.get(object_type, []):
            initial[f"hide__{object_type}__{name}"] = True
    return initial


# ---------------------------------------------------------------- sharing defaults


class SharingDefaultsForm(forms.Form):
    """One choice per owned object type; products and pipelines are catalogues that every user whose
    role may view them sees whole, so they have no default to choose."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for object_type in CUSTOMER_RECORDS:
            self.fields[object_type] = forms.ChoiceField(
                choices=Visibility.choices, label=PLURAL_LABELS[object_type]
            )


# ---------------------------------------------------------------- custom fields


class ChoicesField(forms.CharField):
    """One choice per line; blank lines are dropped."""

    widget = forms.Textarea(attrs={"rows": 4})

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list) else value


CHOICES_HELP = "Choice fields only: one choice per line."


class CustomFieldCreateForm(ServiceForm):
    conflict_field = "key"

    object_type = forms.ChoiceField(choices=CustomField.ObjectType.choices, label="Record type")
    key = forms.CharField(
        max_length=50,
        label="Key",
        help_text="Used in the API and in list filters (cf.key); lower-case letters, digits and _.",
        validators=[
            RegexValidator(r"^[a-z][a-z0-9_]*$", "Start with a letter; use lower-case letters, digits and _.")
        ],
    )
    label = forms.CharField(max_length=100, label="Label")
    field_type = forms.ChoiceField(choices=CustomField.FieldType.choices, label="Type")
    choices = ChoicesField(required=False, label="Choices", help_text=CHOICES_HELP, max_length=10_000)
    is_required = forms.BooleanField(required=False, label="Required on every record of this type")


class CustomFieldEditForm(ServiceForm):
    label = forms.CharField(max_length=100, label="Label")
    choices = ChoicesField(required=False, label="Choices", help_text=CHOICES_HELP, max_length=10_000)
    is_required = forms.BooleanField(required=False, label="Required on every record of this type")
    version = VersionField()

    def __init__(self, *args: Any, field_type: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if field_type != CustomField.FieldType.CHOICE:
            del self.fields["choices"]


def custom_field_initial(field: CustomField) -> dict[str, Any]:
    return values_of(field, "label", "choices", "is_required")


class CustomFieldFilterForm(forms.Form):
    object_type = forms.ChoiceField(choices=[("", "All"), *CustomField.ObjectType.choices], required=False)


# ---------------------------------------------------------------- API tokens


TOKEN_MAX_DAYS = 3660


class TokenForm(ServiceForm):
    name = forms.CharField(max_length=100, label="Name", help_text="What uses it, e.g. “Invoicing sync”.")
    scope = forms.ChoiceField(
        choices=ApiToken.Scope.choices,
        label="Scope",
        initial=ApiToken.Scope.READ,
        help_text="A read-only token may only read; choose read and write only if the program changes data.",
    )
    expires_on = forms.DateField(
        required=False,
        label="Expires on",
        help_text="Optional: the token stops working at the end of this day.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    error_fields = {"expires_at": "expires_on"}

    def clean_expires_on(self) -> dt.date | None:
        day: dt.date | None = self.cleaned_data.get("expires_on")
        if day is not None and day < timezone.localdate():
            raise forms.ValidationError("Choose today or a later day.")
        if day is not None and day > timezone.localdate() + dt.timedelta(days=TOKEN_MAX_DAYS):
            raise forms.ValidationError("Choose a day within ten years.")
        return day

    def expires_at(self) -> dt.datetime | None:
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
