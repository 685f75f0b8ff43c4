"""The company and contact lists (their 360 pages are in ``accord.web.customer_urls``)."""

from accord.core.listing import list_urls
from accord.customers.views import COMPANIES, CONTACTS

app_name = "customers"

urlpatterns = [*list_urls(COMPANIES), *list_urls(CONTACTS)]
