"""Settings for `make loadtest` (scripts/loadtest.py): the product's own, plus e-mail to files.

The load test counts what was delivered: Django's file-based backend writes every message
to EMAIL_FILE_PATH, where the script reads the Message-IDs afterwards. Nothing else differs
from config.settings, which reads the rest (DEBUG, DATABASE_URL, …) from the environment.
"""

import os

from config.settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
