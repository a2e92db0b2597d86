"""The wording of the consents on the quote form, with its version.

Change the text, change the version: each request records the version its patient agreed to.
"""

CONSENT_VERSION = "2026-11-21"

HEALTH_DATA = (
    "I agree that Medtour may process the health information and medical files I send, "
    "to prepare my quote. I can withdraw this consent at any time."
)
SHARING = (
    "I agree that Medtour may share my request and medical files with the hospitals I chose, "
    "or, if I asked for suggestions, with the accredited hospitals Medtour suggests."
)
MARKETING = "Medtour may e-mail me occasional news about treatment abroad. (Optional.)"
