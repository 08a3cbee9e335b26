"""The form renderer's widgets are Django's own markup, character for character."""

import importlib
import inspect
from datetime import date
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.template.loader import get_template
from django.utils import translation
from django.utils.safestring import mark_safe

from koreplan.cases.tests.factories import open_case
from koreplan.organisations.models import Organisation
from koreplan.web.forms import WRITERS, Renderer

pytestmark = pytest.mark.django_db

TRICKY = 'Å & <b>"x"</b> \'y\''
ATTRS = [
    None,
    {"class": "form-input", "aria-describedby": "id_x_helptext"},
    {"required": True, "disabled": False, "readonly": True, "data-note": TRICKY, "rows": 4, "id": "id_x"},
    {"id": 'a"&<b>', "class": 'k"&<l>', "autofocus": True},
]


class Templates(Renderer):
    """Ours, refusing to fall back to a template of a widget it writes itself: a comparison
    where both sides came from Django's templates would prove nothing."""

    def get_template(self, template_name):
        assert template_name not in WRITERS, template_name
        return super().get_template(template_name)


def assert_same(widget: forms.Widget, value, attrs=None):
    ours = widget.render("field", value, attrs=attrs, renderer=Templates())
    django = widget.render("field", value, attrs=attrs, renderer=DjangoTemplates())
    assert ours == django


INPUTS = [
    forms.TextInput(), forms.NumberInput(), forms.EmailInput(), forms.URLInput(), forms.PasswordInput(),
    forms.PasswordInput(render_value=True), forms.HiddenInput(), forms.DateInput(), forms.DateTimeInput(),
    forms.TimeInput(), forms.SearchInput(), forms.TelInput(), forms.ColorInput(), forms.FileInput(),
    forms.DateInput(attrs={"type": "date", "class": "input-width-s"}, format="%Y-%m-%d"),
    forms.TextInput(attrs={"maxlength": 20, "hidden": False, "placeholder": TRICKY}),
]
VALUES = [None, "", "tekst", TRICKY, mark_safe("<i>safe</i>"), 0, 12, Decimal("1.50"), date(2026, 3, 9), [1, 2], (1, 2)]


@pytest.mark.parametrize("widget", INPUTS, ids=lambda widget: f"{type(widget).__name__}")
@pytest.mark.parametrize("attrs", ATTRS)
def test_an_input_is_rendered_as_django_renders_it(widget, attrs):
    for value in VALUES:
        assert_same(widget, value, attrs)


@pytest.mark.parametrize("attrs", ATTRS)
@pytest.mark.parametrize("value", [None, "", False, True, "on", "0", TRICKY])
def test_a_checkbox_is_rendered_as_django_renders_it(attrs, value):
    assert_same(forms.CheckboxInput(), value, attrs)
    assert_same(forms.CheckboxInput(check_test=lambda value: value == "0", attrs={"class": "form-checkbox"}), value, attrs)


@pytest.mark.parametrize("attrs", ATTRS)
@pytest.mark.parametrize("value", [None, "", "én linje", "\nførst en tom linje", "  mellemrum  \n", TRICKY, mark_safe("<b>")])
def test_a_textarea_is_rendered_as_django_renders_it(attrs, value):
    assert_same(forms.Textarea(), value, attrs)
    assert_same(forms.Textarea(attrs={"rows": 2, "cols": None}), value, attrs)


CHOICES = [("", "Ingen"), ("a", TRICKY), ("b", mark_safe("<i>B</i>")), (3, Decimal("1.5")), ("d", date(2026, 3, 9))]
GROUPED = [("Fængsler & <arrester>", [("1", "Horsens"), ("2", "Østjylland")]), ("3", "Uden gruppe")]


@pytest.mark.parametrize("widget_class", [forms.RadioSelect, forms.CheckboxSelectMultiple])
@pytest.mark.parametrize("choices", [CHOICES, GROUPED, []], ids=["flat", "grouped", "empty"])
@pytest.mark.parametrize("attrs", ATTRS)
@pytest.mark.parametrize("value", [None, "", "a", ["a", "3"], ["2"], [3]])
def test_radios_and_checkboxes_are_rendered_as_django_renders_them(widget_class, choices, attrs, value):
    with translation.override("da"):  # the labels that are numbers and dates, localized
        assert_same(widget_class(choices=choices), value, attrs)
        assert_same(widget_class(choices=choices, attrs={"class": "form-radio", "disabled": True}), value, attrs)


@pytest.mark.parametrize("choices", [CHOICES, GROUPED])
@pytest.mark.parametrize("attrs", ATTRS)
@pytest.mark.parametrize("value", [None, "a", ["a", "3"], "2"])
def test_a_select_is_rendered_as_django_renders_it(choices, attrs, value):
    with translation.override("da"):
        assert_same(forms.Select(choices=choices), value, attrs)
        assert_same(forms.SelectMultiple(choices=choices), value, attrs)


@pytest.mark.parametrize("value", [None, True, False, "true", "3"])
def test_a_yes_no_select_is_rendered_as_django_renders_it(value):
    for attrs in ATTRS:
        assert_same(forms.NullBooleanSelect(), value, attrs)


