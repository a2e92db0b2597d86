"""The wording of the consents on the quote form, with its version.

Change the text, change the version: each request records the version its patient agreed to.
The English text is the wording of record (marked for translation here, translated where it is
shown: ``quotes.forms``); a translation says the same and does not change the version.
"""

from django.utils.translation import gettext_noop

CONSENT_VERSION = "2026-11-21"

HEALTH_DATA = gettext_noop(
    "I agree that Medtour may process the health information and medical files I send, "
    "to prepare my quote. I can withdraw this consent at any time."
)
SHARING = gettext_noop(
    "I agree that Medtour may share my request and medical files with the hospitals I chose, "
    "or, if I asked for suggestions, with the accredited hospitals Medtour suggests."
)
MARKETING = gettext_noop("Medtour may e-mail me occasional news about treatment abroad. (Optional.)")
