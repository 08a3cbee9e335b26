"""The content of a plan version: its sections, its rules, its JSON and comparing two."""

from datetime import date

import pytest

from koreplan.domain.plan import (
    Action,
    ActionStatus,
    AreaOfEffort,
    ClientParticipation,
    ClientStance,
    ClientView,
    LifeArea,
    MunicipalCoordination,
    Participation,
    Partner,
    PlanContent,
    PlanContentError,
    Segment,
    Performer,
    Section,
    compare,
    diff_words,
    new_key,
    validate_area,
    with_area,
    with_area_entries,
    with_entry,
    with_section,
    without_area,
)


def housing(key="a1", **changes) -> AreaOfEffort:
    values = dict(
        key=key,
        life_area=LifeArea.HOUSING,
        title="Bolig efter løsladelsen",
        justification="Klienten mister sin lejlighed under afsoningen.",
        goal="Klienten har en bolig på løsladelsesdagen.",
        sub_goals=("Ansøgning om boligstøtte", "Kontakt til boligselskab"),
        actions=(
            Action("h1", "Ansøg om boligstøtte", Performer.CLIENT, "", "inden 1. maj", "med hjælp fra socialrådgiveren"),
            Action("h2", "Kontakt kommunens boligkontor", Performer.PARTNER, "Jobcenter Guldborgsund", "maj", "telefon"),
        ),
        client_view=ClientView(ClientStance.AGREES),
        coordination="Aftalt med kommunens boligkontor.",
        evaluation="Ved næste opfølgning.",
    )
    values.update(changes)
    return AreaOfEffort(**values)


def a_plan() -> PlanContent:
    content = PlanContent(participation=ClientParticipation(Participation.TOOK_PART))
    content = with_entry(content, area=LifeArea.HOUSING, on=date(2026, 3, 2), text="Lejelejlighed i Nykøbing F.", from_intake_interview=True)
    content = with_entry(content, area=LifeArea.SUBSTANCE_USE, on=date(2026, 3, 2), text="Hash dagligt før indsættelsen.")
    content = with_area(content, housing())
    return PlanContent(
        participation=content.participation,
        description=content.description,
        causes="Gæld og hashmisbrug.",
        causes_client_view=ClientView(ClientStance.DISAGREES, "Mener ikke, hash spillede en rolle."),
        assessment="Klienten har ressourcer i sit netværk.",
        areas=content.areas,
        partners=(
            Partner("p1", "Mette Dahl", "Guldborgsund Kommune", "kommunens indgang", "54 73 10 00", "Parkvej 37", "mette@example.dk",
                    MunicipalCoordination(True, True, date(2026, 3, 10), False)),
        ),
    )


# -- JSON ---------------------------------------------------------------------------------


def test_the_content_goes_to_json_and_back_unchanged():
    content = a_plan()
    data = content.to_dict()
    assert data["schema"] == 1
    assert data["description"][0] == {
        "key": "e1", "area": "housing", "on": "2026-03-02", "text": "Lejelejlighed i Nykøbing F.", "from_intake_interview": True,
    }
    assert PlanContent.from_dict(data) == content


def test_an_empty_plan_reads_from_an_empty_object():
    assert PlanContent.from_dict({}) == PlanContent()
    assert PlanContent().is_empty


def test_malformed_json_is_refused_with_every_path_named():
    with pytest.raises(PlanContentError) as raised:
        PlanContent.from_dict({
            "colour": "blue",
            "description": [{"area": "garden", "on": "2. marts", "text": 3}],
            "areas": [{"life_area": "housing", "actions": [{"status": "finished", "try_again": "maybe"}]}],
            "partners": "none",
        })
    paths = {e.path for e in raised.value.errors}
    assert paths == {
        "colour", "description.0.area", "description.0.on", "description.0.text",
        "areas.0.actions.0.status", "areas.0.actions.0.try_again", "partners",
    }


# -- the rules -------------------------------------------------------------------------------


def paths(errors):
    return {e.path for e in errors}


def test_a_well_written_plan_has_no_errors():
    assert a_plan().validate(today=date(2026, 4, 1)) == ()


