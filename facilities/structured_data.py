"""schema.org JSON-LD for facility and procedure pages (rendered with the ``json_ld`` tag).

Checked against the vocabulary by tests/test_structured_data.py (schema.org's types as published
in the schema-dts package, type-checked by TypeScript). Text in it is in the page's language.
"""

from django.utils import translation
from django.utils.translation import gettext as _

from facilities.models import Facility, Procedure

SURGICAL_CATEGORIES = {"spine-surgery"}


def facility_json_ld(*, facility: Facility, url: str, image_url: str = "") -> dict:
    """A ``Hospital`` or ``MedicalClinic`` with its address and current accreditations."""
    kind = "MedicalClinic" if facility.kind == Facility.Kind.CLINIC else "Hospital"
    data = {
        "@context": "https://schema.org",
        "@type": kind,
        "name": facility.name,
        "url": url,
        "description": facility.description,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": facility.address,
            "addressLocality": facility.city,
            "addressCountry": facility.country.code,
        },
        # The languages its staff speak with patients: an Organization's knowsLanguage
        # (availableLanguage belongs to places of stay and contact points, not to a Hospital).
        "knowsLanguage": [language.name for language in facility.languages.all()],
        "hasCredential": [
            {
                "@type": "EducationalOccupationalCredential",
                "credentialCategory": _("accreditation"),
                "name": f"{accreditation.body.name}: {accreditation.programme}",
                "recognizedBy": {"@type": "Organization", "name": accreditation.body.name},
                # Credentials are CreativeWorks: awarded is dateCreated (validFrom is for offers).
                "dateCreated": accreditation.awarded_on.isoformat(),
                "expires": accreditation.expires_on.isoformat(),
                **({"url": accreditation.verification_url} if accreditation.verification_url else {}),
            }
            for accreditation in facility.current_accreditations
        ],
        "availableService": [
            {"@type": "MedicalProcedure", "name": offer.procedure.name} for offer in getattr(facility, "prices", [])
        ],
    }
    if facility.website:
        data["sameAs"] = facility.website
    if image_url:
        data["image"] = image_url
    return data


def procedure_json_ld(*, procedure: Procedure, url: str) -> dict:
    """A ``SurgicalProcedure`` (spine surgery) or ``MedicalProcedure``: how it is done, what follows, when reviewed.

    The kind of procedure is its ``@type``: ``procedureType`` takes only a MedicalProcedureType
    value (non-invasive, percutaneous), which our procedures do not record.
    """
    surgical = procedure.category.slug in SURGICAL_CATEGORIES
    data = {
        "@context": "https://schema.org",
        "@type": "SurgicalProcedure" if surgical else "MedicalProcedure",
        "name": procedure.name,
        "url": url,
        "description": procedure.summary,
        "bodyLocation": _("Spine") if surgical else "",
        "howPerformed": procedure.techniques,
        "followup": procedure.aftercare,
        "mainEntityOfPage": {"@type": "MedicalWebPage", "url": url, "inLanguage": translation.get_language()},
    }
    if procedure.also_known_as:
        data["alternateName"] = procedure.also_known_as
    if procedure.last_reviewed_on:
        data["mainEntityOfPage"]["lastReviewed"] = procedure.last_reviewed_on.isoformat()
    return {key: value for key, value in data.items() if value != ""}
