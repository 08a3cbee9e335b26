"""Forms for the plan. They collect and shape input; the rules are the domain's and the
services', whose errors the views put back on the fields they name."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from koreplan.domain import plan as domain
from koreplan.plans.models import ActionStatus, ClientStance, LifeArea, Participation, Performer, PlanStatus

TRI_STATE = [("", pgettext_lazy("yes/no", "Not stated")), ("yes", _("Yes")), ("no", _("No"))]
NO_STANCE = [("", pgettext_lazy("client's view", "Not stated"))]


def _tri(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def _tri_initial(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _textarea(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class VersionedForm(forms.Form):
    """Every change names the version and the revision it was made from."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    revision = forms.IntegerField(widget=forms.HiddenInput)


def add_service_errors(form: forms.Form, error: ValidationError, *, formsets: Mapping[str, forms.BaseFormSet] | None = None) -> None:
    """Put a service's errors on the fields they name; the rest on the form.

    Paths are the domain's: ``reason``, ``participation.reason``, ``partners.0.email``,
    ``area.actions.1.what``; a path into a list lands on that form of the formset.
    """
    formsets = formsets or {}
    messages = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
    for path, texts in messages.items():
        parts = (path or "").split(".")
        placed = False
        for name, formset in formsets.items():
            if name in parts:
                at = parts.index(name)
                if len(parts) > at + 2 and parts[at + 1].isdigit() and int(parts[at + 1]) < len(formset.forms):
                    sub = formset.forms[int(parts[at + 1])]
                    field = parts[at + 2]
                    for text in texts:
                        sub.add_error(field if field in sub.fields else None, text)
                    placed = True
                    break
        if placed:
            continue
        field = next((p for p in reversed(parts) if p in form.fields), None)
        for text in texts:
            form.add_error(field, text)


# -- the sections -----------------------------------------------------------------------------


class ParticipationForm(VersionedForm):
    status = forms.ChoiceField(
        label=_("Did the client take part in making the plan?"), choices=Participation.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Why the client did not take part"), required=False, widget=_textarea(3),
        help_text=_("A plan is made all the same; it reflects the goals the institution works towards (VEJ pkt. 8)."),
    )

    @staticmethod
    def initial_from(content: domain.PlanContent) -> dict[str, Any]:
        p = content.participation
        return {"status": p.status.value if p.status else "", "reason": p.reason}

    def section_data(self) -> dict[str, Any]:
        return {"participation": {"status": self.cleaned_data["status"], "reason": self.cleaned_data["reason"]}}


class _ViewFields(forms.Form):
    stance = forms.ChoiceField(
        label=_("The client's own view"), choices=NO_STANCE + list(ClientStance.choices), required=False,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("On what the client disagrees, or why they could not answer"), required=False, widget=_textarea(3)
    )

    def view_data(self) -> dict[str, str | None]:
        return {"stance": self.cleaned_data["stance"] or None, "note": self.cleaned_data["note"]}


class CausesForm(VersionedForm, _ViewFields):
    causes = forms.CharField(label=_("Causes of crime"), required=False, widget=_textarea(8))

    field_order = ["version", "revision", "causes", "stance", "note"]

    @staticmethod
    def initial_from(content: domain.PlanContent) -> dict[str, Any]:
        v = content.causes_client_view
        return {"causes": content.causes, "stance": v.stance.value if v.stance else "", "note": v.note}

    def section_data(self) -> dict[str, Any]:
        return {"causes": self.cleaned_data["causes"], "causes_client_view": self.view_data()}


class AssessmentForm(VersionedForm, _ViewFields):
    assessment = forms.CharField(
        label=_("Overall assessment"), required=False, widget=_textarea(8),
        help_text=_("Of the client's whole situation, not of the client as a person. No new information here."),
    )

    field_order = ["version", "revision", "assessment", "stance", "note"]

    @staticmethod
    def initial_from(content: domain.PlanContent) -> dict[str, Any]:
        v = content.assessment_client_view
        return {"assessment": content.assessment, "stance": v.stance.value if v.stance else "", "note": v.note}

    def section_data(self) -> dict[str, Any]:
        return {"assessment": self.cleaned_data["assessment"], "assessment_client_view": self.view_data()}


