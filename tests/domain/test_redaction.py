"""Redaction: a recipient's excerpt never holds a category outside what may be shared."""

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from koreplan.domain.consent import Category as C
from koreplan.domain.plan import (
    Action,
    AreaOfEffort,
    ClientStance,
    ClientView,
    DescriptionEntry,
    LifeArea,
    MunicipalCoordination,
    Partner,
    PlanContent,
)
from koreplan.domain.redaction import DEFAULT_AFTER_RELEASE, LeftOutReason, PlanExcerpt, left_out, redact

ON = date(2026, 11, 1)


def area(key, life_area, title="Indsats"):
    return AreaOfEffort(key, life_area, title, "fordi", "mål", actions=(Action("h" + key, "gør noget"),))


PLAN = PlanContent(
    description=(
        DescriptionEntry("e1", LifeArea.HOUSING, ON, "Mister lejligheden."),
        DescriptionEntry("e2", LifeArea.HEALTH_MENTAL, ON, "Diagnose: angst."),
        DescriptionEntry("e3", LifeArea.FINANCES, ON, "Gæld til SKAT."),
        DescriptionEntry("e4", LifeArea.OTHER, ON, "Disciplinærsag i fængslet."),
    ),
    causes="Kriminaliteten hænger sammen med misbrug.",
    causes_client_view=ClientView(ClientStance.AGREES),
    assessment="Samlet vurdering på tværs af alle områder.",
    areas=(
        area("a1", LifeArea.HOUSING, "Bolig efter løsladelsen"),
        area("a2", LifeArea.HEALTH_MENTAL, "Psykiatrisk behandling"),
        area("a3", LifeArea.FINANCES, "Økonomi"),
        area("a4", LifeArea.OTHER, "Arbejde i værkstedet"),
    ),
    partners=(
        Partner("p1", "Ole Mentor", "Mentorordningen", "mentor", phone="12345678", address="Vej 1", email="o@x.dk"),
        Partner("p2", "Jobcenter Guldborgsund", "Guldborgsund Kommune", "sagsbehandler",
                municipality=MunicipalCoordination(client_covered=True, consent_given=True)),
    ),
)


def test_only_allowed_life_areas_go():
    excerpt = redact(PLAN, categories={C.HOUSING, C.FINANCES})
    assert [e.key for e in excerpt.description] == ["e1", "e3"]
    assert [a.key for a in excerpt.areas] == ["a1", "a3"]
    assert excerpt.causes == "" and excerpt.causes_client_view == ClientView()
    assert excerpt.categories_present() == {C.HOUSING, C.FINANCES}


def test_the_causes_go_only_with_the_offence():
    assert redact(PLAN, categories={C.HOUSING}).causes == ""
    with_offence = redact(PLAN, categories={C.HOUSING, C.OFFENCE})
    assert with_offence.causes == PLAN.causes
    assert with_offence.causes_client_view.stance is ClientStance.AGREES


def test_the_assessment_and_participation_never_go():
    excerpt = redact(PLAN, categories=set(C), after_release_only=False)
    assert "assessment" not in excerpt.to_dict() and "participation" not in excerpt.to_dict()
    assert LeftOutReason.UNCATEGORISED in {x.reason for x in left_out(PLAN, excerpt)}


def test_partners_are_named_without_their_contact_details():
    excerpt = redact(PLAN, categories={C.HOUSING})
    assert excerpt.to_dict()["partners"] == [
        {"key": "p1", "name": "Ole Mentor", "organisation": "Mentorordningen", "role": "mentor"},
        {"key": "p2", "name": "Jobcenter Guldborgsund", "organisation": "Guldborgsund Kommune", "role": "sagsbehandler"},
    ]
    assert "12345678" not in repr(excerpt.to_dict()) and "o@x.dk" not in repr(excerpt.to_dict())
    assert [p.key for p in redact(PLAN, categories={C.HOUSING}, partners={"p2"}).partners] == ["p2"]


def test_by_default_other_matters_count_as_the_stay_not_the_time_after_release():
    everything = set(C)
    assert LifeArea.OTHER not in DEFAULT_AFTER_RELEASE
    default = redact(PLAN, categories=everything)
    assert [a.key for a in default.areas] == ["a1", "a2", "a3"]
    assert "e4" not in {e.key for e in default.description}
    assert [a.key for a in redact(PLAN, categories=everything, after_release_only=False).areas] == ["a1", "a2", "a3", "a4"]


