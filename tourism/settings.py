"""Medtour settings, read from the environment.

Local use needs no configuration at all: SQLite in ./var, mail to the console, debug on.
Production (``DJANGO_ENV=production``) refuses to start without a secret key and allowed
hosts, and turns on the security block. Every setting read here is listed in README.md.
"""

import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    if value.strip().lower() in {"1", "true", "yes", "on"}:
        return True
    if value.strip().lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DJANGO_ENV = env_str("DJANGO_ENV", "development").lower()
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV must be 'development' or 'production'.")
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env_bool("DJANGO_DEBUG", default=not PRODUCTION)

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
if PRODUCTION:
    # A production site must never run on a key anybody can read in this file.
    if not SECRET_KEY:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_ENV=production.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_ENV=production.")
    if DEBUG:
        raise ImproperlyConfigured("DJANGO_DEBUG cannot be on when DJANGO_ENV=production.")
elif not SECRET_KEY:
    SECRET_KEY = "insecure-local-development-key-never-use-in-production"  # noqa: S105 (development only)

CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# Where the staff admin lives (tourism.urls). Moving it off the well-known /admin/ keeps most
# password-guessing robots away; the login is throttled as well (tourism.login_guard).
ADMIN_PATH = env_str("DJANGO_ADMIN_PATH", "admin/")
_admin_segments = ADMIN_PATH.split("/")[:-1]
if (
    not re.fullmatch(r"(?:[A-Za-z0-9._~-]+/)+", ADMIN_PATH)
    or any(segment in {".", ".."} for segment in _admin_segments)
    or _admin_segments[0]
    in {
        "facilities",
        "procedures",
        "quote",
        "accreditation",
        "privacy",
        "contact",
        "static",
        "media",
        "account",
        "partners",
    }  # fmt: skip
):
    raise ImproperlyConfigured(
        "DJANGO_ADMIN_PATH must be path segments (letters, digits, '.', '_', '~', '-') ending with '/', "
        f"with no leading '/' and not one of the site's own sections, e.g. 'staff-desk/'; not {ADMIN_PATH!r}."
    )

INSTALLED_APPS = [
    # Translatable content (facilities/translation.py): before the admin, whose forms it extends.
    "modeltranslation",
    # Django's admin with our site (tourism.admin_site): it asks for the second factor.
    "tourism.apps.MedtourAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_filters",
    "django_countries",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "tourism",
    "facilities",
    "quotes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Early, so that what the middleware below answers itself (static files, media, the NUL 400)
    # carries it too, like every page.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tourism.middleware.ContentSecurityPolicyMiddleware",
    # Production serves the collected, hashed static files itself (see STORAGES below);
    # development and tests use runserver's and the test client's static handling.
    *(["whitenoise.middleware.WhiteNoiseMiddleware"] if PRODUCTION else []),
    "tourism.middleware.RejectNullBytesMiddleware",
    "tourism.middleware.PublicMediaMiddleware",
    # Uploads parsed so that no file is dropped for its name (before CSRF reads the form).
    "tourism.multipart.UploadParsingMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language comes from the URL's prefix (/es/, /de/, /ar/; English has none); a first visit
    # to an English address is sent to the visitor's own language (tourism.i18n).
    "django.middleware.locale.LocaleMiddleware",
    "tourism.i18n.PreferredLanguageMiddleware",
    # The currency prices are shown in: chosen, or the browser's country's, or the language's (tourism.money).
    "tourism.money.DisplayCurrencyMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session has passed the second factor.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "tourism.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["tourism.templatetags.site_tags"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tourism.context_processors.site",
                "tourism.context_processors.prices",
            ],
        },
    },
]

WSGI_APPLICATION = "tourism.wsgi.application"

# Data lives outside the code: nothing is written next to the sources at run time.
DATA_DIR = Path(env_str("MEDTOUR_DATA_DIR", str(BASE_DIR / "var")))

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'db.sqlite3'}")
# Production keeps each thread's connection for a minute (connecting costs more than most pages:
# /healthz served 376 requests a second on PostgreSQL reconnecting each time, 1,671 keeping them),
# checked before reuse so a connection the server dropped is replaced, not an error.
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60 if PRODUCTION else 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite cannot create the folder its file lives in.
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Several processes (web, workers, management commands) share the file: WAL lets readers
    # run beside a writer, the busy timeout waits for a lock instead of failing at once, and
    # IMMEDIATE transactions take the write lock up front so two writers never deadlock.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cached public pages and figures (tourism.pagecache) live here (the rate limits and the sign-in