class EntryForm(forms.Form):
    """One dated entry of a life area; an entry left empty is removed."""

    key = forms.CharField(widget=forms.HiddenInput, required=False)
    from_intake_interview = forms.BooleanField(widget=forms.HiddenInput, required=False)
    on = forms.DateField(label=_("Date"), required=False, widget=DateInput)
    text = forms.CharField(label=_("Entry"), required=False, widget=_textarea(3))

    def clean(self):
        data = super().clean()
        if (data.get("text") or "").strip() and not data.get("on"):
            self.add_error("on", _("Give the date of the entry."))
        return data


EntryFormSet = forms.formset_factory(EntryForm, extra=1)


def description_area_data(content: domain.PlanContent, area: domain.LifeArea, formset) -> dict[str, Any]:
    """The whole description with one area's entries replaced from the formset."""
    entries = [
        domain.DescriptionEntry(
            f.cleaned_data.get("key") or "", area, f.cleaned_data["on"], f.cleaned_data["text"].strip(),
            bool(f.cleaned_data.get("from_intake_interview")),
        )
        for f in formset.forms
        if f.cleaned_data and (f.cleaned_data.get("text") or "").strip()
    ]
    kept = domain.with_area_entries(content, area, ())
    new = [
        {"key": e.key, "area": e.area.value, "on": e.on.isoformat(), "text": e.text, "from_intake_interview": e.from_intake_interview}
        for e in entries
    ]
    return {"description": [*kept.section_dict("description")["description"], *new]}


def entries_initial(content: domain.PlanContent, area: domain.LifeArea) -> list[dict[str, Any]]:
    return [
        {"key": e.key, "on": e.on, "text": e.text, "from_intake_interview": e.from_intake_interview}
        for e in content.entries_for(area)
    ]


class EntryAddForm(VersionedForm):
    area = forms.ChoiceField(label=_("Life area"), choices=LifeArea.choices)
    on = forms.DateField(label=_("Date"), widget=DateInput, initial=timezone.localdate)
    text = forms.CharField(label=_("Entry"), widget=_textarea(4))
    from_intake_interview = forms.BooleanField(label=_("From the intake interview"), required=False)


class PartnerForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Name"), required=False)
    organisation = forms.CharField(label=_("Organisation"), required=False)
    role = forms.CharField(label=_("Role"), required=False)
    phone = forms.CharField(label=_("Phone"), required=False)
    address = forms.CharField(label=_("Address"), required=False)
    email = forms.CharField(label=_("E-mail"), required=False)
    is_municipality = forms.BooleanField(label=_("This partner is the municipality"), required=False)
    client_covered = forms.ChoiceField(label=_("Is the client covered by the rules on coordination?"), choices=TRI_STATE, required=False)
    consent_given = forms.ChoiceField(label=_("Did the client consent to the contact?"), choices=TRI_STATE, required=False)
    contacted_on = forms.DateField(label=_("Municipality contacted on"), required=False, widget=DateInput)
    followed_up = forms.ChoiceField(label=_("Did the municipality follow up?"), choices=TRI_STATE, required=False)

    TEXT = ("name", "organisation", "role", "phone", "address", "email")

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not any((data.get(f) or "").strip() for f in self.TEXT)

    def partner_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        municipality = None
        if d.get("is_municipality"):
            municipality = {
                "client_covered": _tri(d["client_covered"]),
                "consent_given": _tri(d["consent_given"]),
                "contacted_on": d["contacted_on"].isoformat() if d.get("contacted_on") else None,
                "followed_up": _tri(d["followed_up"]),
            }
        return {**{f: (d.get(f) or "").strip() for f in ("key", *self.TEXT)}, "municipality": municipality}


PartnerFormSet = forms.formset_factory(PartnerForm, extra=1)


def partners_initial(content: domain.PlanContent) -> list[dict[str, Any]]:
    rows = []
    for p in content.partners:
        m = p.municipality
        rows.append({
            "key": p.key, "name": p.name, "organisation": p.organisation, "role": p.role, "phone": p.phone,
            "address": p.address, "email": p.email, "is_municipality": m is not None,
            "client_covered": _tri_initial(m.client_covered) if m else "",
            "consent_given": _tri_initial(m.consent_given) if m else "",
            "contacted_on": m.contacted_on if m else None,
            "followed_up": _tri_initial(m.followed_up) if m else "",
        })
    return rows


