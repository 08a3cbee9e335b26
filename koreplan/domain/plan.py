"""The content of one version of an action plan (handleplan), VEJ Afsnit III.

The plan form has five sections (VEJ pkt. 32):

1. *Stamoplysninger* — not stored here: the web application renders it from the case
   when the plan is read, so it can never disagree with the case (VEJ pkt. 33).
2. *Beskrivelse* — dated entries per life area, built up over time (VEJ pkt. 34, 51–52).
3. *Årsager til kriminalitet* — the causes, discussed with the client (VEJ pkt. 35).
4. *Vurdering og indsatsområder* — the overall assessment, then the areas of effort in
   priority order, each justified, with goals, actions and the client's own view
   (VEJ pkt. 36–37).
5. *Oversigt over samarbejdspartnere* — partners, and for a municipality how the
   coordination went (VEJ pkt. 38–39).

Plus the client's participation: a plan is made even when the client will not take part,
and that is recorded (VEJ pkt. 8).

A version's content is an immutable value: every change makes a new :class:`PlanContent`
(``dataclasses.replace`` and the ``with_*`` helpers), which the application stores as
JSON (:meth:`PlanContent.to_dict` / :meth:`PlanContent.from_dict`). Items in lists carry
a stable ``key`` that is copied from version to version, so :func:`compare` can tell an
edited area of effort from a removed one and a new one.

Messages here are English and carry a ``code``; the application translates by code.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any

SCHEMA_VERSION = 1


# -- vocabularies -----------------------------------------------------------------------


class LifeArea(StrEnum):
    """The points of the description (VEJ pkt. 34; domain.md "The action plan")."""

    HEALTH_PHYSICAL = "health_physical"
    HEALTH_MENTAL = "health_mental"
    HOUSING = "housing"
    EDUCATION_EMPLOYMENT = "education_employment"
    FINANCES = "finances"
    NETWORK = "network"
    SUBSTANCE_USE = "substance_use"
    OTHER = "other"


class Participation(StrEnum):
    """Whether the client took part in making the plan (VEJ pkt. 7–8)."""

    TOOK_PART = "took_part"
    DECLINED = "declined"


class ClientStance(StrEnum):
    """The client's own view (VEJ pkt. 36), as the MoJ sentence plan records it."""

    AGREES = "agrees"
    DISAGREES = "disagrees"
    COULD_NOT_ANSWER = "could_not_answer"


class Performer(StrEnum):
    """Who carries out an action (VEJ pkt. 37: a mentor's tasks must be clear)."""

    CLIENT = "client"
    STAFF = "staff"
    PARTNER = "partner"
    MENTOR = "mentor"


