"""Facilities' proposed changes to their listing: proposing in the portal, deciding in the admin."""

import datetime
import io

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from facilities.models import (
    Accreditation,
    Facility,
    FacilityMembership,
    FacilityPhoto,
    FacilityProcedure,
    ProfileChangeProposal,
)
from facilities.proposals import (
    ProposalError,
    proposal_approve,
    proposal_comparison,
    proposal_reject,
    proposal_submit,
    proposal_withdraw,
)
from tests.factories import (
    PDF,
    image_bytes,
    make_body,
    make_facility,
    make_facility_user,
    make_language,
    make_offer,
    make_procedure,
    make_staff,
)
from tests.quotes.helpers import EXE, TEXT, jpeg, png, private_files

pytestmark = pytest.mark.django_db

Status = ProfileChangeProposal.Status
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
PROFILE = reverse("partners:profile")
PROPOSE = reverse("partners:profile_propose")


@pytest.fixture
def office():
    english, german = make_language(name="English"), make_language(name="German")
    arabic = make_language(name="Arabic")
    facility = make_facility(description="We treat spines.", has_interpreter=True)
    facility.languages.set([english])
    offer = make_offer(facility=facility, price_from=9_000, price_to=12_000, includes="Surgery")
    manager = make_facility_user(facility=facility, role="manager")
    return {
        "facility": facility,
        "manager": manager,
        "membership": FacilityMembership.objects.get(user=manager),
        "english": english,
        "german": german,
        "arabic": arabic,
        "offer": offer,
        "new_procedure": make_procedure(name="Hip replacement"),
        "body": make_body(abbreviation="JCI", name="Joint Commission International"),
    }


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def submit(office, **overrides) -> ProfileChangeProposal:
    fields = {"membership": office["membership"], "changes": {"description": "We treat spines and hips."}}
    fields.update(overrides)
    return proposal_submit(**fields)


def certificate_fields(office, **overrides) -> dict:
    fields = {
        "certificate": upload("cert.pdf", PDF, "application/pdf"),
        "certificate_body": office["body"],
        "certificate_programme": "Hospital Accreditation",
        "certificate_awarded_on": TODAY - 10 * DAY,
        "certificate_expires_on": TODAY + 1000 * DAY,
        "certificate_verification_url": "https://example.org/verify/1",
    }
    fields.update(overrides)
    return fields


def full_proposal(office) -> ProfileChangeProposal:
    return submit(
        office,
        changes={
            "description": "We treat spines and hips.",
            "languages": [office["english"].pk, office["german"].pk],
            "services": ["airport_transfer", "visa_letter"],
            "prices": [
                {"procedure": office["offer"].procedure_id, "price_from": 8_000, "price_to": 11_000, "includes": "All"},
                {"procedure": office["new_procedure"].pk, "price_from": 7_000, "price_to": 9_000, "includes": "Stay"},
            ],
        },
        photo=upload("entrance.jpg", jpeg(size=(900, 600)), "image/jpeg"),
        photo_alt_text="The main entrance",
        message="New wing opened.",
        **certificate_fields(office),
    )


def form_data(office, **overrides) -> dict:
    """The portal's form as a manager posts it, with the live values filled in (as the page does)."""
    facility = office["facility"]
    data = {
        "description": facility.description,
        "languages": [str(pk) for pk in facility.languages.values_list("pk", flat=True)],
        "services": [s for s, f in facility.SERVICE_FIELDS.items() if getattr(facility, f)],
        "new_procedure": "",
        "new_price_from": "",
        "new_price_to": "",
        "new_includes": "",
        "photo_alt_text": "",
        "certificate_body": "",
        "certificate_programme": "",
        "certificate_awarded_on": "",
        "certificate_expires_on": "",
        "certificate_verification_url": "",
        "message": "",
    }
    for offer in facility.offered_procedures.all():
        prefix = f"offer_{offer.procedure_id}"
        data |= {
            f"{prefix}_price_from": str(offer.price_from),
            f"{prefix}_price_to": str(offer.price_to),
            f"{prefix}_includes": offer.includes,
        }
    data.update(overrides)
    return data


# Proposing ----------------------------------------------------------------------------------------