def partners_data(formset) -> dict[str, Any]:
    return {"partners": [f.partner_data() for f in formset.forms if f.cleaned_data and not f.is_blank]}


# -- areas of effort --------------------------------------------------------------------------


class _ChangeConfirmation(forms.Form):
    change_justification = forms.CharField(
        label=_("Justification of the change"), widget=_textarea(3),
        help_text=_("Changes to the plan are always justified (VEJ pkt. 37)."),
    )
    discussed_with_client = forms.BooleanField(
        label=_("The change was discussed with the client beforehand"), required=False,
        help_text=_("Required unless the plan records that the client does not take part (VEJ pkt. 8)."),
    )


class AreaForm(VersionedForm, _ViewFields, _ChangeConfirmation):
    title = forms.CharField(label=_("Area of effort"), max_length=300)
    life_area = forms.ChoiceField(label=_("Life area"), choices=LifeArea.choices)
    priority = forms.IntegerField(label=_("Priority"), min_value=1, help_text=_("1 is the most important."))
    justification = forms.CharField(
        label=_("Why this area is prioritised"), widget=_textarea(3),
        help_text=_("Each area of effort is prioritised and justified (VEJ pkt. 36)."),
    )
    goal = forms.CharField(label=_("Goal"), widget=_textarea(2), help_text=_("Realistic, with a chance of being met (VEJ pkt. 37)."))
    sub_goals = forms.CharField(label=_("Sub-goals"), required=False, widget=_textarea(3), help_text=_("One per line."))
    coordination = forms.CharField(
        label=_("How the effort is coordinated with partners"), required=False, widget=_textarea(2)
    )
    evaluation = forms.CharField(
        label=_("How it is evaluated: form and participants"), required=False, widget=_textarea(2)
    )

    field_order = [
        "version", "revision", "title", "life_area", "priority", "justification", "goal", "sub_goals",
        "stance", "note", "coordination", "evaluation", "change_justification", "discussed_with_client",
    ]

    @staticmethod
    def initial_from(area: domain.AreaOfEffort | None, priority: int) -> dict[str, Any]:
        if area is None:
            return {"priority": priority}
        return {
            "title": area.title, "life_area": area.life_area.value, "priority": priority,
            "justification": area.justification, "goal": area.goal, "sub_goals": "\n".join(area.sub_goals),
            "stance": area.client_view.stance.value if area.client_view.stance else "", "note": area.client_view.note,
            "coordination": area.coordination, "evaluation": area.evaluation,
        }

    def area(self, key: str, actions: list[domain.Action]) -> domain.AreaOfEffort:
        d = self.cleaned_data
        return domain.AreaOfEffort(
            key=key,
            life_area=domain.LifeArea(d["life_area"]),
            title=d["title"].strip(),
            justification=d["justification"].strip(),
            goal=d["goal"].strip(),
            sub_goals=tuple(line.strip() for line in d["sub_goals"].splitlines() if line.strip()),
            actions=tuple(actions),
            client_view=domain.ClientView(domain.ClientStance(d["stance"]) if d["stance"] else None, d["note"].strip()),
            coordination=d["coordination"].strip(),
            evaluation=d["evaluation"].strip(),
        )


class ActionForm(forms.Form):
    """One action of an area; an action with no "what" is removed."""

    key = forms.CharField(widget=forms.HiddenInput, required=False)
    what = forms.CharField(label=_("What will be done"), required=False, widget=_textarea(2))
    who = forms.ChoiceField(label=_("Who acts"), choices=Performer.choices, initial=Performer.STAFF)
    who_name = forms.CharField(label=_("Name"), required=False)
    when = forms.CharField(label=_("When"), required=False)
    how = forms.CharField(label=_("How"), required=False)
    status = forms.ChoiceField(label=pgettext_lazy("plan field", "Status"), choices=ActionStatus.choices, initial=ActionStatus.PLANNED)
    not_done_reason = forms.CharField(label=_("If not done: why"), required=False)
    try_again = forms.ChoiceField(label=_("If not done: try again?"), choices=TRI_STATE, required=False)

    def action(self) -> domain.Action | None:
        d = getattr(self, "cleaned_data", None) or {}
        if not (d.get("what") or "").strip():
            return None
        return domain.Action(
            key=d.get("key") or "", what=d["what"].strip(), who=domain.Performer(d["who"]),
            who_name=d["who_name"].strip(), when=d["when"].strip(), how=d["how"].strip(),
            status=domain.ActionStatus(d["status"]), not_done_reason=d["not_done_reason"].strip(),
            try_again=_tri(d["try_again"]),
        )


