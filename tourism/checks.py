"""System checks of the site's own settings (``manage.py check``; ``migrate`` and ``runserver`` run them too)."""

from django.conf import settings
from django.core import checks

# Back ends that deliver nothing: they print, keep in memory, or drop every message.
UNDELIVERING_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}


@checks.register(checks.Tags.compatibility)
def production_mail_is_delivered(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """Production must be told how to send mail: by default Django would print it to the log.

    The console would write patients' names and status links into the server log and mail nobody.
    A back end that delivers nothing is still allowed when it is asked for by name (a trial of the
    production stack on one's own machine: ``make serve`` does so), with a warning from
    ``check --deploy``.
    """
    if not getattr(settings, "PRODUCTION", False):
        return []
    if not settings.EMAIL_BACKEND_CHOSEN:
        return [
            checks.Error(
                "DJANGO_EMAIL_BACKEND is not set: every e-mail (patients' names and status links included) "
                "would be printed to the server log, and nobody would be mailed.",
                hint="Set DJANGO_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and DJANGO_EMAIL_HOST "
                "(README, 'Deploying'); for a trial on your own machine only, set it to "
                "django.core.mail.backends.console.EmailBackend by name.",
                id="medtour.E001",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def deployed_mail_is_delivered(app_configs, **kwargs) -> list[checks.CheckMessage]:
    if getattr(settings, "PRODUCTION", False) and settings.EMAIL_BACKEND in UNDELIVERING_EMAIL_BACKENDS:
        return [
            checks.Warning(
                f"DJANGO_EMAIL_BACKEND is {settings.EMAIL_BACKEND}: e-mails are not delivered to anyone.",
                hint="Fine for a trial on your own machine; a real site needs an SMTP (or other delivering) back end.",
                id="medtour.W001",
            )
        ]
    return []
