"""Settings shared by every environment; everything comes from the environment with safe embedded defaults.

`DATABASE_URL` unset means SQLite in the data folder (``ACCORD_DATA_DIR``, default ``./data``).
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# An empty ACCORD_DATA_DIR counts as unset, so it never silently means "the current folder".
DATA_DIR = Path(env.str("ACCORD_DATA_DIR", default="") or BASE_DIR / "data").resolve()

SECRET_KEY = env.str("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_htmx",
    "ninja",
    "accord.access",
    "accord.core",
    "accord.jobs",
    "accord.users",
    "accord.customers",
    "accord.sales",
    "accord.activities",
    "accord.analytics",
    "accord.dedupe",
    "accord.exports",
    "accord.imports",
    "accord.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accord.core.middleware.PagesRequireLogin",
    "accord.core.middleware.JsonMethodNotAllowed",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "users.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "accord" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def database_from_environment() -> dict[str, object]:
    """PostgreSQL when DATABASE_URL is set, otherwise SQLite in WAL mode with durable commits.

    synchronous=FULL because WAL with NORMAL may lose the last commits on power loss; IMMEDIATE
    transactions take the write lock up front so concurrent writers queue instead of failing
    with "database is locked" halfway through a transaction.
    """
    url = env.str("DATABASE_URL", default="")
    if url:
        database = env.db_url_config(url)
        database["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
        database["CONN_HEALTH_CHECKS"] = True
        if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
            # Server-side binding lets psycopg prepare a statement once it has run five times on a
            # connection, so PostgreSQL stops planning every list page again (benchmarks/api.py).
            # Turn off behind a connection pooler in transaction mode that cannot keep prepared statements.
            database.setdefault("OPTIONS", {}).update({"server_side_binding": True, "prepare_threshold": 5})
        return database
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(DATA_DIR / "accord.sqlite3"),
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
                "PRAGMA busy_timeout=20000; PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456;"
                "PRAGMA temp_store=MEMORY;"
            ),
        },
    }


DATABASES = {"default": database_from_environment()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2id (argon2-cffi) for new passwords; PBKDF2 and scrypt hashes are still accepted and are
# rehashed with Argon2id at the next successful sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# Every authenticate() goes through the sign-in throttle (accord.users.throttle).
AUTHENTICATION_BACKENDS = ["accord.users.backends.ThrottledModelBackend"]
ACCORD_LOGIN_FAILURE_WINDOW_SECONDS = env.int("ACCORD_LOGIN_FAILURE_WINDOW_SECONDS", default=15 * 60)
ACCORD_LOGIN_MAX_FAILURES_PER_ACCOUNT = env.int("ACCORD_LOGIN_MAX_FAILURES_PER_ACCOUNT", default=5)
ACCORD_LOGIN_MAX_FAILURES_PER_ADDRESS = env.int("ACCORD_LOGIN_MAX_FAILURES_PER_ADDRESS", default=20)
# Behind a reverse proxy every client has the proxy's address: name the header the proxy appends the
# client's address to (e.g. X-Forwarded-For) and how many proxies append to it. Unset, the header is
# ignored, because any client can send it.
ACCORD_TRUSTED_PROXY_HEADER = env.str("ACCORD_TRUSTED_PROXY_HEADER", default="")
ACCORD_TRUSTED_PROXY_COUNT = env.int("ACCORD_TRUSTED_PROXY_COUNT", default=1)
if ACCORD_TRUSTED_PROXY_COUNT < 1:
    raise ImproperlyConfigured("ACCORD_TRUSTED_PROXY_COUNT must be at least 1.")
# Database sessions that know their user, so disabling a user ends their sessions (accord.users.sessions).
SESSION_ENGINE = "accord.users.sessions"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "accord" / "static"]
LOGIN_URL = "users:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "users:login"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# A request body larger than this is refused before it is parsed (API and forms alike).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("ACCORD_MAX_REQUEST_BYTES", default=2 * 1024 * 1024)


def rate_limit_from_environment(name: str, default: str) -> tuple[int, int] | None:
    """``1200/60`` means 1,200 requests per 60 seconds; ``0`` or ``off`` means no limit."""
    text = env.str(name, default=default).strip().lower()
    if text in {"0", "off"}:
        return None
    requests, slash, seconds = text.partition("/")
    if not (slash and requests.isdigit() and seconds.isdigit() and int(requests) > 0 and int(seconds) > 0):
        raise ImproperlyConfigured(
            f"{name} must look like 1200/60 (requests/seconds), 0 or off; got {text!r}"
        )
    return int(requests), int(seconds)


# Per API token (per user for browser sessions): safe methods count against READ, the others against
# WRITE. The defaults leave room for an interactive client and a busy integration alike.
ACCORD_RATE_LIMIT_READ = rate_limit_from_environment("ACCORD_RATE_LIMIT_READ", "1200/60")
ACCORD_RATE_LIMIT_WRITE = rate_limit_from_environment("ACCORD_RATE_LIMIT_WRITE", "300/60")
# Embedded mode: counters live in their own SQLite file so a write per request never waits for the main
# database's writer lock (PostgreSQL keeps them in an UNLOGGED table instead).
ACCORD_RATE_LIMIT_SQLITE_FILE = DATA_DIR / "ratelimit.sqlite3"
# Idempotency-Key: how long a key and its stored response are kept, and when an unfinished first request
# counts as abandoned (longer than any request may run: gunicorn stops a worker after 60 s).
ACCORD_IDEMPOTENCY_KEY_TTL = env.int("ACCORD_IDEMPOTENCY_KEY_TTL", default=24 * 60 * 60)
ACCORD_IDEMPOTENCY_ABANDONED_AFTER = env.int("ACCORD_IDEMPOTENCY_ABANDONED_AFTER", default=5 * 60)

# Background jobs (accord.jobs, docs/jobs.md): how often an idle worker looks for work, how long a claimed
# job stays a worker's without a heartbeat (then another worker takes it over), the first retry delay
# after a transient failure (doubled each attempt, capped), how long finished jobs are kept, and extra
# modules that declare jobs (every app's tasks.py is found without it).
ACCORD_JOBS_POLL_SECONDS = env.float("ACCORD_JOBS_POLL_SECONDS", default=1.0)
ACCORD_JOBS_LEASE_SECONDS = env.float("ACCORD_JOBS_LEASE_SECONDS", default=60.0)
ACCORD_JOBS_BACKOFF_BASE_SECONDS = env.float("ACCORD_JOBS_BACKOFF_BASE_SECONDS", default=10.0)
ACCORD_JOBS_BACKOFF_MAX_SECONDS = env.float("ACCORD_JOBS_BACKOFF_MAX_SECONDS", default=3600.0)
ACCORD_JOBS_PRUNE_AFTER_DAYS = env.int("ACCORD_JOBS_PRUNE_AFTER_DAYS", default=30)
ACCORD_JOBS_MODULES = env.list("ACCORD_JOBS_MODULES", default=[])
for _name in ("ACCORD_JOBS_POLL_SECONDS", "ACCORD_JOBS_LEASE_SECONDS", "ACCORD_JOBS_BACKOFF_BASE_SECONDS"):
    if globals()[_name] <= 0:
        raise ImproperlyConfigured(f"{_name} must be a positive number of seconds.")

# Imports (docs/import.md): where uploaded files are kept for their runs, the largest file the upload page
# takes (the command line reads any size), rows per committed batch, and how many days files are kept.
ACCORD_IMPORT_FILES_DIR = Path(
    env.str("ACCORD_IMPORT_FILES_DIR", default="") or DATA_DIR / "imports"
).resolve()
ACCORD_IMPORT_MAX_UPLOAD_BYTES = env.int("ACCORD_IMPORT_MAX_UPLOAD_BYTES", default=200 * 1024 * 1024)
# Rows per committed import batch. Each commit waits for the disk: on SQLite, commits took 2.3 s per
# 200,000 contacts in batches of 2,000 and 1.4 s in batches of 5,000 (the import as a whole gained less,
# 2-3%, as the pages a batch writes are the same). Other writers wait for one batch at most, about a third
# of a second at 5,000.
ACCORD_IMPORT_BATCH_SIZE = env.int("ACCORD_IMPORT_BATCH_SIZE", default=5000)
ACCORD_IMPORT_KEEP_FILES_DAYS = env.int("ACCORD_IMPORT_KEEP_FILES_DAYS", default=7)

# Customer value analysis (docs/analytics-refresh.md): the currency analysed (empty: the one most paid orders
# use), and the cost of serving one inbound interaction by channel (JSON object; other channels cost the
# default), in that currency.
ACCORD_ANALYTICS_CURRENCY = env.str("ACCORD_ANALYTICS_CURRENCY", default="")
ACCORD_ANALYTICS_SUPPORT_COSTS: dict[str, float] = {
    channel: float(cost)
    for channel, cost in env.json(
        "ACCORD_ANALYTICS_SUPPORT_COSTS",
        default={
            "phone": 6.0,
            "email": 3.0,
            "chat": 2.5,
            "social": 2.0,
            "mail": 4.0,
            "video": 8.0,
            "in_person": 25.0,
        },
    ).items()
}
ACCORD_ANALYTICS_SUPPORT_COST_DEFAULT = env.float("ACCORD_ANALYTICS_SUPPORT_COST_DEFAULT", default=0.0)

ACCORD_API_MAX_PAGE_SIZE = 200
# List pages whose rows are read as dicts shaped like the list schema are sent without validating each
# row again (accord.core.crud.rows_page_response); on in the tests, which then check every such page.
ACCORD_VERIFY_ROW_PAGES = False
ACCORD_API_DEFAULT_PAGE_SIZE = 50
ACCORD_DEFAULT_CURRENCY = env.str("ACCORD_DEFAULT_CURRENCY", default="EUR")
ACCORD_DEFAULT_PHONE_REGION = env.str("ACCORD_DEFAULT_PHONE_REGION", default="US")

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
