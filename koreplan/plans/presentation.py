"""How the plan reads: section titles, help texts and the idea catalogue (VEJ pkt. 32–39),
and the words for a comparison of two versions.

The help texts follow the guidance's own wording (Vejledning om udarbejdelse af
handleplaner, VEJ nr. 9399 af 26/07/2013, Afsnit III and V); the Danish text is in
locale/da, the English here is its translation. "Når skemaet udfyldes …, vil
hjælpetekst/idékatalog være tilgængelig" (VEJ pkt. 32).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _, gettext_lazy, pgettext_lazy

from koreplan.domain import plan as domain
from koreplan.plans.models import ActionStatus, ClientStance, LifeArea, Participation, Performer

# -- sections ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionHelp:
    key: str
    number: int
    title: Any
    html_id: str
    help: tuple[Any, ...]
    ideas: tuple[Any, ...]
    citation: str


SECTIONS: tuple[SectionHelp, ...] = (
    SectionHelp(
        "master_data", 1, gettext_lazy("Master data"), "sektion-stamoplysninger",
        (
            gettext_lazy(
                "This section holds objective information about the client that is needed in the casework and "
                "that helps give a picture of the client's status with the Prison and Probation Service."
            ),
            gettext_lazy("The information is filled in automatically from the case."),
        ),
        (),
        "VEJ pkt. 33",
    ),
    SectionHelp(
        "description", 2, gettext_lazy("Description"), "sektion-beskrivelse",
        (
            gettext_lazy(
                "As the basis of the plan, write a brief description of the client's personal and social "
                "circumstances and the criminogenic factors. It builds on conversations with the client and on "
                "relevant, factual information from the journal, the social inquiry report, the judgment, "
                "disciplinary records etc."
            ),
            gettext_lazy(
                "Only information relevant to the further work with the plan belongs here, and information from "
                "other authorities may only be obtained with the client's consent."
            ),
            gettext_lazy(
                "Not every point needs to be described in the first version: the description can be built up "
                "gradually, as it comes naturally and you get to know the client. New information is added under "
                "each point with its date."
            ),
            gettext_lazy(
                "What comes up at the intake interview is written straight into the plan — not into the journal."
            ),
        ),
        (
            gettext_lazy("Which factors, in your experience, promote a life free of crime for this client?"),
            gettext_lazy("Which factors hinder it?"),
            gettext_lazy(
                "Is there a recent description elsewhere (e.g. a social inquiry report)? Refer to it, but always "
                "summarise the relevant information briefly here."
            ),
        ),
        "VEJ pkt. 28, 34, 51–52",
    ),
    SectionHelp(
        "causes", 3, gettext_lazy("Causes of crime"), "sektion-aarsager",
        (
            gettext_lazy(
                "Discuss the immediate causes of the crime committed (the criminogenic factors). Put them to the "
                "client and compare them with the factors in the description that affect the possibility of "
                "living a life free of crime."
            ),
            gettext_lazy(
                "Through dialogue, uncover the patterns behind the crime, and examine carefully and systematically, "
                "in close cooperation with the client, which goals can be set to change this behaviour and these "
                "patterns, and whether the client agrees."
            ),
        ),
        (
            gettext_lazy("Which factors triggered the act?"),
            gettext_lazy("What was the immediate gain for the client — why, and how?"),
            gettext_lazy("What has the crime cost the client in the short and the long term?"),
            gettext_lazy("Which goals can be set to change the behaviour and the patterns?"),
            gettext_lazy("Does the client agree?"),
            gettext_lazy(
                "The client's social skills, reaction patterns, adaptability, motivation and self-perception."
            ),
        ),
        "VEJ pkt. 35",
    ),
    SectionHelp(
        "assessment", 4, gettext_lazy("Assessment and areas of effort"), "sektion-vurdering",
        (
            gettext_lazy(
                "Make an overall assessment of the client's whole situation — not an assessment of the client as "
                "a person. Assess the client's resources and barriers to living a life free of crime. The "
                "assessment builds on the description and the causes of crime: no new information may appear here."
            ),
            gettext_lazy(
                "Then identify the areas of effort, so that it is clear what will be worked on. Each area of effort "
                "is prioritised and justified. The client's own view of the assessment must appear, including "
                "whether they agree and, if not, on what."
            ),
            gettext_lazy(
                "Set realistic goals and sub-goals that can be met. Tell the client that the plan is a statement "
                "of intent for the work, not a contract. Changes to the plan must always be justified and may not "
                "be made without first discussing them with the client."
            ),
            gettext_lazy(
                "Describe the proposed efforts: when to act, who acts and how. Where a mentor is attached, make "
                "clear which tasks are the mentor's and which are the Prison and Probation Service's."
            ),
        ),
        (
            gettext_lazy("What are the client's resources, and what are the barriers?"),
            gettext_lazy("Which areas were chosen — and which relevant areas were deliberately left out, and why?"),
            gettext_lazy("Is the plan realistic given the time left of the sentence or supervision?"),
            gettext_lazy("Are the efforts still relevant, were they carried out, and if not: is it relevant to try again?"),
            gettext_lazy(
                "To what extent are the efforts coordinated with internal and external partners, and is there an "
                "agreement on evaluation, its form and its participants?"
            ),
            gettext_lazy("Refer to decisions of joint meetings or meetings with the public prosecutor here."),
            gettext_lazy(
                "Parole: consider release under straffeloven § 40 a, stk. 1, nr. 1 in the efforts started, and "
                "under nr. 2 where the client's circumstances speak for it."
            ),
            gettext_lazy(
                "Nothing new for a long time? Say so briefly with the date, e.g. “8.8.: still admitted; regular "
                "contact with the treating doctor; treatment goes to plan.”"
            ),
        ),
        "VEJ pkt. 10, 31, 36–37, 51",
    ),
    SectionHelp(
        "partners", 5, gettext_lazy("Partners"), "sektion-samarbejdspartnere",
        (
            gettext_lazy(
                "A practical tool for the daily work: fill it in and keep it up to date with names, phone numbers, "
                "addresses and e-mail addresses as internal and external partners are identified and involved."
            ),
            gettext_lazy(
                "On coordinating the plan with the municipality, state whether the client is covered by the rules, "
                "whether the client consented to the contact with the municipality, whether and when the "
                "municipality was contacted, and whether the municipality followed up."
            ),
        ),
        (
            gettext_lazy(
                "The most frequent partners: the social services, the jobcentre, the addiction centre, "
                "psychiatry, schools and educational institutions, and the client's network."
            ),
            gettext_lazy("Internal partners: the workshop or school, the contact officer, the probation service (KIF)."),
        ),
        "VEJ pkt. 15, 38–39",
    ),
)

SECTION_BY_KEY = {s.key: s for s in SECTIONS}

#: Prompts per life area: what the description of each point may cover.
LIFE_AREA_IDEAS: dict[str, tuple[Any, ...]] = {
    LifeArea.HEALTH_PHYSICAL: (
        gettext_lazy("Illnesses, disabilities, medicine; is the client in treatment, and does it go on after release?"),
    ),
    LifeArea.HEALTH_MENTAL: (
        gettext_lazy("Diagnoses, psychiatric treatment, contact with psychiatry; suicide risk."),
    ),
    LifeArea.HOUSING: (
        gettext_lazy("Does the client have a home, and can it be kept during the sentence?"),
        gettext_lazy("Where will the client live on the day of release?"),
    ),
    LifeArea.EDUCATION_EMPLOYMENT: (
        gettext_lazy("Schooling, education, work experience; occupation during the sentence; job or education after release."),
    ),
    LifeArea.FINANCES: (
        gettext_lazy("Income, debt, benefits; will there be income from the day of release?"),
    ),
    LifeArea.NETWORK: (
        gettext_lazy("Family, children, partner, friends — who supports the client, and who pulls towards crime?"),
    ),
    LifeArea.SUBSTANCE_USE: (
        gettext_lazy("Use of alcohol and drugs, earlier and current treatment; contact with the addiction centre."),
    ),
    LifeArea.OTHER: (gettext_lazy("Leisure, conditions, anything else relevant to the plan."),),
}

#: Danish slugs for the life areas in URLs.
LIFE_AREA_SLUGS = {
    LifeArea.HEALTH_PHYSICAL: "fysisk-helbred",
    LifeArea.HEALTH_MENTAL: "psykisk-helbred",
    LifeArea.HOUSING: "bolig",
    LifeArea.EDUCATION_EMPLOYMENT: "uddannelse-beskaeftigelse",
    LifeArea.FINANCES: "oekonomi",
    LifeArea.NETWORK: "netvaerk",
    LifeArea.SUBSTANCE_USE: "misbrug",
    LifeArea.OTHER: "andet",
}
LIFE_AREA_BY_SLUG = {slug: area for area, slug in LIFE_AREA_SLUGS.items()}

#: The sections edited as a whole, by their URL slug.
SECTION_SLUGS = {
    "deltagelse": domain.Section.PARTICIPATION,
    "aarsager": domain.Section.CAUSES,
    "vurdering": domain.Section.ASSESSMENT,
    "samarbejdspartnere": domain.Section.PARTNERS,
}
SLUG_BY_SECTION = {section: slug for slug, section in SECTION_SLUGS.items()}

#: The partial of plans/_document.html that shows each section.
SECTION_PARTIALS = {
    domain.Section.PARTICIPATION: "participation",
    domain.Section.DESCRIPTION: "description",
    domain.Section.CAUSES: "causes",
    domain.Section.ASSESSMENT: "assessment",
    domain.Section.PARTNERS: "partners",
}


# -- reading values ---------------------------------------------------------------------------

_CHOICES = {
    domain.LifeArea: LifeArea,
    domain.Participation: Participation,
    domain.ClientStance: ClientStance,
    domain.Performer: Performer,
    domain.ActionStatus: ActionStatus,
}


def label_of(value: StrEnum | None) -> str:
    if value is None:
        return ""
    return str(_CHOICES[type(value)](value.value).label)


def render_value(path: tuple[str, ...], value: Any) -> str:
    """A value of the content as the user reads it (for the comparison)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, domain.DescriptionEntry):
        text = f"{date_format(value.on, 'SHORT_DATE_FORMAT')}: {value.text}"
        if value.from_intake_interview:
            text += " " + _("(intake interview)")
        return text
    if isinstance(value, date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, StrEnum):
        return label_of(value)
    if isinstance(value, tuple):
        return "\n".join(str(v) for v in value)
    return str(value)


