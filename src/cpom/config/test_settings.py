"""Settings of the test suite: the platform's settings, made fast and self-contained.

- The data folder (uploads, pending imports, import slots, backups) is a temporary folder of the test session,
  removed at its end, unless ``CPOM_VAR_DIR`` names one (a command a test runs in a process of its own, given its
  folder). The database is the tests' own all the same: in memory on SQLite, ``test_<name>`` on ``DATABASE_URL``.
- Passwords are hashed with MD5: a hash of PBKDF2 costs about 0.3 s, and the tests create and log in hundreds of
  users. MD5 is never acceptable outside tests; the platform's hashers stay listed after it, so that a hash made
  by them still verifies.
- Mails stay in memory (``mailoutbox``), the cache is the process's own, static files are read where they are.
"""

import atexit
import os
import shutil
import tempfile

if not os.environ.get("CPOM_VAR_DIR"):
    _session_var_dir = tempfile.mkdtemp(prefix="cpom-tests-")
    atexit.register(shutil.rmtree, _session_var_dir, ignore_errors=True)
    os.environ["CPOM_VAR_DIR"] = _session_var_dir
    try:
        from cpom.config.settings import *  # noqa: E402, F403
    finally:
        # Commands the tests start in processes of their own are given their folder, or find the default again.
        del os.environ["CPOM_VAR_DIR"]
else:
    from cpom.config.settings import *  # noqa: F403

from cpom.config.settings import PRODUCTION  # noqa: E402

if PRODUCTION:
    raise RuntimeError("Les réglages de test ne servent jamais en production (CPOM_ENV=production).")

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
