"""The second factor: who needs it, signing in at /account/ (password, code or recovery code, setting
up an app), the throttles on both steps, the admin asking for a verified session, ``verified_required``
and ``manage.py second_factor``."""

import re
import time
from io import StringIO
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import STAFF_PASSWORD, make_facility_user, make_staff
from tourism import login_guard, two_factor
from tourism.login_guard import ThrottledAdminAuthenticationForm
from tourism.models import Counter
from tourism.two_factor import verified_required

pytestmark = pytest.mark.django_db

SIGN_IN = reverse("account:sign_in")
SECOND_FACTOR = reverse("account:second_factor")
SETUP = reverse("account:setup")
RECOVERY_CODES = reverse("account:recovery_codes")
SIGN_OUT = reverse("account:sign_out")
ADMIN_INDEX = reverse("admin:index")
WRONG_CODE = "That code is not right"
CODES_PAUSED = "Too many wrong codes"
PASSWORD_PAUSED = "Too many failed sign-in attempts"


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code an authenticator app with the device's key shows now (or ``steps_ahead`` steps on)."""
    device.refresh_from_db()
    return str(totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=steps_ahead)).zfill(6)


def with_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)


def password_step(client, user, *, password: str = STAFF_PASSWORD, next_url: str | None = None, address="198.51.100.7"):
    data = {"username": user.get_username(), "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post(SIGN_IN, data, REMOTE_ADDR=address)


def code_step(client, code: str, *, next_url: str | None = None, field: str = "code", address="198.51.100.7"):
    data = {field: code}
    if next_url is not None:
        data["next"] = next_url
    return client.post(SECOND_FACTOR, data, REMOTE_ADDR=address)


def verified(client) -> bool:
    return DEVICE_ID_SESSION_KEY in client.session


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def staff():
    return make_staff(username="cora")


@pytest.fixture
def no_device_throttle(settings):
    # django-otp's own back-off (1, 2, 4… seconds after each wrong code) would refuse a right code
    # typed within a second of a wrong one, as a script does; the lock tested here is ours.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


# Who needs a second factor ---------------------------------------------------------------------


def test_staff_superusers_and_facility_users_need_a_second_factor_and_nobody_else():
    User = get_user_model()
    assert two_factor.second_factor_required(make_staff())
    assert two_factor.second_factor_required(User.objects.create_user("root", is_superuser=True))
    assert two_factor.second_factor_required(make_facility_user())
    assert not two_factor.second_factor_required(User.objects.create_user("someone"))
    assert not two_factor.second_factor_required(AnonymousUser())


def test_a_user_with_no_medical_access_is_told_so_and_not_signed_in(client):
    get_user_model().objects.create_user("someone", password=STAFF_PASSWORD)
    response = client.post(SIGN_IN, {"username": "someone", "password": STAFF_PASSWORD})
    assert response.status_code == 200
    assert "no access to medical files" in response.content.decode()
    assert not signed_in(client)


# Signing in with a code --------------------------------------------------------------------------


def test_password_then_code_signs_staff_in_to_the_admin(client, staff):
    device = with_device(staff)
    response = password_step(client, staff)
    assert response.status_code == 302
    assert response["Location"] == SECOND_FACTOR
    assert signed_in(client) and not verified(client)
    page = client.get(SECOND_FACTOR).content.decode()
    assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page
    assert '<label for="id_code">' in page and "csrfmiddlewaretoken" in page

    session_before = client.session.session_key
    response = code_step(client, code_for(device))
    assert response.status_code == 302
    assert response["Location"] == ADMIN_INDEX
    assert verified(client)
    assert client.session.session_key != session_before  # A new session as it gains rights.
    assert client.get(ADMIN_INDEX).status_code == 200


def test_a_wrong_code_is_refused_and_leaves_the_session_unverified(client, staff):
    device = with_device(staff)
    password_step(client, staff)
    wrong = str((int(code_for(device)) + 1) % 1_000_000).zfill(6)
    response = code_step(client, wrong)
    assert response.status_code == 200
    assert WRONG_CODE in response.content.decode()
    assert not verified(client)
    assert client.get(ADMIN_INDEX).status_code == 302


def test_a_code_that_is_not_six_digits_is_explained_and_not_counted(client, staff, no_device_throttle):
    device = with_device(staff)
    password_step(client, staff)
    for _attempt in range(6):
        response = code_step(client, "12ab")
        assert "Enter the 6 digits" in response.content.decode()
    assert code_step(client, code_for(device)).status_code == 302


def test_a_code_works_once(client, staff, no_device_throttle):
    device = with_device(staff)
    code = code_for(device)
    password_step(client, staff)
    assert code_step(client, code).status_code == 302
    client.post(SIGN_OUT)
    password_step(client, staff)
    assert WRONG_CODE in code_step(client, code).content.decode()


def test_five_wrong_codes_pause_the_step_even_for_the_right_code(client, staff, no_device_throttle, monkeypatch):
    device = with_device(staff)
    password_step(client, staff)
    for attempt in range(4):
        response = code_step(client, f"00000{attempt}")
        assert WRONG_CODE in response.content.decode()
    fifth = code_step(client, "000009").content.decode()
    assert CODES_PAUSED in fifth and "15 minutes" in fifth
    assert CODES_PAUSED in code_step(client, code_for(device)).content.decode()
    assert not verified(client)

    # Signing in again does not get round it: the pause is the account's, not the session's.
    client.post(SIGN_OUT)
    password_step(client, staff)
    assert CODES_PAUSED in code_step(client, code_for(device)).content.decode()

    # Another account is not affected.
    otto = make_staff(username="otto")
    other = Client()
    password_step(other, otto)
    assert code_step(other, code_for(with_device(otto))).status_code == 302

    # Only the lock's clock moves on: the codes keep to the real time.
    later = time.time() + 15 * 60 + 1
    monkeypatch.setattr(login_guard, "time", SimpleNamespace(time=lambda: later))
    assert code_step(client, code_for(device)).status_code == 302
    assert verified(client)


def test_the_code_lock_holds_no_user_ids_or_addresses_in_its_counters(client, staff):
    with_device(staff)
    password_step(client, staff, address="203.0.113.9")
    code_step(client, "000000", address="203.0.113.9")
    keys = " ".join(Counter.objects.values_list("key", flat=True))
    assert "login-guard" in keys and "203.0.113.9" not in keys


def test_django_otp_own_back_off_stays_on_beneath(client, staff):
    device = with_device(staff)
    password_step(client, staff)
    code_step(client, "000000")
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    # Straight after a wrong code, even the right one waits a moment.
    assert WRONG_CODE in code_step(client, code_for(device)).content.decode()


def test_the_password_step_is_still_throttled(client, staff):
    for attempt in range(5):
        password_step(client, staff, password=f"wrong {attempt}")
    assert PASSWORD_PAUSED in password_step(client, staff).content.decode()
    assert not signed_in(client)


def test_the_admin_login_form_keeps_its_throttle(rf, staff):
    def attempt(password: str):
        request = rf.post("/", REMOTE_ADDR="198.51.100.7")
        form = ThrottledAdminAuthenticationForm(request, data={"username": "cora", "password": password})
        return form.is_valid(), form.errors.as_data().get("__all__", [])

    for n in range(4):
        valid, errors = attempt(f"wrong {n}")
        assert not valid and errors[0].code == "invalid_login"
    assert attempt("wrong again")[1][0].code == "throttled"
    valid, errors = attempt(STAFF_PASSWORD)
    assert not valid and errors[0].code == "throttled"


# Recovery codes ----------------------------------------------------------------------------------


def test_a_recovery_code_signs_in_once(client, staff, no_device_throttle):
    with_device(staff)
    codes = two_factor.recovery_codes_generate(user=staff)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-7]{5}-[a-z2-7]{5}", code) for code in codes)

    password_step(client, staff)
    response = code_step(client, f"  {codes[3].upper()} ", field="recovery_code")
    assert response.status_code == 302 and verified(client)
    assert "You have 9 left" in client.get(response["Location"]).content.decode()

    client.post(SIGN_OUT)
    password_step(client, staff)
    response = code_step(client, codes[3], field="recovery_code")
    assert WRONG_CODE in response.content.decode()
    assert not verified(client)
    assert two_factor.recovery_codes_remaining(staff) == 9


