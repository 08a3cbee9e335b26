"""Forms of the notices and requests, and of the municipal inbox.

A form reads and checks input; ``letters.build_draft`` and the services decide. A request
form has the fields of its kind only: the notice of intake a message, the request for
case files what is asked for, the request for coordination the cover letter GL asks for.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from koreplan.accounts.models import User
from koreplan.consent.models import Category
from koreplan.coordination.letters import RequestInput
from koreplan.coordination.models import KfOption, Kind
from koreplan.domain.plan import PlanContent
from koreplan.domain.redaction import areas_after_release
from koreplan.domain.rules.legal_bases import legal_bases_in_force
from koreplan.organisations.models import MunicipalDepartment, Organisation

LIFE_AREA_CHOICES = [(v, l) for v, l in Category.choices if v not in (Category.SENTENCE, Category.OFFENCE)]
YES_NO = [("yes", _("Yes")), ("no", _("No"))]

#: The fields each kind of request shows (the rest are removed).
FIELDS_BY_KIND = {
    Kind.INTAKE_NOTICE: ("municipality", "departments", "message"),
    Kind.CASE_FILES: ("municipality", "departments", "life_areas", "message"),
    Kind.COORDINATION: (
        "municipality", "departments", "purpose_text", "expectations", "situation_and_wishes", "life_areas",
        "plan_attached", "area_keys", "include_causes", "partner_keys", "plan_not_attached_reason",
        "plan_available_from", "kf_options", "kf_options_note", "meeting_proposal", "meeting_proposed_on",
    ),
}
COMMON = ("legal_basis", "justification", "digest")


class MunicipalityField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return obj.name


class RequestForm(forms.Form):
    municipality = MunicipalityField(
        label=_("Municipality"), queryset=Organisation.objects.none(),
        help_text=_("The request goes to the municipality's entrance, which routes it inside the municipality."),
    )
    departments = forms.MultipleChoiceField(
        label=_("Departments to involve"), required=False, choices=MunicipalDepartment.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The client's consent must cover each department you name."),
    )
    purpose_text = forms.CharField(label=_("Purpose of the request"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    expectations = forms.CharField(label=_("What we expect of the municipality"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    situation_and_wishes = forms.CharField(
        label=_("The client's situation and wishes"), widget=forms.Textarea(attrs={"rows": 5}), required=False,
        help_text=_("In your own words, only what the consent covers: this text is sent as written."),
    )
    life_areas = forms.MultipleChoiceField(
        label=_("Areas to coordinate"), required=False, choices=LIFE_AREA_CHOICES, widget=forms.CheckboxSelectMultiple,
    )
    plan_attached = forms.TypedChoiceField(
        label=_("Attach an excerpt of the action plan?"), choices=YES_NO, coerce=lambda v: v == "yes",
        widget=forms.RadioSelect, required=False,
    )
    area_keys = forms.MultipleChoiceField(
        label=_("Areas of effort to share"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("The areas that concern the time after release. Only these, and the description of their life areas, are shared."),
    )
    include_causes = forms.BooleanField(
        label=_("Share the causes of the offence (section 3)"), required=False,
        help_text=_("Needs consent to share the offence."),
    )
    partner_keys = forms.MultipleChoiceField(
        label=_("Partners to name"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Only their name, organisation and role are shared."),
    )
    plan_not_attached_reason = forms.CharField(label=_("Why the plan is not attached"), required=False)
    plan_available_from = forms.CharField(label=_("Where the plan can be had"), required=False)
    kf_options = forms.MultipleChoiceField(
        label=_("Options on Kriminalforsorgen's side"), required=False, choices=KfOption.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    kf_options_note = forms.CharField(label=_("About the options"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    meeting_proposal = forms.CharField(
        label=_("Proposal to meet"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For instance a meeting or a phone call with the client to agree who does what."),
    )
    meeting_proposed_on = forms.DateField(
        label=_("Proposed date"), required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "input-width-s"}, format="%Y-%m-%d"),
    )
    message = forms.CharField(label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    legal_basis = forms.ChoiceField(
        label=_("Legal basis, if the consent does not cover it"), required=False,
        help_text=_("Only where the consent does not cover the disclosure. A colleague must approve it before it is sent."),
    )
    justification = forms.CharField(
        label=_("Justification for disclosing without consent"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
    )
    digest = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, kind: str, case, content: PlanContent | None, initial_municipality=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = Kind(kind)
        keep = set(FIELDS_BY_KIND[self.kind]) | set(COMMON)
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        self.fields["municipality"].queryset = Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY).order_by("name")
        self.fields["municipality"].initial = initial_municipality or case.client.acting_municipality_id
        self.fields["legal_basis"].choices = [("", _("None: the consent covers it"))] + [
            (b.code, f"{b.citation} – {b.title_da}") for b in legal_bases_in_force(timezone.localdate())
        ]
        if self.kind == Kind.INTAKE_NOTICE:
            self.fields["message"].help_text = _("For instance what the municipality should do now (stop benefits, keep the home).")
        if self.kind == Kind.CASE_FILES:
            self.fields["life_areas"].label = _("The files are about")
            self.fields["message"].label = _("Which files, and why")
        if self.kind == Kind.COORDINATION:
            areas = content.areas if content else ()
            labels = dict(Category.choices)
            self.fields["area_keys"].choices = [(a.key, f"{a.title} ({labels[a.life_area.value]})") for a in areas]
            self.fields["partner_keys"].choices = [
                (p.key, ", ".join(x for x in (p.name, p.organisation, p.role) if x)) for p in (content.partners if content else ())
            ]
            if not self.is_bound:
                self.fields["plan_attached"].initial = "yes" if content is not None else "no"
                if content is not None:
                    self.fields["area_keys"].initial = [a.key for a in areas_after_release(content)]
                    self.fields["partner_keys"].initial = [p.key for p in content.partners]

    def to_input(self) -> RequestInput:
        d = self.cleaned_data
        return RequestInput(
            kind=self.kind,
            municipality=d["municipality"],
            departments=tuple(d.get("departments") or ()),
            purpose_text=d.get("purpose_text", ""),
            expectations=d.get("expectations", ""),
            situation_and_wishes=d.get("situation_and_wishes", ""),
            life_areas=tuple(d.get("life_areas") or ()),
            area_keys=tuple(d.get("area_keys") or ()),
            partner_keys=tuple(d.get("partner_keys") or ()),
            include_causes=bool(d.get("include_causes")),
            plan_attached=bool(d.get("plan_attached")) if self.kind == Kind.COORDINATION else False,
            plan_not_attached_reason=d.get("plan_not_attached_reason", ""),
            plan_available_from=d.get("plan_available_from", ""),
            kf_options=tuple(d.get("kf_options") or ()),
            kf_options_note=d.get("kf_options_note", ""),
            meeting_proposal=d.get("meeting_proposal", ""),
            meeting_proposed_on=d.get("meeting_proposed_on"),
            message=d.get("message", ""),
            legal_basis=d.get("legal_basis", ""),
            justification=d.get("justification", ""),
        )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why it is stopped"), widget=forms.Textarea(attrs={"rows": 2}))


class PersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj} ({obj.department.name})" if obj.department_id else str(obj)


class RouteForm(forms.Form):
    department = forms.ModelChoiceField(label=_("Department"), queryset=MunicipalDepartment.objects.none())
    caseworker = PersonField(label=_("Caseworker"), queryset=User.objects.none(),
                             help_text=_("The named person who takes the case: the municipality has hold."))
    note = forms.CharField(label=_("Note to the sender"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, departments, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["caseworker"].queryset = people


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("Why you return it"), widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("For instance: not the acting municipality."))
    suggested_municipality = MunicipalityField(
        label=_("Try instead (if another municipality is the acting one)"), required=False,
        queryset=Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY).order_by("name"),
    )
