"""A facility's proposed changes to its own listing, and the directory editors' decision on them.

Every change to a ``ProfileChangeProposal`` goes through the functions here, each in one
transaction. A manager of the facility's office proposes (``proposal_submit``) and may take the
proposal back (``proposal_withdraw``); a directory editor approves it, which applies it to the
live listing (``proposal_approve``), or rejects it with a note (``proposal_reject``). A proposal
moves only out of *pending* (``TRANSITIONS``), by a conditional update on that status, so when two
people decide at once exactly one wins and the other gets a ``ProposalError``.

Only what differs from the live listing is stored: the proposal's ``changes`` hold the keys that
would change, and the photo and certificate files wait in private storage (no URL). A facility has
at most one pending proposal at a time: a second is refused until the first is decided or withdrawn,
so an editor never has to reconcile two proposals for the same fields.

Nobody is mailed: the outbox lives in ``quotes``, which this app may not import. The office sees
each decision (and the editor's note) on its profile page in the portal.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.files import File
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from facilities.images import make_renditions
from facilities.models import (
    Accreditation,
    AccreditationBody,
    Facility,
    FacilityMembership,
    FacilityProcedure,
    Language,
    Procedure,
    ProfileChangeProposal,
    today,
)
from facilities.services import facility_photo_add
from tourism import money
from tourism.text import visible_text

Status = ProfileChangeProposal.Status

# The only moves a proposal makes: out of pending, once.
TRANSITIONS = {
    Status.PENDING: frozenset({Status.APPROVED, Status.REJECTED, Status.WITHDRAWN}),
}

CHANGE_KEYS = ("description", "languages", "services", "prices")
MAX_DESCRIPTION_LENGTH = 10_000
MAX_INCLUDES_LENGTH = 2_000
MAX_MESSAGE_LENGTH = 2_000
MAX_NOTE_LENGTH = 2_000
MAX_ALT_TEXT_LENGTH = 200
MAX_PROGRAMME_LENGTH = 200
MAX_URL_LENGTH = 200
MAX_LIST_LENGTH = 200
MAX_PRICE = 10_000_000
CERTIFICATE_MAX_BYTES = 10 * 1024 * 1024
# A PDF ends with its end-of-file marker; allow a little trailing whitespace or padding after it.
PDF_TAIL_BYTES = 2048

CERTIFICATE_FIELDS = (
    "certificate_body",
    "certificate_programme",
    "certificate_awarded_on",
    "certificate_expires_on",
    "certificate_verification_url",
)

LABELS = {
    "description": gettext_lazy("Description"),
    "languages": gettext_lazy("Languages spoken"),
    "services": gettext_lazy("Services for international patients"),
    "photo": gettext_lazy("New photo"),
    "certificate": gettext_lazy("New accreditation"),
}


class ProposalError(Exception):
    """A decision the service will not make (the proposal is no longer pending, or cannot be applied).

    ``str(error)`` is the message for people.
    """


# Reading what was typed ---------------------------------------------------------------------------


def _clean_text(value, *, field: str, max_length: int, errors: dict, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        _add(errors, field, _("This must be text."), "invalid")
        return ""
    if "\x00" in value:
        _add(errors, field, _("This text contains characters we cannot store."), "null_characters")
        return ""
    value = visible_text(value.replace("\r\n", "\n").replace("\r", "\n"))
    if len(value) > max_length:
        _add(
            errors,
            field,
            _("This text is %(length)s characters long; at most %(limit)s are allowed.")
            % {"length": len(value), "limit": max_length},
            "too_long",
        )
        return ""
    if required and not value:
        _add(errors, field, _("This is required."), "required")
    return value


def _add(errors: dict, field: str, message: str, code: str) -> None:
    errors.setdefault(field, []).append(ValidationError(message, code=code))


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _id_list(value, *, field: str, errors: dict) -> list[int] | None:
    if not isinstance(value, list | tuple) or len(value) > MAX_LIST_LENGTH or not all(_is_int(v) for v in value):
        _add(errors, field, _("This is not a list we can read."), "invalid")
        return None
    return sorted(set(value))


def _clean_prices(value, *, facility: Facility, errors: dict) -> list[dict] | None:
    if not isinstance(value, list | tuple) or len(value) > MAX_LIST_LENGTH:
        _add(errors, "prices", _("These prices are not a list we can read."), "invalid")
        return None
    rows, seen = [], set()
    for row in value:
        if not isinstance(row, dict) or not set(row) <= {"procedure", "price_from", "price_to", "includes"}:
            _add(errors, "prices", _("A price line is not one we can read."), "invalid")
            return None
        procedure, low, high = row.get("procedure"), row.get("price_from"), row.get("price_to")
        if not (_is_int(procedure) and _is_int(low) and _is_int(high)):
            _add(errors, "prices", _("Each price line needs a procedure and two whole amounts."), "invalid")
            return None
        if procedure in seen:
            _add(errors, "prices", _("Each procedure can have only one price line."), "duplicate")
            return None
        seen.add(procedure)
        if not (1 <= low <= MAX_PRICE and 1 <= high <= MAX_PRICE):
            _add(
                errors,
                "prices",
                _("Prices are whole US dollars from 1 to %(limit)s.") % {"limit": f"{MAX_PRICE:,}"},
                "out_of_range",
            )
            return None
        if low > high:
            _add(errors, "prices", _("The upper price must not be below the lower price."), "price_range")
            return None
        includes = _clean_text(row.get("includes", ""), field="prices", max_length=MAX_INCLUDES_LENGTH, errors=errors)
        rows.append({"procedure": procedure, "price_from": low, "price_to": high, "includes": includes})
    # A price may be given for what the facility offers already, or for any published procedure.
    wanted = {row["procedure"] for row in rows}
    offered = set(facility.offered_procedures.filter(procedure_id__in=wanted).values_list("procedure_id", flat=True))
    published = set(Procedure.objects.published().filter(pk__in=wanted - offered).values_list("pk", flat=True))
    if wanted - offered - published:
        _add(errors, "prices", _("A price line names a procedure we do not list."), "unknown_procedure")
        return None
    return sorted(rows, key=lambda row: row["procedure"])


def _normalise(text: str) -> str:
    return visible_text(text.replace("\r\n", "\n").replace("\r", "\n"))


def current_services(facility: Facility) -> list[str]:
    return [service for service, field in Facility.SERVICE_FIELDS.items() if getattr(facility, field)]


def _changed_parts(facility: Facility, proposed: dict) -> dict:
    """Only the parts of ``proposed`` that differ from the live listing."""
    changes = {}
    if "description" in proposed and proposed["description"] != _normalise(facility.description):
        changes["description"] = proposed["description"]
    if "languages" in proposed:
        live = sorted(facility.languages.values_list("pk", flat=True))
        if proposed["languages"] != live:
            changes["languages"] = proposed["languages"]
    if "services" in proposed and set(proposed["services"]) != set(current_services(facility)):
        changes["services"] = [s for s in Facility.Service.values if s in proposed["services"]]
    if "prices" in proposed:
        live = {
            offer.procedure_id: offer
            for offer in facility.offered_procedures.filter(
                procedure_id__in=[r["procedure"] for r in proposed["prices"]]
            )
        }
        prices = []
        for row in proposed["prices"]:
            offer = live.get(row["procedure"])
            if offer is None or (offer.price_from, offer.price_to, _normalise(offer.includes)) != (
                row["price_from"],
                row["price_to"],
                row["includes"],
            ):
                prices.append(row)
        if prices:
            changes["prices"] = prices
    return changes


# Checking the files -------------------------------------------------------------------------------


def _check_photo(photo, errors: dict) -> None:
    # The same checks (and the same refusals) as a photo an editor uploads; the renditions made
    # here are thrown away and made again on approval, from the stored original.
    try:
        make_renditions(photo)
    except ValidationError as exc:
        errors.setdefault("photo", []).extend(exc.error_list)


def certificate_kind(head: bytes) -> str | None:
    """What a certificate file is from its first bytes: "pdf", "jpeg", "png", "webp", or None."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def _check_certificate(upload, errors: dict) -> None:
    """A PDF, or an image that opens as one, decided from the content (never the name or browser's type)."""
    size = getattr(upload, "size", None) or 0
    if size == 0:
        _add(errors, "certificate", _("The file is empty."), "empty")
        return
    if size > CERTIFICATE_MAX_BYTES:
        _add(
            errors,
            "certificate",
            _("The file is %(size)s; a certificate can be at most %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(CERTIFICATE_MAX_BYTES)},
            "file_too_large",
        )
        return
    upload.seek(0)
    kind = certificate_kind(upload.read(16))
    try:
        if kind == "pdf":
            upload.seek(max(0, size - PDF_TAIL_BYTES))
            if b"%%EOF" not in upload.read(PDF_TAIL_BYTES):
                _add(errors, "certificate", _("This PDF is damaged or incomplete."), "invalid_pdf")
        elif kind is not None:
            make_renditions(upload)
        else:
            _add(
                errors,
                "certificate",
                _("Upload the certificate as a PDF, or as a JPEG, PNG or WebP image."),
                "file_type",
            )
    except ValidationError as exc:
        errors.setdefault("certificate", []).extend(exc.error_list)
    finally:
        upload.seek(0)


# Proposing ----------------------------------------------------------------------------------------


def proposal_submit(
    *,
    membership: FacilityMembership,
    changes: dict,
    photo=None,
    photo_alt_text: str = "",
    certificate=None,
    certificate_body: AccreditationBody | None = None,
    certificate_programme: str = "",
    certificate_awarded_on: datetime.date | None = None,
    certificate_expires_on: datetime.date | None = None,
    certificate_verification_url: str = "",
    message: str = "",
) -> ProfileChangeProposal:
    """Store a manager's proposal for their facility's listing; nothing on the site changes yet.

    ``changes`` may hold any of ``description`` (text), ``languages`` (language ids), ``services``
    (``Facility.Service`` values) and ``prices`` (``{"procedure", "price_from", "price_to",
    "includes"}`` lines), each as the manager wants it to be; only what differs from the live
    listing is kept. Raises ``PermissionDenied`` for someone who is not a manager, and
    ``ValidationError`` (keyed by field) for anything it refuses, including a proposal that changes
    nothing and one made while another is still waiting.
    """
    if not membership.is_manager:
        raise PermissionDenied(_("Only your office's managers can propose changes."))
    facility = membership.facility
    errors: dict[str, list[ValidationError]] = {}

    if not isinstance(changes, dict) or not set(changes) <= set(CHANGE_KEYS):
        raise ValidationError(_("These changes are not ones we can read."), code="invalid")
    proposed: dict = {}
    if "description" in changes:
        proposed["description"] = _clean_text(
            changes["description"], field="description", max_length=MAX_DESCRIPTION_LENGTH, errors=errors
        )
    if "languages" in changes:
        ids = _id_list(changes["languages"], field="languages", errors=errors)
        if ids is not None and Language.objects.filter(pk__in=ids).count() != len(ids):
            _add(errors, "languages", _("A language chosen is not one we list."), "unknown_language")
        proposed["languages"] = ids
    if "services" in changes:
        services = changes["services"]
        if not isinstance(services, list | tuple) or not all(
            isinstance(s, str) and s in Facility.Service.values for s in services
        ):
            _add(errors, "services", _("A service chosen is not one we list."), "unknown_service")
        else:
            proposed["services"] = sorted(set(services))
    if "prices" in changes:
        proposed["prices"] = _clean_prices(changes["prices"], facility=facility, errors=errors)

    photo_alt_text = _clean_text(photo_alt_text, field="photo_alt_text", max_length=MAX_ALT_TEXT_LENGTH, errors=errors)
    if photo:
        _check_photo(photo, errors)
        if not photo_alt_text and "photo_alt_text" not in errors:
            _add(errors, "photo_alt_text", _("Say what the photo shows, for people who cannot see it."), "required")
    elif photo_alt_text:
        _add(errors, "photo", _("Choose the photo this text describes."), "required")

    certificate_programme = _clean_text(
        certificate_programme, field="certificate_programme", max_length=MAX_PROGRAMME_LENGTH, errors=errors
    )
    certificate_verification_url = _clean_text(
        certificate_verification_url, field="certificate_verification_url", max_length=MAX_URL_LENGTH, errors=errors
    )
    if certificate_verification_url:
        try:
            URLValidator(schemes=["https", "http"])(certificate_verification_url)
        except ValidationError:
            _add(errors, "certificate_verification_url", _("Enter the full address of the page."), "invalid")
    for name, value in (
        ("certificate_awarded_on", certificate_awarded_on),
        ("certificate_expires_on", certificate_expires_on),
    ):
        if value is not None and not isinstance(value, datetime.date):
            _add(errors, name, _("Enter a date."), "invalid")
    if certificate_body is not None and not isinstance(certificate_body, AccreditationBody):
        _add(errors, "certificate_body", _("Choose an accreditation body we list."), "invalid")
    if certificate:
        _check_certificate(certificate, errors)
        if certificate_body is None:
            _add(errors, "certificate_body", _("Choose the body that awarded the accreditation."), "required")
        if not certificate_programme and "certificate_programme" not in errors:
            _add(errors, "certificate_programme", _("Name the accreditation programme."), "required")
        if certificate_awarded_on is None:
            _add(errors, "certificate_awarded_on", _("Give the day the accreditation was awarded."), "required")
        if certificate_expires_on is None:
            _add(errors, "certificate_expires_on", _("Give the day the accreditation expires."), "required")
        dates_ok = not {"certificate_awarded_on", "certificate_expires_on"} & set(errors)
        if dates_ok and certificate_awarded_on and certificate_expires_on:
            if certificate_awarded_on > today():
                _add(errors, "certificate_awarded_on", _("The award date cannot be in the future."), "future")
            if certificate_expires_on < certificate_awarded_on:
                _add(
                    errors,
                    "certificate_expires_on",
                    _("An accreditation cannot expire before it is awarded."),
                    "expires_before_award",
                )
            elif certificate_expires_on < today():
                _add(errors, "certificate_expires_on", _("This accreditation has expired already."), "expired")
    elif any((certificate_body, certificate_programme, certificate_awarded_on, certificate_expires_on)) or (
        certificate_verification_url
    ):
        _add(errors, "certificate", _("Attach the certificate these details are about."), "required")

    message = _clean_text(message, field="message", max_length=MAX_MESSAGE_LENGTH, errors=errors)
    if errors:
        raise ValidationError(errors)

    stored: list = []
    try:
        with transaction.atomic():
            # The facility's row is the lock that keeps it to one pending proposal at a time.
            facility = Facility.objects.select_for_update().get(pk=facility.pk)
            if facility.proposals.filter(status=Status.PENDING).exists():
                raise ValidationError(
                    {
                        NON_FIELD_ERRORS: ValidationError(
                            _(
                                "Your office already has a proposal waiting for review. Withdraw it first if you "
                                "want to send a new one instead."
                            ),
                            code="pending_exists",
                        )
                    }
                )
            diff = _changed_parts(facility, proposed)
            if not diff and not photo and not certificate:
                raise ValidationError(
                    {
                        NON_FIELD_ERRORS: ValidationError(
                            _("Nothing to propose: these are the values already on your listing."), code="no_change"
                        )
                    }
                )
            proposal = ProfileChangeProposal(
                facility=facility,
                proposed_by=membership.user,
                changes=diff,
                photo_alt_text=photo_alt_text if photo else "",
                message=message,
            )
            if photo:
                photo.seek(0)
                proposal.photo.save("photo", photo, save=False)
                stored.append(proposal.photo.name)
            if certificate:
                certificate.seek(0)
                proposal.certificate.save("certificate", certificate, save=False)
                stored.append(proposal.certificate.name)
                proposal.certificate_body = certificate_body
                proposal.certificate_programme = certificate_programme
                proposal.certificate_awarded_on = certificate_awarded_on
                proposal.certificate_expires_on = certificate_expires_on
                proposal.certificate_verification_url = certificate_verification_url
            proposal.save()
    except BaseException:
        _delete_files(stored)
        raise
    return proposal


def _delete_files(names) -> None:
    storage = ProfileChangeProposal._meta.get_field("photo").storage
    for name in names:
        if name:
            storage.delete(name)


# Moving out of pending ----------------------------------------------------------------------------


def _decide(
    proposal: ProfileChangeProposal, *, to_status: str, actor=None, note: str = "", drop_files=("photo", "certificate")
) -> ProfileChangeProposal:
    """Move ``proposal`` out of pending if it still is; must run inside the caller's transaction.

    Files that will not be needed any more are removed from storage once the decision commits,
    and their names cleared in the same update, so the row never names a missing file.
    """
    if to_status not in TRANSITIONS[Status.PENDING]:
        raise ProposalError(_("That is not a decision a proposal can have."))
    updates = {"status": to_status, "decided_at": timezone.now(), "decided_by": actor, "decision_note": note}
    updates.update({field: "" for field in drop_files})
    moved = ProfileChangeProposal.objects.filter(pk=proposal.pk, status=Status.PENDING).update(**updates)
    if moved != 1:
        current = ProfileChangeProposal.objects.filter(pk=proposal.pk).first()
        label = current.get_status_display().lower() if current else _("removed")
        raise ProposalError(
            _("This proposal was decided already: it is now %(status)s. Reload the page to see the latest.")
            % {"status": label}
        )
    names = [getattr(proposal, field).name for field in drop_files]
    transaction.on_commit(lambda: _delete_files(names))
    proposal.refresh_from_db()
    return proposal


def proposal_withdraw(*, proposal: ProfileChangeProposal, membership: FacilityMembership) -> ProfileChangeProposal:
    """A manager of the proposal's facility takes a pending proposal back; its files are removed."""
    if not membership.is_manager or membership.facility_id != proposal.facility_id:
        raise PermissionDenied(_("Only your office's managers can withdraw its proposals."))
    with transaction.atomic():
        return _decide(proposal, to_status=Status.WITHDRAWN, actor=membership.user)


def proposal_reject(*, proposal: ProfileChangeProposal, editor, note: str) -> ProfileChangeProposal:
    """A directory editor turns a pending proposal down; the note says why and is shown to the office."""
    errors: dict = {}
    note = _clean_text(note, field="note", max_length=MAX_NOTE_LENGTH, errors=errors, required=True)
    if errors:
        raise ProposalError(_("Write a note for the office saying why the proposal is not approved."))
    with transaction.atomic():
        return _decide(proposal, to_status=Status.REJECTED, actor=editor, note=note)


def proposal_approve(*, proposal: ProfileChangeProposal, editor, note: str = "") -> ProfileChangeProposal:
    """A directory editor approves a pending proposal: it is applied to the live listing at once.

    The description, languages and services replace the live ones; each price line updates the
    facility's offer of that procedure or adds it; the photo becomes a ``FacilityPhoto`` through
    the photo service (renditions, no metadata), after the facility's other photos; the
    certificate becomes an active ``Accreditation`` (its file stays with the proposal, which is
    the record of what the editor saw). All in one transaction with the decision: if anything
    cannot be applied, nothing is, and the proposal stays pending.
    """
    errors: dict = {}
    note = _clean_text(note, field="note", max_length=MAX_NOTE_LENGTH, errors=errors)
    if errors:
        raise ProposalError(_("The note is too long or contains characters we cannot store."))
    photo_name = proposal.photo.name
    with transaction.atomic():
        # The certificate file is kept: it is the evidence behind the new accreditation.
        proposal = _decide(proposal, to_status=Status.APPROVED, actor=editor, note=note, drop_files=("photo",))
        facility = Facility.objects.select_for_update().get(pk=proposal.facility_id)
        _apply(proposal, facility, photo_name=photo_name)
    return proposal


def _apply(proposal: ProfileChangeProposal, facility: Facility, *, photo_name: str) -> None:
    changes = proposal.changes or {}
    fields = []
    if "description" in changes:
        facility.description = changes["description"]
        fields.append("description")
    if "services" in changes:
        for service, field in Facility.SERVICE_FIELDS.items():
            setattr(facility, field, service in changes["services"])
            fields.append(field)
    if fields:
        facility.save(update_fields=[*fields, "updated_at"])
    if "languages" in changes:
        facility.languages.set(Language.objects.filter(pk__in=changes["languages"]))
    for row in changes.get("prices", []):
        if not Procedure.objects.filter(pk=row["procedure"]).exists():
            continue  # Removed from the directory since; its offers went with it.
        FacilityProcedure.objects.update_or_create(
            facility=facility,
            procedure_id=row["procedure"],
            defaults={"price_from": row["price_from"], "price_to": row["price_to"], "includes": row["includes"]},
        )
    if photo_name:
        storage = proposal._meta.get_field("photo").storage
        last = facility.photos.aggregate(last=Max("position"))["last"]
        position = 0 if last is None else last + 1
        try:
            with storage.open(photo_name, "rb") as handle:
                facility_photo_add(
                    facility=facility,
                    upload=File(handle, name="proposed.jpg"),
                    alt_text=proposal.photo_alt_text,
                    position=position,
                )
        except FileNotFoundError as exc:
            raise ProposalError(_("The proposed photo is missing from storage; it cannot be approved.")) from exc
        except ValidationError as exc:
            raise ProposalError(" ".join(exc.messages)) from exc
    if proposal.certificate:
        if proposal.certificate_body is None:
            raise ProposalError(
                _("The accreditation body named in this proposal no longer exists; it cannot be approved.")
            )
        Accreditation.objects.create(
            facility=facility,
            body=proposal.certificate_body,
            programme=proposal.certificate_programme,
            awarded_on=proposal.certificate_awarded_on,
            expires_on=proposal.certificate_expires_on,
            verification_url=proposal.certificate_verification_url,
            status=Accreditation.Status.ACTIVE,
        )


# Showing a proposal beside the live listing -------------------------------------------------------


@dataclass(frozen=True)
class ComparisonRow:
    label: str
    current: str
    proposed: str
    changed: bool


def _price_text(price_from: int, price_to: int, includes: str, currency: str) -> str:
    amount = money.amount_text(price_from, currency, price_to)
    return _("%(amount)s; includes: %(includes)s") % {"amount": amount, "includes": includes} if includes else amount


def _names(values) -> str:
    return ", ".join(str(v) for v in values) or _("None")


def _accreditation_text(body, programme: str, awarded_on, expires_on) -> str:
    return _("%(body)s %(programme)s, awarded %(awarded)s, expires %(expires)s") % {
        "body": body.abbreviation if body else _("(body removed)"),
        "programme": programme,
        "awarded": awarded_on.isoformat() if awarded_on else "—",
        "expires": expires_on.isoformat() if expires_on else "—",
    }


def proposal_comparison(proposal: ProfileChangeProposal) -> list[ComparisonRow]:
    """Rows of (label, live value, proposed value, changed) for every part of the listing a
    proposal can touch, read against the listing as it is now. Parts the proposal leaves alone
    show the live value on both sides."""
    facility = proposal.facility
    changes = proposal.changes or {}
    rows = []

    live_description = _normalise(facility.description)
    proposed = changes.get("description", live_description)
    rows.append(
        ComparisonRow(
            str(LABELS["description"]),
            live_description or _("None"),
            proposed or _("None"),
            proposed != live_description,
        )
    )

    live_languages = list(facility.languages.order_by("name"))
    live_ids = sorted(language.pk for language in live_languages)
    if "languages" in changes:
        wanted = list(Language.objects.filter(pk__in=changes["languages"]).order_by("name"))
        rows.append(
            ComparisonRow(
                str(LABELS["languages"]),
                _names(live_languages),
                _names(wanted),
                sorted(language.pk for language in wanted) != live_ids,
            )
        )
    else:
        rows.append(ComparisonRow(str(LABELS["languages"]), _names(live_languages), _names(live_languages), False))

    labels = dict(Facility.Service.choices)
    live_services = current_services(facility)
    wanted_services = changes.get("services", live_services)
    rows.append(
        ComparisonRow(
            str(LABELS["services"]),
            _names(labels[s] for s in live_services),
            _names(labels[s] for s in Facility.Service.values if s in wanted_services),
            set(wanted_services) != set(live_services),
        )
    )

    offers = {offer.procedure_id: offer for offer in facility.offered_procedures.select_related("procedure")}
    proposed_prices = {row["procedure"]: row for row in changes.get("prices", [])}
    new_ids = set(proposed_prices) - set(offers)
    new_procedures = Procedure.objects.in_bulk(new_ids) if new_ids else {}
    for procedure_id, offer in sorted(offers.items(), key=lambda item: item[1].procedure.name):
        live = _price_text(offer.price_from, offer.price_to, _normalise(offer.includes), facility.currency)
        row = proposed_prices.get(procedure_id)
        wanted = _price_text(row["price_from"], row["price_to"], row["includes"], facility.currency) if row else live
        label = _("Price: %(procedure)s") % {"procedure": offer.procedure.name}
        rows.append(ComparisonRow(label, live, wanted, wanted != live))
    for procedure_id in sorted(new_ids, key=lambda pk: getattr(new_procedures.get(pk), "name", "")):
        row = proposed_prices[procedure_id]
        procedure = new_procedures.get(procedure_id)
        label = _("Price: %(procedure)s") % {"procedure": procedure.name if procedure else _("(procedure removed)")}
        rows.append(
            ComparisonRow(
                label,
                _("Not offered"),
                _price_text(row["price_from"], row["price_to"], row["includes"], facility.currency),
                True,
            )
        )

    if proposal.photo or proposal.photo_alt_text:
        count = facility.photos.count()
        rows.append(
            ComparisonRow(
                str(LABELS["photo"]),
                # The English singular keeps the page's wording ("1 photos"); other languages pluralise.
                ngettext("%(count)s photos on the listing", "%(count)s photos on the listing", count)
                % {"count": count},
                _("One more photo: %(alt)s") % {"alt": proposal.photo_alt_text},
                True,
            )
        )
    if proposal.certificate or proposal.certificate_programme:
        current = Accreditation.objects.current().filter(facility=facility).select_related("body")
        rows.append(
            ComparisonRow(
                str(LABELS["certificate"]),
                "; ".join(_accreditation_text(a.body, a.programme, a.awarded_on, a.expires_on) for a in current)
                or _("No current accreditation"),
                _accreditation_text(
                    proposal.certificate_body,
                    proposal.certificate_programme,
                    proposal.certificate_awarded_on,
                    proposal.certificate_expires_on,
                ),
                True,
            )
        )
    return rows


def proposal_summary(proposal: ProfileChangeProposal) -> list[str]:
    """What a proposal is about, as labels, from the proposal alone (no queries): for lists."""
    changes = proposal.changes or {}
    parts = [str(LABELS[key]) for key in ("description", "languages", "services") if key in changes]
    if changes.get("prices"):
        parts.append(str(gettext_lazy("Prices")))
    if proposal.photo or proposal.photo_alt_text:
        parts.append(str(LABELS["photo"]))
    if proposal.certificate or proposal.certificate_programme:
        parts.append(str(LABELS["certificate"]))
    return parts


def facility_offers(facility: Facility) -> list[FacilityProcedure]:
    return list(facility.offered_procedures.select_related("procedure").order_by("procedure__name"))
