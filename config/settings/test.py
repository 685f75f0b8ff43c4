"""Test settings: the database still comes from DATABASE_URL (the suite runs on SQLite and PostgreSQL)."""

from config.settings.base import *  # noqa: F403

SECRET_KEY = "test-only-secret-key-not-for-production"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; production uses PBKDF2/Argon2
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not Django's shared-cache in-memory database: that one locks whole tables and ignores
    # the busy timeout, so tests with concurrent connections would fail where a real deployment waits.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}  # noqa: F405
# Counters outlive a test's transaction (a separate SQLite file), so limits are off unless a test turns
# them on (accord/core/tests/test_ratelimit.py, with a file of its own).
ACCORD_RATE_LIMIT_READ = None
ACCORD_RATE_LIMIT_WRITE = None

ACCORD_VERIFY_ROW_PAGES = True
