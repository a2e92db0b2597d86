"""Writes and state changes for quote requests, one module per job:

- ``submission``: a patient's new request (``quote_request_submit``);
- ``workflow``: the one function that moves a request's status (``quote_request_transition``);
- ``staff``: what coordinators do besides moving (assign, internal notes, opening files);
- ``patient``: what the patient does from the status page (reply, accept, decline, withdraw);
- ``retention``: erasure, on request or when the retention period is over;
- ``outbox``: queueing e-mails inside the causing transaction, and the worker that sends them;
- ``errors``: the exceptions these raise, each with a message written for people.

Reads shared by views, the admin and commands live in ``quotes.selectors`` and on
``QuoteRequest.objects``.
"""
