"""Redaction: a plan + what may be shared → the excerpt a recipient sees (VEJ pkt. 13, 65).

"Man skal dog være særlig opmærksom på, at handleplanen typisk også vil indeholde
oplysninger, som ikke er nødvendige for, at kommunen kan deltage i samarbejdet …
Således kan der være situationer, hvor det vil være nødvendigt at undtage oplysninger,
inden handleplanen videresendes" (VEJ pkt. 65). And GL p. 43: the part of the plan about
"tiden efter løsladelsen" can in most cases be passed on to the municipality.

:func:`redact` cuts a :class:`~koreplan.domain.plan.PlanContent` down to a
:class:`PlanExcerpt` holding only what ``categories`` allows — the categories the
consent decision allowed (``Decision.consented | Decision.on_legal_basis``):

- **description entries** (section 2) and **areas of effort** (section 4) only when
  their life area is an allowed category (a :class:`~koreplan.domain.plan.LifeArea` and
  a :class:`~koreplan.domain.consent.Category` share their values);
- **the causes** (section 3, with the client's view of them) only when
  :attr:`Category.OFFENCE` is allowed;
- **the overall assessment** and **the client's participation** never: they are
  written across every life area and carry no category, so no consent short of
  everything can cover them — the cover letter says in the sender's own words what the
  recipient needs of them;
- **partners** (section 5) with their name, organisation and role only — never their
  phone, address or e-mail (private data of third parties, who have not consented), nor
  the municipality's coordination record. The sender may leave partners out (``partners``).

**"After release"** (``after_release_only``, on by default). The plan does not mark which
of its parts concern the sentence and which the time after release: an area of effort
about housing may be about a room at a pension during the sentence or a flat after it.
So the *sender* decides, and the rule is kept simple:

- ``after_release`` is the set of keys of the areas of effort that concern the time after
  release — in the coordination request these are the areas the sender asks the
  municipality to coordinate (VEJ pkt. 65: the cover letter names "de områder, hvor
  Kriminalforsorgen finder, at der bør finde en opfølgning og koordinering sted").
- If the sender names none (``after_release=None``), the areas whose life area is one of
  :data:`DEFAULT_AFTER_RELEASE` count: the subjects GL Bilag 1 step 8 lists for the
  release meeting (health, housing, education/employment, finances, network, substance
  use). "Other matters" are left out by default, as they mostly concern the stay itself.
- The description entries that go are then only those of the life areas of the areas of
  effort that go: the background the recipient needs for the effort it is asked to
  coordinate, and no more.

With ``after_release_only=False`` every area of effort and every description entry in an
allowed category goes.

An excerpt never holds a category outside ``categories`` (property-tested). What was
left out, and why, is told to the sender alone by :func:`left_out` — never to the
recipient, since "two entries about mental health were left out" is itself information
about mental health.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from koreplan.domain.consent import Category
from koreplan.domain.plan import AreaOfEffort, ClientView, DescriptionEntry, LifeArea, PlanContent

SCHEMA_VERSION = 1

#: The life areas that count as "after release" when the sender names no areas (GL Bilag 1 step 8).
DEFAULT_AFTER_RELEASE: frozenset[LifeArea] = frozenset(LifeArea) - {LifeArea.OTHER}


def category_of(area: LifeArea) -> Category:
    """The consent category of a life area: the same value."""
    return Category(LifeArea(area).value)


@dataclass(frozen=True, slots=True)
class PartnerExcerpt:
    """A partner as a recipient may see it: who, where, in what role — no contact details."""

    key: str
    name: str
    organisation: str = ""
    role: str = ""


@dataclass(frozen=True, slots=True)
class PlanExcerpt:
    """What of a plan reaches a recipient. Holds nothing outside :attr:`categories`."""

    categories: frozenset[Category]
    after_release_only: bool
    description: tuple[DescriptionEntry, ...] = ()
    causes: str = ""
    causes_client_view: ClientView = field(default_factory=ClientView)
    areas: tuple[AreaOfEffort, ...] = ()
    partners: tuple[PartnerExcerpt, ...] = ()

    def categories_present(self) -> frozenset[Category]:
        """The categories the excerpt actually holds information about."""
        present = {category_of(e.area) for e in self.description} | {category_of(a.life_area) for a in self.areas}
        if self.causes.strip() or self.causes_client_view.stance is not None or self.causes_client_view.note.strip():
            present.add(Category.OFFENCE)
        return frozenset(present)

    def entries_for(self, area: LifeArea) -> tuple[DescriptionEntry, ...]:
        return tuple(sorted((e for e in self.description if e.area == area), key=lambda e: (e.on, e.key)))

    @property
    def is_empty(self) -> bool:
        return not (self.description or self.causes.strip() or self.areas or self.partners)

    # -- JSON: what is stored with a sent request, and read back to show it -------------

    def to_dict(self) -> dict[str, Any]:
        content = PlanContent(
            description=self.description,
            causes=self.causes,
            causes_client_view=self.causes_client_view,
            areas=self.areas,
        ).to_dict()
        return {
            "schema": SCHEMA_VERSION,
            "categories": sorted(c.value for c in self.categories),
            "after_release_only": self.after_release_only,
            "description": content["description"],
            "causes": content["causes"],
            "causes_client_view": content["causes_client_view"],
            "areas": content["areas"],
            "partners": [
                {"key": p.key, "name": p.name, "organisation": p.organisation, "role": p.role} for p in self.partners
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PlanExcerpt:
        if data.get("schema", SCHEMA_VERSION) != SCHEMA_VERSION:
            raise ValueError(f"Unknown excerpt schema {data.get('schema')!r}.")
        content = PlanContent.from_dict({
            "description": data.get("description", []),
            "causes": data.get("causes", ""),
            "causes_client_view": data.get("causes_client_view", {}),
            "areas": data.get("areas", []),
        })
        return cls(
            categories=frozenset(Category(c) for c in data.get("categories", [])),
            after_release_only=bool(data.get("after_release_only", True)),
            description=content.description,
            causes=content.causes,
            causes_client_view=content.causes_client_view,
            areas=content.areas,
            partners=tuple(
                PartnerExcerpt(p["key"], p.get("name", ""), p.get("organisation", ""), p.get("role", ""))
                for p in data.get("partners", [])
            ),
        )


def areas_after_release(content: PlanContent, after_release: Collection[str] | None = None) -> tuple[AreaOfEffort, ...]:
    """The areas of effort that concern the time after release (see the module's docstring)."""
    if after_release is None:
        return tuple(a for a in content.areas if a.life_area in DEFAULT_AFTER_RELEASE)
    keys = set(after_release)
    return tuple(a for a in content.areas if a.key in keys)


def redact(
    content: PlanContent,
    *,
    categories: Collection[Category],
    after_release_only: bool = True,
    after_release: Collection[str] | None = None,
    partners: Collection[str] | None = None,
) -> PlanExcerpt:
    """The excerpt of ``content`` that ``categories`` allows; see the module's docstring.

    ``after_release``: keys of the areas of effort that concern the time after release
    (None: those in :data:`DEFAULT_AFTER_RELEASE`). ``partners``: keys of the partners to
    name (None: all of them).
    """
    allowed = frozenset(Category(c) for c in categories)
    areas = tuple(a for a in content.areas if category_of(a.life_area) in allowed)
    if after_release_only:
        chosen = {a.key for a in areas_after_release(content, after_release)}
        areas = tuple(a for a in areas if a.key in chosen)
        described = {a.life_area for a in areas}
    else:
        described = set(LifeArea)
    description = tuple(
        e for e in content.description if category_of(e.area) in allowed and e.area in described
    )
    offence = Category.OFFENCE in allowed
    partner_keys = None if partners is None else set(partners)
    return PlanExcerpt(
        categories=allowed,
        after_release_only=after_release_only,
        description=description,
        causes=content.causes if offence else "",
        causes_client_view=content.causes_client_view if offence else ClientView(),
        areas=areas,
        partners=tuple(
            PartnerExcerpt(p.key, p.name, p.organisation, p.role)
            for p in content.partners
            if partner_keys is None or p.key in partner_keys
        ),
    )


class LeftOutReason(StrEnum):
    NOT_ALLOWED = "not_allowed"  # the category is not covered by consent or a legal basis
    NOT_AFTER_RELEASE = "not_after_release"  # may go, but not among the areas the sender chose
    UNCATEGORISED = "uncategorised"  # the assessment and participation are never shared
    CONTACT_DETAILS = "contact_details"  # partners' phone, address and e-mail
    NOT_CHOSEN = "not_chosen"  # a partner the sender left out


@dataclass(frozen=True, slots=True)
class LeftOut:
    """One part of the plan that does not go, for the sender's preview only."""

    part: str  # "entry", "area", "causes", "assessment", "participation", "partner", "partner_contact"
    reason: LeftOutReason
    category: Category | None = None
    title: str = ""  # an area's title or a partner's name, for the sender to recognise it
    on: date | None = None


def left_out(
    content: PlanContent, excerpt: PlanExcerpt, *, permitted: Collection[Category] | None = None
) -> tuple[LeftOut, ...]:
    """What of ``content`` is not in ``excerpt``, and why — for the sender, never the recipient.

    ``permitted``: every category consent or a legal basis would let go, asked for or not
    (None: only those of the excerpt). A permitted category that is missing was left out by
    the sender's choice of areas, not refused.
    """
    may_go = excerpt.categories if permitted is None else frozenset(Category(c) for c in permitted)

    def reason_for(category: Category) -> LeftOutReason:
        return LeftOutReason.NOT_AFTER_RELEASE if category in may_go else LeftOutReason.NOT_ALLOWED

    out: list[LeftOut] = []
    kept_entries = {e.key for e in excerpt.description}
    for e in content.description:
        if e.key not in kept_entries:
            category = category_of(e.area)
            out.append(LeftOut("entry", reason_for(category), category, on=e.on))
    kept_areas = {a.key for a in excerpt.areas}
    for a in content.areas:
        if a.key not in kept_areas:
            category = category_of(a.life_area)
            out.append(LeftOut("area", reason_for(category), category, title=a.title))
    if (content.causes.strip() or content.causes_client_view.stance) and not excerpt.causes.strip() and (
        excerpt.causes_client_view.stance is None
    ):
        out.append(LeftOut("causes", LeftOutReason.NOT_ALLOWED, Category.OFFENCE))
    if content.assessment.strip() or content.assessment_client_view.stance is not None:
        out.append(LeftOut("assessment", LeftOutReason.UNCATEGORISED))
    if content.participation.status is not None:
        out.append(LeftOut("participation", LeftOutReason.UNCATEGORISED))
    kept_partners = {p.key for p in excerpt.partners}
    for p in content.partners:
        if p.key not in kept_partners:
            out.append(LeftOut("partner", LeftOutReason.NOT_CHOSEN, title=p.name or p.organisation))
        elif p.phone or p.address or p.email or p.municipality is not None:
            out.append(LeftOut("partner_contact", LeftOutReason.CONTACT_DETAILS, title=p.name or p.organisation))
    return tuple(out)
