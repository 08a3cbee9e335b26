"""Forms of the case pages: they read and check input, the services decide and write.

A form never saves. The views pass ``cleaned_data`` to a service, and the service's
``ValidationError`` (which names its fields) is put back on the form with
:func:`add_service_errors`, so a rule is written once — in the service — and the user
still sees each problem next to the field it is about.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from koreplan.accounts.models import User
from koreplan.cases import queries_ui
from koreplan.cases.models import Case, CaseType, Handover, JournalEntry, Placement
from koreplan.cases.selectors import plan_holders_at
from koreplan.domain.calendar import Period
from koreplan.domain.cpr import parse_cpr
from koreplan.organisations.models import Organisation

#: The steps of the method (GL Bilag 1), in the order a reader counts them.
STEPS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "9A", "10", "11", "12")

TRI_STATE_CHOICES = [("True", _("Yes")), ("False", _("No")), ("", _("Unknown"))]


def add_service_errors(form: forms.Form, error: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """Put a service's ValidationError on the form, field by field.

    ``aliases`` maps a service's field name to the form's (``to_user`` → ``to_person``).
    Errors on fields the form does not show (or shows hidden, as ``revision``) become
    errors of the whole form, so they are never lost.
    """
    aliases = aliases or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, messages in error.message_dict.items():
        field = aliases.get(name, name)
        if field in form.fields and not form.fields[field].widget.is_hidden:
            form.add_error(field, messages)
        else:
            form.add_error(None, messages)


def _date_field(label, help_text: str = "", required: bool = False, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        help_text=help_text,
        required=required,
        widget=forms.DateInput(attrs={"type": "date", "class": "input-width-s"}, format="%Y-%m-%d"),
        **kwargs,
    )


def _tri_state(label, help_text: str = "") -> forms.TypedChoiceField:
    """Yes / no / unknown: the rules treat "unknown" differently from "no"."""
    return forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        required=False,
        choices=TRI_STATE_CHOICES,
        coerce=lambda value: value == "True",
        empty_value=None,
        widget=forms.RadioSelect(attrs={"class": "form-radio"}),
    )


def _count_field(label) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, required=False, min_value=0, max_value=1200,
        widget=forms.NumberInput(attrs={"class": "input-char-4", "inputmode": "numeric"}),
    )


# -- the facts ------------------------------------------------------------------------------

#: The facts as the form shows them, in reading order; each is a case column of the same name.
FACT_DATE_FIELDS = (
    "intake_on", "execution_started_on", "expected_parole_on", "release_on",
    "herstedvester_visitation_completed_on", "supervision_started_on", "supervision_ends_on",
)
FACT_BOOLEAN_FIELDS = (
    "remanded_until_execution_order", "housing_secured", "income_secured",
    "section_31_leave_possible", "needs_assistance", "admitted_under_judgment",
)
SENTENCE_FIELDS = ("sentence_years", "sentence_months", "sentence_days")


class FactsForm(forms.Form):
    """The facts the rules read (rules.md, "Case facts").

    The sentence is asked as years, months and days rather than as an ISO 8601 duration
    (``P1Y6M``): that is how a judgment states it, and no one should have to learn ISO
    notation to register one. The form turns it into the ISO value the rules read.
    """

    case_type = forms.ChoiceField(label=_("Case type"), choices=CaseType.choices)
    sentence_years = _count_field(_("Sentence in years"))
    sentence_months = _count_field(_("Sentence in months"))
    sentence_days = _count_field(_("Sentence in days"))
    intake_on = _date_field(_("Intake"), _("The day the person came to the institution."))
    execution_started_on = _date_field(
        _("Execution of the sentence started"),
        _("Only if it differs from the intake, e.g. after remand. Leave empty to use the intake."),
    )
    remanded_until_execution_order = _tri_state(_("Remanded in custody until the execution order?"))
    expected_parole_on = _date_field(_("Expected parole"), _("Leave empty if no parole is expected."))
    release_on = _date_field(_("Release at full term"))
    placement = forms.ChoiceField(
        label=_("Placement"),
        required=False,
        choices=[("", _("Follows from the holding organisation")), *Placement.choices],
    )
    herstedvester_visitation_completed_on = _date_field(
        _("Herstedvester visitation completed"), _("Only for placements at Anstalten ved Herstedvester.")
    )
    supervision_started_on = _date_field(_("Supervision started"), _("For supervision cases and home detention."))
    supervision_ends_on = _date_field(_("Supervision ends"))
    housing_secured = _tri_state(_("Is housing secured after release?"))
    income_secured = _tri_state(_("Is income secured from the day of release?"))
    section_31_leave_possible = _tri_state(_("Is leave under strfl. § 31 possible?"))
    needs_assistance = _tri_state(
        _("Does the person need assistance?"), _("Supervision cases: without this need no plan is required.")
    )
    admitted_under_judgment = _tri_state(
        _("Admitted under the judgment?"), _("Measures under strfl. §§ 68–69 only.")
    )

    #: Service field names that the form shows under another name.
    service_aliases = {"sentence": "sentence_years"}

    @property
    def sentence_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in SENTENCE_FIELDS]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        years, months, days = (cleaned.get(name) or 0 for name in SENTENCE_FIELDS)
        cleaned["sentence"] = Period(months=years * 12 + months, days=days).iso() if (years or months or days) else ""
        return cleaned

    def facts(self) -> dict[str, Any]:
        """The facts as the services take them: every column, None or "" for unknown."""
        data = self.cleaned_data
        facts = {name: data.get(name) for name in (*FACT_DATE_FIELDS, *FACT_BOOLEAN_FIELDS)}
        facts["sentence"] = data["sentence"]
        facts["placement"] = data.get("placement") or ""
        return facts

    @staticmethod
    def initial_from_case(case: Case) -> dict[str, Any]:
        initial: dict[str, Any] = {"case_type": case.case_type, "placement": case.placement}
        for name in (*FACT_DATE_FIELDS, *FACT_BOOLEAN_FIELDS):
            initial[name] = getattr(case, name)
        if case.sentence:
            try:
                period = Period.parse(case.sentence)
            except ValueError:
                period = None
            if period is not None:
                years, months = divmod(period.months, 12)
                initial.update(sentence_years=years or None, sentence_months=months or None, sentence_days=period.days or None)
        return initial


class CaseFactsForm(FactsForm):
    """Change the facts. ``revision`` is the version the form was made from (optimistic locking)."""

    revision = forms.IntegerField(widget=forms.HiddenInput)

    def facts(self) -> dict[str, Any]:
        facts = super().facts()
        facts["case_type"] = self.cleaned_data["case_type"]
        return facts


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.username


class CaseCreateForm(FactsForm):
    """A new client and case in one form; an existing client is found by the CPR number."""

    cpr = forms.CharField(
        label=_("CPR number"),
        max_length=11,
        help_text=_("Ten digits, written DDMMÅÅ-XXXX or DDMMÅÅXXXX."),
        widget=forms.TextInput(attrs={"class": "input-char-11", "autocomplete": "off", "inputmode": "numeric"}),
    )
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    acting_municipality = forms.ModelChoiceField(
        label=_("Acting municipality (handlekommune)"),
        queryset=Organisation.objects.none(),
        help_text=_("The municipality of the person's last registered address (folkeregisteradresse)."),
        empty_label=_("Choose a municipality"),
    )
    holding_organisation = forms.ModelChoiceField(
        label=_("Holding organisation"),
        queryset=Organisation.objects.none(),
        help_text=_("The institution or KIF department that holds the case."),
        empty_label=_("Choose an organisation"),
    )
    plan_responsible = PersonChoiceField(
        label=_("Plan-responsible"), queryset=User.objects.none(), required=False,
        empty_label=_("Not appointed yet"),
    )
    substitute = PersonChoiceField(
        label=_("Substitute"), queryset=User.objects.none(), required=False, empty_label=_("None"),
        help_text=_("Covers during the plan-responsible's absence (cirk. § 4, stk. 1)."),
    )

    service_aliases = {**FactsForm.service_aliases, "birth_date": "cpr"}
    # The order of the page, so the error summary reads in the same order.
    field_order = [
        "cpr", "first_name", "last_name", "acting_municipality",
        "holding_organisation", "plan_responsible", "substitute", "case_type",
    ]

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["acting_municipality"].queryset = queries_ui.municipalities()
        holding = self.fields["holding_organisation"]
        holding.queryset = queryset = queries_ui.holding_organisations()
        if user.organisation_id and user.organisation.kind in (Organisation.Kind.INSTITUTION, Organisation.Kind.KIF):
            holding.initial = user.organisation_id
            if user.may_hold_plan:
                self.fields["plan_responsible"].initial = user.pk
        if not user.is_superuser:
            # A case is opened by the organisation that will hold it (services.case_open); others
            # are asked to take it over through a hand-over.
            holding.queryset = queryset = queryset.filter(pk=user.organisation_id)
            holding.disabled = True
        else:
            # htmx: when the organisation changes, fetch its staff for the two person fields.
            holding.widget.attrs.update(
                {
                    "hx-post": reverse("cases:case_create"),
                    "hx-trigger": "change",
                    "hx-target": "#people",
                    "hx-swap": "outerHTML",
                    "hx-vals": '{"refresh_people": "1"}',
                }
            )
        self.holding_organisation = self._chosen_holding_organisation(queryset)
        holders = (
            plan_holders_at(organisation=self.holding_organisation)
            if self.holding_organisation is not None
            else User.objects.none()
        )
        self.fields["plan_responsible"].queryset = holders
        self.fields["substitute"].queryset = holders

    @property
    def holding_organisation_name(self) -> str:
        return str(self.holding_organisation or "")

    def _chosen_holding_organisation(self, queryset) -> Organisation | None:
        """The organisation whose staff the person fields list: the one posted, else the default."""
        key = self.add_prefix("holding_organisation")
        if self.is_bound and not self.fields["holding_organisation"].disabled:
            chosen = self.data.get(key)
        else:
            chosen = self.initial.get("holding_organisation", self.fields["holding_organisation"].initial)
        if not chosen:
            return None
        try:
            return queryset.get(pk=getattr(chosen, "pk", chosen))
        except (Organisation.DoesNotExist, ValueError, TypeError):
            return None

    def clean_cpr(self) -> str:
        try:
            number, _birth = parse_cpr(self.cleaned_data["cpr"], today=timezone.localdate())
        except ValueError:
            raise ValidationError(
                _("Enter a valid CPR number: ten digits whose first six are a real date of birth that is not in the future."),
                code="invalid",
            ) from None
        return number


class TaskCompleteForm(forms.Form):
    completed_on = _date_field(
        _("Done on"), required=True, initial=timezone.localdate,
        help_text=_("The date the task was carried out; not in the future."),
    )
    evidence = forms.CharField(
        label=_("Comment or link"),
        required=False,
        max_length=2000,
        help_text=_("What was done, or a link to the document (for instance in the ESDH system)."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    @staticmethod
    def prefix_for(task) -> str:
        """A task's form among the many of a page, each with field names of its own."""
        return f"t{task.pk}"