def test_a_proposal_changes_nothing_live_and_keeps_only_what_differs(office):
    facility = office["facility"]
    proposal = submit(
        office,
        changes={
            "description": "  We treat spines and hips.  ",
            "languages": [office["english"].pk],  # as live: dropped
            "services": ["interpreter"],  # as live: dropped
            "prices": [
                {
                    "procedure": office["offer"].procedure_id,
                    "price_from": 9_000,
                    "price_to": 12_000,
                    "includes": "Surgery",
                },
                {"procedure": office["new_procedure"].pk, "price_from": 7_000, "price_to": 9_000, "includes": ""},
            ],
        },
    )
    assert proposal.status == Status.PENDING
    assert proposal.proposed_by == office["manager"]
    assert proposal.changes == {
        "description": "We treat spines and hips.",
        "prices": [{"procedure": office["new_procedure"].pk, "price_from": 7_000, "price_to": 9_000, "includes": ""}],
    }
    facility.refresh_from_db()
    assert facility.description == "We treat spines."
    assert not FacilityProcedure.objects.filter(facility=facility, procedure=office["new_procedure"]).exists()


def test_files_wait_in_private_storage_and_nothing_public(office, settings):
    proposal = full_proposal(office)
    assert len(private_files()) == 2
    assert proposal.photo.name.startswith("facility-proposals/")
    assert "entrance" not in proposal.photo.name and "cert" not in proposal.certificate.name
    assert not FacilityPhoto.objects.filter(facility=office["facility"]).exists()
    assert office["facility"].accreditations.count() == 1  # the factory's own


def test_a_proposal_that_changes_nothing_is_refused(office):
    with pytest.raises(ValidationError) as caught:
        submit(office, changes={"description": "We treat spines.", "languages": [office["english"].pk]})
    assert caught.value.error_dict["__all__"][0].code == "no_change"
    assert not ProfileChangeProposal.objects.exists()


def test_only_one_pending_proposal_at_a_time_until_withdrawn(office):
    first = submit(office)
    with pytest.raises(ValidationError) as caught:
        submit(office, changes={"description": "Something else."})
    assert caught.value.error_dict["__all__"][0].code == "pending_exists"
    proposal_withdraw(proposal=first, membership=office["membership"])
    second = submit(office, changes={"description": "Something else."})
    assert ProfileChangeProposal.objects.filter(status=Status.PENDING).get() == second


def test_a_case_handler_cannot_propose_or_withdraw(office):
    handler = make_facility_user(facility=office["facility"], role="case_handler")
    membership = FacilityMembership.objects.get(user=handler)
    with pytest.raises(PermissionDenied):
        submit(office, membership=membership)
    proposal = submit(office)
    with pytest.raises(PermissionDenied):
        proposal_withdraw(proposal=proposal, membership=membership)
    assert ProfileChangeProposal.objects.get().status == Status.PENDING


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"description": "Bad\x00text"}, "description", "null_characters"),
        ({"description": "x" * 10_001}, "description", "too_long"),
        ({"languages": [999_999]}, "languages", "unknown_language"),
        ({"languages": ["1"]}, "languages", "invalid"),
        ({"languages": [True]}, "languages", "invalid"),
        ({"services": ["spa"]}, "services", "unknown_service"),
        ({"prices": [{"procedure": 999_999, "price_from": 1, "price_to": 2}]}, "prices", "unknown_procedure"),
        ({"prices": [{"procedure": "PROC", "price_from": 10, "price_to": 5}]}, "prices", "price_range"),
        ({"prices": [{"procedure": "PROC", "price_from": 0, "price_to": 5}]}, "prices", "out_of_range"),
        ({"prices": [{"procedure": "PROC", "price_from": 1, "price_to": 10**9}]}, "prices", "out_of_range"),
        ({"prices": [{"procedure": "PROC", "price_from": 1.5, "price_to": 5}]}, "prices", "invalid"),
        ({"prices": [{"procedure": "PROC", "price_from": 1, "price_to": 5, "admin": 1}]}, "prices", "invalid"),
    ],
)
def test_the_service_refuses_what_it_cannot_read(office, changes, field, code):
    for row in changes.get("prices", []):
        if row["procedure"] == "PROC":
            row["procedure"] = office["offer"].procedure_id
    with pytest.raises(ValidationError) as caught:
        submit(office, changes=changes)
    assert code in [error.code for error in caught.value.error_dict[field]]
    assert not ProfileChangeProposal.objects.exists()


