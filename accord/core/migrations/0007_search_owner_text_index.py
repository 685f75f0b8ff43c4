"""PostgreSQL: an (owner, text) index on the search entries, for searches by users who see some owners.

A sales rep's search reads its own arm ``owner_id IN (…) AND <text matches>`` (see
``accord.core.permissions.search_scope``) by walking this index from the owner's first entry and stops
at the limit; before it, PostgreSQL gathered every match of a common word in the whole index and then
dropped those of other owners (35 ms for "mar" at 1,000,000 contacts, 3 ms with it). The prefix tier's
range on ``text`` uses its second column. SQLite's tiers join its FTS5 tables instead and need no such
index.
"""

from django.db import migrations

from accord.core.vendor_migrations import run_sql_on

FORWARD = "CREATE INDEX search_entry_owner_text_idx ON core_searchentry (owner_id, text text_pattern_ops)"
BACKWARD = "DROP INDEX search_entry_owner_text_idx"


class Migration(migrations.Migration):
    dependencies = [("core", "0006_saved_views")]

    operations = [run_sql_on("postgresql", (FORWARD,), (BACKWARD,))]
