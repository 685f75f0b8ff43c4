"""The settings pages: users, teams, roles, sharing defaults, custom fields (administrators) and API tokens
(every user, their own). Thin: parse the form, call one selector or service, render.

Every write goes through the services the API uses, so it is permission-checked, validated and audited
the same way; their field errors are shown beside the fields. Pipelines and stages have their pages in
``accord.sales.settings_views`` (sales sits above users), built on the helpers here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse

from accord.access.models import Role
from accord.core import custom_fields as custom_field_services
from accord.core.actors import Actor
from accord.core.errors import (
    AccordError,
    Conflict,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
    ValidationFailed,
)
from accord.core.idempotency import SECRET_RESPONSE
from accord.core.metadata_api import CustomFieldFilter, custom_field_get, custom_field_list
from accord.core.pagination import paginate
from accord.core.permissions import require_admin
from accord.core.web import render_page, web_actor
from accord.users import access_selectors, access_services, selectors, services
from accord.users.models import User
from accord.users.schemas import UserFilter
from accord.users.settings_forms import (
    PLURAL_LABELS,
    CustomFieldCreateForm,
    CustomFieldEditForm,
    CustomFieldFilterForm,
    PasswordSetForm,
    RoleForm,
    ServiceForm,
    SharingDefaultsForm,
    TeamForm,
    TokenForm,
    UserCreateForm,
    UserEditForm,
    UserFilterForm,
    custom_field_initial,
    role_initial,
    team_initial,
    user_initial,
)

T = TypeVar("T")
View = Callable[..., HttpResponse]
USERS_PAGE_SIZE = 50


# ---------------------------------------------------------------- shared by every settings page


def settings_view(
    *, admin: bool = True, methods: tuple[str, ...] = ("GET", "POST")
) -> Callable[[View], View]:
    """Wrap a settings view ``view(request, actor, **url_kwargs)``: refuse other methods (405) and, for
    administration pages, non-administrators (403, with a page that says why); a record the selectors do
    not find answers 404, a query string they cannot read 400."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                return HttpResponseNotAllowed(methods)
            actor = web_actor(request)
            try:
                if admin:
                    require_admin(actor)
                return view(request, actor, *args, **kwargs)
            except NotFound as error:
                raise Http404(error.message) from error
            except PermissionDenied as error:
                context = {"message": error.message, "is_admin": actor.access.is_admin}
                return render(request, "users/settings/forbidden.html", context, status=403)
            except AccordError as error:
                # A query string the page cannot read (400), or a refusal no form was there to show (409).
                problems = [f"{name}: {' '.join(texts)}" for name, texts in error.fields.items()]
                context = {"problems": problems or [error.message], "is_admin": actor.access.is_admin}
                status = 400 if isinstance(error, ValidationFailed) else error.status
                return render(request, "users/settings/bad_request.html", context, status=status)

        return wrapper

    return decorate


