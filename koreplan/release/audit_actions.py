"""The release's audit action codes as the case's access log names them. The case page's
``audit_action`` filter can take them in: ``AUDIT_ACTIONS.update(release.audit_actions.AUDIT_ACTIONS)``."""

from django.utils.translation import gettext_lazy as _

AUDIT_ACTIONS = {
    "koreplan.release.viewed": _("Viewed the release"),
    "koreplan.release.readiness_updated": _("Changed the release readiness"),
    "koreplan.release.meeting_planned": _("Planned a release meeting or appointment"),
    "koreplan.release.meeting_changed": _("Changed a release meeting or appointment"),
    "koreplan.release.meeting_held": _("Recorded a meeting as held"),
    "koreplan.release.meeting_cancelled": _("Cancelled a meeting"),
    "koreplan.release.invitation_downloaded": _("Downloaded a calendar invitation"),
    "koreplan.release.agenda_updated": _("Updated the release meeting's agenda"),
    "koreplan.release.agreement_added": _("Added an agreement from the release meeting"),
    "koreplan.release.agreement_removed": _("Removed an agreement from the release meeting"),
    "koreplan.release.outcome_recorded": _("Recorded the outcome of the release"),
    "koreplan.release.kif_involved": _("Involved KIF"),
}
