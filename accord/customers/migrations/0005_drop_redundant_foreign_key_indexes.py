import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# A foreign key's own index is redundant where a composite index starts with its column: contact_owner_idx
# (owner, family_name) and the unique (contact, email). Dropped with DROP INDEX rather than the AlterField's
# table rebuild on SQLite, which would copy every contact. Django names these indexes the same on both
# databases.
OWNER_INDEX = "customers_contact_owner_id_2fff17f2"
EMAIL_CONTACT_INDEX = "customers_contactemail_contact_id_d5e4c772"


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0004_company_phone_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="contact",
                    name="owner",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="contacts",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="contactemail",
                    name="contact",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="emails",
                        to="customers.contact",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX "{OWNER_INDEX}"',
                    f'CREATE INDEX "{OWNER_INDEX}" ON "customers_contact" ("owner_id")',
                ),
                migrations.RunSQL(
                    f'DROP INDEX "{EMAIL_CONTACT_INDEX}"',
                    f'CREATE INDEX "{EMAIL_CONTACT_INDEX}" ON "customers_contactemail" ("contact_id")',
                ),
            ],
        ),
    ]