def test_the_sender_names_the_areas_about_the_time_after_release_and_their_background_follows():
    excerpt = redact(PLAN, categories=set(C), after_release={"a1"})
    assert [a.key for a in excerpt.areas] == ["a1"]
    # Only the housing description: the background of the effort to coordinate.
    assert [e.key for e in excerpt.description] == ["e1"]
    reasons = {(x.part, x.category): x.reason for x in left_out(PLAN, excerpt)}
    assert reasons[("area", C.HEALTH_MENTAL)] is LeftOutReason.NOT_AFTER_RELEASE
    assert reasons[("entry", C.HEALTH_MENTAL)] is LeftOutReason.NOT_AFTER_RELEASE


def test_a_category_consent_covers_but_the_sender_did_not_choose_was_left_out_by_choice():
    excerpt = redact(PLAN, categories={C.HOUSING})
    reasons = {(x.part, x.category): x.reason for x in left_out(PLAN, excerpt, permitted={C.HOUSING, C.HEALTH_MENTAL})}
    assert reasons[("area", C.HEALTH_MENTAL)] is LeftOutReason.NOT_AFTER_RELEASE
    assert reasons[("causes", C.OFFENCE)] is LeftOutReason.NOT_ALLOWED


def test_what_is_left_out_says_why():
    excerpt = redact(PLAN, categories={C.HOUSING})
    reasons = {(x.part, x.category): x.reason for x in left_out(PLAN, excerpt)}
    assert reasons[("area", C.HEALTH_MENTAL)] is LeftOutReason.NOT_ALLOWED
    assert reasons[("causes", C.OFFENCE)] is LeftOutReason.NOT_ALLOWED
    assert {x.title for x in left_out(PLAN, excerpt) if x.part == "partner_contact"} == {
        "Ole Mentor", "Jobcenter Guldborgsund"
    }


def test_an_excerpt_reads_back_from_its_json():
    excerpt = redact(PLAN, categories={C.HOUSING, C.OFFENCE, C.FINANCES})
    assert PlanExcerpt.from_dict(excerpt.to_dict()) == excerpt


# -- the property -------------------------------------------------------------------------------

life_areas = st.sampled_from(list(LifeArea))
texts = st.text(min_size=0, max_size=12)


@st.composite
def plans(draw):
    n_entries = draw(st.integers(0, 8))
    n_areas = draw(st.integers(0, 6))
    n_partners = draw(st.integers(0, 3))
    return PlanContent(
        description=tuple(
            DescriptionEntry(f"e{i}", draw(life_areas), ON, draw(texts) or "x") for i in range(1, n_entries + 1)
        ),
        causes=draw(texts),
        causes_client_view=ClientView(draw(st.none() | st.sampled_from(list(ClientStance))), draw(texts)),
        assessment=draw(texts),
        areas=tuple(area(f"a{i}", draw(life_areas), draw(texts)) for i in range(1, n_areas + 1)),
        partners=tuple(
            Partner(f"p{i}", draw(texts), draw(texts), draw(texts), phone=draw(texts), email=draw(texts))
            for i in range(1, n_partners + 1)
        ),
    )


@settings(max_examples=300, deadline=None)
@given(
    content=plans(),
    categories=st.frozensets(st.sampled_from(list(C))),
    after_release_only=st.booleans(),
    after_release=st.none() | st.frozensets(st.sampled_from([f"a{i}" for i in range(1, 7)])),
)
def test_an_excerpt_never_holds_a_category_outside_the_allowed(content, categories, after_release_only, after_release):
    excerpt = redact(content, categories=categories, after_release_only=after_release_only, after_release=after_release)
    assert excerpt.categories_present() <= categories
    # Nothing is invented: every entry and area comes from the plan, unchanged.
    assert set(excerpt.description) <= set(content.description)
    assert set(excerpt.areas) <= set(content.areas)
    # And what is stored is what is read back.
    assert PlanExcerpt.from_dict(excerpt.to_dict()).categories_present() == excerpt.categories_present()
    stored = excerpt.to_dict()
    assert "assessment" not in stored
    assert all(set(p) == {"key", "name", "organisation", "role"} for p in stored["partners"])
