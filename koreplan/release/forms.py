"""Forms for the release pages. They collect and shape input; the services decide, and
their errors go back onto the fields they name (:func:`add_service_errors`)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from koreplan.cases.models import Case
from koreplan.domain import release as domain
from koreplan.organisations.models import MunicipalDepartment, Organisation
from koreplan.release import selectors
from koreplan.release.models import (
    Meeting,
    MeetingForm,
    Party,
    ReadinessItem,
    ReleaseOutcome,
)
from koreplan.release.services import ParticipantData

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _date(label, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label, widget=forms.DateInput(attrs={"type": "date", "class": "input-width-s"}, format="%Y-%m-%d"),
        **kwargs,
    )


def _time(label, **kwargs) -> forms.TimeField:
    return forms.TimeField(
        label=label, widget=forms.TimeInput(attrs={"type": "time", "class": "input-width-xs"}, format="%H:%M"), **kwargs
    )


def _radio(choices, label, **kwargs) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=choices, widget=forms.RadioSelect(attrs={"class": "form-radio"}), **kwargs)


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def add_service_errors(form: forms.Form, error: ValidationError, *, formset: forms.BaseFormSet | None = None,
                       aliases: dict[str, str] | None = None) -> None:
    """A service's errors on the fields they name; ``participants.2.name`` on the formset's row."""
    aliases = aliases or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, messages in error.message_dict.items():
        parts = name.split(".")
        if formset is not None and parts[0] == "participants" and len(parts) == 3 and parts[1].isdigit():
            index = int(parts[1])
            rows = [f for f in formset.forms if f.has_changed() and (f.cleaned_data or {}).get("name")]
            target = rows[index] if index < len(rows) else None
            if target is not None and parts[2] in target.fields:
                target.add_error(parts[2], messages)
                continue
        field = aliases.get(name, name)
        if field in form.fields and not form.fields[field].widget.is_hidden:
            form.add_error(field, messages)
        else:
            form.add_error(None, messages)


class DepartmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: MunicipalDepartment) -> str:
        return f"{obj.name} ({obj.get_kind_display()})"


# -- the readiness list ----------------------------------------------------------------------------


class ReadinessItemForm(forms.Form):
    status = _radio(ReadinessItem.Status.choices, _("Status"))
    responsible_organisation = forms.ModelChoiceField(
        label=_("Responsible organisation"), queryset=Organisation.objects.none(), required=False,
        empty_label=_("Not placed yet"),
    )
    department = DepartmentChoiceField(
        label=_("Department in the municipality"), queryset=MunicipalDepartment.objects.none(), required=False,
        empty_label=_("No department"),
    )
    checks = forms.MultipleChoiceField(
        label=_("Checklist"), required=False, widget=forms.CheckboxSelectMultiple(attrs={"class": "form-checkbox"})
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=_textarea(2))

    def __init__(self, *args, case: Case, row: selectors.ReadinessRow, **kwargs):
        kwargs.setdefault("prefix", f"r-{row.item}")
        kwargs.setdefault("initial", {
            "status": row.status,
            "responsible_organisation": row.responsible_organisation,
            "department": row.department,
            "checks": [name for name, _label, done in row.checks if done],
            "note": row.note,
        })
        super().__init__(*args, **kwargs)
        self.row = row
        choices = [o.pk for o in selectors.responsible_choices(case=case)]
        if row.responsible_organisation is not None:
            choices.append(row.responsible_organisation.pk)  # kept, even if no longer among the parties
        self.fields["responsible_organisation"].queryset = Organisation.objects.filter(pk__in=choices).order_by(
            "kind", "name"
        )
        self.fields["department"].queryset = MunicipalDepartment.objects.filter(
            municipality=case.client.acting_municipality
        ).order_by("kind")
        self.fields["checks"].choices = [(name, label) for name, label, _done in row.checks]
        if not row.checks:
            del self.fields["checks"]
        if row.essential:
            # Housing and income are never "not needed" (domain.ESSENTIAL).
            self.fields["status"].choices = [
                c for c in ReadinessItem.Status.choices if c[0] != ReadinessItem.Status.NOT_NEEDED
            ]

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        checks = set(data.get("checks") or [])
        return {
            "status": data["status"],
            "responsible_organisation": data.get("responsible_organisation"),
            "department": data.get("department"),
            "checks": {name: name in checks for name, _label, _done in self.row.checks},
            "note": data.get("note") or "",
        }


# -- meetings -----------------------------------------------------------------------------------------


class MeetingEditForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
    on = _date(_("Date"))
    starts = _time(_("From"))
    ends = _time(_("To"))
    form = _radio(MeetingForm.choices, _("How the meeting is held"), initial=MeetingForm.IN_PERSON)
    location = forms.CharField(
        label=_("Place"), required=False, max_length=300,
        help_text=_("Address and room, the phone number to call, or the video link."),
    )
    department = DepartmentChoiceField(
        label=_("Department"), queryset=MunicipalDepartment.objects.none(), required=False, empty_label=_("Choose a department"),
    )
    purpose = forms.ChoiceField(label=_("Purpose"), choices=[("", _("Choose a purpose")), *Meeting.Purpose.choices], required=False)
    purpose_note = forms.CharField(label=_("About the purpose"), required=False, max_length=300)

    def __init__(self, *args, case: Case, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind == Meeting.Kind.RELEASE_DAY:
            self.fields["department"].queryset = MunicipalDepartment.objects.filter(
                municipality=case.client.acting_municipality
            ).order_by("kind")
            self.fields["purpose"].required = True
            self.fields["form"].initial = MeetingForm.IN_PERSON
        else:
            for name in ("department", "purpose", "purpose_note"):
                del self.fields[name]

    @classmethod
    def initial_for(cls, meeting: Meeting) -> dict[str, Any]:
        starts, ends = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
        return {
            "revision": meeting.revision, "on": starts.date(), "starts": starts.time(), "ends": ends.time(),
            "form": meeting.form, "location": meeting.location, "department": meeting.department,
            "purpose": meeting.purpose, "purpose_note": meeting.purpose_note,
        }

    @classmethod
    def initial_new(cls, case: Case, kind: str) -> dict[str, Any]:
        on = None
        if kind == Meeting.Kind.RELEASE_DAY:
            on = case.expected_release_on
        return {"on": on, "starts": time(10, 0), "ends": time(10, 30) if kind == Meeting.Kind.RELEASE_DAY else time(11, 0)}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        on, starts, ends = cleaned.get("on"), cleaned.get("starts"), cleaned.get("ends")
        if on and starts and ends:
            zone = timezone.get_current_timezone()
            cleaned["starts_at"] = timezone.make_aware(datetime.combine(on, starts), zone)
            ends_at = timezone.make_aware(datetime.combine(on, ends), zone)
            if ends_at <= cleaned["starts_at"]:
                self.add_error("ends", _("The meeting must end after it starts."))
            cleaned["ends_at"] = ends_at
        return cleaned

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        values = {
            "starts_at": data["starts_at"], "ends_at": data["ends_at"], "form": data["form"],
            "location": data.get("location") or "",
        }
        if self.kind == Meeting.Kind.RELEASE_DAY:
            values.update(
                department=data.get("department"), purpose=data.get("purpose") or "", purpose_note=data.get("purpose_note") or ""
            )
        return values


class ParticipantForm(forms.Form):
    party = forms.ChoiceField(label=_("Who"), choices=Party.choices)
    name = forms.CharField(label=_("Name"), required=False, max_length=200)
    role = forms.CharField(label=_("Title or organisation"), required=False, max_length=200)
    department = DepartmentChoiceField(
        label=_("Department"), queryset=MunicipalDepartment.objects.none(), required=False, empty_label="—"
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        if departments is not None:
            self.fields["department"].queryset = departments


class BaseParticipantFormSet(forms.BaseFormSet):
    def __init__(self, *args, case: Case, **kwargs):
        self.departments = MunicipalDepartment.objects.filter(municipality=case.client.acting_municipality).order_by("kind")
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "departments": self.departments}

    def participants(self) -> list[ParticipantData]:
        """The rows with a name; a row left without one is not a participant."""
        return [
            ParticipantData(
                party=f.cleaned_data["party"], name=f.cleaned_data["name"], role=f.cleaned_data.get("role") or "",
                email=f.cleaned_data.get("email") or "", phone=f.cleaned_data.get("phone") or "",
                department=f.cleaned_data.get("department"),
            )
            for f in self.forms
            if f.cleaned_data and (f.cleaned_data.get("name") or "").strip()
        ]


ParticipantFormSet = forms.formset_factory(ParticipantForm, formset=BaseParticipantFormSet, extra=2, max_num=20)


def participant_initial(meeting: Meeting) -> list[dict[str, Any]]:
    return [
        {"party": p.party, "name": p.name, "role": p.role, "department": p.department_id, "email": p.email, "phone": p.phone}
        for p in meeting.participants.all()
    ]


class MeetingHeldForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
    held_on = _date(_("Held on"), initial=timezone.localdate, help_text=_("Not in the future."))
    attended = forms.MultipleChoiceField(
        label=_("Who took part"), required=False, widget=forms.CheckboxSelectMultiple(attrs={"class": "form-checkbox"})
    )
    plan_holder_after = forms.ModelChoiceField(
        label=_("Who holds the plan after the release"), queryset=Organisation.objects.none(), required=False,
        empty_label=_("Choose"),
    )
    plan_holder_after_name = forms.CharField(label=_("Named person holding the plan"), required=False, max_length=200)
    municipal_follow_up = forms.CharField(
        label=_("How the municipality follows up"), required=False, widget=_textarea(3),
        help_text=_("For instance: the job centre's caseworker meets the client on release day and every two weeks."),
    )
    follow_up_called_by = forms.ChoiceField(
        label=_("Who calls the follow-up meeting within four weeks of release"), required=False,
        choices=[("", _("Choose")), *[c for c in Party.choices if c[0] != Party.CLIENT]],
    )
    follow_up_called_by_name = forms.CharField(label=_("Named person calling it"), required=False, max_length=200)
    minutes = forms.CharField(label=_("Notes from the meeting"), required=False, widget=_textarea(5))

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"].choices = [
            (str(p.pk), f"{p.name} – {p.get_party_display()}") for p in meeting.participants.all()
        ]
        if meeting.kind == Meeting.Kind.RELEASE_MEETING:
            case = meeting.case
            self.fields["plan_holder_after"].queryset = Organisation.objects.filter(
                pk__in=[o.pk for o in selectors.responsible_choices(case=case)] + (
                    [meeting.plan_holder_after_id] if meeting.plan_holder_after_id else []
                )
            ).order_by("kind", "name")
            if not self.is_bound:
                self.initial.setdefault("plan_holder_after", case.kif_id if case.expected_parole_on and case.kif_id else case.holding_organisation_id)
        else:
            for name in ("plan_holder_after", "plan_holder_after_name", "municipal_follow_up",
                         "follow_up_called_by", "follow_up_called_by_name"):
                del self.fields[name]

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        arguments = {
            "held_on": data["held_on"],
            "attended": [int(pk) for pk in data.get("attended") or []],
            "minutes": data.get("minutes") or "",
        }
        if "plan_holder_after" in self.fields:
            arguments.update(
                plan_holder_after=data.get("plan_holder_after"),
                plan_holder_after_name=data.get("plan_holder_after_name") or "",
                municipal_follow_up=data.get("municipal_follow_up") or "",
                follow_up_called_by=data.get("follow_up_called_by") or "",
                follow_up_called_by_name=data.get("follow_up_called_by_name") or "",
            )
        return arguments


class MeetingCancelForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
    cancelled_reason = forms.CharField(label=_("Why is the meeting cancelled?"), widget=_textarea(2), max_length=2000)


class AgreementForm(forms.Form):
    item = forms.ModelChoiceField(label=_("Point on the agenda"), queryset=None, empty_label=None)
    who = forms.CharField(label=_("Who"), max_length=200)
    what = forms.CharField(label=_("What"), widget=_textarea(2))
    when = forms.CharField(label=_("When"), required=False, max_length=200)

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = meeting.agenda_items.all()
        self.fields["item"].label_from_instance = lambda item: str(item)


# -- the outcome and KIF -------------------------------------------------------------------------------


class OutcomeForm(forms.Form):
    recorded_on = _date(_("Date"), initial=timezone.localdate)
    housing = _radio(ReleaseOutcome.Housing.choices, _("Housing"))
    income_from_day_one = _radio(YES_NO, _("Income from day one"))
    employment_or_education = _radio(YES_NO, _("Employment or education"))
    treatment = _radio(ReleaseOutcome.Treatment.choices, _("Treatment"))
    note = forms.CharField(label=_("Note"), required=False, widget=_textarea(3))

    @classmethod
    def initial_for(cls, outcome: ReleaseOutcome | None, case: Case, moment: str) -> dict[str, Any]:
        if outcome is None:
            day = case.expected_release_on
            if day and moment == ReleaseOutcome.Moment.AFTER_FOUR_WEEKS:
                day += timedelta(days=domain.FOLLOW_UP_WITHIN_DAYS)
            return {"recorded_on": min(day, timezone.localdate()) if day else timezone.localdate()}
        return {
            "recorded_on": outcome.recorded_on, "housing": outcome.housing,
            "income_from_day_one": "yes" if outcome.income_from_day_one else "no",
            "employment_or_education": "yes" if outcome.employment_or_education else "no",
            "treatment": outcome.treatment, "note": outcome.note,
        }

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "recorded_on": data["recorded_on"], "housing": data["housing"],
            "income_from_day_one": data["income_from_day_one"] == "yes",
            "employment_or_education": data["employment_or_education"] == "yes",
            "treatment": data["treatment"], "note": data.get("note") or "",
        }


class OfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj}, {obj.organisation}"


class KifInvolveForm(forms.Form):
    kif = forms.ModelChoiceField(label=_("KIF department"), queryset=None, empty_label=_("Choose a KIF department"))
    officer = OfficerChoiceField(
        label=_("KIF officer"), queryset=None, required=False, empty_label=_("Not named yet"),
        help_text=_("A probation officer at the department chosen."),
    )
    involved_on = _date(_("Involved on"), initial=timezone.localdate)
    note = forms.CharField(
        label=_("What was agreed"), required=False, widget=_textarea(3),
        help_text=_("The further work with the plan and the hand-over of the plan to KIF at parole (GL step 9)."),
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kif"].queryset = selectors.kif_departments()
        self.fields["officer"].queryset = selectors.kif_officers()
        if not self.is_bound and case.kif_id:
            self.initial.setdefault("kif", case.kif_id)
            self.initial.setdefault("officer", case.kif_officer_id)