def test_a_plan_may_be_incomplete_it_is_built_up_over_time():
    assert PlanContent().validate() == ()


def test_a_client_who_declined_to_take_part_is_recorded_with_the_reason():
    declined = PlanContent(participation=ClientParticipation(Participation.DECLINED))
    assert paths(declined.validate()) == {"participation.reason"}
    assert PlanContent(participation=ClientParticipation(Participation.DECLINED, "Vil ikke tale med os.")).validate() == ()


def test_an_area_of_effort_is_named_justified_and_has_a_goal():
    area = housing(title=" ", justification="", goal="")
    assert paths(validate_area(area, path="area")) == {"area.title", "area.justification", "area.goal"}


def test_an_action_not_done_says_why_and_whether_to_try_again():
    not_done = Action("h1", "Ansøg om boligstøtte", status=ActionStatus.NOT_DONE)
    errors = validate_area(housing(actions=(not_done,)))
    assert paths(errors) == {"area.actions.0.not_done_reason", "area.actions.0.try_again"}
    done_right = Action("h1", "Ansøg", status=ActionStatus.NOT_DONE, not_done_reason="Fik afslag", try_again=True)
    assert validate_area(housing(actions=(done_right,))) == ()


def test_a_reason_for_not_doing_belongs_only_to_an_action_not_done():
    odd = Action("h1", "Ansøg", status=ActionStatus.DONE, not_done_reason="?")
    assert paths(validate_area(housing(actions=(odd,)))) == {"area.actions.0.status"}


@pytest.mark.parametrize(
    ("view", "ok"),
    [
        (ClientView(), True),
        (ClientView(ClientStance.AGREES), True),
        (ClientView(ClientStance.DISAGREES), False),
        (ClientView(ClientStance.DISAGREES, "Vil hellere bo hos sin bror."), True),
        (ClientView(ClientStance.COULD_NOT_ANSWER), False),
        (ClientView(ClientStance.COULD_NOT_ANSWER, "Indlagt på psykiatrisk afdeling."), True),
    ],
)
def test_the_clients_view_says_on_what_they_disagree_or_why_they_could_not_answer(view, ok):
    assert (validate_area(housing(client_view=view)) == ()) is ok


def test_entries_cannot_be_dated_in_the_future():
    content = with_entry(PlanContent(), area=LifeArea.HOUSING, on=date(2026, 5, 1), text="x")
    assert paths(content.validate(today=date(2026, 4, 30))) == {"description.0.on"}


def test_a_partner_is_named_and_a_follow_up_needs_a_contact_first():
    content = PlanContent(partners=(Partner("p1", "", email="ikke-en-adresse", municipality=MunicipalCoordination(followed_up=True)),))
    assert paths(content.validate()) == {"partners.0.name", "partners.0.email", "partners.0.municipality.contacted_on"}


def test_keys_are_unique_across_the_content():
    content = PlanContent(areas=(housing("a1"), housing("a1")))
    assert "keys" in paths(content.validate())


# -- changing ---------------------------------------------------------------------------------


def test_entries_are_added_dated_per_life_area_and_read_oldest_first():
    content = with_entry(PlanContent(), area=LifeArea.HOUSING, on=date(2026, 5, 1), text="Fået afslag.")
    content = with_entry(content, area=LifeArea.HOUSING, on=date(2026, 3, 2), text="Har lejlighed.")
    content = with_entry(content, area=LifeArea.FINANCES, on=date(2026, 3, 2), text="Gæld til SKAT.")
    assert [e.text for e in content.entries_for(LifeArea.HOUSING)] == ["Har lejlighed.", "Fået afslag."]
    assert [e.key for e in content.description] == ["e1", "e2", "e3"]
    replaced = with_area_entries(content, LifeArea.HOUSING, content.entries_for(LifeArea.HOUSING)[:1])
    assert [e.text for e in replaced.description] == ["Gæld til SKAT.", "Har lejlighed."]


