"""Which organisation a party's open tasks lie with (``responsible_party``)."""

from koreplan.domain.rules.obligations import Who, responsible_party

PRISON, KIF, MUNICIPALITY = "prison", "kif", "municipality"


def lies_with(who, *, holder, kif=None, institution=None):
    return responsible_party(
        who, holder=holder, holder_is_kif=holder == KIF, kif=kif, municipality=MUNICIPALITY, institution=institution
    )


def test_at_the_prison_its_tasks_are_its_own_and_kifs_wait_for_kif_to_be_involved():
    assert lies_with(Who.INSTITUTION, holder=PRISON) == PRISON
    assert lies_with(Who.KIF, holder=PRISON) == PRISON
    assert lies_with(Who.KIF, holder=PRISON, kif=KIF) == KIF
    assert lies_with(Who.MUNICIPALITY, holder=PRISON) == MUNICIPALITY


def test_after_parole_the_prisons_tasks_stay_with_it_until_it_lets_go_then_pass_to_kif():
    assert lies_with(Who.INSTITUTION, holder=KIF, kif=KIF, institution=PRISON) == PRISON
    assert lies_with(Who.INSTITUTION, holder=KIF, kif=KIF, institution=None) == KIF
    assert lies_with(Who.KIF, holder=KIF, kif=KIF, institution=PRISON) == KIF
    # The party may come as its value, as the database keeps it.
    assert lies_with("institution", holder=KIF, kif=KIF) == KIF