def test_wrong_recovery_codes_count_towards_the_same_pause(client, staff, no_device_throttle):
    device = with_device(staff)
    two_factor.recovery_codes_generate(user=staff)
    password_step(client, staff)
    for _attempt in range(3):
        code_step(client, "aaaaa-aaaaa", field="recovery_code")
    code_step(client, "000000")
    assert CODES_PAUSED in code_step(client, "bbbbb-bbbbb", field="recovery_code").content.decode()
    assert CODES_PAUSED in code_step(client, code_for(device)).content.decode()


def test_recovery_codes_page_needs_a_verified_session_and_regenerates_only_on_post(
    client, staff, unverified_login, no_device_throttle
):
    with_device(staff)
    old = two_factor.recovery_codes_generate(user=staff)
    unverified_login(client, staff)
    response = client.get(RECOVERY_CODES)
    assert response.status_code == 302
    assert response["Location"] == f"{SECOND_FACTOR}?next={RECOVERY_CODES}"

    client.force_login(staff)
    page = client.get(RECOVERY_CODES)
    assert "You have 10 unused recovery codes left" in page.content.decode()
    assert StaticToken.objects.filter(device__user=staff).count() == 10
    assert set(old) == {f"{t.token[:5]}-{t.token[5:]}" for t in StaticToken.objects.filter(device__user=staff)}

    response = client.post(RECOVERY_CODES)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    shown = re.findall(r"<code>([a-z2-7]{5}-[a-z2-7]{5})</code>", response.content.decode())
    assert len(shown) == 10 and not set(shown) & set(old)
    assert StaticDevice.objects.filter(user=staff).count() == 1
    assert two_factor.recovery_code_use(user=staff, code=old[0]) is None
    assert two_factor.recovery_code_use(user=staff, code=shown[0]) is not None


