"""``manage.py second_factor USERNAME``: an account's second factor, from the command line.

- With no option, for development and demos: a new authenticator device for the account, confirmed
  at once (replacing its others), printed as an ``otpauth://`` address and a key to type into an app.
- ``--code``, for development and demos: the code the account's authenticator app shows now.
- ``--reset``: remove the account's devices and recovery codes, e.g. when a phone is lost; the person
  sets up an app again at their next sign-in (``/account/setup/``).

The first two print secrets, so they refuse to run in production (``DJANGO_ENV=production``).
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from tourism import two_factor


class Command(BaseCommand):
    help = "Set up (development), show the current code of (development) or reset an account's second factor."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        what = parser.add_mutually_exclusive_group()
        what.add_argument(
            "--reset",
            action="store_true",
            help="Remove the account's devices and recovery codes: it sets up an app at its next sign-in.",
        )
        what.add_argument(
            "--code",
            action="store_true",
            help="Print the code the account's authenticator app shows now (development only).",
        )

    def handle(self, *args, **options) -> None:
        User = get_user_model()
        try:
            user = User.objects.get_by_natural_key(options["username"])
        except User.DoesNotExist:
            raise CommandError(f"No account with the username {options['username']!r}.") from None

        if options["reset"]:
            removed = two_factor.devices_reset(user=user)
            self.stdout.write(
                f"Removed {removed} second-factor device(s) of {user.get_username()}: "
                "they set up an authenticator app at their next sign-in."
            )
            return

        if getattr(settings, "PRODUCTION", False):
            raise CommandError("This prints secrets, so it does not run in production; --reset does.")
        if not two_factor.second_factor_required(user):
            raise CommandError(
                f"{user.get_username()} needs no second factor: they are neither staff nor a facility user."
            )

        if options["code"]:
            device = two_factor.confirmed_totp_device(user)
            if device is None:
                raise CommandError(f"{user.get_username()} has no authenticator app set up yet.")
            self.stdout.write(two_factor.totp_current_code(device))
            return

        device = two_factor.totp_device_replace(user=user)
        self.stdout.write(f"A new authenticator device for {user.get_username()} (earlier ones removed).")
        self.stdout.write("Add it to an authenticator app with this address (or a QR code made from it):")
        self.stdout.write(f"  {device.config_url}")
        self.stdout.write(f"or type in this key: {two_factor.totp_secret(device)}")
        self.stdout.write(f"The code now: {two_factor.totp_current_code(device)}")
        self.stdout.write(f"(`manage.py second_factor {user.get_username()} --code` prints the current code.)")