# throttle count in the database instead: tourism.throttle), and every worker process should see
# the same cache: Redis when given, else files in DATA_DIR/cache
# (made on first write) in production. Development and tests keep a per-process memory cache.
# The site works without its cache, so a Redis that stops answering costs a request at most these
# short timeouts, and is then skipped for a while (tourism.cache) rather than failing every page.
CACHE_CONNECT_TIMEOUT_MS = env_int("MEDTOUR_CACHE_CONNECT_TIMEOUT_MS", 300)
CACHE_SOCKET_TIMEOUT_MS = env_int("MEDTOUR_CACHE_SOCKET_TIMEOUT_MS", 300)
CACHE_RETRY_SECONDS = env_int("MEDTOUR_CACHE_RETRY_SECONDS", 15)
if env_str("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "tourism.cache.FailSoftRedisCache",
            "LOCATION": env_str("REDIS_URL"),
            "OPTIONS": {
                "socket_connect_timeout": CACHE_CONNECT_TIMEOUT_MS / 1000,
                "socket_timeout": CACHE_SOCKET_TIMEOUT_MS / 1000,
                "RETRY_AFTER": CACHE_RETRY_SECONDS,
            },
        }
    }
elif PRODUCTION:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
            # Django's default of 300 entries would be culled long before cached pages age out.
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "medtour"}}
# Whole public pages and directory figures from the cache (tourism.pagecache); off for debugging.
DIRECTORY_CACHE = env_bool("DIRECTORY_CACHE", True)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# Names in their own language: that is how a visitor looks for theirs in the switcher. A further
# language needs a line here, its locale/ files and its content (see README, "Languages").
LANGUAGES = [
    ("en", "English"),
    ("es", "Español"),
    ("de", "Deutsch"),
    ("ar", "العربية"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]

# Content staff write (procedure guides, names, descriptions): a column per language beside the
# English one (django-modeltranslation, facilities/translation.py), so a page reads the same rows
# with the same queries in every language. English is the original and the fallback: a missing
# translation shows the English text, with a note on the page.
MODELTRANSLATION_DEFAULT_LANGUAGE = LANGUAGE_CODE
MODELTRANSLATION_LANGUAGES = tuple(code for code, _name in LANGUAGES)
MODELTRANSLATION_FALLBACK_LANGUAGES = (LANGUAGE_CODE,)
# The visitor's choice in the language switcher, for a year; it says nothing about them but that.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))

MEDIA_URL = env_str("DJANGO_MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(DATA_DIR / "media")))
# Medical files live here, never under MEDIA_ROOT, and no URL maps onto this folder.
PRIVATE_MEDIA_ROOT = Path(env_str("DJANGO_PRIVATE_MEDIA_ROOT", str(DATA_DIR / "private")))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Medical files: a storage with no public URL (see quotes.storage).
    "private": {"BACKEND": "quotes.storage.PrivateStorage"},
    # Production: hashed names (cached for ever) and gzip/brotli copies, made by collectstatic
    # (`make serve` runs it). Development and tests keep plain storage: no collectstatic needed.
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Public uploads are served from MEDIA_ROOT by tourism.middleware.PublicMediaMiddleware while the
# default storage is the local file system and MEDIA_URL a local path; turn it off when nginx (or
# object storage) serves them.
SERVE_MEDIA = env_bool("MEDTOUR_SERVE_MEDIA", True)
if PRIVATE_MEDIA_ROOT.resolve().is_relative_to(MEDIA_ROOT.resolve()):
    raise ImproperlyConfigured("DJANGO_PRIVATE_MEDIA_ROOT must not be inside DJANGO_MEDIA_ROOT: it would be public.")

# Uploads bigger than this go to a temporary file rather than memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# ... in a folder of our own (mode 0700), not the shared /tmp: an upload cut off by a killed worker
# stays there, and `manage.py purge_upload_spool` (hourly) deletes what is older than the age below.
# On the same file system as the private files, a finished upload is moved there, not copied.
FILE_UPLOAD_TEMP_DIR = str(DATA_DIR / "upload-spool")
Path(FILE_UPLOAD_TEMP_DIR).mkdir(mode=0o700, parents=True, exist_ok=True)
if Path(FILE_UPLOAD_TEMP_DIR).stat().st_mode & 0o777 != 0o700:
    Path(FILE_UPLOAD_TEMP_DIR).chmod(0o700)  # Made before, by hand or under another umask.
UPLOAD_SPOOL_MAX_AGE_MINUTES = env_int("MEDTOUR_UPLOAD_SPOOL_MAX_AGE_MINUTES", 60)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 20

# Facility photos: refused above these limits, with a form error.
PHOTO_MAX_UPLOAD_BYTES = env_int("MEDTOUR_PHOTO_MAX_BYTES", 15 * 1024 * 1024)
PHOTO_MAX_PIXELS = env_int("MEDTOUR_PHOTO_MAX_PIXELS", 40_000_000)

DIRECTORY_PAGE_SIZE = env_int("MEDTOUR_DIRECTORY_PAGE_SIZE", 12)
# Prices are shown converted only at an exchange rate at most this many days old (tourism.money).
MEDTOUR_RATE_MAX_AGE_DAYS = env_int("MEDTOUR_RATE_MAX_AGE_DAYS", 7)
ACCREDITATION_WARNING_DAYS = env_int("MEDTOUR_ACCREDITATION_WARNING_DAYS", 60)

# Quote requests.
QUOTE_FIRST_REPLY_HOURS = env_int("MEDTOUR_FIRST_REPLY_HOURS", 48)
QUOTE_MAX_FILES = env_int("MEDTOUR_QUOTE_MAX_FILES", 10)
QUOTE_MAX_FILE_BYTES = env_int("MEDTOUR_QUOTE_MAX_FILE_BYTES", 20 * 1024 * 1024)
QUOTE_MAX_TOTAL_BYTES = env_int("MEDTOUR_QUOTE_MAX_TOTAL_BYTES", 50 * 1024 * 1024)
QUOTE_MAX_IMAGE_PIXELS = env_int("MEDTOUR_QUOTE_MAX_IMAGE_PIXELS", 80_000_000)
QUOTE_MIN_FILL_SECONDS = env_int("MEDTOUR_QUOTE_MIN_FILL_SECONDS", 4)
QUOTE_REPEAT_MINUTES = env_int("MEDTOUR_QUOTE_REPEAT_MINUTES", 30)
QUOTE_RATE_PER_HOUR = env_int("MEDTOUR_QUOTE_RATE_PER_HOUR", 5)
QUOTE_RATE_PER_DAY = env_int("MEDTOUR_QUOTE_RATE_PER_DAY", 20)
# One connection (a family, a hotel) has this many times the room of one person on it.
QUOTE_RATE_ADDRESS_FACTOR = env_int("MEDTOUR_QUOTE_RATE_ADDRESS_FACTOR", 5)
QUOTE_RETENTION_MONTHS = env_int("MEDTOUR_RETENTION_MONTHS", 24)
# The e-mail link to a patient's status page is exchanged for a cookie this long-lived (renewed on
# each visit), so that the token leaves the address after the first request (quotes.views).
QUOTE_STATUS_COOKIE_SECONDS = env_int("MEDTOUR_STATUS_COOKIE_SECONDS", 2 * 60 * 60)

# Cases shared with facilities: when an answer is due, when the office is reminded (working days,
# Monday to Friday), and how long an invitation to join a facility's office stays usable.
FACILITY_REPLY_WORKING_DAYS = env_int("MEDTOUR_FACILITY_REPLY_WORKING_DAYS", 3)
FACILITY_REMINDER_WORKING_DAYS = env_int("MEDTOUR_FACILITY_REMINDER_WORKING_DAYS", 2)
FACILITY_INVITATION_HOURS = env_int("MEDTOUR_FACILITY_INVITATION_HOURS", 72)

# How many proxies in front of the app append to X-Forwarded-For; 0 trusts only REMOTE_ADDR.
TRUSTED_PROXY_COUNT = env_int("MEDTOUR_TRUSTED_PROXY_COUNT", 0)
COORDINATOR_EMAILS = env_list("MEDTOUR_COORDINATOR_EMAILS", ["coordinators@medtour.localhost"])
NOTIFICATION_MAX_ATTEMPTS = env_int("MEDTOUR_NOTIFICATION_MAX_ATTEMPTS", 8)

# How patients reach the operator (the contact page) and who the operator is (the privacy page).
# Development shows made-up values (a reserved .localhost address, a UK drama number); production
# has no defaults, and the pages leave out whatever is not set rather than show invented details.
# Not refused at start: only what makes the site unsafe or its e-mails wrong is (see above).
CONTACT_EMAIL = env_str("MEDTOUR_CONTACT_EMAIL", "" if PRODUCTION else "contact@medtour.localhost")
CONTACT_PHONE = env_str("MEDTOUR_CONTACT_PHONE", "" if PRODUCTION else "+44 20 7946 0999")
CONTACT_WHATSAPP = env_str("MEDTOUR_CONTACT_WHATSAPP", "" if PRODUCTION else "+44 20 7946 0998")
CONTACT_HOURS = env_str("MEDTOUR_CONTACT_HOURS", "" if PRODUCTION else "Monday to Friday, 9:00–18:00 CET")
OPERATOR_NAME = env_str("MEDTOUR_OPERATOR_NAME", "" if PRODUCTION else "Medtour Example Ltd")
OPERATOR_ADDRESS = env_str(
    "MEDTOUR_OPERATOR_ADDRESS", "" if PRODUCTION else "1 Example Street, Exampleton, United Kingdom"
)

SITE_NAME = "Medtour"
# The public address (scheme and host, e.g. https://medtour.example): links in e-mails and commands
# are made from it (never from a request's Host header), and so are canonical links and the sitemap.
# Required in production; elsewhere empty means http://127.0.0.1:8000 for mail (`make run` sets it
# from HOST and PORT) and "the host asked for" for the pages' own links.
SITE_URL = env_str("MEDTOUR_SITE_URL").rstrip("/")
if SITE_URL and not re.fullmatch(r"https?://[^/?#\s]+", SITE_URL):
    raise ImproperlyConfigured(
        f"MEDTOUR_SITE_URL must be a scheme and host, e.g. https://medtour.example; not {SITE_URL!r}."
    )
if PRODUCTION and not SITE_URL:
    raise ImproperlyConfigured("MEDTOUR_SITE_URL must be set when DJANGO_ENV=production: e-mails link to it.")

# Development prints e-mails to the console. Production must name its back end: left unset, the
# checks refuse to go on (tourism.checks, medtour.E001) rather than print patients' mail to the log.
EMAIL_BACKEND_CHOSEN = bool(env_str("DJANGO_EMAIL_BACKEND"))
EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
# A slow mail server must not hold a patient's request open: the outbox retries later.
EMAIL_TIMEOUT = env_int("DJANGO_EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "Medtour <hello@medtour.localhost>")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Cookies only over https. `make serve` turns this off for its plain-http local run.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", PRODUCTION)

# Sent on every response by tourism.middleware.ContentSecurityPolicyMiddleware. No inline scripts
# or styles anywhere (our templates have none, and JSON-LD data blocks are never run). The stock
# admin has one inline <style> (a column width on change lists without actions); the browser drops
# it and the page stays usable, so the policy is not loosened for it.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
if re.match(r"https?://", MEDIA_URL):
    # Photos served straight from object storage or a CDN.
    CONTENT_SECURITY_POLICY["img-src"].append("/".join(MEDIA_URL.split("/", 3)[:3]))

# Staff sign-in: after this many failures for one username (or from one address) within the
# window, sign-in is refused for the window, even with the right password (tourism.login_guard).
LOGIN_MAX_FAILURES_PER_USERNAME = env_int("MEDTOUR_LOGIN_MAX_FAILURES_PER_USERNAME", 5)
LOGIN_MAX_FAILURES_PER_ADDRESS = env_int("MEDTOUR_LOGIN_MAX_FAILURES_PER_ADDRESS", 20)
LOGIN_LOCKOUT_MINUTES = env_int("MEDTOUR_LOGIN_LOCKOUT_MINUTES", 15)
# The second step (an authenticator code or a recovery code) locks the same way, for the same
# window, after this many wrong codes for one account (tourism.login_guard).
SECOND_FACTOR_MAX_FAILURES = env_int("MEDTOUR_SECOND_FACTOR_MAX_FAILURES", 5)

# Everyone who can open medical files (staff, superusers, facility users) signs in at /account/
# with a password and a second factor (tourism.two_factor); the admin's own login sends people there.
LOGIN_URL = "account:sign_in"
# Where facility users land after signing in: the partner portal.
PARTNER_HOME = "/partners/"
# The name authenticator apps show beside the account.
OTP_TOTP_ISSUER = "Medtour"
# Nobody reads a device's secret key in the admin, not even staff who may change devices.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Joining browsers' preload list is a decision about the whole domain that is slow to
        # undo, so it is opt-in (DJANGO_SECURE_HSTS_PRELOAD) rather than a deploy-check warning.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
