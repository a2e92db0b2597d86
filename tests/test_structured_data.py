"""The pages' schema.org JSON-LD is valid against the vocabulary, in every language.

The vocabulary is schema.org's own, as published in the ``schema-dts`` package (one TypeScript
type per schema.org type, with exactly its properties and the values each accepts); TypeScript
checks each document as an object literal of its ``@type``, so an unknown property (such as
``availableLanguage`` on a ``Hospital``) or a value of the wrong kind (a type where a
``MedicalProcedureType`` value belongs) is an error. Both come from package.json (``npm ci``).
"""

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from tests.factories import (
    make_accreditation,
    make_category,
    make_facility,
    make_language,
    make_offer,
    make_photo,
    make_procedure,
)

ROOT = Path(__file__).resolve().parent.parent
TSC = ROOT / "node_modules" / ".bin" / "tsc"
SCHEMA_DTS = ROOT / "node_modules" / "schema-dts"

pytestmark = [pytest.mark.django_db, pytest.mark.subprocess]


def _needed() -> None:
    if TSC.exists() and SCHEMA_DTS.exists():
        return
    reason = "TypeScript and schema-dts are not installed (run npm ci)"
    if os.environ.get("MEDTOUR_E2E_REQUIRED", "").strip().lower() in {"1", "true", "yes", "on"}:
        pytest.fail(f"{reason}; MEDTOUR_E2E_REQUIRED is set, so this fails instead of skipping", pytrace=False)
    pytest.skip(reason)


def type_errors(documents: list[dict], tmp_path: Path) -> str:
    """TypeScript's complaints about ``documents`` as schema.org, or "" when every one is valid."""
    _needed()
    tmp_path.mkdir(parents=True, exist_ok=True)
    names = sorted({document["@type"] for document in documents})
    lines = [f"import type {{ WithContext, {', '.join(names)} }} from 'schema-dts';"]
    for number, document in enumerate(documents):
        lines.append(f"export const d{number}: WithContext<{document['@type']}> = {json.dumps(document)};")
    (tmp_path / "documents.ts").write_text("\n".join(lines) + "\n")
    config = {
        "compilerOptions": {
            "strict": True,
            "noEmit": True,
            "module": "esnext",
            "moduleResolution": "bundler",
            "target": "es2022",
            "types": [],
        },
        "files": ["documents.ts"],
    }
    (tmp_path / "tsconfig.json").write_text(json.dumps(config))
    (tmp_path / "node_modules").symlink_to(ROOT / "node_modules")
    result = subprocess.run(  # noqa: S603 (our own tool and file)
        [str(TSC), "-p", str(tmp_path / "tsconfig.json")], capture_output=True, text=True, timeout=120, check=False
    )
    return "" if result.returncode == 0 else (result.stdout + result.stderr)


def page_documents(client, path: str) -> list[dict]:
    html = client.get(path).content.decode()
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


def test_the_checker_rejects_what_the_vocabulary_does_not_allow(tmp_path):
    # The three mistakes the pages once made, each on its own: each must be caught.
    wrong = [
        {"@context": "https://schema.org", "@type": "Hospital", "name": "A", "availableLanguage": ["Turkish"]},
        {
            "@context": "https://schema.org",
            "@type": "Hospital",
            "name": "B",
            "hasCredential": [{"@type": "EducationalOccupationalCredential", "validFrom": "2025-01-01"}],
        },
        {
            "@context": "https://schema.org",
            "@type": "MedicalProcedure",
            "name": "C",
            "procedureType": "https://schema.org/TherapeuticProcedure",
        },
    ]
    for number, document in enumerate(wrong):
        errors = type_errors([document], tmp_path / str(number))
        assert errors, document
    assert "availableLanguage" in type_errors([wrong[0]], tmp_path / "again")


def test_facility_and_procedure_pages_are_valid_schema_org_in_every_language(client, tmp_path):
    facility = make_facility(name="Ege Spine Hospital", city="Izmir", address="1 Kordon Street")
    facility.languages.add(make_language(name="Turkish", code="tr"))
    make_accreditation(facility=facility, verification_url="https://example.org/verify/1")
    make_photo(facility=facility)
    clinic = make_facility(name="Small Clinic", kind="clinic")
    spine = make_category(name="Spine surgery", slug="spine-surgery")
    surgical = make_procedure(
        name="Kyphoplasty", slug="kyphoplasty", also_known_as="Balloon kyphoplasty", category=spine
    )
    other = make_procedure(name="Physiotherapy block", slug="physio")
    make_offer(facility=facility, procedure=other)
    make_offer(facility=facility, procedure=surgical)
    make_offer(facility=clinic, procedure=surgical)
    documents = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            paths = [o.get_absolute_url() for o in (facility, clinic, surgical, other)]
        for path in paths:
            found = page_documents(client, path)
            assert found, path
            documents += found
    assert {document["@type"] for document in documents} == {
        "Hospital",
        "MedicalClinic",
        "SurgicalProcedure",
        "MedicalProcedure",
    }
    assert type_errors(documents, tmp_path) == ""
