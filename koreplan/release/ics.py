"""Calendar invitations (iCalendar, RFC 5545), written by hand: one VEVENT is a few dozen
lines, and no library for it is installed. Pure Python, so it is tested without Django.

What RFC 5545 asks and this does:

- lines end in CRLF and are folded at 75 octets — octets, not characters: a Danish "ø"
  is two — by a CRLF and one space, never inside a UTF-8 sequence (§ 3.1);
- TEXT values escape backslash, semicolon, comma and newline (§ 3.3.11);
- parameter values with a colon, semicolon or comma are quoted, and a double quote,
  which may not appear in one at all, is dropped (§ 3.2);
- times are UTC ("…Z"), so the file needs no VTIMEZONE and every calendar places the
  meeting at the same instant (§ 3.3.5, form #2);
- UID is the meeting's own and stays the same when it changes, SEQUENCE counts the
  changes, so a calendar updates the event instead of adding a second (§ 3.8.4.7, 3.8.7.4);
- METHOD:REQUEST with ORGANIZER and ATTENDEEs: an invitation (RFC 5546 § 3.2.2), and
  METHOD:CANCEL with STATUS:CANCELLED when the meeting is called off (§ 3.2.5).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

PRODID = "-//Kriminalforsorgen//Koreplan//DA"
LINE_OCTETS = 75


@dataclass(frozen=True, slots=True)
class Attendee:
    name: str
    email: str
    #: REQ-PARTICIPANT, OPT-PARTICIPANT or NON-PARTICIPANT (RFC 5545 § 3.2.16).
    role: str = "REQ-PARTICIPANT"


@dataclass(frozen=True, slots=True)
class Event:
    uid: str
    sequence: int
    starts_at: datetime
    ends_at: datetime
    stamp: datetime
    summary: str
    organizer: Attendee
    location: str = ""
    description: str = ""
    attendees: tuple[Attendee, ...] = ()
    cancelled: bool = False
    url: str = ""
    #: The file travels to calendars outside Køreplan: CONFIDENTIAL tells them to show
    #: others only that the time is taken.
    classification: str = "CONFIDENTIAL"
    categories: tuple[str, ...] = field(default=())


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 § 3.3.11)."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return (
        value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
    )


def param_value(value: str) -> str:
    """A parameter value, quoted when it must be (RFC 5545 § 3.2, param-value)."""
    value = " ".join(value.replace('"', "").split())
    if any(c in value for c in ":;,"):
        return f'"{value}"'
    return value


def fold(line: str) -> str:
    """Fold a content line at 75 octets, without splitting a UTF-8 character (§ 3.1)."""
    encoded = line.encode("utf-8")
    if len(encoded) <= LINE_OCTETS:
        return line
    parts: list[str] = []
    current = ""
    limit = LINE_OCTETS
    for char in line:
        if len((current + char).encode("utf-8")) > limit:
            parts.append(current)
            current = char
            limit = LINE_OCTETS - 1  # continuation lines begin with a space
        else:
            current += char
    parts.append(current)
    return "\r\n ".join(parts)


def utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("An invitation's times must be aware: give the time zone.")
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _cal_address(person: Attendee, kind: str, extra: Iterable[str] = ()) -> str:
    params = [f"CN={param_value(person.name)}", *extra]
    # An address has no whitespace; one stored with a line break must not start a property
    # of its own in the file (the forms refuse such an address, the file does not rely on it).
    email = "".join(person.email.split())
    return f"{kind};{';'.join(params)}:mailto:{email}"


def calendar(events: Iterable[Event], *, method: str = "REQUEST") -> str:
    """The VCALENDAR with the events, CRLF line endings, folded."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", f"METHOD:{method}"]
    for event in events:
        lines.extend(_vevent(event))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def invitation(event: Event) -> str:
    """One event as its own calendar file: an invitation, or its cancellation."""
    return calendar([event], method="CANCEL" if event.cancelled else "REQUEST")


def _vevent(event: Event) -> list[str]:
    starts, ends = utc(event.starts_at), utc(event.ends_at)
    if event.ends_at <= event.starts_at:
        raise ValueError("A meeting ends after it starts.")
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"SEQUENCE:{event.sequence}",
        f"DTSTAMP:{utc(event.stamp)}",
        f"DTSTART:{starts}",
        f"DTEND:{ends}",
        f"SUMMARY:{escape_text(event.summary)}",
    ]
    if event.location:
        lines.append(f"LOCATION:{escape_text(event.location)}")
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    if event.url:
        lines.append(f"URL:{event.url}")
    if event.categories:
        lines.append(f"CATEGORIES:{','.join(escape_text(c) for c in event.categories)}")
    lines.append(f"CLASS:{event.classification}")
    lines.append(f"STATUS:{'CANCELLED' if event.cancelled else 'CONFIRMED'}")
    lines.append("TRANSP:OPAQUE")
    lines.append(_cal_address(event.organizer, "ORGANIZER"))
    for attendee in event.attendees:
        lines.append(
            _cal_address(
                attendee, "ATTENDEE",
                (f"ROLE={attendee.role}", "PARTSTAT=NEEDS-ACTION", "RSVP=TRUE", "CUTYPE=INDIVIDUAL"),
            )
        )
    lines.append("END:VEVENT")
    return lines