# Setting up an authenticator app -----------------------------------------------------------------


def test_first_sign_in_sets_up_an_app_then_shows_recovery_codes_once(client, staff, caplog):
    caplog.set_level("DEBUG")
    response = password_step(client, staff, next_url="/admin/quotes/quoterequest/")
    assert response["Location"] == f"{SETUP}?next=%2Fadmin%2Fquotes%2Fquoterequest%2F"
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    device = TOTPDevice.objects.get(user=staff)
    assert not device.confirmed
    assert '<svg width="' in html and 'class="qr-code"' in html
    secret = two_factor.totp_secret(device)
    assert secret in html
    assert "otpauth://" not in html  # The key is in the QR code and in text, never in a link.
    assert client.get(SETUP).content.decode().count(secret) == 1  # Reloading keeps the same key.
    assert TOTPDevice.objects.filter(user=staff).count() == 1
    assert not two_factor.has_confirmed_device(staff)

    wrong = client.post(SETUP, {"code": "000000"})
    assert WRONG_CODE in wrong.content.decode()
    assert not verified(client)

    device.throttle_reset()  # django-otp's back-off after the wrong code above
    response = client.post(SETUP, {"code": code_for(device), "next": "/admin/quotes/quoterequest/"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    codes = re.findall(r"<code>([a-z2-7]{5}-[a-z2-7]{5})</code>", response.content.decode())
    assert len(codes) == 10
    assert 'href="/admin/quotes/quoterequest/"' in response.content.decode()
    device.refresh_from_db()
    assert device.confirmed and verified(client)
    assert client.get(ADMIN_INDEX).status_code == 200
    # Shown once: sending the form again (a reload) or coming back leads on, with no codes.
    assert client.post(SETUP, {"code": code_for(device)})["Location"] == ADMIN_INDEX
    assert client.get(SETUP)["Location"] == ADMIN_INDEX
    logged = caplog.text
    assert secret.replace(" ", "") not in logged.replace(" ", "") and not any(code in logged for code in codes)


def test_a_password_alone_cannot_add_an_app_to_an_account_that_has_one(client, staff, unverified_login):
    with_device(staff)
    unverified_login(client, staff)
    response = client.get(SETUP)
    assert response["Location"] == SECOND_FACTOR
    assert client.post(SETUP, {"code": "123456"})["Location"] == SECOND_FACTOR
    assert TOTPDevice.objects.filter(user=staff).count() == 1


def test_the_second_factor_step_without_an_app_goes_to_set_up(client, staff, unverified_login):
    unverified_login(client, staff)
    assert client.get(f"{SECOND_FACTOR}?next=/admin/")["Location"] == f"{SETUP}?next=%2Fadmin%2F"


def test_signed_out_visitors_are_sent_to_sign_in_from_every_step(client):
    for url in (SECOND_FACTOR, SETUP):
        assert client.get(url)["Location"] == SIGN_IN
    assert client.get(RECOVERY_CODES)["Location"] == f"{SIGN_IN}?next={RECOVERY_CODES}"


# Where people go afterwards -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "http://testserver.evil.example/", "javascript:alert(1)"]
)
def test_a_next_address_on_another_site_is_refused(client, staff, next_url):
    device = with_device(staff)
    response = password_step(client, staff, next_url=next_url)
    assert "evil" not in response["Location"] and "javascript" not in response["Location"]
    response = code_step(client, code_for(device), next_url=next_url)
    assert response["Location"] == ADMIN_INDEX


def test_a_next_address_on_this_site_is_followed(client, staff):
    device = with_device(staff)
    wanted = reverse("admin:quotes_quoterequest_changelist") + "?status=submitted"
    response = password_step(client, staff, next_url=wanted)
    assert response["Location"] == f"{SECOND_FACTOR}?next=%2Fadmin%2Fquotes%2Fquoterequest%2F%3Fstatus%3Dsubmitted"
    page = client.get(response["Location"]).content.decode()
    assert 'name="next" value="/admin/quotes/quoterequest/?status=submitted"' in page
    assert code_step(client, code_for(device), next_url=wanted)["Location"] == wanted


def test_facility_users_land_on_the_partner_portal(client, settings):
    office = make_facility_user(username="office")
    device = with_device(office)
    password_step(client, office)
    assert code_step(client, code_for(device))["Location"] == settings.PARTNER_HOME == "/partners/"


def test_a_facility_user_signs_in_first_by_setting_up_an_app(client):
    office = make_facility_user(username="office")
    assert password_step(client, office)["Location"] == SETUP


# The admin ---------------------------------------------------------------------------------------


def test_the_admin_refuses_an_unverified_staff_session_and_sends_it_to_sign_in(client, staff, unverified_login):
    with_device(staff)
    unverified_login(client, staff)
    wanted = reverse("admin:quotes_quoterequest_changelist")
    response = client.get(wanted)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    response = client.get(response["Location"])
    assert response["Location"] == f"{SIGN_IN}?next=/admin/quotes/quoterequest/"
    response = client.get(response["Location"])
    assert response["Location"] == f"{SECOND_FACTOR}?next=%2Fadmin%2Fquotes%2Fquoterequest%2F"


def test_the_admin_login_page_sends_people_to_sign_in_keeping_a_safe_next(client):
    login = reverse("admin:login")
    assert client.get(f"{login}?next=/admin/quotes/")["Location"] == f"{SIGN_IN}?next=/admin/quotes/"
    assert client.get(f"{login}?next=https://evil.example/")["Location"] == f"{SIGN_IN}?next=/admin/"
    assert client.post(login, {"username": "cora", "password": "x"})["Location"] == f"{SIGN_IN}?next=/admin/"


def test_a_verified_staff_session_skips_the_admin_login(client, staff):
    client.force_login(staff)
    assert client.get(reverse("admin:login"))["Location"] == ADMIN_INDEX


def test_a_facility_user_never_gets_into_the_admin(client):
    office = make_facility_user(username="office")
    client.force_login(office)
    assert verified(client)
    response = client.get(ADMIN_INDEX)
    assert response.status_code == 302
    refused = client.get(response["Location"])
    assert refused.status_code == 403
    assert "cannot open the staff pages" in refused.content.decode()
    assert 'href="/partners/"' in refused.content.decode()
    assert client.get(reverse("admin:quotes_quoterequest_changelist")).status_code == 302


def test_a_staff_member_marked_a_facility_user_by_mistake_still_needs_verifying(client, unverified_login):
    office = make_facility_user(username="office", is_staff=True)
    unverified_login(client, office)
    assert client.get(ADMIN_INDEX).status_code == 302


def test_otp_devices_in_the_admin_hide_their_keys(admin_client, staff):
    device = with_device(staff)
    page = admin_client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk])).content.decode()
    assert device.key not in page