class ResponsibilityForm(forms.Form):
    plan_responsible = PersonChoiceField(
        label=_("Plan-responsible"), queryset=User.objects.none(), required=False, empty_label=_("Not appointed yet")
    )
    substitute = PersonChoiceField(
        label=_("Substitute"), queryset=User.objects.none(), required=False, empty_label=_("None")
    )
    substitute_covering = forms.BooleanField(
        label=_("The substitute covers during the plan-responsible's absence"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-checkbox"}),
        help_text=_("While ticked, the plan-responsible's tasks show in the substitute's worklist (cirk. § 4, stk. 1)."),
    )

    def __init__(self, *args, case: Case, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "plan_responsible": case.plan_responsible_id,
                "substitute": case.substitute_id,
                "substitute_covering": case.substitute_covering,
            },
        )
        super().__init__(*args, **kwargs)
        holders = plan_holders_at(organisation=case.holding_organisation)
        self.fields["plan_responsible"].queryset = holders
        self.fields["substitute"].queryset = holders


class HandoverRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Hand over to"),
        choices=Handover.Kind.choices,
        widget=forms.RadioSelect(attrs={"class": "form-radio"}),
    )
    to_person = PersonChoiceField(
        label=_("Person in your organisation"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("When handing over to another person."),
        empty_label=_("Choose a person"),
    )
    to_institution = forms.ModelChoiceField(
        label=_("Institution"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("When handing over to another institution."),
        empty_label=_("Choose an institution"),
    )
    to_kif = forms.ModelChoiceField(
        label=_("KIF department"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("When handing over to probation (KIF) at parole."),
        empty_label=_("Choose a KIF department"),
    )
    placement = forms.ChoiceField(
        label=_("New placement"),
        required=False,
        choices=[("", _("Follows from the receiving organisation")), *Placement.choices],
    )
    message = forms.CharField(
        label=_("Message to the receiver"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the receiver needs to know to take hold."),
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["to_person"].queryset = plan_holders_at(organisation=case.holding_organisation)
        self.fields["to_institution"].queryset = Organisation.objects.filter(
            kind=Organisation.Kind.INSTITUTION
        ).exclude(pk=case.holding_organisation_id).order_by("name")
        self.fields["to_kif"].queryset = Organisation.objects.filter(kind=Organisation.Kind.KIF).order_by("name")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == Handover.Kind.INSTITUTION and not cleaned.get("to_institution"):
            self.add_error("to_institution", _("Choose another institution."))
        elif kind == Handover.Kind.KIF_AT_PAROLE and not cleaned.get("to_kif"):
            self.add_error("to_kif", _("Choose a KIF department."))
        return cleaned

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        kind = data["kind"]
        if kind == Handover.Kind.PERSON:
            to_organisation, to_user = self.case.holding_organisation, data.get("to_person")
        elif kind == Handover.Kind.INSTITUTION:
            to_organisation, to_user = data["to_institution"], None
        else:
            to_organisation, to_user = data["to_kif"], None
        return {
            "kind": kind,
            "to_organisation": to_organisation,
            "to_user": to_user,
            "placement": data.get("placement") or "",
            "message": data.get("message") or "",
        }

    def service_aliases(self) -> dict[str, str]:
        kind = self.cleaned_data.get("kind")
        target = {Handover.Kind.INSTITUTION: "to_institution", Handover.Kind.KIF_AT_PAROLE: "to_kif"}.get(kind, "to_person")
        return {"to_user": "to_person", "to_organisation": target}


class JournalEntryForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of entry"),
        choices=JournalEntry.Kind.choices,
        initial=JournalEntry.Kind.CONTACT,
        widget=forms.RadioSelect(attrs={"class": "form-radio"}),
    )
    occurred_on = _date_field(pgettext_lazy("journal entry", "Date"), required=True, initial=timezone.localdate)
    text = forms.CharField(
        label=_("What happened"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "The journal holds contacts and attempts at contact. Results and significant facts "
            "belong in the action plan (VEJ pkt. 11)."
        ),
    )

    def __init__(self, *args, **kwargs):
        # The case page also shows the hand-over form, whose `kind` radios would otherwise
        # have the same ids (id_kind_0 …): each label would point at two inputs.
        kwargs.setdefault("auto_id", "journal_%s")
        super().__init__(*args, **kwargs)


class HandoverAcceptForm(forms.Form):
    plan_responsible = PersonChoiceField(
        label=_("Plan-responsible from now on"),
        queryset=User.objects.none(),
        empty_label=None,
        help_text=_("The person in your organisation who takes over the plan."),
    )

    def __init__(self, *args, handover: Handover, holders: list[User], user: User, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["plan_responsible"]
        field.queryset = User.objects.filter(pk__in=[holder.pk for holder in holders])
        # The holders are already loaded: list them without another query per hand-over.
        field.choices = [(holder.pk, field.label_from_instance(holder)) for holder in holders]
        default = handover.to_user_id or (user.pk if any(h.pk == user.pk for h in holders) else None)
        field.initial = default


class MunicipalityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return obj.name


class ActingMunicipalityForm(forms.Form):
    """Skift handlekommune: the new acting municipality and why."""

    municipality = MunicipalityChoiceField(
        label=_("New acting municipality"),
        queryset=Organisation.objects.none(),
        empty_label=_("Choose a municipality"),
        error_messages={
            "required": _("Choose a municipality."),
            "invalid_choice": _("Choose a municipality."),
        },
        help_text=_("The municipality of the person's last registered address (folkeregisteradresse)."),
    )
    reason = forms.CharField(
        label=_("Why does the acting municipality change?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the acting municipality changes.")},
        help_text=_("For instance: the person has moved, or the municipality answered that another one acts. "
                    "It is written in the journal."),
    )

    def __init__(self, *args, suggested: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = queries_ui.municipalities()
        if suggested is not None:
            self.fields["municipality"].initial = suggested


class HandoverReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the hand-over returned?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the hand-over is returned.")},
        help_text=_("The sender reads this and keeps the case until someone takes hold."),
    )


# -- filters --------------------------------------------------------------------------------


class WorklistFilterForm(forms.Form):
    case_type = forms.ChoiceField(
        label=_("Case type"), required=False, choices=[("", _("All case types")), *CaseType.choices]
    )
    step = forms.ChoiceField(
        label=_("Step"), required=False,
        choices=[("", _("All steps")), *((step, _("Step %(step)s") % {"step": step}) for step in STEPS)],
    )
    # By id and name, not a model field's queryset: the choices are read in one narrow
    # query and a chosen id is checked against them, with no query of its own.
    organisation = forms.TypedChoiceField(label=_("Organisation"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, organisation_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [
            ("", _("All organisations")),
            *queries_ui.worklist_organisations(organisation_ids=organisation_ids),
        ]

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {"case_type": "", "step": "", "organisation_id": None}
        return {
            "case_type": self.cleaned_data.get("case_type") or "",
            "step": self.cleaned_data.get("step") or "",
            "organisation_id": self.cleaned_data.get("organisation"),
        }


class CaseSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search by name or CPR number"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[(Case.Status.OPEN, _("Open cases")), (Case.Status.CLOSED, _("Closed cases")), ("all", _("All cases"))],
    )
    no_plan_responsible = forms.BooleanField(
        label=_("Without plan-responsible"), required=False,
        help_text=_("No plan-responsible is named, or the one named has left."),
    )
    # Recorded on the search's audit entry by audit_record (koreplan.audit.services.request_purpose).
    purpose = forms.CharField(
        label=_("Purpose"), required=False, max_length=300,
        help_text=_("Optional. Recorded in the audit log with what you see."),
    )

    def query(self) -> tuple[str, str]:
        if not self.is_valid():
            return "", Case.Status.OPEN
        status = self.cleaned_data.get("status") or Case.Status.OPEN
        return self.cleaned_data.get("q", "").strip(), "" if status == "all" else status

    def without_plan_responsible(self) -> bool:
        return self.is_valid() and bool(self.cleaned_data.get("no_plan_responsible"))
