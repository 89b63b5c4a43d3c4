"""Huike settings, configured by environment variables (see docs/operations.md).

The embedded default needs no other server: SQLite under ``var/`` and Huey on SQLite.
``DATABASE_URL`` switches to PostgreSQL, ``REDIS_URL`` puts jobs and live events on Redis.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("HUIKE_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """Use HUIKE_SECRET_KEY, or a random key kept under var/ so a laptop install just works."""
    key = os.environ.get("HUIKE_SECRET_KEY")
    if key:
        return key
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        from django.core.management.utils import get_random_secret_key

        key_file.write_text(get_random_secret_key())
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("HUIKE_DEBUG", False)
ALLOWED_HOSTS = [
    h for h in os.environ.get("HUIKE_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("HUIKE_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "huike.core",
    "huike.org",
    "huike.guests",
    "huike.menu",
    "huike.orders",
    "huike.competitors",
    "huike.messaging",
    "huike.loyalty",
    "huike.coupons",
    "huike.pricing",
    "huike.gifts",
    "huike.recruitment",
    "huike.live",
    "huike.reservations",
    "huike.telephony",
    "huike.waitlist",
    "huike.notices",
    "huike.tableorders",
    "huike.core.apps.HuikeAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "huey.contrib.djhuey",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "huike.core.middleware.TenantAndLanguageMiddleware",
    "huike.core.middleware.DomainErrorPageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "huike.urls"
WSGI_APPLICATION = "huike.wsgi.application"
ASGI_APPLICATION = "huike.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "huike" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "huike.core.context_processors.console",
            ],
            "builtins": ["huike.core.templatetags.huike"],
        },
    }
]

# --- Database: SQLite (WAL, writers take the lock up front) unless DATABASE_URL is set.
SQLITE_PATH = VAR_DIR / "huike.sqlite3"
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    # Under ASGI (uvicorn) each request runs its sync code in a thread of its own, so persistent
    # connections would pile up: Django's advice is a fresh connection per request there.
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=int(os.environ.get("HUIKE_DB_CONN_MAX_AGE", "0")),
            conn_health_checks=True,
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": {
                # BEGIN IMMEDIATE: a write transaction takes the lock when it starts, so two
                # writers queue (up to the timeout) instead of failing on lock upgrade.
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;"
                ),
            },
            "TEST": {"NAME": str(VAR_DIR / "test.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "huike.core.validators.MinimumLengthValidator"},
    {"NAME": "huike.core.validators.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Languages and time (X3)
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "huike" / "locale"]
LANGUAGE_COOKIE_NAME = "huike_language"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files: front-end assets come from npm (package-lock.json), served by WhiteNoise.
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    BASE_DIR / "huike" / "static",
    ("vendor/tabler", BASE_DIR / "node_modules" / "@tabler" / "core" / "dist"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/alpinejs", BASE_DIR / "node_modules" / "alpinejs" / "dist"),
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
    ("vendor/jsqr", BASE_DIR / "node_modules" / "jsqr" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"

# --- Jobs: Huey on SQLite by default, on Redis when REDIS_URL is set.
# "utc": False — schedules (crontab) read in TIME_ZONE, which Django makes the process's local
# time: the nightly audit check runs at 03:00 in China, not at 03:00 UTC (11:00 in China).
REDIS_URL = os.environ.get("REDIS_URL", "")
_HUEY_COMMON = {
    "name": "huike",
    "immediate": False,
    "utc": False,
    "consumer": {"workers": 2, "worker_type": "thread"},
}
if REDIS_URL:
    HUEY = {**_HUEY_COMMON, "huey_class": "huey.PriorityRedisHuey", "url": REDIS_URL}
else:
    HUEY = {
        **_HUEY_COMMON,
        "huey_class": "huey.SqliteHuey",
        "filename": str(VAR_DIR / "huey.sqlite3"),
    }

# --- Security and sessions
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Huike
HUIKE_LOGIN_MAX_FAILURES = int(os.environ.get("HUIKE_LOGIN_MAX_FAILURES", "5"))
HUIKE_LOGIN_LOCK_MINUTES = int(os.environ.get("HUIKE_LOGIN_LOCK_MINUTES", "15"))
HUIKE_IDEMPOTENCY_TTL_HOURS = int(os.environ.get("HUIKE_IDEMPOTENCY_TTL_HOURS", "48"))
HUIKE_GUEST_RETENTION_YEARS = int(os.environ.get("HUIKE_GUEST_RETENTION_YEARS", "3"))
# Two names count as similar for the duplicate scan (G4) from this RapidFuzz ratio (0-100).
HUIKE_DUPLICATE_NAME_SIMILARITY = int(os.environ.get("HUIKE_DUPLICATE_NAME_SIMILARITY", "60"))
# How many proxies in front of the app append to X-Forwarded-For; 0 = the peer's address is the
# client's (read by huike.core.context.ip_from_request for the audit log and sign-in throttle).
HUIKE_TRUSTED_PROXY_HOPS = int(os.environ.get("HUIKE_TRUSTED_PROXY_HOPS", "0"))
# Messages to guests (huike.messaging, docs/decisions/0014-messaging-outbox.md). SMS goes through
# Tencent Cloud SMS when HUIKE_SMS_PROVIDER=tencent; unset, SMS stays queued (never faked as sent).
HUIKE_SMS_PROVIDER = os.environ.get("HUIKE_SMS_PROVIDER", "")
HUIKE_SMS_ENDPOINT = os.environ.get("HUIKE_SMS_ENDPOINT", "https://sms.tencentcloudapi.com")
HUIKE_SMS_REGION = os.environ.get("HUIKE_SMS_REGION", "ap-guangzhou")
HUIKE_SMS_SECRET_ID = os.environ.get("HUIKE_SMS_SECRET_ID", "")
HUIKE_SMS_SECRET_KEY = os.environ.get("HUIKE_SMS_SECRET_KEY", "")
HUIKE_SMS_APP_ID = os.environ.get("HUIKE_SMS_APP_ID", "")
HUIKE_SMS_SIGN_NAME = os.environ.get("HUIKE_SMS_SIGN_NAME", "")
# purpose=template id pairs, comma-separated: "loyalty.coupon_issued=1234567,…"
HUIKE_SMS_TEMPLATES = dict(
    pair.strip().split("=", 1)
    for pair in os.environ.get("HUIKE_SMS_TEMPLATES", "").split(",")
    if "=" in pair
)
HUIKE_SMS_TIMEOUT_SECONDS = int(os.environ.get("HUIKE_SMS_TIMEOUT_SECONDS", "10"))
HUIKE_MESSAGE_MAX_ATTEMPTS = int(os.environ.get("HUIKE_MESSAGE_MAX_ATTEMPTS", "5"))
HUIKE_MESSAGE_STUCK_MINUTES = int(os.environ.get("HUIKE_MESSAGE_STUCK_MINUTES", "10"))
# Email to guests through an SMTP relay (Django's SMTP backend); no host: email stays queued.
HUIKE_EMAIL_HOST = os.environ.get("HUIKE_EMAIL_HOST", "")
HUIKE_EMAIL_PORT = int(os.environ.get("HUIKE_EMAIL_PORT", "25"))
HUIKE_EMAIL_USER = os.environ.get("HUIKE_EMAIL_USER", "")
HUIKE_EMAIL_PASSWORD = os.environ.get("HUIKE_EMAIL_PASSWORD", "")
HUIKE_EMAIL_SECURITY = os.environ.get("HUIKE_EMAIL_SECURITY", "")  # "", "starttls" or "ssl"
HUIKE_EMAIL_FROM = os.environ.get("HUIKE_EMAIL_FROM", "")
HUIKE_EMAIL_TIMEOUT_SECONDS = int(os.environ.get("HUIKE_EMAIL_TIMEOUT_SECONDS", "10"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("HUIKE_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

BRAND_NAME = _("Huike")
