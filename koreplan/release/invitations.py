"""A meeting as a calendar invitation (.ics).

The file leaves Køreplan for Outlook, phones and shared calendars, and that someone is in
prison is a sensitive fact (databeskyttelsesloven § 8). So it says no more than the
invitees need to turn up: the client by initials, the time and place, who else comes, and
the agenda's headings — never the agreements, the plan's text or the CPR number. Whoever
can see the case follows the link for the rest.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from koreplan.accounts.models import User
from koreplan.release import ics
from koreplan.release.models import Meeting


def client_initials(case) -> str:
    client = case.client
    return "".join(f"{part[0]}." for part in (client.first_name, client.last_name) if part)


def _organizer(user: User, meeting: Meeting) -> ics.Attendee:
    email = user.email or meeting.case.holding_organisation.email or settings.DEFAULT_FROM_EMAIL
    name = str(user)
    if user.organisation_id:
        name = f"{name}, {user.organisation}"
    return ics.Attendee(name=name, email=email)


def _description(meeting: Meeting, url: str) -> str:
    lines = [f"{meeting.get_kind_display()} – {meeting.get_form_display().lower()}."]
    if meeting.kind == Meeting.Kind.RELEASE_DAY:
        where = meeting.department.name if meeting.department else ""
        lines.append(
            _("At %(where)s: %(purpose)s.") % {
                "where": where or str(meeting.municipality or ""), "purpose": meeting.get_purpose_display()
            }
        )
        if meeting.purpose_note:
            lines.append(meeting.purpose_note)
    if meeting.status == Meeting.Status.CANCELLED:
        lines.append(_("Cancelled: %(reason)s") % {"reason": meeting.cancelled_reason})
    items = list(meeting.agenda_items.all())
    if items:
        lines.append("")
        lines.append(_("Agenda:"))
        lines.extend(f"{n}. {item}" for n, item in enumerate(items, 1))
        lines.append(_("Who holds the plan afterwards, how the municipality follows up, and who calls the "
                       "follow-up meeting within four weeks of release."))
    participants = list(meeting.participants.all())
    if participants:
        lines.append("")
        lines.append(_("Participants:"))
        for p in participants:
            extra = f" ({p.role})" if p.role else ""
            lines.append(f"- {p.name}{extra} – {p.get_party_display()}")
    if url:
        lines.append("")
        lines.append(_("In Køreplan (for those with access to the case): %(url)s") % {"url": url})
    return "\n".join(lines)


def meeting_event(meeting: Meeting, *, organizer: User, url: str = "") -> ics.Event:
    location = meeting.location
    if not location and meeting.kind == Meeting.Kind.RELEASE_DAY and meeting.department:
        location = f"{meeting.department.name}, {meeting.municipality or ''}".strip(", ")
    attendees = tuple(
        ics.Attendee(
            name=p.name, email=p.email,
            role="REQ-PARTICIPANT" if p.party != "addiction_centre" else "OPT-PARTICIPANT",
        )
        for p in meeting.participants.all()
        if p.email
    )
    return ics.Event(
        uid=f"{meeting.uid}@koreplan",
        sequence=meeting.sequence,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        stamp=timezone.now(),
        summary=f"{meeting.get_kind_display()} – {client_initials(meeting.case)}",
        organizer=_organizer(organizer, meeting),
        location=location,
        description=_description(meeting, url),
        attendees=attendees,
        cancelled=meeting.status == Meeting.Status.CANCELLED,
        url=url,
        categories=("Køreplan",),
    )


def meeting_invitation(meeting: Meeting, *, organizer: User, url: str = "") -> str:
    return ics.invitation(meeting_event(meeting, organizer=organizer, url=url))


def invitation_filename(meeting: Meeting) -> str:
    names = {
        Meeting.Kind.RELEASE_MEETING: "loesladelsesmoede",
        Meeting.Kind.RELEASE_DAY: "aftale-loesladelsesdagen",
        Meeting.Kind.FOLLOW_UP: "opfoelgende-moede",
    }
    return f"{names[Meeting.Kind(meeting.kind)]}-{meeting.pk}.ics"
