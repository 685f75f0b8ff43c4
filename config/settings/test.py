"""Test settings: the database still comes from DATABASE_URL (the suite runs on SQLite and PostgreSQL)."""

from config.settings.base import *  # noqa: F403

SECRET_KEY = "test-only-secret-key-not-for-production"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; production uses PBKDF2/Argon2
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Counters outlive a test's transaction (a separate SQLite file), so limits are off unless a test turns
# them on (accord/core/tests/test_ratelimit.py, with a file of its own).
ACCORD_RATE_LIMIT_READ = None
ACCORD_RATE_LIMIT_WRITE = None