class Choices(forms.Form):
    plain = forms.ChoiceField(choices=[("", "Alle"), ("a", "Å & <b>"), ("b", 'Citat "x"')], required=False)
    grouped = forms.ChoiceField(choices=[("Fængsler", [("1", "Horsens"), ("2", "Østjylland")]), ("3", "Uden gruppe")])
    several = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y"), ("z", "Z")], required=False)
    yes_no = forms.NullBooleanField()
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.order_by("name"), empty_label="Vælg")
    disabled = forms.ChoiceField(choices=[("1", "En")], disabled=True)
    radio = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect, initial="b")
    checks = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple)
    places = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.order_by("name"), widget=forms.CheckboxSelectMultiple, required=False
    )
    text = forms.CharField(max_length=10, initial=TRICKY)
    number = forms.IntegerField(min_value=1, required=False)
    on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), initial=date(2026, 3, 9))
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), disabled=True, initial="\nlinje")
    agree = forms.BooleanField(initial=True)
    hidden = forms.CharField(widget=forms.HiddenInput, initial="h")


@pytest.mark.parametrize("data", [None, {}, {
    "plain": "a", "grouped": "2", "several": ["x", "z"], "yes_no": "false", "radio": "a", "checks": ["a", "b"],
    "text": "<for lang tekst>", "number": "0", "on": "2026-13-01", "agree": "on", "hidden": TRICKY,
}])
def test_a_form_is_rendered_as_django_renders_it(data, faengsel, guldborgsund):
    if data:
        data |= {"organisation": str(guldborgsund.pk), "places": [str(faengsel.pk)]}
    ours = Choices(data, renderer=Templates())
    django = Choices(data, renderer=DjangoTemplates())
    for name in ours.fields:
        attrs = {"class": "form-select", "aria-describedby": f"id_{name}_helptext"}
        assert str(ours[name].as_widget(attrs=attrs)) == str(django[name].as_widget(attrs=attrs)), name
    assert str(ours) == str(django)
    assert "<option" in str(ours["organisation"])


def test_other_widgets_and_unknown_contexts_are_rendered_by_the_templates():
    class RadiosOfItsOwn(forms.RadioSelect):
        option_template_name = "django/forms/widgets/select_option.html"

    class Other(forms.Form):
        upload = forms.FileField(widget=forms.ClearableFileInput, required=False)
        when = forms.SplitDateTimeField()
        born = forms.DateField(widget=forms.SelectDateWidget(years=[2000, 2001]))
        radios = forms.ChoiceField(choices=[("a", "A")], widget=RadiosOfItsOwn)

    ours, django = Other(renderer=Renderer()), Other(renderer=DjangoTemplates())
    assert str(ours) == str(django)
    for name in Other.base_fields:
        assert str(ours[name]) == str(django[name])
    assert "<option" in str(ours["radios"])
    strange = {"widget": {"name": "x", "attrs": {}, "type": "text"}}  # no value
    assert Renderer().render("django/forms/widgets/input.html", strange) == DjangoTemplates().render(
        "django/forms/widgets/input.html", strange
    )


APPS = ("accounts", "cases", "consent", "coordination", "dashboards", "notifications", "plans", "privacy", "release")


def project_form_classes():
    for app in APPS:
        module = importlib.import_module(f"koreplan.{app}.forms")
        for cls in vars(module).values():
            if inspect.isclass(cls) and issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield cls


def assert_same_form(make):
    """The form as Django's templates render it: whole, and field by field through the
    project's form group (includes/form_field.html)."""
    form_field = get_template("includes/form_field.html")
    with translation.override("da"):
        ours, django = make(), make()
        ours.renderer, django.renderer = Templates(), DjangoTemplates()
        assert str(ours) == str(django), type(ours).__name__
        for field in ours:
            assert form_field.render({"field": field}) == form_field.render({"field": django[field.name]}), field.name


def test_every_form_of_the_project_that_needs_no_arguments_is_rendered_as_django_renders_it(faengsel, guldborgsund):
    rendered = []
    for cls in project_form_classes():
        try:
            cls()
        except TypeError:  # it needs a case, a user …: below
            continue
        for data in (None, {}):
            assert_same_form(lambda cls=cls, data=data: cls(data))
        rendered.append(cls.__name__)
    assert {"JournalEntryForm", "TaskCompleteForm", "FactsForm", "PreferencesForm", "StatusForm"} <= set(rendered)


def test_the_forms_for_a_case_and_a_user_are_rendered_as_django_renders_them(
    socialraadgiver, kollega, leder, guldborgsund
):
    from koreplan.accounts.forms import OTPVerifyForm
    from koreplan.cases.forms import CaseCreateForm, HandoverRequestForm, ResponsibilityForm, WorklistFilterForm
    from koreplan.dashboards.forms import ScopeForm
    from koreplan.release.forms import KifInvolveForm

    case = open_case(actor=socialraadgiver, municipality=guldborgsund)
    for make in (
        lambda: OTPVerifyForm(user=socialraadgiver),
        lambda: CaseCreateForm(user=socialraadgiver),
        lambda: CaseCreateForm({}, user=socialraadgiver),
        lambda: ResponsibilityForm(case=case),
        lambda: ResponsibilityForm({"substitute": str(kollega.pk), "substitute_covering": "on"}, case=case),
        lambda: HandoverRequestForm(case=case),
        lambda: KifInvolveForm(case=case),
        lambda: WorklistFilterForm(organisation_ids=[socialraadgiver.organisation_id]),
        lambda: ScopeForm(user=leder),
    ):
        assert_same_form(make)