def page(
    request: HttpRequest,
    actor: Actor,
    template: str,
    context: Mapping[str, Any],
    *,
    section: str,
    partial: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """A settings page: the section it belongs to (highlighted in the settings menu), and whether to show
    the administration sections of that menu."""
    full = {"section": section, "is_admin": actor.access.is_admin, **context}
    return render_page(request, template, full, partial_template=partial, status=status)


def attempt(
    form: ServiceForm,
    call: Callable[[], T],
    *,
    reload: Callable[[], tuple[Mapping[str, Any], int]] | None = None,
) -> tuple[bool, T | None]:
    """Run a service for a valid form: (True, its result), or (False, None) with the service's errors put
    on the form. A stale version shows the saved values beside the fields (``reload`` reads them)."""
    try:
        return True, call()
    except PreconditionFailed as error:
        if reload is None:
            form.add_service_error(error)
        else:
            saved, version = reload()
            form.show_conflict(error, saved=saved, version=version)
    except (ValidationFailed, Conflict) as error:
        form.add_service_error(error)
    return False, None


R = TypeVar("R")


def reloader(
    load: Callable[[], R], initial: Callable[[R], dict[str, Any]]
) -> Callable[[], tuple[Mapping[str, Any], int]]:
    """What ``attempt`` shows on a stale version: the record read again, as the form's values."""

    def reload() -> tuple[Mapping[str, Any], int]:
        record = load()
        return initial(record), record.version  # type: ignore[attr-defined]

    return reload


def save_posted(
    request: HttpRequest,
    form: ServiceForm,
    *,
    update: Callable[[int], object],
    reload: Callable[[], tuple[Mapping[str, Any], int]],
    message: Callable[[], str],
    done_url: str,
) -> HttpResponse | None:
    """An edit page's POST: for a valid form, ``update(expected_version)`` (a service); saved, the
    message and a redirect to ``done_url``. None when there is a form to show (a GET, or errors)."""
    if request.method != "POST" or not form.is_valid():
        return None
    saved, _ = attempt(form, lambda: update(form.cleaned_data["version"]), reload=reload)
    if not saved:
        return None
    messages.success(request, message())
    return redirect(done_url)


def create_posted(
    request: HttpRequest,
    form: ServiceForm,
    *,
    create: Callable[[], R],
    message: Callable[[R], str],
    done_url: Callable[[R], str],
) -> HttpResponse | None:
    """A new-record page's POST: for a valid form, ``create()`` (a service); created, the message and a
    redirect to ``done_url(record)``. None when there is a form to show (a GET, or errors)."""
    if request.method != "POST" or not form.is_valid():
        return None
    created, record = attempt(form, create)
    if not created or record is None:
        return None
    messages.success(request, message(record))
    return redirect(done_url(record))


def form_problems(form: forms.Form) -> dict[str, list[str]]:
    """A form's errors as a service would name them, for a query string answered with 400."""
    return {name: [str(message) for message in errors] for name, errors in form.errors.items()}


def posted(request: HttpRequest) -> Any:
    """The form data of a POST, None otherwise (an unbound form)."""
    return request.POST if request.method == "POST" else None


def show_secret(
    request: HttpRequest,
    actor: Actor,
    *,
    section: str,
    title: str,
    secret: str,
    explanation: str,
    done_url: str,
) -> HttpResponse:
    """A page that shows a secret once. ``no-store`` keeps it out of every cache and the back button's
    copy; it is never put in the session or a message, so a reload cannot show it again."""
    response = page(
        request,
        actor,
        "users/settings/secret.html",
        {"title": title, "secret": secret, "explanation": explanation, "done_url": done_url},
        section=section,
    )
    response["Cache-Control"] = SECRET_RESPONSE
    return response


def confirm_delete(
    request: HttpRequest,
    actor: Actor,
    *,
    section: str,
    what: str,
    name: str,
    delete: Callable[[], object],
    done_url: str,
    cancel_url: str,
    consequences: str = "",
) -> HttpResponse:
    """GET asks, POST deletes through ``delete`` (a service). A refusal (still in use, changed
    meanwhile) is shown on the same page."""
    error = ""
    if request.method == "POST":
        try:
            delete()
        except (Conflict, PreconditionFailed, ValidationFailed) as refused:
            error = refused.message
        else:
            messages.success(request, f"{what.capitalize()} “{name}” deleted.")
            return redirect(done_url)
    context = {
        "what": what,
        "name": name,
        "error": error,
        "cancel_url": cancel_url,
        "consequences": consequences,
    }
    return page(request, actor, "users/settings/confirm_delete.html", context, section=section)


# ---------------------------------------------------------------- index


@settings_view(methods=("GET",))
def index(request: HttpRequest, actor: Actor) -> HttpResponse:
    return page(request, actor, "users/settings/index.html", {}, section="index")


# ---------------------------------------------------------------- users


@settings_view(methods=("GET",))
def user_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    roles = list(access_selectors.role_list(actor=actor))
    form = UserFilterForm(request.GET, roles=roles)
    if not form.is_valid():
        raise ValidationFailed(form_problems(form))
    queryset = selectors.user_list(
        actor=actor, filters=UserFilter(**form.filters()), query=form.cleaned_data["q"]
    ).prefetch_related("teams")
    users = paginate(
        queryset, sort="username", cursor=form.cleaned_data["cursor"] or None, limit=USERS_PAGE_SIZE
    )
    next_url = None
    if users.next_cursor:
        query = request.GET.copy()
        query["cursor"] = users.next_cursor
        next_url = f"?{query.urlencode()}"
    context = {"form": form, "users": users.items, "next_url": next_url, "filtered": bool(request.GET)}
    return page(
        request,
        actor,
        "users/settings/users.html",
        context,
        section="users",
        partial="users/settings/_users.html",
    )


@settings_view()
def user_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = UserCreateForm(
        posted(request),
        roles=access_selectors.role_list(actor=actor),
        teams=access_selectors.team_list(actor=actor),
    )
    if request.method == "POST" and form.is_valid():
        typed = form.cleaned_data["password"]
        password = typed or services.generate_password()
        created, user = attempt(
            form,
            lambda: services.user_create(
                actor=actor,
                username=form.cleaned_data["username"],
                password=password,
                **form.service_data(),
            ),
        )
        if created and user is not None:
            done_url = reverse("settings:user-edit", args=[user.pk])
            if typed:
                messages.success(request, f"User “{user.username}” created.")
                return redirect(done_url)
            return show_secret(
                request,
                actor,
                section="users",
                title=f"User “{user.username}” created",
                secret=password,
                explanation="This is their password. Give it to them now: it is not shown again, and "
                "Accord keeps only a hash of it. They can change it after signing in.",
                done_url=done_url,
            )
    return page(request, actor, "users/settings/user_form.html", {"form": form}, section="users")


@settings_view()
def user_edit(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    user = selectors.user_get(actor=actor, pk=pk)
    form = UserEditForm(
        posted(request),
        initial=user_initial(user),
        roles=access_selectors.role_list(actor=actor),
        teams=access_selectors.team_list(actor=actor),
    )
    done = save_posted(
        request,
        form,
        update=lambda version: services.user_update(
            actor=actor, user=user, data=form.service_data(), expected_version=version
        ),
        reload=reloader(lambda: selectors.user_get(actor=actor, pk=pk), user_initial),
        message=lambda: f"User “{user.username}” saved.",
        done_url=reverse("settings:user-edit", args=[pk]),
    )
    context = {"form": form, "account": user, "is_self": user.pk == actor.user_id}
    return done or page(request, actor, "users/settings/user_form.html", context, section="users")


def _user_action(service: Callable[..., User], done: str) -> View:
    @settings_view(methods=("POST",))
    def action(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
        user = selectors.user_get(actor=actor, pk=pk)
        try:
            service(actor=actor, user=user)
        except Conflict as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"User “{user.username}” {done}.")
        return redirect("settings:user-edit", pk=pk)

    return action


user_disable = _user_action(services.user_disable, "disabled: their sessions and API tokens ended at once")
user_enable = _user_action(services.user_enable, "enabled: they can sign in again")


@settings_view()
def user_password(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    user = selectors.user_get(actor=actor, pk=pk)
    form = PasswordSetForm(posted(request))
    if request.method == "POST" and form.is_valid():
        typed = form.cleaned_data["password"]
        password = typed or services.generate_password()
        done, _ = attempt(form, lambda: services.user_set_password(actor=actor, user=user, password=password))
        if done:
            if user.pk == actor.user_id:
                update_session_auth_hash(request, user)  # stay signed in here; other sessions end
            done_url = reverse("settings:user-edit", args=[pk])
            if typed:
                messages.success(request, f"Password of “{user.username}” changed.")
                return redirect(done_url)
            return show_secret(
                request,
                actor,
                section="users",
                title=f"New password for “{user.username}”",
                secret=password,
                explanation="Give it to them now: it is not shown again. Their other sessions "
                "ended with the change.",
                done_url=done_url,
            )
    context = {"form": form, "account": user}
    return page(request, actor, "users/settings/user_password.html", context, section="users")


# ---------------------------------------------------------------- teams


def _active_users(actor: Actor) -> Any:
    return selectors.user_list(actor=actor, filters=UserFilter(is_active=True, role_id=None))


@settings_view(methods=("GET",))
def team_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    teams = (
        access_selectors.team_list(actor=actor)
        .select_related("manager")
        .prefetch_related("memberships__user")
    )
    return page(request, actor, "users/settings/teams.html", {"teams": teams}, section="teams")


@settings_view()
def team_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = TeamForm(posted(request), users=_active_users(actor))
    done = create_posted(
        request,
        form,
        create=lambda: access_services.team_create(actor=actor, data=form.service_data()),
        message=lambda team: f"Team “{team.name}” created.",
        done_url=lambda team: reverse("settings:teams"),
    )
    return done or page(request, actor, "users/settings/team_form.html", {"form": form}, section="teams")


@settings_view()
def team_edit(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    team = access_selectors.team_get(actor=actor, pk=pk)
    form = TeamForm(posted(request), initial=team_initial(team), users=_active_users(actor))
    done = save_posted(
        request,
        form,
        update=lambda version: access_services.team_update(
            actor=actor, instance=team, data=form.service_data(), expected_version=version
        ),
        reload=reloader(lambda: access_selectors.team_get(actor=actor, pk=pk), team_initial),
        message=lambda: f"Team “{form.cleaned_data['name']}” saved.",
        done_url=reverse("settings:teams"),
    )
    context = {"form": form, "team": team}
    return done or page(request, actor, "users/settings/team_form.html", context, section="teams")


@settings_view()
def team_delete(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    team = access_selectors.team_get(actor=actor, pk=pk)
    return confirm_delete(
        request,
        actor,
        section="teams",
        what="team",
        name=team.name,
        delete=lambda: access_services.team_delete(actor=actor, instance=team),
        done_url=reverse("settings:teams"),
        cancel_url=reverse("settings:team-edit", args=[pk]),
        consequences="Its members stay; they no longer see each other's records through this team, "
        "and records shared with the team are no longer shared with them.",
    )


# ---------------------------------------------------------------- roles


@settings_view(methods=("GET",))
def role_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    roles = list(access_selectors.role_list(actor=actor))
    context = {
        "builtin": [role for role in roles if role.is_builtin],
        "custom": [role for role in roles if not role.is_builtin],
    }
    return page(request, actor, "users/settings/roles.html", context, section="roles")


@settings_view()
def role_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = RoleForm(posted(request), creating=True)
    done = create_posted(
        request,
        form,
        create=lambda: access_services.role_create(actor=actor, data=form.service_data()),
        message=lambda role: f"Role “{role.name}” created.",
        done_url=lambda role: reverse("settings:roles"),
    )
    return done or page(request, actor, "users/settings/role_form.html", {"form": form}, section="roles")


@settings_view()
def role_edit(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    role = access_selectors.role_get(actor=actor, pk=pk)
    form = RoleForm(posted(request), creating=False, initial=role_initial(role))
    if role.is_builtin:
        for field in form.fields.values():
            field.disabled = True
    done = save_posted(
        request,
        form,
        update=lambda version: access_services.role_update(
            actor=actor, instance=role, data=form.service_data(), expected_version=version
        ),
        reload=reloader(lambda: access_selectors.role_get(actor=actor, pk=pk), role_initial),
        message=lambda: f"Role “{form.cleaned_data['name']}” saved.",
        done_url=reverse("settings:roles"),
    )
    context = {"form": form, "role": role}
    return done or page(request, actor, "users/settings/role_form.html", context, section="roles")


@settings_view()
def role_delete(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    role: Role = access_selectors.role_get(actor=actor, pk=pk)
    return confirm_delete(
        request,
        actor,
        section="roles",
        what="role",
        name=role.name,
        delete=lambda: access_services.role_delete(actor=actor, instance=role),
        done_url=reverse("settings:roles"),
        cancel_url=reverse("settings:role-edit", args=[pk]),
        consequences="A role still given to users cannot be deleted: give them another role first.",
    )


# ---------------------------------------------------------------- sharing defaults


@settings_view()
def sharing_defaults(request: HttpRequest, actor: Actor) -> HttpResponse:
    current = {
        row["object_type"]: row["visibility"] for row in access_selectors.sharing_defaults(actor=actor)
    }
    form = SharingDefaultsForm(posted(request), initial=current)
    if request.method == "POST" and form.is_valid():
        for object_type in form.changed_data:
            access_services.sharing_default_set(
                actor=actor, object_type=object_type, visibility=form.cleaned_data[object_type]
            )
        if form.changed_data:
            messages.success(request, "Sharing defaults saved; they apply from the next page anyone opens.")
        else:
            messages.info(request, "Nothing changed.")
        return redirect("settings:sharing")
    return page(request, actor, "users/settings/sharing.html", {"form": form}, section="sharing")


# ---------------------------------------------------------------- custom fields


@settings_view(methods=("GET",))
def custom_field_list_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = CustomFieldFilterForm(request.GET)
    if not form.is_valid():
        raise ValidationFailed(form_problems(form))
    object_type = form.cleaned_data["object_type"] or None
    fields = custom_field_list(
        actor=actor, filters=CustomFieldFilter(object_type=object_type), query=None, params=None
    )
    context = {
        "fields": list(fields),
        "form": form,
        "object_type": object_type,
        "plural": PLURAL_LABELS[object_type].lower() if object_type else "",
    }
    return page(request, actor, "users/settings/custom_fields.html", context, section="custom_fields")


@settings_view()
def custom_field_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    initial = {"object_type": request.GET.get("object_type", "")}
    form = CustomFieldCreateForm(posted(request), initial=initial)
    done = create_posted(
        request,
        form,
        create=lambda: custom_field_services.custom_field_create(actor=actor, data=form.cleaned_data),
        message=lambda field: f"Custom field “{field.label}” created.",
        done_url=lambda field: _custom_fields_of(field.object_type),
    )
    return done or page(
        request, actor, "users/settings/custom_field_form.html", {"form": form}, section="custom_fields"
    )


@settings_view()
def custom_field_edit(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    field = custom_field_get(actor=actor, pk=pk)
    form = CustomFieldEditForm(
        posted(request), initial=custom_field_initial(field), field_type=field.field_type
    )
    done = save_posted(
        request,
        form,
        update=lambda version: custom_field_services.custom_field_update(
            actor=actor,
            instance=field,
            data={name: value for name, value in form.cleaned_data.items() if name != "version"},
            expected_version=version,
        ),
        reload=reloader(lambda: custom_field_get(actor=actor, pk=pk), custom_field_initial),
        message=lambda: f"Custom field “{form.cleaned_data['label']}” saved.",
        done_url=_custom_fields_of(field.object_type),
    )
    context = {"form": form, "field": field}
    return done or page(
        request, actor, "users/settings/custom_field_form.html", context, section="custom_fields"
    )


def _custom_fields_of(object_type: str) -> str:
    return f"{reverse('settings:custom-fields')}?object_type={object_type}"


@settings_view()
def custom_field_delete(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    field = custom_field_get(actor=actor, pk=pk)
    return confirm_delete(
        request,
        actor,
        section="custom_fields",
        what="custom field",
        name=field.label,
        delete=lambda: custom_field_services.custom_field_delete(actor=actor, instance=field),
        done_url=reverse("settings:custom-fields"),
        cancel_url=reverse("settings:custom-field-edit", args=[pk]),
        consequences="Values already stored on records stay until each record is next edited, "
        "but the field is no longer shown, filtered on or checked.",
    )


# ---------------------------------------------------------------- API tokens (every user, their own)


@settings_view(admin=False)
def token_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = TokenForm(posted(request))
    if request.method == "POST" and form.is_valid():
        user = actor.user
        assert isinstance(user, User)
        created, issued = attempt(
            form,
            lambda: services.token_create(
                actor=actor,
                user=user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                expires_at=form.expires_at(),
            ),
        )
        if created and issued is not None:
            return show_secret(
                request,
                actor,
                section="tokens",
                title=f"API token “{issued.token.name}” created",
                secret=issued.secret,
                explanation="Copy it now: it is shown only this once, and Accord keeps only a hash of it. "
                "Send it as “Authorization: Bearer …”.",
                done_url=reverse("settings:tokens"),
            )
    tokens = selectors.token_list(actor=actor)
    context = {"form": form, "tokens": tokens}
    return page(request, actor, "users/settings/tokens.html", context, section="tokens")


@settings_view(admin=False, methods=("POST",))
def token_revoke(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    user = actor.user
    assert isinstance(user, User)
    token = services.token_revoke(actor=actor, user=user, token_id=pk)
    messages.success(request, f"Token “{token.name}” revoked: it stopped working at once.")
    return redirect("settings:tokens")
