"""Settings for `make run` and the CLI: the embedded mode on one machine."""

from config.secret import load_or_create_secret_key
from config.settings.base import *  # noqa: F403
from config.settings.base import DATA_DIR, env

SECRET_KEY = env.str("SECRET_KEY", default="") or load_or_create_secret_key(DATA_DIR)