class ActionStatus(StrEnum):
    """The running follow-up of an action (VEJ pkt. 37, "løbende opfølgning")."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    NOT_DONE = "not_done"


class Section(StrEnum):
    """The parts of the content that are edited as a whole (section 1 is not stored).

    Areas of effort are deliberately not a section: each change to one carries a
    justification and the client's involvement (VEJ pkt. 37), so they are changed one at
    a time through their own operation.
    """

    PARTICIPATION = "participation"
    DESCRIPTION = "description"
    CAUSES = "causes"
    ASSESSMENT = "assessment"
    PARTNERS = "partners"


#: Which fields of :class:`PlanContent` each section holds.
SECTION_FIELDS: Mapping[Section, tuple[str, ...]] = {
    Section.PARTICIPATION: ("participation",),
    Section.DESCRIPTION: ("description",),
    Section.CAUSES: ("causes", "causes_client_view"),
    Section.ASSESSMENT: ("assessment", "assessment_client_view"),
    Section.PARTNERS: ("partners",),
}


# -- errors -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContentError:
    """One problem, at a dotted path into the content (``areas.0.actions.1.what``)."""

    path: str
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class PlanContentError(ValueError):
    """Content that cannot be read or breaks a rule; ``errors`` names every problem."""

    def __init__(self, errors: Iterable[ContentError]):
        self.errors = tuple(errors)
        super().__init__("; ".join(str(e) for e in self.errors))


# -- the content ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClientParticipation:
    status: Participation | None = None
    #: Why the client declined, as precisely as possible (VEJ pkt. 8).
    reason: str = ""


@dataclass(frozen=True, slots=True)
class ClientView:
    stance: ClientStance | None = None
    #: On what the client disagrees, or why they could not answer.
    note: str = ""


@dataclass(frozen=True, slots=True)
class DescriptionEntry:
    key: str
    area: LifeArea
    on: date
    text: str
    #: Written at the intake interview, which goes into the plan (VEJ pkt. 28).
    from_intake_interview: bool = False


@dataclass(frozen=True, slots=True)
class Action:
    key: str
    what: str
    who: Performer = Performer.STAFF
    #: The person or partner by name, e.g. the mentor or the jobcentre's caseworker.
    who_name: str = ""
    when: str = ""
    how: str = ""
    status: ActionStatus = ActionStatus.PLANNED
    not_done_reason: str = ""
    #: For an action not done: is it relevant to try again (VEJ pkt. 37)?
    try_again: bool | None = None


@dataclass(frozen=True, slots=True)
class AreaOfEffort:
    """An indsatsområde. Its priority is its place in :attr:`PlanContent.areas`."""

    key: str
    life_area: LifeArea
    title: str
    justification: str
    goal: str
    sub_goals: tuple[str, ...] = ()
    actions: tuple[Action, ...] = ()
    client_view: ClientView = field(default_factory=ClientView)
    #: How the effort is coordinated with internal and external partners.
    coordination: str = ""
    #: How, when and with whom it is evaluated.
    evaluation: str = ""


@dataclass(frozen=True, slots=True)
class MunicipalCoordination:
    """VEJ pkt. 39: the coordination of the plan with the municipality."""

    client_covered: bool | None = None
    consent_given: bool | None = None
    contacted_on: date | None = None
    followed_up: bool | None = None


@dataclass(frozen=True, slots=True)
class Partner:
    key: str
    name: str
    organisation: str = ""
    role: str = ""
    phone: str = ""
    address: str = ""
    email: str = ""
    #: Set when the partner is the municipality.
    municipality: MunicipalCoordination | None = None


@dataclass(frozen=True, slots=True)
class PlanContent:
    participation: ClientParticipation = field(default_factory=ClientParticipation)
    description: tuple[DescriptionEntry, ...] = ()
    causes: str = ""
    causes_client_view: ClientView = field(default_factory=ClientView)
    assessment: str = ""
    assessment_client_view: ClientView = field(default_factory=ClientView)
    #: In priority order: the first is the most important.
    areas: tuple[AreaOfEffort, ...] = ()
    partners: tuple[Partner, ...] = ()

    # -- reading --------------------------------------------------------------------

    def entries_for(self, area: LifeArea) -> tuple[DescriptionEntry, ...]:
        """The description of one life area, oldest entry first."""
        return tuple(sorted((e for e in self.description if e.area == area), key=lambda e: (e.on, _key_number(e.key))))

    def area(self, key: str) -> AreaOfEffort | None:
        return next((a for a in self.areas if a.key == key), None)

    def priority_of(self, key: str) -> int | None:
        return next((i for i, a in enumerate(self.areas, 1) if a.key == key), None)

    @property
    def is_empty(self) -> bool:
        return self == PlanContent()

    # -- JSON -----------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {"schema": SCHEMA_VERSION, **{name: _dump(getattr(self, name)) for name in _CONTENT_FIELDS}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PlanContent:
        """Read stored or submitted JSON; raise :class:`PlanContentError` naming every path."""
        reader = _Reader()
        content = reader.content(data)
        if reader.errors:
            raise PlanContentError(reader.errors)
        return content

    def section_dict(self, section: Section | str) -> dict[str, Any]:
        return {name: _dump(getattr(self, name)) for name in SECTION_FIELDS[Section(section)]}

    # -- rules ----------------------------------------------------------------------

    def validate(self, *, today: date | None = None) -> tuple[ContentError, ...]:
        """The plan's rules; an empty tuple when the content is fine.

        The content may be incomplete — a plan is built up over time (VEJ pkt. 29, 34) —
        but what is written must be whole: an area of effort is justified and has a goal,
        a refusal or disagreement says why, an action not done says why.
        """
        errors: list[ContentError] = []

        def add(path: str, code: str, message: str) -> None:
            errors.append(ContentError(path, code, message))

        if self.participation.status == Participation.DECLINED and not self.participation.reason.strip():
            add("participation.reason", "declined_reason_required", "Say why the client did not take part.")
        for i, entry in enumerate(self.description):
            if not entry.text.strip():
                add(f"description.{i}.text", "entry_text_required", "Write the entry.")
            if today is not None and entry.on > today:
                add(f"description.{i}.on", "future_date", "The date cannot be in the future.")
        _validate_view(self.causes_client_view, "causes_client_view", add)
        _validate_view(self.assessment_client_view, "assessment_client_view", add)
        for i, area in enumerate(self.areas):
            errors.extend(validate_area(area, path=f"areas.{i}"))
        for i, partner in enumerate(self.partners):
            path = f"partners.{i}"
            if not (partner.name.strip() or partner.organisation.strip()):
                add(f"{path}.name", "partner_name_required", "Give the partner's name or organisation.")
            if partner.email and not _EMAIL.fullmatch(partner.email.strip()):
                add(f"{path}.email", "invalid_email", "Enter a valid e-mail address.")
            m = partner.municipality
            if m is not None and m.followed_up and m.contacted_on is None:
                add(f"{path}.municipality.contacted_on", "contact_before_follow_up",
                    "Give the date the municipality was contacted before recording its follow-up.")
            if m is not None and today is not None and m.contacted_on and m.contacted_on > today:
                add(f"{path}.municipality.contacted_on", "future_date", "The date cannot be in the future.")
        keys = [k for k in _all_keys(self)]
        for duplicate in sorted({k for k in keys if keys.count(k) > 1}):
            add("keys", "duplicate_key", f"The key {duplicate!r} is used twice.")
        return tuple(errors)


_CONTENT_FIELDS = tuple(PlanContent.__dataclass_fields__)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def validate_area(area: AreaOfEffort, *, path: str = "area") -> tuple[ContentError, ...]:
    """The rules of one area of effort (VEJ pkt. 36–37)."""
    errors: list[ContentError] = []

    def add(p: str, code: str, message: str) -> None:
        errors.append(ContentError(p, code, message))
    if not area.title.strip():
        add(f"{path}.title", "area_title_required", "Name the area of effort.")
    if not area.justification.strip():
        add(f"{path}.justification", "area_justification_required", "Every area of effort is justified (VEJ pkt. 36).")
    if not area.goal.strip():
        add(f"{path}.goal", "area_goal_required", "Set a realistic goal (VEJ pkt. 37).")
    for j, goal in enumerate(area.sub_goals):
        if not goal.strip():
            add(f"{path}.sub_goals.{j}", "sub_goal_required", "Write the sub-goal or remove it.")
    for j, action in enumerate(area.actions):
        apath = f"{path}.actions.{j}"
        if not action.what.strip():
            add(f"{apath}.what", "action_what_required", "Say what will be done.")
        if action.status == ActionStatus.NOT_DONE:
            if not action.not_done_reason.strip():
                add(f"{apath}.not_done_reason", "not_done_reason_required", "Say why it was not done.")
            if action.try_again is None:
                add(f"{apath}.try_again", "try_again_required", "Say whether to try again.")
        elif action.not_done_reason.strip() or action.try_again is not None:
            add(f"{apath}.status", "reason_only_when_not_done",
                "A reason and 'try again' belong to an action that was not done.")
    _validate_view(area.client_view, f"{path}.client_view", add)
    return tuple(errors)


def _validate_view(view: ClientView, path: str, add) -> None:
    if view.stance == ClientStance.DISAGREES and not view.note.strip():
        add(f"{path}.note", "disagreement_required", "Say what the client disagrees with.")
    elif view.stance == ClientStance.COULD_NOT_ANSWER and not view.note.strip():
        add(f"{path}.note", "could_not_answer_reason_required", "Say why the client could not answer.")


# -- changing the content ---------------------------------------------------------------


def _key_number(key: str) -> int:
    digits = key[1:]
    return int(digits) if digits.isdigit() else 0


def _all_keys(content: PlanContent) -> Iterable[str]:
    yield from (e.key for e in content.description)
    for area in content.areas:
        yield area.key
        yield from (a.key for a in area.actions)
    yield from (p.key for p in content.partners)


def new_key(content: PlanContent, prefix: str, *, taken: Iterable[str] = ()) -> str:
    """A key not used anywhere in the content (nor in ``taken``): ``prefix`` + a number."""
    used = {*_all_keys(content), *taken}
    numbers = [_key_number(k) for k in used if k.startswith(prefix)]
    return f"{prefix}{max(numbers, default=0) + 1}"



def with_entry(content: PlanContent, *, area: LifeArea, on: date, text: str, from_intake_interview: bool = False) -> PlanContent:
    """Add a dated entry to the description of one life area (VEJ pkt. 51–52)."""
    entry = DescriptionEntry(new_key(content, "e"), LifeArea(area), on, text.strip(), from_intake_interview)
    return replace(content, description=(*content.description, entry))


def with_area_entries(content: PlanContent, area: LifeArea, entries: Iterable[DescriptionEntry]) -> PlanContent:
    """Replace the description of one life area; the other areas are kept as they are."""
    area = LifeArea(area)
    kept = tuple(e for e in content.description if e.area != area)
    return replace(content, description=(*kept, *(replace(e, area=area) for e in entries)))


def with_area(content: PlanContent, area: AreaOfEffort, *, priority: int | None = None) -> PlanContent:
    """Add an area of effort, or replace the one with its key, at ``priority`` (1 = first).

    Without a priority a new area goes last and an existing one keeps its place. The
    others keep their order around it.
    """
    others = [a for a in content.areas if a.key != area.key]
    current = content.priority_of(area.key)
    if priority is None:
        priority = current or len(others) + 1
    index = min(max(priority, 1), len(others) + 1) - 1
    others.insert(index, area)
    return replace(content, areas=tuple(others))


def without_area(content: PlanContent, key: str) -> PlanContent:
    return replace(content, areas=tuple(a for a in content.areas if a.key != key))


def with_keys(content: PlanContent) -> PlanContent:
    """Give every item without a key (``""``) a fresh one; used on submitted content."""
    taken: set[str] = set(k for k in _all_keys(content) if k)

    def fresh(prefix: str) -> str:
        key = new_key(PlanContent(), prefix, taken=taken)
        taken.add(key)
        return key

    description = tuple(e if e.key else replace(e, key=fresh("e")) for e in content.description)
    areas = tuple(
        replace(
            a,
            key=a.key or fresh("a"),
            actions=tuple(x if x.key else replace(x, key=fresh("h")) for x in a.actions),
        )
        for a in content.areas
    )
    partners = tuple(p if p.key else replace(p, key=fresh("p")) for p in content.partners)
    return replace(content, description=description, areas=areas, partners=partners)


def with_section(content: PlanContent, section: Section | str, data: Mapping[str, Any]) -> PlanContent:
    """Replace one section from its JSON (the API's PATCH); raise PlanContentError."""
    section = Section(section)
    expected = set(SECTION_FIELDS[section])
    unknown = sorted(set(data) - expected)
    if unknown:
        raise PlanContentError(ContentError(name, "unknown_field", "Unknown field.") for name in unknown)
    merged = {**content.to_dict(), **data}
    return with_keys(PlanContent.from_dict(merged))


# -- JSON reading and writing -------------------------------------------------------------


def _dump(value: Any) -> Any:
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_dump(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {name: _dump(getattr(value, name)) for name in value.__dataclass_fields__}
    return value


class _Reader:
    """Strict JSON → dataclasses, collecting every error with its path."""

    def __init__(self) -> None:
        self.errors: list[ContentError] = []

    def error(self, path: str, code: str, message: str) -> None:
        self.errors.append(ContentError(path, code, message))

    def obj(self, data: Any, path: str, allowed: Iterable[str]) -> Mapping[str, Any]:
        if not isinstance(data, Mapping):
            self.error(path or "content", "not_an_object", "Must be an object.")
            return {}
        for name in sorted(set(data) - set(allowed)):
            self.error(_join(path, name), "unknown_field", "Unknown field.")
        return data

    def text(self, data: Mapping, name: str, path: str) -> str:
        value = data.get(name, "")
        if value is None:
            return ""
        if not isinstance(value, str):
            self.error(_join(path, name), "not_text", "Must be text.")
            return ""
        return value

    def flag(self, data: Mapping, name: str, path: str, *, optional: bool = True) -> bool | None:
        value = data.get(name)
        if value is None and optional:
            return None
        if not isinstance(value, bool):
            self.error(_join(path, name), "not_boolean", "Must be true or false.")
            return None
        return value

    def day(self, data: Mapping, name: str, path: str, *, required: bool) -> date | None:
        value = data.get(name)
        if value in (None, ""):
            if required:
                self.error(_join(path, name), "required", "Give the date.")
            return None
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            self.error(_join(path, name), "invalid_date", "Must be a date, YYYY-MM-DD.")
            return None

    def choice(self, data: Mapping, name: str, path: str, enum: type[StrEnum], *, required: bool, default=None):
        value = data.get(name)
        if value in (None, ""):
            if required and default is None:
                self.error(_join(path, name), "required", "Choose a value.")
            return default
        try:
            return enum(value)
        except ValueError:
            self.error(_join(path, name), "invalid_choice", f"{value!r} is not one of {', '.join(e.value for e in enum)}.")
            return default

    def items(self, data: Mapping, name: str, path: str) -> list[tuple[str, Any]]:
        value = data.get(name, [])
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(_join(path, name), "not_a_list", "Must be a list.")
            return []
        return [(_join(path, f"{name}.{i}"), item) for i, item in enumerate(value)]

    # -- the content's parts --

    def content(self, data: Any) -> PlanContent:
        d = self.obj(data, "", ("schema", *_CONTENT_FIELDS))
        schema = d.get("schema", SCHEMA_VERSION)
        if schema != SCHEMA_VERSION:
            self.error("schema", "unknown_schema", f"Unknown schema version {schema!r}.")
        return PlanContent(
            participation=self.participation(d.get("participation", {}), "participation"),
            description=tuple(self.entry(item, p) for p, item in self.items(d, "description", "")),
            causes=self.text(d, "causes", ""),
            causes_client_view=self.view(d.get("causes_client_view", {}), "causes_client_view"),
            assessment=self.text(d, "assessment", ""),
            assessment_client_view=self.view(d.get("assessment_client_view", {}), "assessment_client_view"),
            areas=tuple(self.area(item, p) for p, item in self.items(d, "areas", "")),
            partners=tuple(self.partner(item, p) for p, item in self.items(d, "partners", "")),
        )

    def participation(self, data: Any, path: str) -> ClientParticipation:
        d = self.obj(data or {}, path, ClientParticipation.__dataclass_fields__)
        return ClientParticipation(
            status=self.choice(d, "status", path, Participation, required=False),
            reason=self.text(d, "reason", path),
        )

    def view(self, data: Any, path: str) -> ClientView:
        d = self.obj(data or {}, path, ClientView.__dataclass_fields__)
        return ClientView(stance=self.choice(d, "stance", path, ClientStance, required=False), note=self.text(d, "note", path))

    def entry(self, data: Any, path: str) -> DescriptionEntry:
        d = self.obj(data, path, DescriptionEntry.__dataclass_fields__)
        return DescriptionEntry(
            key=self.text(d, "key", path),
            area=self.choice(d, "area", path, LifeArea, required=True, default=None) or LifeArea.OTHER,
            on=self.day(d, "on", path, required=True) or date.min,
            text=self.text(d, "text", path),
            from_intake_interview=bool(self.flag(d, "from_intake_interview", path)),
        )

    def area(self, data: Any, path: str) -> AreaOfEffort:
        d = self.obj(data, path, AreaOfEffort.__dataclass_fields__)
        sub_goals = []
        for p, goal in self.items(d, "sub_goals", path):
            if isinstance(goal, str):
                sub_goals.append(goal)
            else:
                self.error(p, "not_text", "Must be text.")
        return AreaOfEffort(
            key=self.text(d, "key", path),
            life_area=self.choice(d, "life_area", path, LifeArea, required=True) or LifeArea.OTHER,
            title=self.text(d, "title", path),
            justification=self.text(d, "justification", path),
            goal=self.text(d, "goal", path),
            sub_goals=tuple(sub_goals),
            actions=tuple(self.action(item, p) for p, item in self.items(d, "actions", path)),
            client_view=self.view(d.get("client_view", {}), _join(path, "client_view")),
            coordination=self.text(d, "coordination", path),
            evaluation=self.text(d, "evaluation", path),
        )

    def action(self, data: Any, path: str) -> Action:
        d = self.obj(data, path, Action.__dataclass_fields__)
        return Action(
            key=self.text(d, "key", path),
            what=self.text(d, "what", path),
            who=self.choice(d, "who", path, Performer, required=False, default=Performer.STAFF),
            who_name=self.text(d, "who_name", path),
            when=self.text(d, "when", path),
            how=self.text(d, "how", path),
            status=self.choice(d, "status", path, ActionStatus, required=False, default=ActionStatus.PLANNED),
            not_done_reason=self.text(d, "not_done_reason", path),
            try_again=self.flag(d, "try_again", path),
        )

    def partner(self, data: Any, path: str) -> Partner:
        d = self.obj(data, path, Partner.__dataclass_fields__)
        municipality = None
        if d.get("municipality") is not None:
            mpath = _join(path, "municipality")
            m = self.obj(d["municipality"], mpath, MunicipalCoordination.__dataclass_fields__)
            municipality = MunicipalCoordination(
                client_covered=self.flag(m, "client_covered", mpath),
                consent_given=self.flag(m, "consent_given", mpath),
                contacted_on=self.day(m, "contacted_on", mpath, required=False),
                followed_up=self.flag(m, "followed_up", mpath),
            )
        return Partner(
            key=self.text(d, "key", path),
            name=self.text(d, "name", path),
            organisation=self.text(d, "organisation", path),
            role=self.text(d, "role", path),
            phone=self.text(d, "phone", path),
            address=self.text(d, "address", path),
            email=self.text(d, "email", path),
            municipality=municipality,
        )


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


# -- comparing two versions ---------------------------------------------------------------

Path = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of text in one side of a comparison: kept, or deleted/inserted."""

    text: str
    op: str  # "equal", "delete" (only on the old side), "insert" (only on the new side)


@dataclass(frozen=True, slots=True)
class Change:
    """One field of the two versions side by side."""

    path: Path
    old: str
    new: str

    @property
    def kind(self) -> str:
        if self.old == self.new:
            return "unchanged"
        if not self.old:
            return "added"
        if not self.new:
            return "removed"
        return "changed"

    @property
    def changed(self) -> bool:
        return self.old != self.new

    @property
    def section(self) -> str:
        return self.path[0]

    def segments(self) -> tuple[tuple[Segment, ...], tuple[Segment, ...]]:
        """Word-level differences: the old side's segments and the new side's."""
        return diff_words(self.old, self.new)


_TOKENS = re.compile(r"\w+|\s+|[^\w\s]")


def diff_words(old: str, new: str) -> tuple[tuple[Segment, ...], tuple[Segment, ...]]:
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    left: list[Segment] = []
    right: list[Segment] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            left.append(Segment("".join(a[i1:i2]), "equal"))
            right.append(Segment("".join(b[j1:j2]), "equal"))
            continue
        if i2 > i1:
            left.append(Segment("".join(a[i1:i2]), "delete"))
        if j2 > j1:
            right.append(Segment("".join(b[j1:j2]), "insert"))
    return tuple(left), tuple(right)


def default_render(path: Path, value: Any) -> str:
    """How a value reads in a comparison when the application gives no renderer."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, DescriptionEntry):
        return f"{value.on.isoformat()}: {value.text}"
    if isinstance(value, (date, StrEnum)):
        return str(value.isoformat() if isinstance(value, date) else value.value)
    if isinstance(value, tuple):
        return "\n".join(str(v) for v in value)
    return str(value)


def flatten(content: PlanContent) -> list[tuple[Path, Any]]:
    """Every field of the content as (path, value), in reading order.

    List items are addressed by their key, so the same item in two versions has the same
    path wherever it sits; an area's priority is a field of its own.
    """
    out: list[tuple[Path, Any]] = [
        (("participation", "status"), content.participation.status),
        (("participation", "reason"), content.participation.reason),
    ]
    for area in LifeArea:
        out.extend((("description", area.value, e.key), e) for e in content.entries_for(area))
    out.append((("causes",), content.causes))
    out.extend(_view(("causes_client_view",), content.causes_client_view))
    out.append((("assessment",), content.assessment))
    out.extend(_view(("assessment_client_view",), content.assessment_client_view))
    for priority, a in enumerate(content.areas, 1):
        p = ("areas", a.key)
        out += [
            (p + ("title",), a.title),
            (p + ("priority",), str(priority)),
            (p + ("life_area",), a.life_area),
            (p + ("justification",), a.justification),
            (p + ("goal",), a.goal),
            (p + ("sub_goals",), a.sub_goals),
        ]
        for x in a.actions:
            q = p + ("actions", x.key)
            out += [(q + (name,), getattr(x, name)) for name in Action.__dataclass_fields__ if name != "key"]
        out.extend(_view(p + ("client_view",), a.client_view))
        out += [(p + ("coordination",), a.coordination), (p + ("evaluation",), a.evaluation)]
    for partner in content.partners:
        p = ("partners", partner.key)
        out += [(p + (name,), getattr(partner, name)) for name in Partner.__dataclass_fields__ if name not in ("key", "municipality")]
        if partner.municipality is not None:
            m = partner.municipality
            out += [(p + ("municipality", name), getattr(m, name)) for name in MunicipalCoordination.__dataclass_fields__]
    return out


def _view(path: Path, view: ClientView) -> list[tuple[Path, Any]]:
    return [(path + ("stance",), view.stance), (path + ("note",), view.note)]


def compare(
    a: PlanContent,
    b: PlanContent,
    *,
    render: Callable[[Path, Any], str] = default_render,
    include_unchanged: bool = True,
) -> tuple[Change, ...]:
    """The fields of ``a`` (older) and ``b`` (newer) side by side, in reading order.

    Fields empty in both are left out. A field only in ``b`` is added, only in ``a``
    removed; removed items are shown where they stood in ``a``.
    """
    old = {path: render(path, value) for path, value in flatten(a)}
    new_items = flatten(b)
    new = {path: render(path, value) for path, value in new_items}
    order = _merge_order([p for p, _ in flatten(a)], [p for p, _ in new_items])
    changes = []
    for path in order:
        change = Change(path, old.get(path, ""), new.get(path, ""))
        if not change.old and not change.new:
            continue
        if change.changed or include_unchanged:
            changes.append(change)
    return tuple(changes)


def _merge_order(old: list[Path], new: list[Path]) -> list[Path]:
    """The new order, with paths only in the old inserted after their old predecessor."""
    merged = list(new)
    present = set(new)
    previous: Path | None = None
    for path in old:
        if path not in present:
            at = merged.index(previous) + 1 if previous is not None else 0
            merged.insert(at, path)
            present.add(path)
        previous = path
    return merged
