"""Who holds the plan (handleplansansvar): cirk. §§ 3–4; VEJ pkt. 12, 17–27.

A pure function of the placement situation. It answers which organisation holds the
action plan, with the citation and the reason in words a caseworker can repeat to a
colleague; the web application then names the person (one plan-responsible at a time,
with a substitute during longer absence, cirk. § 4, stk. 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from koreplan.domain.citations import Citation, cirk, vej
from koreplan.domain.facts import Placement


class Holder(StrEnum):
    CURRENT_INSTITUTION = "current_institution"
    PREVIOUS_INSTITUTION = "previous_institution"
    PENSION = "pension"
    SUPERVISING_KIF = "supervising_kif"
    RECOMMENDING_KIF = "recommending_kif"
    LOCAL_AGREEMENT = "local_agreement"
    CASE_BY_CASE_AGREEMENT = "case_by_case_agreement"
    AGREED_BY_INSTITUTIONS = "agreed_by_institutions"


class ArresthusStay(StrEnum):
    """Why an inmate is temporarily in an arresthus (cirk. § 3, stk. 2; VEJ pkt. 18)."""

    IN_TRANSIT_OPEN_TO_CLOSED = "in_transit_open_to_closed"
    AFTER_ESCAPE = "after_escape"
    AFTER_LEAVE_MISUSE = "after_leave_misuse"


class Section78Stage(StrEnum):
    """Serving under strfbl. § 78 (VEJ pkt. 25)."""

    RECOMMENDED = "recommended"  # the recommendation is made, placement not yet begun
    AT_PENSION = "at_pension"
    UNDER_SUPERVISION = "under_supervision"


@dataclass(frozen=True, slots=True)
class PlacementSituation:
    placement: Placement
    temporary_arresthus_stay: ArresthusStay | None = None
    youth_home_detention_revoked: bool = False
    combination_sentence_with_supervision: bool = False
    section_78: Section78Stage | None = None
    posted_outside_kriminalforsorgen: bool = False  # udstationeret (VEJ pkt. 26)
    supervision_client_at_pension: bool = False  # VEJ pkt. 27
    #: The arresthus and the KIF department's local agreement names the holder (VEJ pkt. 21).
    arresthus_local_agreement: Holder | None = None
    #: The institutions involved agreed on another holder (cirk. § 3, stk. 4).
    agreed_holder: Holder | None = None


@dataclass(frozen=True, slots=True)
class HolderDecision:
    holder: Holder
    citations: tuple[Citation, ...]
    reason_da: str
    reason_en: str


def plan_holder(situation: PlacementSituation) -> HolderDecision:
    """Which organisation holds the plan in this situation, and why."""
    s = situation
    if s.agreed_holder is not None:
        return HolderDecision(
            s.agreed_holder, (cirk(3, 4), vej(17)),
            "Aftalt mellem de involverede institutioner.", "Agreed between the institutions involved.",
        )
    if s.youth_home_detention_revoked:
        return HolderDecision(
            Holder.SUPERVISING_KIF, (cirk(3, 3), vej(19)),
            "15–17-årig, hvis strafudståelse på bopælen er tilbagekaldt: den KIF-afdeling, der førte tilsynet.",
            "A 15–17-year-old whose home detention was revoked: the probation office that supervised.",
        )
    if s.combination_sentence_with_supervision:
        return HolderDecision(
            Holder.SUPERVISING_KIF, (cirk(4, 2), vej(24)),
            "Kombinationsdom med vilkår om tilsyn: den KIF-afdeling, der fører tilsynet.",
            "Combination sentence with supervision: the probation office that supervises.",
        )
    if s.section_78 is Section78Stage.RECOMMENDED:
        return HolderDecision(
            Holder.RECOMMENDING_KIF, (vej(25),),
            "Afsoning efter strfbl. § 78: det tjenestested, der udfærdigede indstillingen.",
            "Serving under strfbl. § 78: the office that recommended the placement.",
        )
    if s.section_78 is Section78Stage.UNDER_SUPERVISION:
        return HolderDecision(
            Holder.SUPERVISING_KIF, (vej(25),),
            "Afsoning efter strfbl. § 78: det tjenestested, der fører tilsynet under afsoningen.",
            "Serving under strfbl. § 78: the office that supervises during the sentence.",
        )
    if s.section_78 is Section78Stage.AT_PENSION:
        return HolderDecision(
            Holder.PENSION, (cirk(3, 1), vej(25)),
            "Afsoning efter strfbl. § 78 på pension: pensionen viderefører planen.",
            "Serving under strfbl. § 78 at a pension: the pension carries the plan on.",
        )
    if s.posted_outside_kriminalforsorgen or s.supervision_client_at_pension:
        point = vej(26) if s.posted_outside_kriminalforsorgen else vej(27)
        return HolderDecision(
            Holder.CASE_BY_CASE_AGREEMENT, (point,),
            "Aftales konkret mellem fængsel/pension og KIF-afdeling.",
            "Agreed case by case between the prison or pension and the probation office.",
        )
    if s.placement is Placement.ARRESTHUS and s.temporary_arresthus_stay is not None:
        return HolderDecision(
            Holder.PREVIOUS_INSTITUTION, (cirk(3, 2), vej(18)),
            "Midlertidigt i arresthus: den institution, hvor den indsatte senest havde ophold. "
            "Arresthuset kontakter den, hvis der ikke sker noget i sagen.",
            "Temporarily in an arresthus: the institution of the last stay. "
            "The arresthus contacts it when nothing happens in the case.",
        )
    if s.placement is Placement.ARRESTHUS and s.arresthus_local_agreement is not None:
        return HolderDecision(
            s.arresthus_local_agreement, (cirk(3, 1), vej(21)),
            "Arresthus: efter den lokale aftale mellem arresthuset og KIF-afdelingen.",
            "Arresthus: as the local agreement between the arresthus and the probation office says.",
        )
    if s.placement is Placement.PENSION:
        return HolderDecision(
            Holder.PENSION, (cirk(3, 1), vej(22)),
            "Pensionen, hvor personen bor.", "The pension where the person lives.",
        )
    if s.placement is Placement.KIF:
        return HolderDecision(
            Holder.SUPERVISING_KIF, (vej(23),),
            "Den KIF-afdeling, der fører tilsynet.", "The probation office that supervises.",
        )
    return HolderDecision(
        Holder.CURRENT_INSTITUTION, (cirk(3, 1), vej(17)),
        "Den institution, hvor den indsatte opholder sig.", "The institution where the inmate stays.",
    )


#: Roles that may never hold a plan: fee-paid supervisors take part but are not
#: responsible for making, coordinating or following up the plan (VEJ pkt. 23).
ROLES_NEVER_HOLDING_A_PLAN = frozenset({"fee_paid_supervisor"})
