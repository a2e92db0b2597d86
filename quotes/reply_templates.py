"""Saved replies a coordinator can start a message to the patient from (our own words, in gettext).

Each is a starting point: the coordinator edits it before sending, or sends it as it is.
"""

from django.utils.translation import gettext_lazy as _

SAVED_REPLIES: dict[str, tuple[str, str]] = {
    "received_files": (
        _("Files received"),
        _(
            "Thank you for your files: they have arrived safely and we are reading them now. "
            "We will write again as soon as we have news."
        ),
    ),
    "asking_hospitals": (
        _("Asking hospitals"),
        _(
            "We have shared your case, without your name or contact details, with the hospitals you agreed to. "
            "They usually answer within three working days; we will write to you as soon as they do."
        ),
    ),
    "quotes_explained": (
        _("About the quotes"),
        _(
            "Your quotes are on your private page, line by line. Each says what is included and what is not. "
            "If anything is unclear, ask me here before you choose: there is no hurry and no obligation."
        ),
    ),
    "need_scan": (
        _("Need a recent scan"),
        _(
            "To give you a reliable price, the surgeons need a scan from the last six months (an MRI report is "
            "best). If you have one, you can add it here as a file."
        ),
    ),
}
