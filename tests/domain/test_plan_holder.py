import pytest

from koreplan.domain.facts import Placement
from koreplan.domain.plan_holder import ArresthusStay, Holder, PlacementSituation, Section78Stage, plan_holder


@pytest.mark.parametrize(
    ("situation", "holder", "citation"),
    [
        (PlacementSituation(Placement.CLOSED_PRISON), Holder.CURRENT_INSTITUTION, "cirk. § 3, stk. 1"),
        (
            PlacementSituation(Placement.ARRESTHUS, temporary_arresthus_stay=ArresthusStay.IN_TRANSIT_OPEN_TO_CLOSED),
            Holder.PREVIOUS_INSTITUTION,
            "cirk. § 3, stk. 2",
        ),
        (
            PlacementSituation(Placement.ARRESTHUS, temporary_arresthus_stay=ArresthusStay.AFTER_ESCAPE),
            Holder.PREVIOUS_INSTITUTION,
            "cirk. § 3, stk. 2",
        ),
        (
            PlacementSituation(Placement.ARRESTHUS, youth_home_detention_revoked=True),
            Holder.SUPERVISING_KIF,
            "cirk. § 3, stk. 3",
        ),
        (
            PlacementSituation(Placement.OPEN_PRISON, combination_sentence_with_supervision=True),
            Holder.SUPERVISING_KIF,
            "cirk. § 4, stk. 2",
        ),
        (PlacementSituation(Placement.KIF, section_78=Section78Stage.RECOMMENDED), Holder.RECOMMENDING_KIF, "VEJ pkt. 25"),
        (PlacementSituation(Placement.PENSION, section_78=Section78Stage.AT_PENSION), Holder.PENSION, "VEJ pkt. 25"),
        (PlacementSituation(Placement.PENSION), Holder.PENSION, "VEJ pkt. 22"),
        (
            PlacementSituation(Placement.ARRESTHUS, arresthus_local_agreement=Holder.SUPERVISING_KIF),
            Holder.SUPERVISING_KIF,
            "VEJ pkt. 21",
        ),
        (
            PlacementSituation(
                Placement.ARRESTHUS,
                temporary_arresthus_stay=ArresthusStay.AFTER_LEAVE_MISUSE,
                agreed_holder=Holder.CURRENT_INSTITUTION,
            ),
            Holder.CURRENT_INSTITUTION,
            "cirk. § 3, stk. 4",
        ),
    ],
)
def test_who_holds_the_plan(situation, holder, citation):
    decision = plan_holder(situation)
    assert decision.holder is holder
    assert citation in [str(c) for c in decision.citations]
    assert decision.reason_da and decision.reason_en
