"""The interaction and task lists."""

from accord.activities.views import INTERACTIONS, TASKS
from accord.core.listing import list_urls

app_name = "activities"

urlpatterns = [*list_urls(INTERACTIONS), *list_urls(TASKS)]
