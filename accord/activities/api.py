"""REST endpoints for interactions, tasks and the customer timelines."""

from collections.abc import Callable

from django.http import HttpRequest
from ninja import Query, Router

from accord.activities import selectors, services
from accord.activities.filters import InteractionFilter, TaskFilter
from accord.activities.models import Interaction, Task
from accord.activities.schemas import (
    Channel,
    InteractionIn,
    InteractionOut,
    InteractionPatch,
    TaskIn,
    TaskOut,
    TaskPatch,
    TimelinePage,
    TimelineType,
)
from accord.core.crud import ERRORS, Resource, actor_of, add_crud_routes
from accord.core.schemas import RecordId

interactions = Router(tags=["Interactions"])
tasks = Router(tags=["Tasks"])
# Mounted at the API root: its paths sit below /contacts and /companies, beside their CRUD routes.
timelines = Router(tags=["Timeline"])

add_crud_routes(
    interactions,
    Resource(
        plural="interactions",
        singular="interaction",
        model=Interaction,
        out_schema=InteractionOut,
        create_schema=InteractionIn,
        update_schema=InteractionPatch,
        filter_schema=InteractionFilter,
        sort_fields=("-occurred_at", "occurred_at", "-created_at", "created_at", "-updated_at", "updated_at"),
        list_records=selectors.interaction_list,
        get_record=selectors.interaction_get,
        create=services.interaction_create,
        update=services.interaction_update,
        delete=services.interaction_delete,
    ),
)

add_crud_routes(
    tasks,
    Resource(
        plural="tasks",
        singular="task",
        model=Task,
        out_schema=TaskOut,
        create_schema=TaskIn,
        update_schema=TaskPatch,
        filter_schema=TaskFilter,
        # Not due_at: the shared keyset pagination cannot page over a nullable column yet.
        sort_fields=("-created_at", "created_at", "-updated_at", "updated_at"),
        list_records=selectors.task_list,
        get_record=selectors.task_get,
        create=services.task_create,
        update=services.task_update,
        delete=services.task_delete,
    ),
)


def add_timeline_route(
    router: Router, *, plural: str, singular: str, selector: Callable[..., object]
) -> None:
    @router.get(
        f"/{plural}/{{int:record_id}}/timeline",
        response={200: TimelinePage, **ERRORS},
        operation_id=f"{singular}_timeline",
        summary=f"The history of a {singular}, newest first",
        description=(
            "Interactions, deal stage changes, orders and tasks merged newest first. Pass `next_cursor` "
            "back as `cursor` for the next page; `channel` (repeatable) narrows the interactions, "
            "`types` (repeatable) the kinds of entries."
        ),
    )
    def timeline(
        request: HttpRequest,
        record_id: RecordId,
        cursor: str | None = None,
        limit: int = Query(selectors.TIMELINE_DEFAULT_LIMIT, ge=1, le=selectors.TIMELINE_MAX_LIMIT),
        channel: list[Channel] = Query([]),
        types: list[TimelineType] = Query([]),
    ) -> object:
        return selector(
            actor=actor_of(request),
            **{f"{singular}_id": record_id},
            cursor=cursor,
            limit=limit,
            channels=channel,
            types=types,
        )


add_timeline_route(timelines, plural="contacts", singular="contact", selector=selectors.timeline_for_contact)
add_timeline_route(timelines, plural="companies", singular="company", selector=selectors.timeline_for_company)
