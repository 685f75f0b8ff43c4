import django.db.models.deletion
from django.db import migrations, models

# The run's own index is redundant beside imported_record_run_idx (run, id). Dropped with DROP INDEX rather
# than the AlterField's table rebuild on SQLite; Django names the index the same on both databases.
RUN_INDEX = "imports_importedrecord_run_id_2224983e"


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0002_run_stored_file_and_jobs"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="importedrecord",
                    name="run",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="records",
                        to="imports.importrun",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX "{RUN_INDEX}"',
                    f'CREATE INDEX "{RUN_INDEX}" ON "imports_importedrecord" ("run_id")',
                ),
            ],
        ),
    ]