# Signing out -------------------------------------------------------------------------------------


def test_sign_out_is_post_only(client, staff):
    client.force_login(staff)
    assert client.get(SIGN_OUT).status_code == 405
    assert signed_in(client)
    response = client.post(SIGN_OUT)
    assert response["Location"] == SIGN_IN
    assert not signed_in(client) and not verified(client)
    assert "You have signed out" in client.get(SIGN_IN).content.decode()


def test_sign_out_needs_the_csrf_token(staff):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    assert client.post(SIGN_OUT).status_code == 403
    assert signed_in(client)


# verified_required -------------------------------------------------------------------------------


def _request(rf, user, *, is_verified: bool | None = None):
    request = rf.get("/partners/cases/?page=2")
    SessionMiddleware(lambda r: None).process_request(request)
    if is_verified is not None:
        user.is_verified = lambda: is_verified
    request.user = user
    return request


def test_verified_required_lets_only_verified_users_through(rf, staff):
    @verified_required
    def view(request):
        return HttpResponse("medical files")

    wanted = "next=/partners/cases/%3Fpage%3D2"
    assert view(_request(rf, AnonymousUser()))["Location"] == f"{SIGN_IN}?{wanted}"
    assert view(_request(rf, staff, is_verified=False))["Location"] == f"{SETUP}?{wanted}"
    with_device(staff)
    assert view(_request(rf, staff, is_verified=False))["Location"] == f"{SECOND_FACTOR}?{wanted}"
    assert view(_request(rf, staff, is_verified=True)).content == b"medical files"
    assert view.__name__ == "view"


