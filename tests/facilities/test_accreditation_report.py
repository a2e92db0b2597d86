"""The daily accreditation report command."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from facilities.models import Accreditation
from tests.factories import make_accreditation, make_body, make_facility

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def directory():
    make_facility(name="Long Valid", slug="long-valid")
    soon = make_facility(name="Soon", slug="soon", accredited=False)
    make_accreditation(facility=soon, body=make_body(abbreviation="GHA"), expires_on=TODAY + 10 * DAY)
    later = make_facility(name="Later", slug="later", accredited=False)
    make_accreditation(facility=later, expires_on=TODAY + 90 * DAY)
    lapsed = make_facility(name="Lapsed", slug="lapsed", accredited=False)
    make_accreditation(facility=lapsed, awarded_on=TODAY - 800 * DAY, expires_on=TODAY - 3 * DAY)
    suspended = make_facility(name="Suspended", slug="suspended", accredited=False)
    make_accreditation(facility=suspended, status=Accreditation.Status.SUSPENDED)
    make_facility(name="Never", slug="never", accredited=False)
    make_facility(name="Draft", slug="draft", is_published=False, accredited=False)


def run(*args) -> str:
    out = StringIO()
    call_command("accreditation_report", *args, stdout=out)
    return out.getvalue()


def test_text_report(directory):
    text = run()
    assert "expiring within 60 days: 1" in text
    assert "Soon [soon]  GHA" in text
    assert "( 10 days)" in text
    assert "Later" not in text.split("Published facilities")[0]
    assert "not listed (no current accreditation): 3" in text
    assert f"Lapsed [lapsed]: last accreditation expired on {(TODAY - 3 * DAY).isoformat()}" in text
    assert "Suspended [suspended]: accreditation suspended" in text
    assert "Never [never]: no accreditation on record" in text
    assert "Draft" not in text


def test_days_option_and_json(directory):
    data = json.loads(run("--days", "120", "--json"))
    assert [row["facility"] for row in data["expiring"]] == ["soon", "later"]
    assert data["expiring"][0]["days_left"] == 10
    assert {row["facility"] for row in data["not_listed"]} == {"lapsed", "suspended", "never"}


def test_fail_on_dropouts_exits_non_zero(directory):
    with pytest.raises(SystemExit) as exc:
        run("--fail-on-dropouts")
    assert exc.value.code == 1


def test_nothing_to_report():
    make_facility()
    text = run("--fail-on-dropouts")
    assert "expiring within 60 days: 0" in text
    assert "not listed (no current accreditation): 0" in text


@pytest.mark.parametrize("days", ["-1", "5000"])
def test_bad_days_are_refused(days):
    with pytest.raises(CommandError):
        run("--days", days)
