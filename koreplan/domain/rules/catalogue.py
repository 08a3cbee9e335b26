"""The rule catalogue in words: ``docs/rules.md`` is generated from here and the data.

``koreplan rules > docs/rules.md`` writes it; a test checks that the committed page is
what the code says, so the page a lawyer reads can never drift from the rules that run.
"""

from __future__ import annotations

from koreplan.domain.rules.obligations import OBLIGATIONS
from koreplan.domain.rules.parameters import DEFAULT_PARAMETERS

#: How each obligation's due date is computed, in words (rules.md, "Obligations").
DUE_RULES: dict[str, str] = {
    "notify_municipality_of_intake": "At intake (`intake_on`), with the inmate's consent.",
    "appoint_plan_responsible": "At intake (`intake_on`).",
    "intake_interview": "`intake_on` + *intake_interview_within*.",
    "obtain_case_files": "The first plan's due date (**assumed**: the files serve the first plan). None where no first plan is made.",
    "first_plan": (
        "Imprisonment: `intake_on` + *first_plan_within*; held on remand until the execution order: "
        "`execution_started_on` + *first_plan_within_after_remand*; Herstedvester visitation unit: the date the "
        "person is fully visited (cirk. § 5, stk. 4; VEJ pkt. 42); at a pension: none (VEJ pkt. 43). "
        "`remand_777`: `intake_on` + *first_plan_within_remand_777*. Conditional sentence and §§ 68–69: "
        "`supervision_started_on` + *first_plan_within_supervision*. Youth home detention: start + "
        "*first_plan_within_youth* (**assumed**)."
    ),
    "municipality_coordination": (
        "If the possible parole (or, where none is expected, release at full term) lies at least "
        "*municipality_contact_before_parole* after the execution start: that date − *municipality_contact_before_parole*; "
        "else `execution_started_on` + *municipality_contact_within_short_stay*."
    ),
    "plan_evaluation": (
        "Recurring. The first is counted from the first plan (its completion date if done, else its due date; at a "
        "pension from `intake_on`), each next one from the completion of the one before (else its due date). After "
        "date e, with T the expected release: if e is on or after T − *evaluation_long_stay_over*: e + "
        "*evaluation_interval*; else the earlier of e + *evaluation_interval_long_stay* and (T − "
        "*evaluation_long_stay_over*) + *evaluation_interval*. Continues while due before T. `remand_777`: every "
        "*evaluation_interval*, projected one past the last completed."
    ),
    "release_meeting": "T − *release_meeting_before_release* (as soon as possible if that is before the execution start).",
    "involve_kif": "Only when parole is expected: `expected_parole_on` − *involve_kif_before_parole* (as soon as possible rule).",
    "municipal_appointments_on_release_day": (
        "Only when no parole is expected: `release_on` − *release_day_appointments_before_release* (as soon as possible rule)."
    ),
    "status_at_release": "T, the expected release.",
    "supervision_first_meeting": (
        "After parole from prison: `expected_parole_on` + *supervision_first_meeting_within*. Parole supervision case: "
        "`supervision_started_on`, or else `release_on` + *supervision_first_meeting_within*."
    ),
    "supervision_plan": "The same day as the first meeting: the plan is carried on, not restarted.",
    "kif_municipality_coordination": (
        "Supervision start (`supervision_started_on`, else the parole or release date) + *kif_municipality_contact_within*. "
        "Youth home detention: together with the first plan (cirk. § 12, stk. 5). None for §§ 68–69 while admitted "
        "under the judgment (VEJ pkt. 62)."
    ),
    "supervision_evaluation": (
        "Recurring, every *supervision_evaluation_interval* (§§ 68–69: *measure_68_69_evaluation_interval*) from the "
        "supervision plan (conditional sentence and §§ 68–69: from the first plan), while due before `supervision_ends_on`; "
        "with no known end, projected one past the last completed."
    ),
    "follow_up_meeting_after_release": "T + *follow_up_after_release*. Who calls it is agreed at the release meeting.",
    "status_at_supervision_end": "`supervision_ends_on`, when given.",
    "status_at_transfer": "The day the case moves to another plan-responsible: an event the application records, not a date the timeline foresees.",
}

