"""schema.org JSON-LD for facility and procedure pages (rendered with the ``json_ld`` tag)."""

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
        "availableLanguage": [language.name for language in facility.languages.all()],
        "hasCredential": [
            {
                "@type": "EducationalOccupationalCredential",
                "credentialCategory": "accreditation",
                "name": f"{accreditation.body.name}: {accreditation.programme}",
                "recognizedBy": {"@type": "Organization", "name": accreditation.body.name},
                "validFrom": accreditation.awarded_on.isoformat(),
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
    """A ``MedicalProcedure`` with how it is done, what follows, and when it was last reviewed."""
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalProcedure",
        "name": procedure.name,
        "url": url,
        "description": procedure.summary,
        "bodyLocation": "Spine" if procedure.category.slug in SURGICAL_CATEGORIES else "",
        "procedureType": "https://schema.org/SurgicalProcedure"
        if procedure.category.slug in SURGICAL_CATEGORIES
        else "https://schema.org/TherapeuticProcedure",
        "howPerformed": procedure.techniques,
        "followup": procedure.aftercare,
        "mainEntityOfPage": {"@type": "MedicalWebPage", "url": url},
    }
    if procedure.also_known_as:
        data["alternateName"] = procedure.also_known_as
    if procedure.last_reviewed_on:
        data["mainEntityOfPage"]["lastReviewed"] = procedure.last_reviewed_on.isoformat()
    return {key: value for key, value in data.items() if value != ""}
