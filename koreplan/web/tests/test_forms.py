"""The form renderer's <select> is Django's own markup, character for character."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from koreplan.organisations.models import Organisation
from koreplan.web.forms import Renderer

pytestmark = pytest.mark.django_db


class Choices(forms.Form):
    plain = forms.ChoiceField(choices=[("", "Alle"), ("a", "Å & <b>"), ("b", 'Citat "x"')], required=False)
    grouped = forms.ChoiceField(choices=[("Fængsler", [("1", "Horsens"), ("2", "Østjylland")]), ("3", "Uden gruppe")])
    several = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y"), ("z", "Z")], required=False)
    yes_no = forms.NullBooleanField()
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.order_by("name"), empty_label="Vælg")
    disabled = forms.ChoiceField(choices=[("1", "En")], disabled=True)


@pytest.mark.parametrize("data", [None, {"plain": "a", "grouped": "2", "several": ["x", "z"], "yes_no": "false"}])
def test_a_select_is_rendered_as_django_renders_it(data, faengsel, guldborgsund):
    if data is not None:
        data["organisation"] = str(guldborgsund.pk)
    ours = Choices(data, renderer=Renderer())
    django = Choices(data, renderer=DjangoTemplates())
    for name in ours.fields:
        attrs = {"class": "form-select", "aria-describedby": f"id_{name}_helptext"}
        assert str(ours[name].as_widget(attrs=attrs)) == str(django[name].as_widget(attrs=attrs)), name
    assert "<option" in str(ours["organisation"])


def test_other_widgets_are_rendered_by_the_templates():
    class Other(forms.Form):
        kind = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect)
        text = forms.CharField()

    ours, django = Other(renderer=Renderer()), Other(renderer=DjangoTemplates())
    for name in ("kind", "text"):
        assert str(ours[name]) == str(django[name])