ActionFormSet = forms.formset_factory(ActionForm, extra=1)


def actions_initial(area: domain.AreaOfEffort | None) -> list[dict[str, Any]]:
    if area is None:
        return []
    return [
        {"key": a.key, "what": a.what, "who": a.who.value, "who_name": a.who_name, "when": a.when, "how": a.how,
         "status": a.status.value, "not_done_reason": a.not_done_reason, "try_again": _tri_initial(a.try_again)}
        for a in area.actions
    ]


class AreaRemoveForm(VersionedForm, _ChangeConfirmation):
    pass


# -- the intake interview, evaluation, status, approval ---------------------------------------------


class IntakeInterviewForm(forms.Form):
    held_on = forms.DateField(label=_("Date of the intake interview"), widget=DateInput, initial=timezone.localdate)
    participation = forms.ChoiceField(
        label=_("Does the client take part in making the plan?"), choices=Participation.choices, widget=forms.RadioSelect
    )
    participation_reason = forms.CharField(label=_("Why the client does not take part"), required=False, widget=_textarea(2))
    causes = forms.CharField(label=_("Causes of crime"), required=False, widget=_textarea(4))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in LifeArea.choices:
            self.fields[f"area_{value}"] = forms.CharField(label=label, required=False, widget=_textarea(3))
        self.order_fields(["held_on", "participation", "participation_reason", *(f"area_{v}" for v in LifeArea.values), "causes"])

    def area_fields(self):
        return [self[f"area_{v}"] for v in LifeArea.values]

    def entries(self) -> dict[str, str]:
        return {v: self.cleaned_data.get(f"area_{v}", "") for v in LifeArea.values}


class EvaluationForm(VersionedForm):
    held_on = forms.DateField(label=_("Date of the evaluation"), widget=DateInput, initial=timezone.localdate)
    participants = forms.CharField(
        label=_("Who took part"), required=False,
        help_text=_("The plan-responsible, the client and any partners (VEJ pkt. 53)."),
    )
    description_update = forms.CharField(
        label=_("Update of the description and the assessment of the client's situation"), widget=_textarea(5)
    )
    carried_out = forms.CharField(label=_("Agreements carried out as planned"), required=False, widget=_textarea(3))
    not_carried_out = forms.CharField(label=_("Agreements not carried out as planned"), required=False, widget=_textarea(3))
    reasons = forms.CharField(label=_("Why they were not carried out"), required=False, widget=_textarea(3))
    prevention = forms.CharField(
        label=_("What can be done not to end up in the same situation again"), required=False, widget=_textarea(3)
    )


class AgreementForm(forms.Form):
    who = forms.CharField(label=_("Who"), required=False)
    what = forms.CharField(label=_("What"), required=False)
    when = forms.CharField(label=_("When"), required=False)


AgreementFormSet = forms.formset_factory(AgreementForm, extra=3)


class StatusForm(VersionedForm):
    kind = forms.ChoiceField(label=_("Occasion"), choices=PlanStatus.Kind.choices, widget=forms.RadioSelect)
    stated_on = forms.DateField(label=_("Date"), widget=DateInput, initial=timezone.localdate)
    note = forms.CharField(label=_("Note"), required=False, widget=_textarea(3))


class ApprovalRequestForm(VersionedForm):
    comment = forms.CharField(label=_("Note for the meeting"), required=False, widget=_textarea(2))


class ApprovalDecisionForm(VersionedForm):
    decision = forms.ChoiceField(
        label=_("Decision"), widget=forms.RadioSelect,
        choices=[("approve", _("Approve the plan")), ("send_back", _("Send it back"))],
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=_textarea(3),
        help_text=_("Required when the plan is sent back: say what should be changed."),
    )


def today() -> date:
    return timezone.localdate()
