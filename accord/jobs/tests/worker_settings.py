"""Settings of the worker processes that tests start: the test settings, on the test database the
test process created (its name is passed in the environment)."""

import os

from config.settings.test import *  # noqa: F403
from config.settings.test import DATABASES

DATABASES["default"]["NAME"] = os.environ["ACCORD_TEST_DATABASE_NAME"]