def test_a_price_for_an_unpublished_procedure_not_offered_is_refused(office):
    hidden = make_procedure(is_published=False)
    with pytest.raises(ValidationError):
        submit(office, changes={"prices": [{"procedure": hidden.pk, "price_from": 1, "price_to": 2}]})


def test_unknown_change_keys_are_refused(office):
    with pytest.raises(ValidationError):
        submit(office, changes={"is_published": False})


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"photo": upload("p.jpg", EXE), "photo_alt_text": "Door"}, "photo", "not_an_image"),
        ({"photo": upload("p.jpg", jpeg())}, "photo_alt_text", "required"),
        ({"photo_alt_text": "Door"}, "photo", "required"),
        ({"certificate": upload("c.pdf", TEXT)}, "certificate", "file_type"),
        ({"certificate": upload("c.pdf", EXE)}, "certificate", "file_type"),
        ({"certificate": upload("c.pdf", b"%PDF-1.4\n<script>alert(1)</script>")}, "certificate", "invalid_pdf"),
        ({"certificate": upload("c.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50)}, "certificate", "not_an_image"),
        ({"certificate": upload("c.pdf", b"")}, "certificate", "empty"),
        ({"certificate_body": None}, "certificate_body", "required"),
        (
            {"certificate_expires_on": TODAY - 2 * DAY, "certificate_awarded_on": TODAY - 9 * DAY},
            "certificate_expires_on",
            "expired",
        ),
        ({"certificate_expires_on": TODAY - 20 * DAY}, "certificate_expires_on", "expires_before_award"),
        ({"certificate_awarded_on": TODAY + DAY}, "certificate_awarded_on", "future"),
        ({"certificate_verification_url": "javascript:alert(1)"}, "certificate_verification_url", "invalid"),
    ],
)
def test_files_and_certificate_details_are_checked_and_nothing_is_stored(office, overrides, field, code):
    fields = certificate_fields(office) if any(k.startswith("certificate") for k in overrides) else {}
    fields.update(overrides)
    with pytest.raises(ValidationError) as caught:
        submit(office, **fields)
    assert code in [error.code for error in caught.value.error_dict[field]]
    assert not ProfileChangeProposal.objects.exists()
    assert private_files() == []


def test_certificate_details_without_a_file_are_refused(office):
    fields = certificate_fields(office)
    del fields["certificate"]
    with pytest.raises(ValidationError) as caught:
        submit(office, **fields)
    assert caught.value.error_dict["certificate"][0].code == "required"


def test_an_image_certificate_is_accepted(office):
    proposal = submit(office, **certificate_fields(office, certificate=upload("c.png", png())))
    assert proposal.certificate


# Deciding -----------------------------------------------------------------------------------------


def test_approval_applies_every_kind_of_change(office, django_capture_on_commit_callbacks):
    facility = office["facility"]
    editor = make_staff(group="Directory editors")
    proposal = full_proposal(office)
    with django_capture_on_commit_callbacks(execute=True):
        proposal = proposal_approve(proposal=proposal, editor=editor, note="Looks right.")

    assert proposal.status == Status.APPROVED
    assert proposal.decided_by == editor and proposal.decided_at is not None
    assert proposal.decision_note == "Looks right."
    facility.refresh_from_db()
    assert facility.description == "We treat spines and hips."
    assert set(facility.languages.all()) == {office["english"], office["german"]}
    assert (facility.has_interpreter, facility.has_airport_transfer) == (False, True)
    assert (facility.has_accommodation_help, facility.has_visa_letters) == (False, True)
    existing = FacilityProcedure.objects.get(pk=office["offer"].pk)
    assert (existing.price_from, existing.price_to, existing.includes) == (8_000, 11_000, "All")
    added = FacilityProcedure.objects.get(facility=facility, procedure=office["new_procedure"])
    assert (added.price_from, added.price_to, added.includes) == (7_000, 9_000, "Stay")

    photo = FacilityPhoto.objects.get(facility=facility)
    assert photo.alt_text == "The main entrance"
    assert photo.large.name.startswith("facility-photos/") and photo.thumbnail
    photo.large.open("rb")
    assert Image.open(io.BytesIO(photo.large.read())).format == "JPEG"
    photo.large.close()

    accreditation = facility.accreditations.get(body=office["body"])
    assert accreditation.status == Accreditation.Status.ACTIVE
    assert accreditation.programme == "Hospital Accreditation"
    assert (accreditation.awarded_on, accreditation.expires_on) == (TODAY - 10 * DAY, TODAY + 1000 * DAY)
    assert accreditation.verification_url == "https://example.org/verify/1"
    # The listing window follows the new accreditation.
    assert facility.listed_until == TODAY + 1000 * DAY

    # The original photo leaves private storage; the certificate stays as the record.
    assert not proposal.photo
    assert [path.read_bytes() for path in private_files()] == [PDF]


def test_a_second_photo_goes_after_the_existing_ones(office):
    from tests.factories import make_photo

    make_photo(facility=office["facility"], position=3)
    proposal = submit(office, photo=upload("p.jpg", jpeg()), photo_alt_text="The ward")
    proposal_approve(proposal=proposal, editor=make_staff())
    assert FacilityPhoto.objects.get(alt_text="The ward").position == 4


def test_rejection_keeps_the_live_values_and_needs_a_note(office, django_capture_on_commit_callbacks):
    facility = office["facility"]
    editor = make_staff(group="Directory editors")
    proposal = full_proposal(office)
    for note in ("", "   ", "nul\x00"):
        with pytest.raises(ProposalError):
            proposal_reject(proposal=proposal, editor=editor, note=note)
    assert ProfileChangeProposal.objects.get().status == Status.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        proposal = proposal_reject(proposal=proposal, editor=editor, note="The certificate is unreadable.")
    assert proposal.status == Status.REJECTED and proposal.decision_note == "The certificate is unreadable."
    facility.refresh_from_db()
    assert facility.description == "We treat spines."
    assert list(facility.languages.all()) == [office["english"]]
    assert facility.has_interpreter and not facility.has_airport_transfer
    assert FacilityProcedure.objects.get(pk=office["offer"].pk).price_from == 9_000
    assert not FacilityPhoto.objects.exists()
    assert facility.accreditations.count() == 1
    assert private_files() == []


def test_two_approvals_apply_once(office):
    proposal = full_proposal(office)
    seen_by_second_editor = ProfileChangeProposal.objects.get(pk=proposal.pk)
    proposal_approve(proposal=proposal, editor=make_staff())
    with pytest.raises(ProposalError, match="decided already"):
        proposal_approve(proposal=seen_by_second_editor, editor=make_staff())
    with pytest.raises(ProposalError):
        proposal_reject(proposal=seen_by_second_editor, editor=make_staff(), note="No")
    assert FacilityPhoto.objects.count() == 1
    assert office["facility"].accreditations.filter(body=office["body"]).count() == 1
    assert ProfileChangeProposal.objects.get().status == Status.APPROVED


def test_a_withdrawn_proposal_cannot_be_approved(office):
    proposal = submit(office)
    proposal_withdraw(proposal=proposal, membership=office["membership"])
    with pytest.raises(ProposalError):
        proposal_approve(proposal=proposal, editor=make_staff())
    office["facility"].refresh_from_db()
    assert office["facility"].description == "We treat spines."


def test_a_failed_application_leaves_the_proposal_pending(office):
    proposal = submit(office, photo=upload("p.jpg", jpeg()), photo_alt_text="Door")
    proposal.photo.storage.delete(proposal.photo.name)
    with pytest.raises(ProposalError, match="missing"):
        proposal_approve(proposal=proposal, editor=make_staff())
    proposal.refresh_from_db()
    assert proposal.status == Status.PENDING and proposal.photo
    office["facility"].refresh_from_db()
    assert office["facility"].description == "We treat spines."


def test_the_comparison_shows_live_and_proposed_values(office):
    proposal = full_proposal(office)
    rows = {row.label: row for row in proposal_comparison(proposal)}
    description = rows["Description"]
    assert (description.current, description.proposed, description.changed) == (
        "We treat spines.",
        "We treat spines and hips.",
        True,
    )
    assert rows["Languages spoken"].current == "English"
    assert rows["Languages spoken"].proposed == "English, German"
    assert rows["Services for international patients"].current == "Medical interpreter"
    assert rows["Services for international patients"].proposed == "Airport transfer, Visa invitation letter"
    existing = rows[f"Price: {office['offer'].procedure.name}"]
    assert existing.current.startswith("US$9,000–12,000") and existing.proposed.startswith("US$8,000–11,000")
    new = rows["Price: Hip replacement"]
    assert (new.current, new.changed) == ("Not offered", True)
    assert "The main entrance" in rows["New photo"].proposed
    assert "JCI Hospital Accreditation" in rows["New accreditation"].proposed


def test_parts_left_alone_show_the_same_value_unchanged(office):
    proposal = submit(office)
    rows = {row.label: row for row in proposal_comparison(proposal)}
    assert rows["Languages spoken"].changed is False
    assert rows["Languages spoken"].current == rows["Languages spoken"].proposed == "English"
    assert "New photo" not in rows


# The portal ---------------------------------------------------------------------------------------


def test_a_manager_proposes_through_the_portal(client, office):
    client.force_login(office["manager"])
    page = client.get(PROFILE)
    assert page.status_code == 200
    assert page["Cache-Control"].startswith("max-age=0") or "no-cache" in page["Cache-Control"]
    assert 'action="/partners/profile/propose/"' in page.content.decode()
    data = form_data(
        office,
        description="A new text.",
        languages=[str(office["german"].pk)],
        services=["accommodation"],
        new_procedure=str(office["new_procedure"].pk),
        new_price_from="5000",
        new_price_to="6000",
        new_includes="Two nights",
        message="Please check.",
        photo=upload("door.png", png(), "image/png"),
        photo_alt_text="The door",
        certificate=upload("c.pdf", PDF, "application/pdf"),
        certificate_body=str(office["body"].pk),
        certificate_programme="Hospital Accreditation",
        certificate_awarded_on=str(TODAY - DAY),
        certificate_expires_on=str(TODAY + 300 * DAY),
        certificate_verification_url="example.org/check",
    )
    response = client.post(PROPOSE, data)
    assert response.status_code == 302 and response["Location"] == PROFILE
    proposal = ProfileChangeProposal.objects.get()
    assert proposal.changes == {
        "description": "A new text.",
        "languages": [office["german"].pk],
        "services": ["accommodation"],
        "prices": [
            {"procedure": office["new_procedure"].pk, "price_from": 5000, "price_to": 6000, "includes": "Two nights"}
        ],
    }
    assert proposal.certificate_verification_url == "https://example.org/check"
    assert proposal.message == "Please check."
    office["facility"].refresh_from_db()
    assert office["facility"].description == "We treat spines."
    page = client.get(PROFILE).content.decode()
    assert "Waiting for review" in page
    assert reverse("partners:proposal_withdraw", args=[proposal.pk]) in page
    assert 'action="/partners/profile/propose/"' not in page  # one at a time


def test_a_manager_sets_the_language_of_the_offices_e_mails(client, office):
    client.force_login(office["manager"])
    url = reverse("partners:office_language")
    assert f'action="{url}"' in client.get(PROFILE).content.decode()
    response = client.post(url, {"office_language": "de"})
    assert response.status_code == 302 and response["Location"] == PROFILE
    office["facility"].refresh_from_db()
    assert office["facility"].office_language == "de"
    assert "will now be in the language you chose" in client.get(PROFILE).content.decode()
    assert not ProfileChangeProposal.objects.exists()  # A setting, not a change to the listing.


@pytest.mark.parametrize("value", ["xx", "", "<script>", "e" * 5000])
def test_an_unknown_office_language_is_refused(client, office, value):
    client.force_login(office["manager"])
    response = client.post(reverse("partners:office_language"), {"office_language": value})
    assert response.status_code == 400
    assert 'id="office-language"' in response.content.decode()
    office["facility"].refresh_from_db()
    assert office["facility"].office_language == "en"


def test_only_a_manager_sets_the_offices_language(client, office):
    handler = make_facility_user(facility=office["facility"], role="case_handler")
    client.force_login(handler)
    page = client.get(PROFILE).content.decode()
    assert "Medtour writes to your office in English" in page
    assert reverse("partners:office_language") not in page
    assert client.post(reverse("partners:office_language"), {"office_language": "ar"}).status_code == 403
    office["facility"].refresh_from_db()
    assert office["facility"].office_language == "en"


def test_the_portal_labels_prices_with_the_facilitys_currency(client, office):
    Facility.objects.filter(pk=office["facility"].pk).update(currency="TRY")
    client.force_login(office["manager"])
    html = client.get(PROFILE).content.decode()
    assert "Price from (TRY)" in html and "Price (TRY)" in html
    assert "Turkish lira (TRY)" in html


def test_an_unchanged_form_is_refused_with_a_message(client, office):
    client.force_login(office["manager"])
    response = client.post(PROPOSE, form_data(office))
    assert response.status_code == 400
    assert "Nothing to propose" in response.content.decode()
    assert not ProfileChangeProposal.objects.exists()


def test_a_case_handler_sees_the_listing_but_cannot_propose(client, office):
    handler = make_facility_user(facility=office["facility"], role="case_handler")
    client.force_login(handler)
    page = client.get(PROFILE)
    assert page.status_code == 200
    html = page.content.decode()
    assert "We treat spines." in html
    assert "Only your office's managers can propose" in html
    assert 'action="/partners/profile/propose/"' not in html
    response = client.post(PROPOSE, form_data(office, description="Sneaky"))
    assert response.status_code == 403
    assert not ProfileChangeProposal.objects.exists()
    proposal = submit(office)
    response = client.post(reverse("partners:proposal_withdraw", args=[proposal.pk]))
    assert response.status_code == 403
    assert ProfileChangeProposal.objects.get().status == Status.PENDING


def test_staff_without_a_membership_are_refused(client, office):
    client.force_login(make_staff(group="Directory editors"))
    assert client.get(PROFILE).status_code == 403


def test_withdrawing_in_the_portal(client, office, django_capture_on_commit_callbacks):
    proposal = submit(office, photo=upload("p.jpg", jpeg()), photo_alt_text="Door")
    client.force_login(office["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("partners:proposal_withdraw", args=[proposal.pk]))
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == Status.WITHDRAWN and not proposal.photo
    assert private_files() == []
    # A second withdrawal is reported, not an error page.
    response = client.post(reverse("partners:proposal_withdraw", args=[proposal.pk]), follow=True)
    assert "decided already" in response.content.decode()


def test_another_facilitys_proposal_is_not_found(client, office):
    other = make_facility()
    other_manager = make_facility_user(facility=other, role="manager")
    theirs = submit(office, membership=FacilityMembership.objects.get(user=other_manager))
    client.force_login(office["manager"])
    assert client.post(reverse("partners:proposal_withdraw", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("partners:proposal_withdraw", args=[999_999])).status_code == 404
    assert ProfileChangeProposal.objects.get().status == Status.PENDING
    assert client.get(reverse("partners:proposal_withdraw", args=[theirs.pk])).status_code == 405


def test_the_decision_and_note_show_in_the_portal(client, office):
    proposal = submit(office)
    proposal_reject(proposal=proposal, editor=make_staff(), note="Please shorten the text.")
    client.force_login(office["manager"])
    html = client.get(PROFILE).content.decode()
    assert "Not approved" in html and "Please shorten the text." in html
    assert 'action="/partners/profile/propose/"' in html


@pytest.mark.parametrize(
    "overrides",
    [
        {"description": "Bad\x00text"},
        {"description": "x" * 10_001},
        {"message": "x" * 2_001},
        {"languages": ["999999"]},
        {"languages": ["not-a-number"]},
        {"services": ["spa"]},
        {"new_procedure": "999999", "new_price_from": "1", "new_price_to": "2"},
        {"new_procedure": "NEW", "new_price_from": "9", "new_price_to": "2"},
        {"new_procedure": "NEW", "new_price_from": "1"},
        {"new_price_from": "-5", "new_price_to": "2", "new_procedure": "NEW"},
        {"new_price_from": "9" * 5000, "new_price_to": "2", "new_procedure": "NEW"},
        {"OFFER_price_from": ""},
        {"OFFER_price_from": "20000"},
        {"certificate_body": "999999"},
        {"photo": "EXE", "photo_alt_text": "Door"},
        {"photo": "JPEG"},
        {"certificate": "FAKE_PDF", "certificate_programme": "X"},
        {"certificate": "EXE", "certificate_programme": "X"},
        {"certificate_awarded_on": "not a date"},
        {"photo_alt_text": "x" * 201},
    ],
)
def test_hostile_input_is_refused_and_nothing_is_saved(client, office, overrides):
    offer = office["offer"]
    files = {
        "EXE": lambda: upload("photo.jpg", EXE, "image/jpeg"),
        "JPEG": lambda: upload("photo.jpg", jpeg(), "image/jpeg"),
        "FAKE_PDF": lambda: upload("certificate.pdf", TEXT, "application/pdf"),
    }
    data = {}
    for key, value in overrides.items():
        key = key.replace("OFFER", f"offer_{offer.procedure_id}")
        if value == "NEW":
            value = str(office["new_procedure"].pk)
        if isinstance(value, str) and value in files:
            value = files[value]()
        data[key] = value
    if "certificate" in data:
        data |= {
            "certificate_body": str(office["body"].pk),
            "certificate_awarded_on": str(TODAY - DAY),
            "certificate_expires_on": str(TODAY + 100 * DAY),
        }
    client.force_login(office["manager"])
    # Each POST also changes the description, so the refusal is about the hostile part alone.
    response = client.post(PROPOSE, form_data(office, description="A real change.") | data)
    assert response.status_code == 400
    assert "The proposal was not sent" in response.content.decode()
    assert not ProfileChangeProposal.objects.exists()
    assert private_files() == []
    office["facility"].refresh_from_db()
    assert office["facility"].description == "We treat spines."


def page_queries(client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(PROFILE)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_profile_page_has_a_fixed_number_of_queries(client, office):
    client.force_login(office["manager"])
    editor = make_staff()
    proposal_reject(proposal=submit(office), editor=editor, note="No")
    client.get(PROFILE)
    # The page's own 11 (membership, offers, proposals, languages twice, photos, accreditations, and
    # the form's languages, procedures and bodies), plus the session, the user and the second factor.
    first, html = page_queries(client)
    assert first <= 14
    assert html.count('class="proposal-row"') == 1
    for n in range(5):
        proposal = submit(
            office, changes={"description": f"Text {n}"}, photo=upload("p.jpg", jpeg()), photo_alt_text="D"
        )
        proposal_reject(proposal=proposal, editor=editor, note=f"Note {n}")
    make_offer(facility=office["facility"])
    make_offer(facility=office["facility"])
    office["facility"].languages.add(office["german"], office["arabic"])
    queries, html = page_queries(client)
    assert queries == first
    assert html.count('class="proposal-row"') == 6
    # With a proposal waiting the page shows no form (four queries fewer), whatever the list holds.
    submit(office, **certificate_fields(office))
    queries, html = page_queries(client)
    assert queries == first - 4
    assert html.count('class="proposal-row"') == 7


# The admin ----------------------------------------------------------------------------------------


def admin_url(name: str, *args) -> str:
    return reverse(f"admin:facilities_profilechangeproposal_{name}", args=args)


def test_a_directory_editor_reviews_and_approves_in_the_admin(client, office):
    proposal = full_proposal(office)
    client.force_login(make_staff(group="Directory editors"))
    page = client.get(admin_url("change", proposal.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert "We treat spines." in html and "We treat spines and hips." in html
    assert html.count('class="proposal-changed"') == 7  # description, languages, services, 2 prices, photo, certificate
    assert admin_url("photo", proposal.pk) in html and admin_url("certificate", proposal.pk) in html
    assert admin_url("approve", proposal.pk) in html and admin_url("reject", proposal.pk) in html
    assert 'name="_save"' not in html

    preview = client.get(admin_url("photo", proposal.pk))
    assert preview.status_code == 200 and preview["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(preview.content)).format == "JPEG"
    assert "no-store" in preview["Cache-Control"]

    certificate = client.get(admin_url("certificate", proposal.pk))
    assert certificate.status_code == 200
    assert certificate["Content-Disposition"].startswith("attachment")
    assert certificate["Content-Type"] == "application/octet-stream"
    assert "no-store" in certificate["Cache-Control"]
    assert certificate["X-Content-Type-Options"] == "nosniff"
    assert b"".join(certificate.streaming_content) == PDF

    assert client.get(admin_url("approve", proposal.pk)).status_code == 405
    response = client.post(admin_url("approve", proposal.pk), {"note": "Thanks"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == Status.APPROVED and proposal.decision_note == "Thanks"
    office["facility"].refresh_from_db()
    assert office["facility"].description == "We treat spines and hips."
    html = client.get(admin_url("change", proposal.pk)).content.decode()
    assert admin_url("approve", proposal.pk) not in html
    # Approving again is reported, and applies nothing twice.
    response = client.post(admin_url("approve", proposal.pk), follow=True)
    assert "decided already" in response.content.decode()
    assert FacilityPhoto.objects.count() == 1


def test_a_directory_editor_rejects_with_a_note_in_the_admin(client, office):
    proposal = submit(office)
    client.force_login(make_staff(group="Directory editors"))
    response = client.post(admin_url("reject", proposal.pk), {"note": ""}, follow=True)
    assert "Write a note" in response.content.decode()
    assert ProfileChangeProposal.objects.get().status == Status.PENDING
    client.post(admin_url("reject", proposal.pk), {"note": "Too vague."})
    proposal.refresh_from_db()
    assert proposal.status == Status.REJECTED and proposal.decision_note == "Too vague."


def test_a_coordinator_cannot_decide_or_download(client, office):
    proposal = full_proposal(office)
    assert Group.objects.filter(name="Coordinators").exists()
    client.force_login(make_staff(group="Coordinators"))
    assert client.post(admin_url("approve", proposal.pk)).status_code == 403
    assert client.post(admin_url("reject", proposal.pk), {"note": "No"}).status_code == 403
    assert client.get(admin_url("certificate", proposal.pk)).status_code == 403
    assert client.get(admin_url("photo", proposal.pk)).status_code == 403
    assert client.get(admin_url("change", proposal.pk)).status_code == 403
    assert ProfileChangeProposal.objects.get().status == Status.PENDING
    office["facility"].refresh_from_db()
    assert office["facility"].description == "We treat spines."


def test_the_change_form_cannot_be_posted_and_nothing_can_be_added_or_deleted(client, office):
    proposal = submit(office)
    client.force_login(make_staff(group="Directory editors"))
    assert client.post(admin_url("change", proposal.pk), {"status": "approved"}).status_code == 403
    assert client.get(admin_url("add")).status_code == 403
    assert client.get(admin_url("delete", proposal.pk)).status_code == 403
    assert ProfileChangeProposal.objects.get().status == Status.PENDING


def test_the_queue_lists_pending_first_in_a_fixed_number_of_queries(client, office, django_assert_max_num_queries):
    editor = make_staff(group="Directory editors")
    old = submit(office)
    proposal_reject(proposal=old, editor=editor, note="No")
    ProfileChangeProposal.objects.filter(pk=old.pk).update(created_at=timezone.now() - 30 * DAY)
    decided = submit(office, changes={"description": "Later"})
    proposal_reject(proposal=decided, editor=editor, note="No")
    pending = submit(office, changes={"description": "Waiting"})
    ProfileChangeProposal.objects.filter(pk=pending.pk).update(created_at=timezone.now() - 60 * DAY)
    client.force_login(editor)
    response = client.get(admin_url("changelist"))
    assert response.status_code == 200
    assert [p.pk for p in response.context["cl"].result_list] == [pending.pk, decided.pk, old.pk]
    assert client.get(admin_url("changelist"), {"status__exact": "pending"}).context["cl"].result_count == 1
    with django_assert_max_num_queries(12):
        client.get(admin_url("changelist"))
    for n in range(5):
        other = make_facility()
        manager = make_facility_user(facility=other, role="manager")
        submit(office, membership=FacilityMembership.objects.get(user=manager), changes={"description": f"T{n}"})
    with django_assert_max_num_queries(12):
        client.get(admin_url("changelist"))


def test_private_image_bytes_are_never_served_as_is(client, office):
    # A photo carrying camera metadata is re-encoded for the preview: the metadata is gone.
    exif = Image.Exif()
    exif[0x0131] = "SecretPhoneSoftware"
    content = image_bytes(size=(300, 200), exif=exif.tobytes())
    proposal = submit(office, photo=upload("p.jpg", content, "image/jpeg"), photo_alt_text="Door")
    client.force_login(make_staff(group="Directory editors"))
    preview = client.get(admin_url("photo", proposal.pk))
    assert b"SecretPhoneSoftware" not in preview.content