#: Where rules.md leaves room, the reading chosen — each to serve the person in prison.
READINGS: tuple[tuple[str, str], ...] = (
    (
        "Unknown housing or income",
        "`housing_secured` or `income_secured` not given counts as *not secured*: the plan duty, the method and the "
        "release meeting then apply, and a warning names the field. Missing help is worse than an extra meeting.",
    ),
    (
        "Unknown § 31 leave",
        "`section_31_leave_possible` not given counts as *no leave possible*, so a release meeting is recommended.",
    ),
    (
        "Unknown sentence or birth date",
        "With no `sentence`, the plan duty and the method are taken to apply; with no `birth_date`, the person is "
        "taken to be an adult. Both give a warning.",
    ),
    (
        "Parole expected",
        "Parole with supervision is taken to be expected exactly when `expected_parole_on` is given.",
    ),
    (
        "The as-soon-as-possible rule",
        "Applied to every deadline counted back from a later date (municipality contact one year before parole, "
        "the release meeting, involving KIF, appointments on release day): a date before the execution start becomes "
        "the execution start, marked `asap`. Deadlines counted forward from intake are never moved.",
    ),
    (
        "Comparing lengths on the calendar",
        "\"At least one year to parole\" is read as: execution start + 1 year ≤ parole date; \"two years or less "
        "remain\" as: e ≥ T − 2 years. Both use calendar years, so 29 February counts as 28 February.",
    ),
    (
        "Supervision start in a parole supervision case",
        "With no `supervision_started_on`, the first meeting and the supervision plan are due `release_on` + 7 days, "
        "and the contact to the municipality is counted from `release_on` — the earlier date, as for inmates, where "
        "the contact is counted from the parole date.",
    ),
    (
        "Youth home detention start",
        "The start is `supervision_started_on`, else `execution_started_on`, else `intake_on`. The contact to the "
        "municipality follows the first plan's (assumed) deadline and is marked assumed too.",
    ),
    (
        "Remand under rpl. § 777",
        "Evaluations every three months, one past the last completed; none on or after a known `release_on`, since "
        "the plan covers the stay only (VEJ pkt. 47).",
    ),
    (
        "Status at the end of supervision for inmates",
        "Added when `supervision_ends_on` is given, parole or not.",
    ),
    (
        "Exactly one year to parole",
        "Parole (or release) exactly one year after the execution start is not \"less than 1 year\" (VEJ pkt. 64): "
        "the contact is due one year before, which is the execution start itself.",
    ),
    (
        "Evaluations and the release date",
        "An evaluation falling on T itself is left out: evaluations continue while due *before* T, and the status "
        "at release is due that day. Each occurrence counts from the one before, so a date clamped to a month's end "
        "carries forward (30 April + 3 months = 30 July).",
    ),
    (
        "Release meeting for other case types",
        "`release_meeting_recommended` is about release from prison: it is false for every case type but imprisonment.",
    ),
    (
        "Which parameter values apply",
        "The values in force on the date of the legal fact: the intake (or execution start, supervision start or "
        "release, in that order). A local agreement replaces a value from its effective date and is cited next to the "
        "rule it adjusts.",
    ),
)


def render_markdown() -> str:
    lines = [
        "# The rules of Køreplan",
        "",
        "Generated by `koreplan rules` from the rule data in `koreplan/domain/rules/`; do not edit by hand.",
        "Sources: **VEJ** = *Vejledning om udarbejdelse af handleplaner* (VEJ nr. 9399 af 26/07/2013), which cites",
        "the circular (**cirk.**, *handleplanscirkulæret*) and **strfbl.** (*straffuldbyrdelsesloven*); **GL** = the",
        "final report of *Projekt God Løsladelse*, whose Bilag 1 is the method *Køreplan for god løsladelse*.",
        "",
        "Weeks and days are exact day counts; months and years are calendar months (31 January + 1 month =",
        "28/29 February). Deadlines are never moved off weekends or public holidays; they are flagged.",
        "",
        "## Who the rules apply to",
        "",
        "- **Action plan required** (`plan_required`): imprisonment when the sentence exceeds *plan_required_sentence_over*,"
        " or is shorter but parole with supervision is expected or housing or income is not secured (VEJ pkt. 2;"
        " GL Bilag 1, Målgrupper); remand under rpl. § 777 (VEJ pkt. 47); parole and conditional supervision unless"
        " the person is deemed not to need assistance (VEJ pkt. 2); measures under strfl. §§ 68–69 (VEJ pkt. 3);"
        " youth home detention (VEJ pkt. 4).",
        "- **The method applies** (`roadmap_applies`): imprisonment of a person of at least *roadmap_minimum_age* at"
        " intake whose sentence is *roadmap_sentence_from* or more, or shorter where parole with supervision is"
        " expected or housing or income is not secured (GL Bilag 1, Målgrupper). At exactly four months the method"
        " applies and the legal duty does not.",
        "- **Municipal coordination** (`municipal_coordination_applies`): wherever the obligations apply, except"
        " remand under § 777 and §§ 68–69 while admitted under the judgment (VEJ pkt. 60–63).",
        "- **Release meeting recommended** (GL p. 48): housing or income not secured; or no § 31 leave possible; or"
        " the sentence exceeds *release_meeting_sentence_over*; or it exceeds"
        " *release_meeting_sentence_over_without_parole* and no parole is expected.",
        "- Where the plan duty or the method applies, every obligation of the case type applies; else none.",
        "",
        "## Obligations",
        "",
        "| id | who | step | Danish title | due | legal basis |",
        "|---|---|---|---|---|---|",
    ]
    for rule in OBLIGATIONS.values():
        basis = "; ".join(str(c) for c in rule.legal_basis) or "see the parameters used"
        lines.append(
            f"| `{rule.id}` | {rule.who.value} | {rule.step or '–'} | {rule.title_da} | {DUE_RULES[rule.id]} | {basis} |"
        )
    lines += [
        "",
        "## Parameters",
        "",
        "Every duration and threshold, with the value in force, its source, and whether the texts leave it open",
        "(**assumed**: shown to users, and changeable by an administrator). A local collaboration agreement can",
        "override a value (GL p. 45), e.g. `koreplan timeline CASE.json --override municipality_contact_before_parole=P6M`.",
        "",
        "| parameter | meaning | value | in force from | source | assumed |",
        "|---|---|---|---|---|---|",
    ]
    for parameter in DEFAULT_PARAMETERS:
        for value in parameter.history:
            since = "always" if value.effective_from.year == 1 else value.effective_from.isoformat()
            lines.append(
                f"| *{parameter.key}* | {parameter.description_en} ({parameter.description_da}) | `{value.value}` | "
                f"{since} | {'; '.join(str(c) for c in value.citations)} | {'**assumed**' if value.assumed else 'no'} |"
            )
    lines += ["", "## Readings", "", "Where rules.md leaves room, this is the reading the code follows.", ""]
    for topic, reading in READINGS:
        lines.append(f"- **{topic}.** {reading}")
    lines.append("")
    return "\n".join(lines)