def test_force_login_in_tests_gives_a_verified_session_and_unverified_login_does_not(client, staff, unverified_login):
    client.force_login(staff)
    assert verified(client) and client.get(ADMIN_INDEX).status_code == 200
    other = Client()
    unverified_login(other, staff)
    assert signed_in(other) and not verified(other)
    assert other.get(ADMIN_INDEX).status_code == 302


# manage.py second_factor -------------------------------------------------------------------------


def run(*args) -> str:
    out = StringIO()
    call_command("second_factor", *args, stdout=out)
    return out.getvalue()


def test_the_command_sets_up_a_device_and_prints_its_address_key_and_code(staff):
    with_device(staff)
    out = run("cora")
    device = TOTPDevice.objects.get(user=staff)
    assert device.confirmed and device.name == two_factor.TOTP_DEVICE_NAME
    assert device.config_url in out
    assert "otpauth://totp/Medtour%3Acora?secret=" in out and "issuer=Medtour" in out
    assert two_factor.totp_secret(device) in out
    assert run("cora", "--code").strip() == code_for(device)


def test_the_command_resets_an_account_so_it_sets_up_again(client, staff):
    with_device(staff)
    two_factor.recovery_codes_generate(user=staff)
    assert "Removed 2" in run("cora", "--reset")
    assert not two_factor.has_confirmed_device(staff)
    assert password_step(client, staff)["Location"] == SETUP


def test_the_command_refuses_what_it_cannot_do(staff, settings):
    with pytest.raises(CommandError, match="No account"):
        run("nobody")
    with pytest.raises(CommandError, match="no authenticator app"):
        run("cora", "--code")
    get_user_model().objects.create_user("someone")
    with pytest.raises(CommandError, match="needs no second factor"):
        run("someone")
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        run("cora")
    assert "Removed 0" in run("cora", "--reset")


def test_a_demo_device_has_a_known_key(client, staff):
    key = "3132333435363738393031323334353637383930"  # RFC 6238's test key
    device = two_factor.demo_device(staff, key)
    assert device.confirmed and device.key == key
    expected = str(totp(bytes.fromhex(key), step=30, t0=0, digits=6)).zfill(6)
    password_step(client, staff)
    assert code_step(client, expected)["Location"] == ADMIN_INDEX
    assert TOTPDevice.objects.filter(user=staff).count() == 1
