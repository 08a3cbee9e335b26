"""How a request's snapshot reads: values turned into the reader's words and dates.

The snapshot holds values, not labels (see ``letters``), so that the sender's preview and
the recipient's inbox render one and the same JSON with one template,
``coordination/_request_document.html``, each in the reader's language.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from koreplan.accounts.models import Role
from koreplan.cases.models import CaseType, Placement
from koreplan.consent.models import Category, category_labels
from koreplan.coordination.models import KfOption, Kind
from koreplan.domain.plan import ClientStance, LifeArea
from koreplan.domain.redaction import PlanExcerpt
from koreplan.organisations.models import MunicipalDepartment


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _labels(choices, values) -> list[str]:
    labels = dict(choices)
    return [str(labels.get(v, v)) for v in values]


def document(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The template context of a request's document (``doc``)."""
    letter = snapshot.get("letter", {})
    sentence = snapshot.get("sentence", {})
    excerpt = PlanExcerpt.from_dict(snapshot["excerpt"]) if snapshot.get("excerpt") else None
    life_area_labels = dict(Category.choices)
    description = []
    if excerpt is not None:
        for area in LifeArea:
            entries = excerpt.entries_for(area)
            if entries:
                description.append({"label": life_area_labels[area.value], "entries": entries})
    return {
        "kind": snapshot.get("kind"),
        "kind_label": dict(Kind.choices).get(snapshot.get("kind"), ""),
        "step": snapshot.get("step"),
        "to": snapshot.get("to", {}),
        "departments": _labels(MunicipalDepartment.Kind.choices, snapshot.get("to", {}).get("departments", [])),
        "sender": {**snapshot.get("from", {}), "role_label": dict(Role.choices).get(snapshot.get("from", {}).get("role"), "")},
        "client": {**snapshot.get("client", {}), "birth_date": _day(snapshot.get("client", {}).get("birth_date"))},
        "sentence": {
            "case_type": dict(CaseType.choices).get(sentence.get("case_type"), ""),
            "institution": sentence.get("institution", ""),
            "placement": dict(Placement.choices).get(sentence.get("placement"), ""),
            "intake_on": _day(sentence.get("intake_on")),
            "supervision_started_on": _day(sentence.get("supervision_started_on")),
            "expected_release_on": _day(sentence.get("expected_release_on")),
        },
        "letter": {
            **letter,
            "life_areas": category_labels(letter.get("life_areas", [])),
            "kf_options": _labels(KfOption.choices, letter.get("kf_options", [])),
            "meeting_proposed_on": _day(letter.get("meeting_proposed_on")),
        },
        "plan": snapshot.get("plan"),
        "plan_began_on": _day((snapshot.get("plan") or {}).get("began_on")),
        "excerpt": excerpt,
        "description": description,
        "areas": [
            {"area": a, "life_label": life_area_labels[a.life_area.value], "stance": _stance(a.client_view.stance)}
            for a in (excerpt.areas if excerpt else ())
        ],
        "causes_stance": _stance(excerpt.causes_client_view.stance) if excerpt else "",
    }


def _stance(stance) -> str:
    if stance is None:
        return ""
    return str({
        ClientStance.AGREES: gettext_lazy("Agrees"),
        ClientStance.DISAGREES: gettext_lazy("Disagrees"),
        ClientStance.COULD_NOT_ANSWER: gettext_lazy("Could not answer"),
    }[stance])


def left_out_lines(items) -> list[str]:
    """What the redaction left out, in words, for the sender's preview only."""
    labels = dict(Category.choices)
    counts: dict[tuple[str, str, str], int] = {}
    for item in items:
        key = (item.part, item.reason.value, item.category.value if item.category else "")
        counts[key] = counts.get(key, 0) + 1
    words = {
        ("entry", "not_allowed"): _("Description entries about %(category)s (%(n)s): not covered by consent or a legal basis"),
        ("entry", "not_after_release"): _("Description entries about %(category)s (%(n)s): not among the areas you chose to coordinate"),
        ("area", "not_allowed"): _("Areas of effort about %(category)s (%(n)s): not covered by consent or a legal basis"),
        ("area", "not_after_release"): _("Areas of effort about %(category)s (%(n)s): not chosen as concerning the time after release"),
        ("causes", "not_allowed"): _("The causes of the offence: the offence is not shared"),
        ("assessment", "uncategorised"): _("The overall assessment: it spans every life area, so it is never shared"),
        ("participation", "uncategorised"): _("The client's participation in the plan: never shared"),
        ("partner", "not_chosen"): _("Partners you left out (%(n)s)"),
        ("partner_contact", "contact_details"): _("The contact details of partners (%(n)s): only name, organisation and role are shared"),
    }
    lines = []
    for (part, reason, category), n in counts.items():
        template = words.get((part, reason))
        if template:
            lines.append(template % {"n": n, "category": str(labels.get(category, category)).lower()})
    return lines
