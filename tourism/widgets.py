"""Form widgets that write in Python the HTML Django's templates would, where those cost too much.

Django renders a <select> with one template per option (two, counting its attributes); the list of
every country in the quote form is some 250 options, and those templates were most of the time the
page took. ``FastSelect`` produces the very same markup (the tests compare it with ``Select``'s)
without them. It ignores ``option_template_name``: a select whose options need a template of their
own keeps ``forms.Select``.
"""

from collections.abc import Mapping

from django import forms
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime


def _text(value: object) -> str:
    # As ``{{ value }}`` prints it: local time, localised numbers, escaped unless already safe.
    return conditional_escape(localize(template_localtime(value)))


def _attributes(attrs: Mapping[str, object]) -> str:
    # As django/forms/widgets/attrs.html: False leaves an attribute out, True writes its bare name.
    html = []
    for name, value in attrs.items():
        if value is True:
            html.append(f" {conditional_escape(name)}")
        elif value is not False:
            html.append(f' {conditional_escape(name)}="{conditional_escape(value)}"')
    return "".join(html)


class FastSelect(forms.Select):
    """``forms.Select`` rendered without a template per option; the same markup, byte for byte."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        # The line breaks and indents are those of django/forms/widgets/select.html.
        html = [f'<select name="{_text(widget["name"])}"{_attributes(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                html.append(f'\n  <optgroup label="{_text(group_name)}">')
            html.extend(
                f'\n  <option value="{conditional_escape(option["value"])}"{_attributes(option["attrs"])}>'
                f"{_text(option['label'])}</option>\n"
                for option in options
            )
            if group_name:
                html.append("\n  </optgroup>")
        html.append("\n</select>")
        # Every name, value and label above went through conditional_escape.
        return mark_safe("".join(html))


class FastSelectMultiple(FastSelect, forms.SelectMultiple):
    """``forms.SelectMultiple`` rendered like ``FastSelect``."""
