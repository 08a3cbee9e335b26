"""The method (GL Bilag 1) as data: twelve steps with 9A, and their prerequisites."""

from koreplan.domain import method
from koreplan.domain.method import Answer


def test_the_twelve_steps_and_9a_in_gls_order_then_the_general_prerequisites():
    assert [step.id for step in method.STEPS] == ["1", "2", "3", "4", "5", "6", "7", "8", "9", "9A", "10", "11", "12", "G"]


def test_every_step_but_the_last_names_its_prerequisites():
    # GL names none for step 12 (KIF follows up the plan every three months).
    assert [step.id for step in method.STEPS if not step.prerequisites] == ["12"]
    assert len(method.STEP_BY_ID["8"].prerequisites) == 5


def test_the_checklist_asks_each_step_then_its_prerequisites():
    ids = method.CHECKLIST_ITEM_IDS
    assert ids[:5] == ("1", "1.1", "1.2", "1.3", "2")
    assert "G" not in ids and ids[-2:] == ("G.1", "G.2")
    assert len(ids) == len(set(ids)) == 44


def test_a_prerequisite_reads_as_gl_wrote_it_after_det_forudsaettes_at():
    assert method.item_text("2.1") == "fængslet har procedurer for hurtig udpegning af en handleplansansvarlig medarbejder"
    assert method.item_text("2.1", "en").startswith("the prison has procedures")
    assert method.item_text("9A", "da").startswith("Senest 4 uger før løsladelse efter endt straf")


def test_who_a_prerequisite_asks_something_of():
    assert method.PREREQUISITE_BY_ID["1.2"].concerns == (method.Party.MUNICIPALITY,)
    assert method.PREREQUISITE_BY_ID["9.2"].concerns == (method.Party.INSTITUTION, method.Party.KIF)
    assert method.PREREQUISITE_BY_ID["9A.1"].step_id == "9A"


def test_no_counts_whole_and_partly_half():
    assert method.failure_score({Answer.NO: 2, Answer.PARTLY: 1, Answer.YES: 5, Answer.NOT_RELEVANT: 3}) == 2.5


def test_every_step_cites_gl():
    assert str(method.STEP_BY_ID["9A"].citation) == "GL Bilag 1, trin 9A"