def test_the_priority_of_an_area_is_its_place_and_the_others_keep_their_order():
    content = with_area(PlanContent(), housing("a1", title="Bolig"))
    content = with_area(content, housing("a2", title="Job"))
    content = with_area(content, housing("a3", title="Misbrug"), priority=1)
    assert [a.title for a in content.areas] == ["Misbrug", "Bolig", "Job"]
    content = with_area(content, housing("a2", title="Job og uddannelse"), priority=1)
    assert [a.title for a in content.areas] == ["Job og uddannelse", "Misbrug", "Bolig"]
    content = with_area(content, housing("a1", title="Bolig"), priority=99)
    assert [a.key for a in content.areas] == ["a2", "a3", "a1"] and content.priority_of("a1") == 3
    assert [a.key for a in without_area(content, "a3").areas] == ["a2", "a1"]


def test_new_keys_are_never_reused_within_the_content():
    content = a_plan()
    assert new_key(content, "e") == "e3"
    assert new_key(content, "a") == "a2"
    assert new_key(content, "h", taken={"h3"}) == "h4"


def test_a_section_is_replaced_from_its_json_and_new_items_get_keys():
    content = a_plan()
    changed = with_section(content, Section.PARTNERS, {"partners": [*content.section_dict("partners")["partners"], {"key": "", "name": "Misbrugscentret"}]})
    assert [p.key for p in changed.partners] == ["p1", "p2"]
    assert changed.areas == content.areas


def test_a_section_does_not_reach_outside_itself():
    with pytest.raises(PlanContentError) as raised:
        with_section(a_plan(), Section.CAUSES, {"causes": "x", "areas": []})
    assert [e.path for e in raised.value.errors] == ["areas"]


# -- comparing ---------------------------------------------------------------------------------


def test_comparing_a_version_with_itself_shows_nothing_changed():
    assert all(not c.changed for c in compare(a_plan(), a_plan()))


def test_comparing_two_versions_shows_each_changed_field_in_reading_order():
    old = a_plan()
    new = with_entry(old, area=LifeArea.HOUSING, on=date(2026, 4, 2), text="Lejligheden er opsagt.")
    new = with_area(new, housing(goal="Klienten har en bolig eller et værelse på løsladelsesdagen."), priority=1)
    new = with_area(new, housing("a2", title="Job"), priority=1)
    changes = {c.path: c for c in compare(old, new, include_unchanged=False)}
    assert changes[("description", "housing", "e3")].kind == "added"
    assert changes[("areas", "a1", "goal")].kind == "changed"
    assert changes[("areas", "a1", "priority")].old == "1" and changes[("areas", "a1", "priority")].new == "2"
    assert changes[("areas", "a2", "title")].kind == "added"
    order = [c.path for c in compare(old, new)]
    assert order.index(("description", "housing", "e1")) < order.index(("causes",)) < order.index(("areas", "a2", "title"))


def test_a_removed_area_is_shown_where_it_stood():
    old = with_area(a_plan(), housing("a2", title="Job"))
    new = without_area(old, "a1")
    changes = compare(old, new)
    removed = [c for c in changes if c.kind == "removed"]
    assert {c.path[1] for c in removed} == {"a1"}
    order = [c.path for c in changes]
    assert order.index(("areas", "a1", "title")) < order.index(("areas", "a2", "title"))


def test_word_level_differences_mark_what_was_deleted_and_inserted():
    left, right = diff_words("Klienten har en bolig.", "Klienten har ikke en bolig.")
    assert [s.text.strip() for s in right if s.op == "insert"] == ["ikke"]
    assert all(s.op == "equal" for s in left)
    assert "".join(s.text for s in left) == "Klienten har en bolig."
    assert "".join(s.text for s in right) == "Klienten har ikke en bolig."


def test_punctuation_is_a_word_of_its_own_so_a_comma_does_not_mark_the_word_before_it():
    left, right = diff_words("Gæld og hash.", "Gæld, hash og en ven.")
    assert left[0] == right[0] == Segment("Gæld", "equal")
    assert right[1].op == "insert" and right[1].text.startswith(",")


def test_a_renderer_decides_how_values_read():
    old, new = PlanContent(), a_plan()
    changes = compare(old, new, render=lambda path, value: "JA" if value is True else "" if value is None else str(value))
    covered = next(c for c in changes if c.path == ("partners", "p1", "municipality", "client_covered"))
    assert covered.new == "JA" and covered.kind == "added"
