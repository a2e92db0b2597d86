"""FastSelect (tourism.widgets) writes exactly what Django's template-rendered Select writes."""

import pytest
from django import forms
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from facilities.models import Language
from quotes.forms import QuoteRequestForm
from tests.factories import make_facility, make_language
from tourism.widgets import FastSelect, FastSelectMultiple

COUNTRIES = [("TR", "Turkey"), ("DE", "Germany"), ("IN", "India")]
GROUPED = [
    ("", "Choose a place"),
    ("Europe", [("DE", "Germany"), ("PL", "Poland")]),
    ("Asia", [("IN", "India"), ("TH", "Thailand")]),
    ("XX", "Somewhere else"),
]
AWKWARD = [
    ("", "— none —"),
    ('a"b', 'Quote " and <b>bold</b> & co'),
    ("<script>", "x < y & y > z"),
    ('Tom & "Jerry" <Ltd>', [("&amp;", "Already &amp; escaped?"), ("1", mark_safe("<em>Safe</em> label"))]),
    (3, 4),
    ("lazy", gettext_lazy("A lazy label")),
]


def assert_same_html(choices, value, attrs=None, *, widget_attrs=None, name="place", multiple=False):
    reference_class, fast_class = (forms.SelectMultiple, FastSelectMultiple) if multiple else (forms.Select, FastSelect)
    expected = reference_class(attrs=widget_attrs, choices=choices).render(name, value, attrs=attrs)
    rendered = fast_class(attrs=widget_attrs, choices=choices).render(name, value, attrs=attrs)
    assert rendered == expected
    return rendered


@pytest.mark.parametrize(
    "choices, value",
    [
        ([], None),
        (COUNTRIES, None),
        (COUNTRIES, "DE"),
        (COUNTRIES, "no such value"),
        ([(1, "One"), (2, "Two")], 2),
        (GROUPED, None),
        (GROUPED, "TH"),
        (GROUPED, ""),
        (AWKWARD, None),
        (AWKWARD, 'a"b'),
        (AWKWARD, "&amp;"),
        (AWKWARD, "3"),
        ([("DE", "Germany"), ("DE", "Germany again")], "DE"),  # Only the first is selected.
    ],
)
def test_select_renders_the_same_markup(choices, value):
    assert_same_html(choices, value)


@pytest.mark.parametrize(
    "attrs",
    [
        {"id": "id_place", "required": True},
        {"id": "id_place", "aria-invalid": "true", "aria-describedby": "id_place_helptext id_place_error"},
        {"id": 'id_"place"', "data-note": "<&>", "disabled": False, "size": 6, "tabindex": 0, "title": None},
        {"class": mark_safe("a&amp;b"), "autofocus": True, "autocomplete": "country"},
    ],
)
def test_select_attributes_render_the_same(attrs):
    assert_same_html(GROUPED, "PL", attrs, widget_attrs={"class": "wide"}, name='place"<name>')


@pytest.mark.parametrize("value", [None, [], ["TR"], ["TR", "IN"], ["IN", "nope", "DE"]])
def test_select_multiple_renders_the_same_markup(value):
    html = assert_same_html(COUNTRIES, value, {"id": "id_countries", "required": True}, multiple=True)
    assert " multiple>" in html


def test_escaping_is_real():
    html = str(FastSelect(choices=AWKWARD).render("place", "<script>"))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<option value="a&quot;b">' in html
    assert "<em>Safe</em> label" in html  # Marked safe by the programmer: left as it is.
    assert 'label="Tom &amp; &quot;Jerry&quot; &lt;Ltd&gt;"' in html


class PlaceForm(forms.Form):
    place = forms.ChoiceField(choices=GROUPED, help_text="Where you would travel.")
    places = forms.MultipleChoiceField(choices=COUNTRIES, required=False)


class FastPlaceForm(PlaceForm):
    place = forms.ChoiceField(choices=GROUPED, help_text="Where you would travel.", widget=FastSelect)
    places = forms.MultipleChoiceField(choices=COUNTRIES, required=False, widget=FastSelectMultiple)


@pytest.mark.parametrize(
    "data",
    [None, {"place": "TH", "places": ["DE", "IN"]}, {"place": "", "places": ["XX"]}, {"place": "<bad>"}],
)
def test_in_a_form_with_help_text_and_errors(data):
    reference, fast = PlaceForm(data=data), FastPlaceForm(data=data)
    if data:
        assert reference.is_valid() == fast.is_valid()
    for name in ["place", "places"]:
        assert str(fast[name]) == str(reference[name])
    if data and "place" in reference.errors:
        assert 'aria-invalid="true"' in str(fast["place"])


@pytest.mark.django_db
def test_model_choices_render_the_same():
    for name in ["Turkish", "Arabic", "German <de>"]:
        make_language(name=name)
    reference = forms.ModelChoiceField(queryset=Language.objects.order_by("name"), to_field_name="code")
    fast = forms.ModelChoiceField(queryset=Language.objects.order_by("name"), to_field_name="code", widget=FastSelect)
    chosen = Language.objects.get(name="Turkish").code
    assert fast.widget.render("language", chosen) == reference.widget.render("language", chosen)


@pytest.mark.django_db
@pytest.mark.parametrize("data", [None, {"country_of_residence": "DE", "countries": ["TR", "IN"]}, {"countries": "X"}])
def test_the_quote_forms_country_selects_render_as_before(data):
    form = QuoteRequestForm(data=data, destinations=COUNTRIES)
    if data:
        form.is_valid()
    for name, reference in [
        ("country_of_residence", forms.Select),
        ("countries", forms.SelectMultiple),
    ]:
        widget = form.fields[name].widget
        assert isinstance(widget, FastSelect)
        expected = form[name].as_widget(widget=reference(attrs=widget.attrs, choices=widget.choices))
        assert str(form[name]) == expected
    assert '<option value="GB">United Kingdom</option>' in str(form["country_of_residence"])
    assert 'size="6"' in str(form["countries"])


@pytest.mark.django_db
def test_the_quote_page_renders_no_template_per_country(client):
    make_language(code="en", name="English")
    make_facility(country="TR")
    response = client.get(reverse("quotes:request"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="country_of_residence"' in html and 'name="countries"' in html
    assert html.count('<option value="TR">Türkiye</option>') == 2  # Where one lives, where one would go.
    option_templates = [t.name for t in response.templates].count("django/forms/widgets/select_option.html")
    # The language, procedure and currency selects still use templates: a handful, not 250 countries.
    assert option_templates < 20
