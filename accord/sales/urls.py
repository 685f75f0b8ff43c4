"""The lead, deal and order lists (the deal board, deal page and lead conversion are in ``board_urls``)."""

from accord.core.listing import list_urls
from accord.sales.views import DEALS, LEADS, ORDERS

app_name = "sales"

urlpatterns = [*list_urls(LEADS), *list_urls(DEALS), *list_urls(ORDERS)]
