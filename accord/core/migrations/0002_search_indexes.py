"""Full-text and substring indexes for the global search (see accord.core.search).

SQLite: two external-content FTS5 tables over core_searchentry.text (unicode61 words and trigrams),
kept in sync by triggers, and a B-tree on text for name prefixes. PostgreSQL: a full-text GIN index,
a trigram GIN index (pg_trgm) and a text_pattern_ops B-tree for name prefixes.
"""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE search_word USING fts5(text, content='core_searchentry', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE search_trigram USING fts5(text, content='core_searchentry', content_rowid='id', "
    "tokenize='trigram')",
    "CREATE INDEX search_entry_text_idx ON core_searchentry(text)",
    """CREATE TRIGGER search_entry_after_insert AFTER INSERT ON core_searchentry BEGIN
        INSERT INTO search_word(rowid, text) VALUES (new.id, new.text);
        INSERT INTO search_trigram(rowid, text) VALUES (new.id, new.text);
    END""",
    """CREATE TRIGGER search_entry_after_delete AFTER DELETE ON core_searchentry BEGIN
        INSERT INTO search_word(search_word, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO search_trigram(search_trigram, rowid, text) VALUES ('delete', old.id, old.text);
    END""",
    """CREATE TRIGGER search_entry_after_update AFTER UPDATE OF text ON core_searchentry BEGIN
        INSERT INTO search_word(search_word, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO search_trigram(search_trigram, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO search_word(rowid, text) VALUES (new.id, new.text);
        INSERT INTO search_trigram(rowid, text) VALUES (new.id, new.text);
    END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER search_entry_after_update",
    "DROP TRIGGER search_entry_after_delete",
    "DROP TRIGGER search_entry_after_insert",
    "DROP INDEX search_entry_text_idx",
    "DROP TABLE search_trigram",
    "DROP TABLE search_word",
]
POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX search_entry_fulltext_idx ON core_searchentry USING gin (to_tsvector('simple', text))",
    "CREATE INDEX search_entry_trigram_idx ON core_searchentry USING gin (text gin_trgm_ops)",
    "CREATE INDEX search_entry_prefix_idx ON core_searchentry (text text_pattern_ops)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX search_entry_prefix_idx",
    "DROP INDEX search_entry_trigram_idx",
    "DROP INDEX search_entry_fulltext_idx",
]


def _run(statements_by_vendor):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
    ]
