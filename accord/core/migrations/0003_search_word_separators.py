"""PostgreSQL: index words of emails and host names separately (see POSTGRES_WORD_VECTOR in core.search)."""

from django.db import migrations

from accord.core.vendor_migrations import run_sql_on

FORWARD = (
    "DROP INDEX IF EXISTS search_entry_fulltext_idx",
    "CREATE INDEX search_entry_fulltext_idx ON core_searchentry "
    "USING gin (to_tsvector('simple', translate(text, '@.-_+/:', '       ')))",
)
BACKWARD = (
    "DROP INDEX IF EXISTS search_entry_fulltext_idx",
    "CREATE INDEX search_entry_fulltext_idx ON core_searchentry USING gin (to_tsvector('simple', text))",
)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_search_indexes")]

    operations = [run_sql_on("postgresql", FORWARD, BACKWARD)]
