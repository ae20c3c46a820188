"""Settings for cpom.

SQLite in ``var/`` is the embedded default so that a fresh clone runs with nothing
installed; PostgreSQL is used as soon as ``DATABASE_URL`` is set. In production
(``CPOM_ENV=production``) secrets and hosts must come from the environment, and weak
ones are refused. Debug pages are shown only when asked for (``CPOM_DEBUG=1``), never in production.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DEVELOPMENT_SECRET_KEY = "dev-only-not-secret-cpom"
# Django's own floor for a key that resists guessing (check --deploy): 50 characters, 5 distinct at least.
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_DISTINCT = 5

# Uploads, the SQLite database, pending imports and generated files are read by the platform's account only.
os.umask(0o027)
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750

PRODUCTION = os.environ.get("CPOM_ENV", "development") == "production"
DEBUG = not PRODUCTION and os.environ.get("CPOM_DEBUG", "0") == "1"


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"Variable d'environnement manquante en production : {name}")
    return value


def _var_dir() -> Path:
    """``CPOM_VAR_DIR``, else ``var/`` at the root of the source checkout, wherever the command is started from."""
    if os.environ.get("CPOM_VAR_DIR"):
        return Path(os.environ["CPOM_VAR_DIR"]).resolve()
    checkout = PACKAGE_DIR.parent.parent
    if (checkout / "pyproject.toml").is_file():
        return checkout / "var"
    raise ImproperlyConfigured(
        "CPOM_VAR_DIR n'est pas défini : indiquez le dossier où cpom garde sa base SQLite, les fichiers déposés et "
        "les imports en attente (cpom est installé hors de son dépôt source)."
    )


def _production_secret_key() -> str:
    key = _required("CPOM_SECRET_KEY")
    if (
        key == DEVELOPMENT_SECRET_KEY
        or key.startswith("django-insecure-")
        or len(key) < SECRET_KEY_MIN_LENGTH
        or len(set(key)) < SECRET_KEY_MIN_DISTINCT
    ):
        raise ImproperlyConfigured(
            f"CPOM_SECRET_KEY est trop faible pour la production : il faut {SECRET_KEY_MIN_LENGTH} caractères au moins, "
            "tirés au hasard, et jamais la clé de développement. Par exemple : "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    return key


def _production_hosts() -> list[str]:
    hosts = [host.strip() for host in _required("CPOM_ALLOWED_HOSTS").split(",")]
    if any(not host or "*" in host for host in hosts):
        raise ImproperlyConfigured(
            "CPOM_ALLOWED_HOSTS doit nommer chaque nom de domaine servi, séparés par des virgules "
            f"(par exemple cpom.ars.sante.fr) : « * » ou une entrée vide est refusé ; trouvé « {os.environ['CPOM_ALLOWED_HOSTS']} »."
        )
    return hosts


VAR_DIR = _var_dir()

if PRODUCTION:
    SECRET_KEY = _production_secret_key()
    ALLOWED_HOSTS = _production_hosts()
    CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CPOM_CSRF_TRUSTED_ORIGINS", "").split(",") if o]
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # HTTPS only (issue 14, point 4: ``cpom check --deploy`` clean). The browser is told for a year to come back in
    # HTTPS only, subdomains included, and the site may be listed for preloading; an authority whose other subdomains
    # still serve plain HTTP sets CPOM_HSTS_INCLUDE_SUBDOMAINS=0 (check --deploy then warns, as it should). Plain HTTP
    # is redirected by cpom itself unless the reverse proxy already does it (CPOM_SSL_REDIRECT=0).
    SECURE_HSTS_SECONDS = int(os.environ.get("CPOM_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("CPOM_HSTS_INCLUDE_SUBDOMAINS", "1") == "1"
    SECURE_HSTS_PRELOAD = os.environ.get("CPOM_HSTS_PRELOAD", "1") == "1"
    SECURE_SSL_REDIRECT = os.environ.get("CPOM_SSL_REDIRECT", "1") == "1"
else:
    # A development key: refused when CPOM_ENV=production.
    SECRET_KEY = os.environ.get("CPOM_SECRET_KEY", DEVELOPMENT_SECRET_KEY)
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "widget_tweaks",
    "dsfr",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "csp",
    "cpom.web",
    "cpom.jobs",
    "cpom.accounts",
    "cpom.registry",
    "cpom.contracts",
    "cpom.audit",
    "cpom.indicators",
    "cpom.diagnostic",
    "cpom.objectives",
    "cpom.finance",
    "cpom.documents",
    "cpom.signing",
    "cpom.amendments",
    "cpom.followup",
    "cpom.alerts",
    "cpom.reviews",
    "cpom.launch",
    "cpom.portfolios",
    "cpom.roadmap",
    "cpom.timeline",
    "cpom.notifications",
    "cpom.api",
    "cpom.backups",
    "cpom.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "cpom.accounts.sessions.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "cpom.web.middleware.StaleWriteMiddleware",
    "cpom.web.middleware.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it answers a locked-out login with the French page below.
    "axes.middleware.AxesMiddleware",
]

# Static files are served by WhiteNoise in every environment, so that the quick start runs without debug. In
# production it serves what ``cpom collectstatic`` gathered (compressed, with hashed names); elsewhere it reads
# them where they are, as runserver's debug mode would.
MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")
WHITENOISE_USE_FINDERS = not PRODUCTION
# Looked up per request rather than indexed at start: indexing the 1 800 files takes 0.3 s for every new
# handler, which each test client is.
WHITENOISE_AUTOREFRESH = not PRODUCTION

ROOT_URLCONF = "cpom.config.urls"
WSGI_APPLICATION = "cpom.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cpom.accounts.context_processors.current_membership",
                "cpom.web.context_processors.contract_frame",
            ],
        },
    },
]
FORM_RENDERER = "dsfr.forms.DsfrDjangoTemplates"
DSFR_MARK_OPTIONAL_FIELDS = True

_DEFAULT_SQLITE = f"sqlite:///{VAR_DIR / 'cpom.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _DEFAULT_SQLITE), conn_max_age=60)}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    VAR_DIR.mkdir(mode=0o750, parents=True, exist_ok=True)
    # A deferred BEGIN reads first, then fails at once with "database is locked" when its upgrade to a write
    # lock meets another writer (SQLite does not wait there, to avoid a deadlock). IMMEDIATE takes the write lock
    # at BEGIN, where the busy timeout applies: concurrent writers queue for up to 20 s instead of failing.
    # WAL lets readers go on while one writer commits; synchronous stays at its durable default (FULL).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
# Sessions (issue 14, point 4): they end after an hour without a page asked and ten hours after the login (a working
# day), and when the browser closes (cpom.accounts.sessions).
CPOM_SESSION_IDLE_MINUTES = int(os.environ.get("CPOM_SESSION_IDLE_MINUTES", "60"))
CPOM_SESSION_MAX_HOURS = int(os.environ.get("CPOM_SESSION_MAX_HOURS", "10"))
if CPOM_SESSION_IDLE_MINUTES < 1 or CPOM_SESSION_MAX_HOURS < 1:
    raise ImproperlyConfigured("CPOM_SESSION_IDLE_MINUTES et CPOM_SESSION_MAX_HOURS doivent valoir au moins 1.")
SESSION_COOKIE_AGE = CPOM_SESSION_MAX_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Brute force: after 5 wrong passwords for one identifier from one address, that pair is locked out for 15
# minutes (each new try during the lock starts the 15 minutes again); the right password does not get through
# meanwhile. force_login (tests) and API tokens do not authenticate with a password, so they are not counted.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Behind reverse proxies, the client's address is read from what they add (cpom.accounts.client_address).
CPOM_PROXY_COUNT = int(os.environ.get("CPOM_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "cpom.accounts.client_address.client_address"

# Password reset mails: printed on the console unless an SMTP server is given.
DEFAULT_FROM_EMAIL = os.environ.get("CPOM_EMAIL_FROM", "cpom <ne-pas-repondre@cpom.invalid>")
if os.environ.get("CPOM_EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["CPOM_EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("CPOM_EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("CPOM_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("CPOM_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = os.environ.get("CPOM_EMAIL_TLS", "1") == "1"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
PASSWORD_RESET_TIMEOUT = 3600 * 24

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# Only production collects them (cpom collectstatic); elsewhere WhiteNoise reads them in place.
STATIC_ROOT = VAR_DIR / "static" if PRODUCTION else None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"

# Uploads: a file is read at most up to CPOM_MAX_UPLOAD_BYTES (the largest FEC accepted), never spooled whole
# beyond it; the other fields of a form take at most 2.5 MB together (Django's default, stated here on purpose).
CPOM_MAX_UPLOAD_BYTES = 200 * 1024 * 1024

# The life of a signed contract, where the sources disagree or are silent (seed-contract-followup §3): the notice of a
# termination (PdL model: six months), the renewal window (ANAP: 18 months ideally, 12 at least), the parties'
# intentions (PdL model: three months before the end), the legal bases whose contracts may be prorogated by a light
# form (only the EHPAD's L.313-12 IV ter says so). An authority's own values, by « ARS-52 » or « CD-49 » (its kind and
# territory), stand for these on the contracts it leads.
CPOM_CONTRACT_LIFE = {
    "termination_notice_months": 6,
    "renewal_ideal_months": 18,
    "renewal_minimum_months": 12,
    "intentions_months": 3,
    "prorogation_legal_bases": ["L313-12-IVter"],
}
CPOM_CONTRACT_LIFE_BY_AUTHORITY: dict[str, dict] = {}
FILE_UPLOAD_HANDLERS = [
    "cpom.uploads.BoundedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = int(2.5 * 1024 * 1024)
# The order in which the parties sign a version sent for signature (cpom.signing.rules): the managing body first, the
# co-signing council(s), the lead authority last, as the sources give it (seed-contract-followup §2.2); they are
# silent on a council signing before or after the ARS, hence a setting. Fixed on each version when it is sent.
CPOM_SIGNATURE_ORDER = ("managing_body", "co_signatories", "lead")
# The yearly follow-up (cpom.followup), where the sources are silent or only suggest (seed-contract-followup §4): a
# campaign reviews the last closed financial year (« reviewed_year_lag » years before the campaign's); the managing
# body's yearly report is due one month after the opening letter (seed 000 L885-886); the dialogue de gestion runs
# May to October (L346), given as the review period's default months; « automatic_opening » (« MM-DD », or None for
# by hand only) is the day `cpom suivi ouvrir-campagnes` opens the year's campaigns of contracts in force. The lead
# authority's own values, by « ARS-52 » or « CD-49 », stand for these on the contracts it leads.
CPOM_FOLLOW_UP = {
    "reviewed_year_lag": 1,
    "report_deadline_months": 1,
    "review_months": (5, 10),
    "automatic_opening": None,
}
CPOM_FOLLOW_UP_BY_AUTHORITY: dict[str, dict] = {}
# The follow-up's alerts (cpom.alerts), where the sources are silent (seed-contract-followup §7): the days before a
# campaign's report deadline from which missing data raises an alert (the two weeks), the indicator read as
# the occupancy rate and the threshold below which it is under-activity (the sources give none: 95 % is chosen). An
# authority's own values, by « ARS-52 » or « CD-49 », stand for these on the contracts it leads.
CPOM_ALERTS = {"missing_data_days": 14, "occupancy_indicator": "i-25", "occupancy_threshold": "95"}
CPOM_ALERTS_BY_AUTHORITY: dict[str, dict] = {}
# Imports reading their file at once, across the platform's processes (cpom.import_slots).
CPOM_MAX_CONCURRENT_IMPORTS = int(os.environ.get("CPOM_MAX_CONCURRENT_IMPORTS", "2"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "cpom.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "cpom.api.querying.Pages",
    # JSON only, a browser included: DRF's browsable pages are in English and style themselves inline, which the
    # Content-Security-Policy refuses (the OpenAPI schema documents the API).
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "PAGE_SIZE": 100,
    # Per process (Django's local-memory cache): an integrator reading its contracts stays far below.
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("CPOM_API_ANON_RATE", "30/minute"),
        "user": os.environ.get("CPOM_API_USER_RATE", "300/minute"),
    },
    "EXCEPTION_HANDLER": "cpom.api.errors.problem_details",
}
# The longest lifetime a person may give an API token in « Mon compte » (a policy of the authority's security officer).
CPOM_API_TOKEN_MAX_DAYS = int(os.environ.get("CPOM_API_TOKEN_MAX_DAYS", "365"))
if CPOM_API_TOKEN_MAX_DAYS < 1:
    raise ImproperlyConfigured("CPOM_API_TOKEN_MAX_DAYS doit être un nombre de jours d'au moins 1.")
SPECTACULAR_SETTINGS = {
    "TITLE": "API cpom",
    "DESCRIPTION": "Contrats pluriannuels d'objectifs et de moyens : contrats et établissements visibles par l'utilisateur.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema is for those who hold an account or a token (issue 14, point 4), unless the authority publishes it.
    "SERVE_PERMISSIONS": [
        "rest_framework.permissions.AllowAny"
        if os.environ.get("CPOM_API_SCHEMA_PUBLIC", "0") == "1"
        else "rest_framework.permissions.IsAuthenticated"
    ],
    # One name for a choice set several fields share (a grid line's proposed and confirmed levels); two choice sets
    # are both called « side » (the budget lines' expense and income, a review's parties'): each gets its own.
    "ENUM_NAME_OVERRIDES": {
        "AchievementLevelEnum": "cpom.followup.models.AchievementLevel",
        "PartySideEnum": "cpom.reviews.models.PartySide",
    },
    # Every operation's refusals (400, 401, 403, 404, 429) documented as application/problem+json.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "cpom.api.schema.problem_responses"],
}
# Single sign-on by OpenID Connect (issue 14, point 4; cpom.accounts.oidc), on when a client identifier is given. The
# provider's endpoints are named (no discovery at start: a provider down must not stop cpom), the ID token is
# signed RS256 and checked against the provider's keys, with PKCE and a nonce. The organisations whose agents the
# provider vouches for are to be named (« ARS-52,CD-44 », « * » for all).
CPOM_OIDC = {
    "enabled": bool(os.environ.get("CPOM_OIDC_CLIENT_ID", "").strip()),
    "label": os.environ.get("CPOM_OIDC_LABEL", "mon compte professionnel").strip(),
    "organisations": [o.strip() for o in os.environ.get("CPOM_OIDC_ORGANISATIONS", "").split(",") if o.strip()],
}


def _oidc(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"Variable d'environnement manquante pour la connexion OpenID Connect : {name}")
    return value


if CPOM_OIDC["enabled"]:
    if not CPOM_OIDC["organisations"]:
        raise ImproperlyConfigured(
            "CPOM_OIDC_ORGANISATIONS : nommez les organisations dont le fournisseur d'identité connaît les agents "
            "(« ARS-52,CD-44 », ou « * » pour toutes)."
        )
    OIDC_RP_CLIENT_ID = os.environ["CPOM_OIDC_CLIENT_ID"].strip()
    OIDC_RP_CLIENT_SECRET = _oidc("CPOM_OIDC_CLIENT_SECRET")
    OIDC_OP_AUTHORIZATION_ENDPOINT = _oidc("CPOM_OIDC_AUTHORIZATION_URL")
    OIDC_OP_TOKEN_ENDPOINT = _oidc("CPOM_OIDC_TOKEN_URL")
    OIDC_OP_USER_ENDPOINT = _oidc("CPOM_OIDC_USERINFO_URL")
    OIDC_OP_JWKS_ENDPOINT = _oidc("CPOM_OIDC_JWKS_URL")
    OIDC_OP_LOGOUT_URL_METHOD = ""
    AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "cpom.accounts.oidc.CpomOidcBackend"]
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = "openid email"
OIDC_USE_PKCE = True
OIDC_CREATE_USER = False
OIDC_TIMEOUT = 10
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_callback"

# Where Django's admin (the platform team's) is served; in production it is not served unless an address is given
# (CPOM_ADMIN_PATH, e.g. « gestion-plateforme/ »): no public door to the superusers' login by default.
CPOM_ADMIN_PATH = os.environ.get("CPOM_ADMIN_PATH", "" if PRODUCTION else "admin/").strip().lstrip("/")
if CPOM_ADMIN_PATH and not CPOM_ADMIN_PATH.endswith("/"):
    CPOM_ADMIN_PATH += "/"

# LOGGING: in the « Operations » block at the end.

# --- Management reviews (cpom.reviews, issue 13) ------------------------------------------------------------------
# The sources (seed-contract-followup §5.1): a yearly dialogue « de mai à octobre » where the authority holds them
# yearly (seed 000 L346, L884), at least one at mid-term (year 3) and one at the end (year 5) (seed 003 L5833-5836),
# a supplementary one in the 4th year « en cas de difficultés particulières » (here: when alerts are open, seed 003
# L5836), the N+4 one that prepares the next contract (seed 002 L317: here the year before the last). Choices where
# they are silent: the day in the window (15 October: the demo's authorities meet in October), a contract shorter
# than five years ending with its own end-of-contract review, the place by default (« en délégation territoriale »,
# seed 000 L887), the days the lead has to send the relevé after the review (15),
# the days a side has to sign it (30) and how early an owner is told of a decision (14).
# An authority's own values, by « ARS-52 » or « CD-49 », stand for these on the contracts it leads.
CPOM_REVIEWS = {
    "yearly": True,
    "window": (5, 10),
    "preferred_month": 10,
    "preferred_day": 15,
    "mid_term_year": 3,
    "final_year": 5,
    "final_in_last_year": True,
    "renewal_review": True,
    "renewal_years_before_end": 1,
    "extra_year": 4,
    "extra_when_alerts": True,
    "default_place": "Délégation territoriale de l'ARS",
    "signature_days": 30,
    "minutes_days": 15,
}
CPOM_REVIEWS_BY_AUTHORITY: dict[str, dict] = {}
# The managing body's portfolio (cpom.roadmap). The sources give no dashboard layout (seed-contract-followup §7, §8.4
# SILENT): how far ahead « what to send » looks by default is a choice (a year, the rhythm of the yearly campaign);
# the page offers 30 days, 90 days, a year or everything to come. A deadline its stage still gives past its day is
# listed among the late ones for a year after it (a choice: older ones are the history's, not the week's).
CPOM_ROADMAP = {"horizon_days": 365, "late_lookback_days": 365}
# Deadlines that reach people (issue 13, cpom.notifications; the deadline sources of the amendments, the follow-up
# and the registry). What the sources say: the amendment after a change of situation has its meeting within two
# months of the registered letter's first presentation and the managing body's note at least eight days before it;
# a capacity extension is signed at the latest six months before it is implemented (seed 000 L715-717). The quality
# of an establishment is evaluated every five years (the HAS frame; internal evaluations every five years in seed 003
# L814-817). Choices, the sources being silent: the site's address for the links of the emails (« CPOM_SITE_URL »),
# how far ahead « Mes échéances » lists (a year), how far back the calendar feed keeps past deadlines (90 days), and
# the most days before a deadline a person may ask to be told (a year).
CPOM_EVALUATIONS = {"cycle_years": 5}
CPOM_AMENDMENT_PROCEDURE = {"meeting_within_months": 2, "note_days_before": 8, "capacity_extension_months": 6}
CPOM_SITE_URL = os.environ.get("CPOM_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
CPOM_NOTIFICATIONS = {"page_days": 365, "feed_past_days": 90, "max_days_before": 365}
# The launch kit (cpom.launch), its backward schedule: the days each step takes, counted back from the target
# signature date. Sourced (seed 000 L865, L867): the diagnostic is sent within the month after steps 2 and 3 (30), the
# objective sheets within the 2 weeks after the meeting of step 5 (14). Every other duration is SILENT in the sources
# (seed-contract-followup §6.5, §6.11): a choice, which keeps launch to signature near 7 months (KPMG: a year at
# most, seed 004 L799-801; negotiation within 6 months, seed 002 L67). The signatures follow CPOM_SIGNATURE_ORDER;
# the co-signatories' step only when the contract has some. An authority sets its own durations in
# CPOM_LAUNCH_BY_AUTHORITY (« ARS-52 »: {"step_days": {"consultations": 45}}), merged step by step.
CPOM_LAUNCH = {
    "step_days": {
        "referral": 15,  # SILENT
        "template": 15,  # SILENT
        "calendar": 15,  # SILENT
        "diagnostic": 30,  # seed 000 L865 « dans le mois qui suit les étapes 2 et 3 »
        "diagnostic_meeting": 15,  # SILENT (the meeting itself lasts 1h30-2h)
        "objective_sheets": 14,  # seed 000 L867 « dans les 2 semaines qui suivent »
        "objectives_meeting": 21,  # SILENT (the meeting itself lasts 1h30-2h)
        "final_document": 15,  # SILENT
        "consultations": 30,  # SILENT (CVS and staff representatives before the board, seed 002 L411)
        "board": 15,  # SILENT (the board deliberates before the signature, seed 000 L62)
        "managing_body_signature": 7,  # SILENT
        "co_signature": 7,  # SILENT
        "lead_signature": 7,  # SILENT
    },
}
CPOM_LAUNCH_BY_AUTHORITY: dict[str, dict] = {}
# --- The authorities' portfolios and programming (cpom.portfolios, issue 13) ---
# The sources: a five-year programming fixed jointly by the ARS and the council (seed 004 L165, L249), weighed on the
# ANAP factors « Priorités territoriales », « Niveau de maturité de l'organisme gestionnaire », « Situation de
# l'organisme gestionnaire » (seed 001 L259-265); the situations are the PdL eligibility criteria (seed 000 L827-838).
# Choices (the sources are SILENT): the levels of the priority and of the maturity below; the horizon of five years
# is the sources'. The portfolio's deadlines look 90 days ahead (the issue's figure); the universe of the coverage
# figures is the establishments of the authority's territory it funds (« dans la mesure où ceux-ci sont tarifés par
# l'ARS », seed 000 L334), or every establishment of its territory with "territory"; its tables show 50 rows a page
# (the Excel exports hold them all).
CPOM_PROGRAMMING = {
    "horizon_years": 5,
    "territorial_priorities": [("haute", "Haute"), ("moyenne", "Moyenne"), ("faible", "Faible")],
    "maturity_levels": [
        ("faible", "Faible : premier CPOM, démarche à accompagner"),
        ("moyenne", "Moyenne : démarche engagée"),
        ("elevee", "Élevée : organisme rompu à la contractualisation"),
    ],
}
CPOM_PORTFOLIO = {"deadline_days": 90, "universe": "funded", "page_size": 50}

# --- Operations (issue 14, points 5 and 6: cpom.operations) ---------------------------------------------------------
# The issue asks for structured logs with each request's user and organisation, a health endpoint checking the
# database and the queue, metrics a supervisor reads; the rest is a choice. Logs: plain text by default, one JSON
# object per line with CPOM_LOG_FORMAT=json; the line of each request (logger cpom.requests, at INFO) is written in
# production or in JSON, elsewhere only with CPOM_LOG_LEVEL=INFO (the development console stays quiet).
CPOM_LOG_FORMAT = os.environ.get("CPOM_LOG_FORMAT", "text").strip().lower()
if CPOM_LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(
        f"CPOM_LOG_FORMAT vaut « text » (par défaut) ou « json » ; trouvé « {os.environ['CPOM_LOG_FORMAT']} »."
    )
_LOG_LEVEL = os.environ.get("CPOM_LOG_LEVEL", "WARNING")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "cpom.operations.logs.RequestContextFilter"}},
    "formatters": {
        "text": {"()": "cpom.operations.logs.TextFormatter"},
        "json": {"()": "cpom.operations.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": CPOM_LOG_FORMAT, "filters": ["request"]},
    },
    "root": {"handlers": ["console"], "level": _LOG_LEVEL},
    "loggers": {
        "cpom.requests": {"level": "INFO" if PRODUCTION or CPOM_LOG_FORMAT == "json" else _LOG_LEVEL},
    },
}
# The metrics count every request from the first middleware on; the request's log line is written after
# authentication, so that it knows the user.
MIDDLEWARE.insert(0, "cpom.operations.metrics.MetricsMiddleware")
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "cpom.operations.logs.RequestLogMiddleware",
)
# After the request's log line, so that its records carry the user; refusals are answered by the views below it.
MIDDLEWARE.insert(
    MIDDLEWARE.index("cpom.operations.logs.RequestLogMiddleware") + 1,
    "cpom.operations.security.RefusedAccessLogMiddleware",
)
# The queue the health endpoint PINGs (Redis, the production queue of issue 14's jobs); empty: « non configurée ».
CPOM_REDIS_URL = os.environ.get("CPOM_REDIS_URL", "").strip()
# Seconds the health endpoint waits for Redis: the reverse proxy's own check must not hang on it.
CPOM_HEALTH_TIMEOUT = 1.0
# Who reads /metriques/ without an account: addresses or networks, separated by commas (loopback by default). Behind
# a reverse proxy the address is the client's as CPOM_PROXY_COUNT reads it, never the proxy's own.
CPOM_METRICS_ALLOWED = os.environ.get("CPOM_METRICS_ALLOWED", "127.0.0.1/32,::1/128")
# The reverse proxy and the supervisor may ask in plain HTTP on the machine, should HTTPS be enforced.
SECURE_REDIRECT_EXEMPT = [r"^sante/$", r"^metriques/$"]
# The browser features no page of cpom uses are refused to every page and to anything it might embed (issue 14,
# point 4): Django sets the other security headers itself, not this one.
CPOM_PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "midi=(), payment=(), usb=()"
)

# --- The job queue (issue 14, point 2: cpom.jobs) -----------------------------------------------------------------
# Long work (review packs, indicator recomputes, large imports, the nightly alerts and notifications) runs in
# « cpom worker », through Django's tasks API (the django-tasks backport). The queue is the database by default
# (SQLite or PostgreSQL: nothing more to install); CPOM_QUEUE=redis puts it in Redis (RQ) at CPOM_REDIS_URL, for
# production. Choices: a job whose worker gave no sign of life for 5 minutes is taken as interrupted; a job that may
# safely run twice is tried 3 times at most; an indicator import larger than 2 MB goes to the queue, a smaller one
# is done at once in the page.
CPOM_QUEUE = os.environ.get("CPOM_QUEUE", "database").strip().lower()
if CPOM_QUEUE == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
elif CPOM_QUEUE == "redis":
    if not CPOM_REDIS_URL:
        raise ImproperlyConfigured("CPOM_QUEUE=redis demande l'adresse du serveur Redis dans CPOM_REDIS_URL.")
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    raise ImproperlyConfigured(
        f"CPOM_QUEUE vaut « database » (par défaut) ou « redis » ; trouvé « {os.environ['CPOM_QUEUE']} »."
    )
RQ_QUEUES = {"default": {"URL": CPOM_REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 3600}}
CPOM_JOBS = {
    "stale_seconds": int(os.environ.get("CPOM_JOBS_STALE_SECONDS", "300")),
    "max_attempts": 3,
    "import_threshold_bytes": int(os.environ.get("CPOM_IMPORT_QUEUE_BYTES", str(2 * 1024 * 1024))),
}


def _csp_report_uri() -> str:
    """CPOM_CSP_REPORT_URI, an https:// or http:// address or a path of cpom's: a space, a « ; » or a « , » would
    write other directives into the policy."""
    value = os.environ.get("CPOM_CSP_REPORT_URI", "").strip()
    if value and (not value.startswith(("https://", "http://", "/")) or any(c in value for c in " \t;,'\"")):
        raise ImproperlyConfigured(
            "CPOM_CSP_REPORT_URI doit être une adresse https:// ou http:// (ou un chemin commençant par « / »), sans espace, "
            f"« ; », « , » ni guillemet ; trouvé « {value} »."
        )
    return value


# A strict Content-Security-Policy on every answer (issue 14, point 4): scripts, styles, fonts and images from cpom's
# own address only, no inline script or style, no eval, nothing embedded, no page of cpom framed anywhere, forms sent
# to cpom only. Images may also be data: URIs, as the DSFR's style sheet draws its icons with them. An authority that
# collects the violations the browsers report gives their address in CPOM_CSP_REPORT_URI.
CPOM_CSP_REPORT_URI = _csp_report_uri()
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        **({"report-uri": [CPOM_CSP_REPORT_URI]} if CPOM_CSP_REPORT_URI else {}),
    }
}