FIELD_LABELS = {
    "status": pgettext_lazy("plan field", "Status"),
    "reason": gettext_lazy("Reason"),
    "causes": gettext_lazy("Causes of crime"),
    "assessment": gettext_lazy("Overall assessment"),
    "stance": gettext_lazy("The client's view"),
    "note": gettext_lazy("On what / why"),
    "title": gettext_lazy("Area of effort"),
    "priority": gettext_lazy("Priority"),
    "life_area": gettext_lazy("Life area"),
    "justification": gettext_lazy("Justification"),
    "goal": gettext_lazy("Goal"),
    "sub_goals": gettext_lazy("Sub-goals"),
    "coordination": gettext_lazy("Coordination"),
    "evaluation": gettext_lazy("Evaluation"),
    "what": gettext_lazy("What"),
    "who": gettext_lazy("Who"),
    "who_name": gettext_lazy("Name"),
    "when": gettext_lazy("When"),
    "how": gettext_lazy("How"),
    "not_done_reason": gettext_lazy("Why not done"),
    "try_again": gettext_lazy("Try again"),
    "name": gettext_lazy("Name"),
    "organisation": gettext_lazy("Organisation"),
    "role": gettext_lazy("Role"),
    "phone": gettext_lazy("Phone"),
    "address": gettext_lazy("Address"),
    "email": gettext_lazy("E-mail"),
    "client_covered": gettext_lazy("The client is covered by the rules"),
    "consent_given": gettext_lazy("Consent to contact the municipality"),
    "contacted_on": gettext_lazy("Municipality contacted on"),
    "followed_up": gettext_lazy("The municipality followed up"),
}

