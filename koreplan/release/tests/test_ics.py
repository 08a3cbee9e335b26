"""Calendar invitations: a well-formed VCALENDAR (RFC 5545) — CRLF, folding at 75 octets
without splitting a character, escaping, UTC times, a UID that survives a change — and what
a meeting's file says (and does not say) about the client."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation

from koreplan.release import ics, services
from koreplan.release.invitations import meeting_invitation
from koreplan.release.models import Meeting, Party

from .conftest import COPENHAGEN, RELEASE, at

# -- a small reader, strict where the RFC is -----------------------------------------------------------


def physical_lines(text: str) -> list[str]:
    assert text.endswith("\r\n"), "the file ends with CRLF"
    assert "\n" not in text.replace("\r\n", ""), "every line ends with CRLF, never a bare LF"
    lines = text.split("\r\n")[:-1]
    for line in lines:
        assert len(line.encode("utf-8")) <= 75, f"longer than 75 octets: {line!r}"
    return lines


def unfold(text: str) -> list[str]:
    logical: list[str] = []
    for line in physical_lines(text):
        if line.startswith(" "):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    return logical


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def parse(text: str) -> list[dict]:
    """Components as dicts: name → list of (params, value); nesting checked."""
    stack: list[dict] = []
    done: list[dict] = []
    for line in unfold(text):
        match = re.match(r'^([A-Z-]+)((?:;[A-Z-]+=(?:"[^"]*"|[^;:,"]*)(?:,(?:"[^"]*"|[^;:,"]*))*)*):(.*)$', line)
        assert match, f"not a content line: {line!r}"
        name, params, value = match.groups()
        if name == "BEGIN":
            stack.append({"_": value})
        elif name == "END":
            component = stack.pop()
            assert component["_"] == value, f"END:{value} closes BEGIN:{component['_']}"
            done.append(component)
        else:
            assert stack, f"{name} outside a component"
            stack[-1].setdefault(name, []).append((params, value))
    assert not stack, "every BEGIN has its END"
    return done


def one(component: dict, name: str) -> str:
    values = component.get(name, [])
    assert len(values) == 1, f"{name}: {values}"
    return values[0][1]


# -- the writer ----------------------------------------------------------------------------------------------


def event(**changes) -> ics.Event:
    values = dict(
        uid="abc@koreplan", sequence=0, starts_at=datetime(2026, 12, 1, 10, 0, tzinfo=COPENHAGEN),
        ends_at=datetime(2026, 12, 1, 11, 30, tzinfo=COPENHAGEN), stamp=datetime(2026, 11, 24, 8, 0, tzinfo=UTC),
        summary="Løsladelsesmøde – J.H.", organizer=ics.Attendee("Susanne Holm, Storstrøm Fængsel", "susanne@kriminalforsorgen.dk"),
        location="Storstrøm Fængsel, mødelokale 2; indgang B",
        description="Dagsorden:\n1. Bolig, økonomi og netværk\n2. Misbrug\\behandling",
        attendees=(ics.Attendee("Jonas Krog", "jonas@guldborgsund.dk"),),
    )
    values.update(changes)
    return ics.Event(**values)


def test_an_invitation_is_a_well_formed_vcalendar():
    text = ics.invitation(event())
    components = parse(text)
    vevent, vcalendar = components
    assert vcalendar["_"] == "VCALENDAR" and vevent["_"] == "VEVENT"
    assert one(vcalendar, "VERSION") == "2.0"
    assert one(vcalendar, "PRODID")
    assert one(vcalendar, "METHOD") == "REQUEST"
    assert one(vevent, "UID") == "abc@koreplan"
    assert one(vevent, "DTSTAMP") == "20261124T080000Z"
    # 10:00 in Copenhagen in winter is 09:00 UTC.
    assert one(vevent, "DTSTART") == "20261201T090000Z"
    assert one(vevent, "DTEND") == "20261201T103000Z"
    assert one(vevent, "SEQUENCE") == "0"
    assert one(vevent, "STATUS") == "CONFIRMED"
    assert one(vevent, "CLASS") == "CONFIDENTIAL"
    assert unescape(one(vevent, "SUMMARY")) == "Løsladelsesmøde – J.H."
    assert unescape(one(vevent, "LOCATION")) == "Storstrøm Fængsel, mødelokale 2; indgang B"
    assert unescape(one(vevent, "DESCRIPTION")) == "Dagsorden:\n1. Bolig, økonomi og netværk\n2. Misbrug\\behandling"
    organizer_params, organizer = vevent["ORGANIZER"][0]
    assert organizer == "mailto:susanne@kriminalforsorgen.dk"
    assert organizer_params == ';CN="Susanne Holm, Storstrøm Fængsel"'
    (attendee_params, attendee), = vevent["ATTENDEE"]
    assert attendee == "mailto:jonas@guldborgsund.dk"
    assert "ROLE=REQ-PARTICIPANT" in attendee_params and "RSVP=TRUE" in attendee_params and "CN=Jonas Krog" in attendee_params


def test_text_values_are_escaped():
    assert ics.escape_text("a,b;c\\d\ne\r\nf") == "a\\,b\\;c\\\\d\\ne\\nf"


def test_a_line_break_in_an_address_or_a_name_does_not_start_a_property_of_its_own():
    evil = ics.Attendee("Jonas\r\nX-INJECTED:1", "jonas@guldborgsund.dk\r\nX-INJECTED:2")
    text = ics.invitation(event(organizer=evil, attendees=(evil,)))
    assert not re.search(r"^X-INJECTED", text, re.MULTILINE)
    vevent, _calendar = parse(text)
    assert [value for _params, value in vevent["ATTENDEE"]] == ["mailto:jonas@guldborgsund.dkX-INJECTED:2"]


def test_long_lines_fold_at_75_octets_and_never_inside_a_character():
    text = ics.invitation(event(description="Ø" * 200 + " " + "æ" * 77, summary="x" * 300))
    lines = physical_lines(text)
    assert any(line.startswith(" ") for line in lines)
    # Every physical line is whole UTF-8 (it decoded above), and unfolding restores the value.
    vevent = parse(text)[0]
    assert unescape(one(vevent, "DESCRIPTION")) == "Ø" * 200 + " " + "æ" * 77
    assert one(vevent, "SUMMARY") == "x" * 300
    assert max(len(line.encode()) for line in lines) == 75


def test_fold_keeps_short_lines_and_splits_on_octets():
    assert ics.fold("SUMMARY:kort") == "SUMMARY:kort"
    folded = ics.fold("X:" + "å" * 40)  # 2 + 80 octets
    first, second = folded.split("\r\n")
    assert len(first.encode()) <= 75 and second.startswith(" ")
    assert first + second[1:] == "X:" + "å" * 40


def test_parameter_values_with_a_comma_are_quoted_and_quotes_dropped():
    assert ics.param_value("Holm, Susanne") == '"Holm, Susanne"'
    assert ics.param_value('Karen "KiF" Friis') == "Karen KiF Friis"


def test_a_cancellation_says_cancel():
    text = ics.invitation(event(cancelled=True, sequence=3))
    vevent, vcalendar = parse(text)
    assert one(vcalendar, "METHOD") == "CANCEL"
    assert one(vevent, "STATUS") == "CANCELLED" and one(vevent, "SEQUENCE") == "3"


def test_times_must_be_aware_and_in_order():
    with pytest.raises(ValueError):
        ics.invitation(event(starts_at=datetime(2026, 12, 1, 10, 0)))
    with pytest.raises(ValueError):
        ics.invitation(event(ends_at=datetime(2026, 12, 1, 9, 0, tzinfo=COPENHAGEN)))


# -- a meeting's invitation -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_release_meetings_invitation_names_the_client_by_initials_only(socialraadgiver, kif, sag):
    meeting = services.meeting_create(
        actor=socialraadgiver, case=sag, kind=Meeting.Kind.RELEASE_MEETING,
        starts_at=at(RELEASE - timedelta(days=14), 13), ends_at=at(RELEASE - timedelta(days=14), 14),
        form="video", location="https://video.example.dk/rum/42",
        participants=[
            services.ParticipantData(Party.CLIENT, "Jens Hansen"),
            services.ParticipantData(Party.KIF, "Karen Friis", email="karen@kif.example.dk"),
            services.ParticipantData(Party.MUNICIPALITY, "Jonas Krog", role="Jobcenter", email="jonas@guldborgsund.dk"),
        ],
    )
    socialraadgiver.email = "susanne@kriminalforsorgen.dk"
    with translation.override("da"):
        text = meeting_invitation(meeting, organizer=socialraadgiver, url="https://koreplan.example/sager/1/loesladelse/")
    vevent, _ = parse(text)
    assert unescape(one(vevent, "SUMMARY")) == "Løsladelsesmøde – J.H."
    assert one(vevent, "UID") == f"{meeting.uid}@koreplan"
    assert sorted(value for _p, value in vevent["ATTENDEE"]) == ["mailto:jonas@guldborgsund.dk", "mailto:karen@kif.example.dk"]
    description = unescape(one(vevent, "DESCRIPTION"))
    assert "Dagsorden:" in description and "Bolig" in description
    assert sag.client.cpr not in text and "Hansen" not in unescape(one(vevent, "SUMMARY"))
    # Participants are listed by name: the client's name is theirs to know.
    assert "Karen Friis" in description

    moved = services.meeting_update(
        actor=socialraadgiver, meeting=meeting, revision=meeting.revision,
        changes={"starts_at": at(RELEASE - timedelta(days=13), 13), "ends_at": at(RELEASE - timedelta(days=13), 14)},
    )
    vevent_after, _ = parse(meeting_invitation(moved, organizer=socialraadgiver))
    assert one(vevent_after, "UID") == one(vevent, "UID")
    assert one(vevent_after, "SEQUENCE") == "1"
    assert one(vevent_after, "DTSTART") == "20261207T120000Z"
