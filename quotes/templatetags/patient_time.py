"""Dates and times shown to a patient, in the patient's own time zone (``QuoteRequest.time_zone``).

    {% load patient_time %}
    {% patient_timezone quote_request %}
      ... {{ when|date:"j M Y, H:i" }} ({{ patient_zone }}) ...
    {% endpatient_timezone %}

Inside the block every date filter converts to the patient's zone (UTC when the request has none
valid) and ``patient_zone`` names it ("Europe/Madrid", "UTC"), so a time is never shown without it.
"""

from django import template
from django.utils import timezone

from quotes.time_zones import patient_time_zone

register = template.Library()


class PatientTimezoneNode(template.Node):
    def __init__(self, nodelist: template.NodeList, quote_request: template.base.FilterExpression):
        self.nodelist = nodelist
        self.quote_request = quote_request

    def render(self, context: template.Context) -> str:
        zone = patient_time_zone(self.quote_request.resolve(context))
        with timezone.override(zone), context.push(patient_zone=timezone.get_current_timezone_name()):
            return self.nodelist.render(context)


@register.tag
def patient_timezone(parser: template.base.Parser, token: template.base.Token) -> PatientTimezoneNode:
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError(f"'{bits[0]}' takes one argument: the quote request.")
    nodelist = parser.parse(("endpatient_timezone",))
    parser.delete_first_token()
    return PatientTimezoneNode(nodelist, parser.compile_filter(bits[1]))
