"""The obligations the law and the method put on a case: what, by whom, and which step.

The due-date rules themselves live in :mod:`koreplan.domain.timeline`; this catalogue
names each obligation once, with its stable id (used by the timeline contract, the
tasks in the database and the API), the organisation responsible, the step of the
method (GL Bilag 1, steps 1–12 and 9A) and its titles.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from koreplan.domain.citations import Citation, cirk, gl_step, strfbl, vej


class Who(StrEnum):
    INSTITUTION = "institution"
    KIF = "kif"
    MUNICIPALITY = "municipality"


@dataclass(frozen=True, slots=True)
class ObligationRule:
    id: str
    who: Who
    step: str | None
    title_da: str
    title_en: str
    #: Citations that hold whatever branch of the rule decides the date.
    legal_basis: tuple[Citation, ...]
    recurring: bool = False


_I, _K = Who.INSTITUTION, Who.KIF

OBLIGATIONS: dict[str, ObligationRule] = {
    rule.id: rule
    for rule in (
        ObligationRule(
            "notify_municipality_of_intake", _I, "1",
            "Meddel kommunen indsættelsen", "Notify the municipality of the intake",
            (gl_step("1"),),
        ),
        ObligationRule(
            "appoint_plan_responsible", _I, "2",
            "Udpeg handleplansansvarlig", "Appoint the plan-responsible",
            (cirk(4, 1), vej(12)),
        ),
        ObligationRule(
            "intake_interview", _I, "3",
            "Indsættelsessamtale", "Intake interview",
            (),
        ),
        ObligationRule(
            "obtain_case_files", _I, "4",
            "Indhent sagsakter fra andre myndigheder", "Obtain case files from other authorities",
            (gl_step("4"),),
        ),
        ObligationRule(
            "first_plan", _I, "5",
            "Første handleplan", "First action plan",
            (),
        ),
        ObligationRule(
            "municipality_coordination", _I, "6",
            "Kontakt kommunen om koordineret samarbejde", "Contact the municipality to coordinate",
            (),
        ),
        ObligationRule(
            "plan_evaluation", _I, "7",
            "Opfølgning på handleplanen", "Evaluation of the action plan",
            (strfbl(31, 2),), recurring=True,
        ),
        ObligationRule(
            "release_meeting", _I, "8",
            "Løsladelsesmøde", "Release meeting",
            (),
        ),
        ObligationRule(
            "involve_kif", _I, "9",
            "Inddrag KIF i planlægningen af prøveløsladelsen", "Involve probation (KIF) in planning the parole",
            (),
        ),
        ObligationRule(
            "municipal_appointments_on_release_day", _I, "9A",
            "Møder i kommunen på løsladelsesdagen", "Appointments at the municipality on release day",
            (),
        ),
        ObligationRule(
            "status_at_release", _I, None,
            "Status på handleplanen ved løsladelsen", "Status of the plan at release",
            (cirk(8, 2), vej(53)),
        ),
        ObligationRule(
            "supervision_first_meeting", _K, "10",
            "Første møde med KIF efter løsladelsen", "First meeting with probation after release",
            (),
        ),
        ObligationRule(
            "supervision_plan", _K, "10",
            "Handleplan for tilsynsperioden (videreført)", "Plan for the supervision period (carried on)",
            (strfbl(82, 2), vej(44)),
        ),
        ObligationRule(
            "kif_municipality_coordination", _K, "11",
            "KIF kontakter kommunen om koordinering", "Probation contacts the municipality to coordinate",
            (),
        ),
        ObligationRule(
            "supervision_evaluation", _K, "12",
            "Opfølgning på handleplanen i tilsynet", "Evaluation of the plan during supervision",
            (), recurring=True,
        ),
        ObligationRule(
            "follow_up_meeting_after_release", _I, "8",
            "Opfølgende møde efter løsladelsen", "Follow-up meeting after release",
            (),
        ),
        ObligationRule(
            "status_at_supervision_end", _K, None,
            "Status på handleplanen ved tilsynets afslutning", "Status of the plan at the end of supervision",
            (cirk(8, 3), vej(57)),
        ),
        ObligationRule(
            # An event, not a date the timeline can foresee: the web application creates
            # it when a case moves to another plan-responsible.
            "status_at_transfer", _I, None,
            "Status på handleplanen ved overførsel", "Status of the plan at transfer",
            (cirk(8, 1), vej(49), vej(53)),
        ),
    )
}

#: Obligations the web application creates on events rather than the timeline.
EVENT_OBLIGATIONS = frozenset({"status_at_transfer"})

Org = TypeVar("Org")


def responsible_party(
    who: Who, *, holder: Org, holder_is_kif: bool, kif: Org | None, municipality: Org, institution: Org | None
) -> Org:
    """The organisation an open task of ``who`` lies with; one rule for the services and the
    data generator, which name organisations their own way (objects, ids).

    ``holder`` holds the case (an institution or KIF); ``kif`` is the KIF department
    involved, if any; ``institution`` is the institution that held the case before KIF and
    still has a part in it (it owes its status at transfer), or None once it has let go.

    Each task lies with someone who can see the case and act on it: before KIF is involved,
    the holder must involve it, so KIF's tasks stay with the holder; once KIF holds and the
    institution has let go, what is left of the institution's (the status at release, the
    follow-up) passes to KIF rather than sit with an organisation that no longer has the
    case. A task already done keeps the organisation that did it: callers do not ask again.
    """
    if who == Who.MUNICIPALITY:
        return municipality
    if who == Who.KIF:
        return holder if holder_is_kif or kif is None else kif
    if holder_is_kif and institution is not None:
        return institution
    return holder