CHANGE_KIND_LABELS = {
    "unchanged": pgettext_lazy("comparison", "Unchanged"),
    "changed": pgettext_lazy("comparison", "Changed"),
    "added": pgettext_lazy("comparison", "Added"),
    "removed": pgettext_lazy("comparison", "Removed"),
}


@dataclass(frozen=True)
class ComparisonRow:
    change: domain.Change
    section: str
    item: str
    field: str
    old: tuple[domain.Segment, ...]
    new: tuple[domain.Segment, ...]

    @property
    def kind_label(self) -> str:
        return str(CHANGE_KIND_LABELS[self.change.kind])


def _section_of(path: tuple[str, ...]) -> str:
    head = path[0]
    if head == "participation":
        return _("The client's participation")
    if head == "description":
        return f"{SECTION_BY_KEY['description'].number}. {SECTION_BY_KEY['description'].title}"
    if head in ("causes", "causes_client_view"):
        return f"3. {SECTION_BY_KEY['causes'].title}"
    if head in ("assessment", "assessment_client_view", "areas"):
        return f"4. {SECTION_BY_KEY['assessment'].title}"
    return f"5. {SECTION_BY_KEY['partners'].title}"


def _item_of(path: tuple[str, ...], a: domain.PlanContent, b: domain.PlanContent) -> str:
    head = path[0]
    if head == "description":
        return str(LifeArea(path[1]).label)
    if head in ("causes_client_view", "assessment_client_view"):
        return _("The client's view")
    if head == "areas":
        area = b.area(path[1]) or a.area(path[1])
        label = _("Area of effort: %(title)s") % {"title": area.title}
        if len(path) > 3 and path[2] == "actions":
            action = next((x for x in area.actions if x.key == path[3]), None)
            if action is None:
                other = a.area(path[1]) if area is b.area(path[1]) else b.area(path[1])
                action = next((x for x in (other.actions if other else ()) if x.key == path[3]), None)
            label += " · " + _("Action: %(what)s") % {"what": action.what if action else path[3]}
        elif len(path) > 2 and path[2] == "client_view":
            label += " · " + _("The client's view")
        return label
    if head == "partners":
        partner = next((p for p in (*b.partners, *a.partners) if p.key == path[1]), None)
        return _("Partner: %(name)s") % {"name": (partner.name or partner.organisation) if partner else path[1]}
    return ""


def comparison_rows(a: domain.PlanContent, b: domain.PlanContent, *, only_changes: bool = False) -> list[ComparisonRow]:
    rows = []
    for change in domain.compare(a, b, render=render_value, include_unchanged=not only_changes):
        field = path_field = change.path[-1]
        if change.path[0] == "description":
            field = _("Entry")
        else:
            field = str(FIELD_LABELS.get(path_field, path_field))
        old, new = change.segments() if change.changed else ((domain.Segment(change.old, "equal"),), (domain.Segment(change.new, "equal"),))
        rows.append(ComparisonRow(change, _section_of(change.path), _item_of(change.path, a, b), field, old, new))
    return rows
