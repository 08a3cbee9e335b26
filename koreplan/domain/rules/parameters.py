"""Every duration and threshold the rules use, as dated values with their citations.

This follows OpenFisca's idea without its framework: a parameter is a history of
values, each in force from a date and carrying the text that demands it. The value
used for a case is the one in force on the date of the legal fact (the case's start:
intake, or the start of supervision), not today's. Where the source texts leave a
number open, the value is marked ``assumed`` and users are shown that word.

A :class:`ParameterSet` can be overridden without code: a local collaboration
agreement between an institution and a municipality (GL p. 45 — for instance contact
six to four months before release instead of one year) replaces a value and adds its
own citation, which then appears on every obligation the value decides.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from koreplan.domain.calendar import Period, days, months, weeks, years
from koreplan.domain.citations import Citation, Source, cirk, gl_page, gl_step, local_agreement, tilsynsbek, vej

#: Values whose source gives no date of entry into force are in force from the
#: beginning of time: the guidance (VEJ nr. 9399 af 26/07/2013) restates them.
SINCE_ALWAYS = date.min

GL_TARGET_GROUPS = Citation(Source.GL, note="Bilag 1, Målgrupper")


@dataclass(frozen=True, slots=True)
class ParameterValue:
    effective_from: date
    value: Period
    citations: tuple[Citation, ...]
    assumed: bool = False
    #: Set when the value comes from a local agreement rather than the law or method.
    local_agreement: bool = False


@dataclass(frozen=True, slots=True)
class Parameter:
    key: str
    description_en: str
    description_da: str
    history: tuple[ParameterValue, ...]  # oldest first

    def at(self, on: date) -> ParameterValue:
        """The value in force on ``on``; before the first value, the first value."""
        chosen = self.history[0]
        for candidate in self.history:
            if candidate.effective_from <= on:
                chosen = candidate
            else:
                break
        return chosen


def _parameter(key: str, en: str, da: str, value: Period, *citations: Citation, assumed: bool = False) -> Parameter:
    return Parameter(key, en, da, (ParameterValue(SINCE_ALWAYS, value, tuple(citations), assumed),))


PARAMETERS: tuple[Parameter, ...] = (
    # -- who the rules apply to ---------------------------------------------------------
    _parameter(
        "plan_required_sentence_over",
        "An action plan is required when the sentence exceeds this length",
        "Handleplan skal udarbejdes, når straffen overstiger denne længde",
        months(4),
        vej(2),
    ),
    _parameter(
        "roadmap_sentence_from",
        "The method applies to sentences of this length or more",
        "Køreplanen gælder for straffe af denne længde og derover",
        months(4),
        GL_TARGET_GROUPS,
    ),
    _parameter(
        "roadmap_minimum_age",
        "The method applies to inmates of at least this age at intake",
        "Køreplanen gælder for indsatte, der ved indsættelsen er fyldt",
        years(18),
        GL_TARGET_GROUPS,
    ),
    _parameter(
        "release_meeting_sentence_over",
        "A release meeting is recommended when the sentence exceeds this length",
        "Løsladelsesmøde anbefales, når straffen overstiger denne længde",
        years(1),
        gl_page(48),
    ),
    _parameter(
        "release_meeting_sentence_over_without_parole",
        "A release meeting is recommended when no parole is expected and the sentence exceeds this length",
        "Løsladelsesmøde anbefales, når der ikke forventes prøveløsladelse, og straffen overstiger denne længde",
        months(4),
        gl_page(48),
    ),
    # -- imprisonment ---------------------------------------------------------------------
    _parameter(
        "intake_interview_within",
        "The intake interview is held within this time after intake",
        "Indsættelsessamtalen holdes inden for denne frist efter indsættelsen",
        days(14),
        gl_step("3"),
        gl_page(42),
        assumed=True,  # the texts say "umiddelbart efter indsættelsen"; GL measured two weeks
    ),
    _parameter(
        "first_plan_within",
        "The first action plan is made within this time after intake",
        "Den første handleplan udarbejdes inden for denne frist efter indsættelsen",
        weeks(4),
        cirk(5, 1),
        vej(40),
    ),
    _parameter(
        "first_plan_within_after_remand",
        "Held on remand until the execution order: the first plan within this time after execution starts",
        "Varetægtsfængslet indtil fuldbyrdelsesordre: første handleplan inden for denne frist efter straffens iværksættelse",
        weeks(4),
        cirk(5, 2),
        vej(41),
    ),
    _parameter(
        "first_plan_within_remand_777",
        "Remand transferred under rpl. § 777: the plan within this time after intake",
        "Varetægt overført efter rpl. § 777: handleplan inden for denne frist efter indsættelsen",
        weeks(4),
        cirk(5, 3),
        vej(47),
    ),
    _parameter(
        "municipality_contact_before_parole",
        "The institution contacts the municipality at the latest this long before the possible parole",
        "Institutionen kontakter kommunen senest så længe før en eventuel prøveløsladelse",
        years(1),
        cirk(12, 2),
        vej(64),
    ),
    _parameter(
        "municipality_contact_within_short_stay",
        "Less than that left at the start: contact within this time after execution starts",
        "Er der kortere tid tilbage ved straffens iværksættelse: kontakt inden for denne frist efter iværksættelsen",
        weeks(4),
        cirk(12, 3),
        vej(64),
    ),
    _parameter(
        "evaluation_interval",
        "Evaluation of the plan at least this often while two years or less remain",
        "Opfølgning på handleplanen mindst så ofte, når der er 2 år eller derunder til løsladelsen",
        months(3),
        cirk(7, 2),
        vej(52),
    ),
    _parameter(
        "evaluation_interval_long_stay",
        "Evaluation at least this often while more than two years remain",
        "Opfølgning mindst så ofte, når der er mere end 2 år til løsladelsen",
        months(6),
        cirk(7, 3),
        vej(52),
    ),
    _parameter(
        "evaluation_long_stay_over",
        "The longer evaluation interval applies while more than this remains until expected release",
        "Det længere opfølgningsinterval gælder, så længe der er mere end dette til forventet løsladelse",
        years(2),
        cirk(7, 3),
        vej(52),
    ),
    _parameter(
        "release_meeting_before_release",
        "The release meeting is called at the latest this long before release",
        "Løsladelsesmødet indkaldes senest så længe før løsladelsen",
        months(3),
        gl_step("8"),
    ),
    _parameter(
        "involve_kif_before_parole",
        "KIF is involved at the latest this long before the expected parole",
        "KIF inddrages senest så længe før forventet prøveløsladelse",
        weeks(8),
        cirk(9),
        vej(45),
    ),
    _parameter(
        "release_day_appointments_before_release",
        "Appointments at the municipality on release day are in place at the latest this long before release",
        "Møder i kommunen på løsladelsesdagen er aftalt senest så længe før løsladelsen",
        weeks(4),
        gl_step("9A"),
    ),
    _parameter(
        "follow_up_after_release",
        "The follow-up meeting is held within this time after release",
        "Opfølgende møde holdes senest så længe efter løsladelsen",
        weeks(4),
        gl_step("8"),
    ),
    # -- supervision -----------------------------------------------------------------------
    _parameter(
        "supervision_first_meeting_within",
        "The paroled person meets probation within this time after release",
        "Den prøveløsladte møder tilsynsmyndigheden senest så længe efter løsladelsen",
        weeks(1),
        tilsynsbek(2, 1),
        vej(44),
    ),
    _parameter(
        "kif_municipality_contact_within",
        "Probation contacts the municipality within this time after supervision starts",
        "KIF kontakter kommunen senest så længe efter tilsynets iværksættelse",
        weeks(4),
        cirk(12, 4),
        gl_step("11"),
    ),
    _parameter(
        "first_plan_within_supervision",
        "Conditional sentence with supervision: the first plan within this time after supervision starts",
        "Betinget dom med tilsyn: første handleplan inden for denne frist efter tilsynets iværksættelse",
        weeks(4),
        cirk(6, 1),
        vej(46),
    ),
    _parameter(
        "first_plan_within_youth",
        "Home detention of a 15–17-year-old: the first plan within this time after the start",
        "15–17-årig på bopæl under intensiv overvågning: første handleplan inden for denne frist efter start",
        weeks(4),
        cirk(5, 1),
        vej(4),
        assumed=True,  # the texts give no deadline; the general rule of cirk. § 5, stk. 1 is used
    ),
    _parameter(
        "supervision_evaluation_interval",
        "Probation follows up on the plan at least this often during supervision",
        "KIF følger op på handleplanen mindst så ofte i tilsynsperioden",
        months(3),
        cirk(7, 4),
        vej(54),
    ),
    _parameter(
        "measure_68_69_evaluation_interval",
        "Measures under strfl. §§ 68–69: follow-up at least this often",
        "Foranstaltninger efter strfl. §§ 68–69: opfølgning mindst så ofte",
        months(6),
        cirk(7, 5),
        vej(55),
    ),
    # -- the plan's versions ---------------------------------------------------------------
    _parameter(
        "plan_first_version_locks_after",
        "The first version of a plan locks this long after it was created",
        "Handleplanens første version låses så længe efter, den blev oprettet",
        days(30),
        vej(9),
    ),
    _parameter(
        "plan_later_version_locks_after",
        "Every later version locks this long after it began",
        "Hver senere version låses så længe efter, den blev påbegyndt",
        months(3),
        vej(9),
    ),
)


@dataclass(frozen=True)
class ParameterSet:
    """The parameters a computation uses: the law's values, possibly locally overridden."""

    parameters: Mapping[str, Parameter]
    _resolved: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_parameters(cls, parameters: Iterable[Parameter]) -> ParameterSet:
        return cls({p.key: p for p in parameters})

    def __getitem__(self, key: str) -> Parameter:
        return self.parameters[key]

    def __iter__(self):
        return iter(self.parameters.values())

    def resolve(self, on: date) -> Mapping[str, ParameterValue]:
        """Every parameter's value in force on ``on`` (cached: many cases share a date)."""
        resolved = self._resolved.get(on)
        if resolved is None:
            resolved = {key: p.at(on) for key, p in self.parameters.items()}
            self._resolved[on] = resolved
        return resolved

    def with_overrides(
        self,
        overrides: Mapping[str, Period | str],
        *,
        agreement: str = "",
        effective_from: date = SINCE_ALWAYS,
    ) -> ParameterSet:
        """A copy where the given values replace the law's from ``effective_from`` on.

        ``agreement`` names the local agreement; it becomes the value's citation next to
        the rule it adjusts. Unknown keys and unreadable durations raise ValueError
        naming the key.
        """
        parameters = dict(self.parameters)
        for key, raw in overrides.items():
            if key not in parameters:
                raise ValueError(f"{key}: no such parameter")
            try:
                value = raw if isinstance(raw, Period) else Period.parse(raw)
            except ValueError as error:
                raise ValueError(f"{key}: {error}") from None
            if value.is_zero:
                raise ValueError(f"{key}: must be longer than zero")
            base = parameters[key]
            current = base.at(effective_from)
            new = ParameterValue(
                effective_from,
                value,
                current.citations + (local_agreement(agreement or "lokal aftale"),),
                assumed=False,
                local_agreement=True,
            )
            kept = tuple(v for v in base.history if v.effective_from < effective_from)
            parameters[key] = replace(base, history=kept + (new,))
        return ParameterSet(parameters)


DEFAULT_PARAMETERS = ParameterSet.from_parameters(PARAMETERS)
