"""The quote form's file checks in a real browser: refused before upload, kept after a form error."""

import pytest
from django.urls import reverse

from quotes.models import PendingUpload, QuoteRequest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def posts_of(page) -> list[str]:
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url) if request.method == "POST" else None)
    return sent


def test_a_file_over_the_limit_is_refused_before_anything_is_sent(
    page, expect, site, settings, tmp_path, browser_problems
):
    settings.QUOTE_MAX_FILE_BYTES = 1024 * 1024
    big = tmp_path / "whole-ct-series.pdf"
    big.write_bytes(PDF + b"\x00" * (2 * 1024 * 1024))
    page.goto(reverse("quotes:request"))
    sent = posts_of(page)

    page.locator("#id_files").set_input_files(big)
    check = page.locator("#id_files_check")
    expect(check).to_contain_text("“whole-ct-series.pdf” is 2.0 MB; each file can be at most 1.0 MB")
    assert check.get_attribute("aria-live") == "polite"
    # The choice is cleared, so the form cannot carry the file.
    assert page.locator("#id_files").evaluate("input => input.files.length") == 0
    assert "id_files_check" in page.locator("#id_files").get_attribute("aria-describedby")

    # A type we do not accept, named by its extension; a good file clears the message.
    notes = tmp_path / "notes.txt"
    notes.write_text("not a medical file")
    page.locator("#id_files").set_input_files(notes)
    expect(check).to_contain_text("“notes.txt” is not a type we accept. We accept PDF")
    report = tmp_path / "report.pdf"
    report.write_bytes(PDF)
    page.locator("#id_files").set_input_files(report)
    expect(check).to_have_text("")
    assert page.locator("#id_files").evaluate("input => input.files.length") == 1

    assert sent == []
    assert browser_problems == []


def test_a_file_sent_with_a_form_error_is_kept_and_sent_with_the_request(
    page, expect, site, tmp_path, browser_problems
):
    scan = tmp_path / "mri-report.pdf"
    scan.write_bytes(PDF)
    page.goto(reverse("quotes:request"))
    page.locator("#id_email").fill("ana@example.org")
    page.locator("#id_phone").fill("0034 612 345 678")
    page.locator("#id_country_of_residence").select_option("GB")
    page.locator("#id_preferred_language").select_option("en")
    page.locator("#id_condition").fill("Pain down my left leg for four months.")
    page.locator("#id_files").set_input_files(scan)
    page.locator("#id_consent_health_data").check()
    page.locator("#id_consent_sharing").check()
    page.get_by_role("button", name="Send my request").click()  # Without a name.

    expect(page.locator("#error-summary")).to_contain_text("you need not choose them again")
    expect(page.locator("#kept-files")).to_contain_text("mri-report.pdf")
    expect(page.locator("#id_phone")).to_have_value("+34 612 34 56 78")  # The number as we read it.
    assert PendingUpload.objects.count() == 1

    page.locator("#id_name").fill("Ana Patient")
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, we have your request")
    quote_request = QuoteRequest.objects.get()
    assert quote_request.phone == "+34612345678"
    assert [a.original_name for a in quote_request.attachments.all()] == ["mri-report.pdf"]
    assert not PendingUpload.objects.exists()
    assert browser_problems == []
