"""PostgreSQL: index words of emails and host names separately (see POSTGRES_WORD_VECTOR in core.search)."""

from django.db import migrations

FORWARD = (
    "DROP INDEX IF EXISTS search_entry_fulltext_idx",
    "CREATE INDEX search_entry_fulltext_idx ON core_searchentry "
    "USING gin (to_tsvector('simple', translate(text, '@.-_+/:', '       ')))",
)
BACKWARD = (
    "DROP INDEX IF EXISTS search_entry_fulltext_idx",
    "CREATE INDEX search_entry_fulltext_idx ON core_searchentry USING gin (to_tsvector('simple', text))",
)


def _run(statements):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0002_search_indexes")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
