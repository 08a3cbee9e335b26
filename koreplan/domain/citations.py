"""Citations as structured values, never loose strings.

A citation names the source document, and where it points inside it: a paragraph (§)
with stk. and nr., a numbered point (pkt.) of the guidance, or a step of the method.
``str(citation)`` gives the short form a Danish lawyer writes ("cirk. § 5, stk. 1",
"VEJ pkt. 40"); the document itself, with its date, is one lookup away.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Source(StrEnum):
    CIRK = "cirk."
    VEJ = "VEJ"
    GL = "GL"
    STRFBL = "strfbl."
    TILSYNSBEK = "tilsynsbekendtgørelsen"
    LOCAL = "lokal aftale"


@dataclass(frozen=True, slots=True)
class Document:
    source: Source
    title: str
    identifier: str
    effective_from: date | None


DOCUMENTS: dict[Source, Document] = {
    Source.CIRK: Document(
        Source.CIRK,
        "Cirkulære om handleplaner m.v. (handleplanscirkulæret)",
        "cited in VEJ nr. 9399 af 26/07/2013",
        None,
    ),
    Source.VEJ: Document(
        Source.VEJ,
        "Vejledning om udarbejdelse af handleplaner",
        "VEJ nr. 9399 af 26/07/2013",
        date(2013, 7, 26),
    ),
    Source.GL: Document(
        Source.GL,
        "Projekt God Løsladelse, slutrapport; Bilag 1: Køreplan for god løsladelse",
        "Projekt God Løsladelse",
        None,
    ),
    Source.STRFBL: Document(
        Source.STRFBL, "Lov om fuldbyrdelse af straf m.v. (straffuldbyrdelsesloven)", "straffuldbyrdelsesloven", None
    ),
    Source.TILSYNSBEK: Document(
        Source.TILSYNSBEK,
        "Bekendtgørelse om tilsyn med prøveløsladte m.v. (tilsynsbekendtgørelsen)",
        "tilsynsbekendtgørelsen",
        None,
    ),
    Source.LOCAL: Document(
        Source.LOCAL,
        "Lokal samarbejdsaftale mellem institution og kommune (GL s. 45)",
        "lokal aftale",
        None,
    ),
}


@dataclass(frozen=True, slots=True)
class Citation:
    source: Source
    paragraph: str | None = None  # the § number
    stk: str | None = None
    nr: str | None = None
    pkt: str | None = None  # a numbered point of the guidance (VEJ)
    step: str | None = None  # a step of the method (GL Bilag 1)
    page: str | None = None
    note: str | None = None  # free words after the reference, e.g. "Målgrupper"

    def __str__(self) -> str:
        parts = [self.source.value]
        if self.step is not None:
            parts.append(f"Bilag 1, trin {self.step}")
        if self.paragraph is not None:
            parts.append(f"§ {self.paragraph}")
        if self.pkt is not None:
            parts.append(f"pkt. {self.pkt}")
        if self.page is not None:
            parts.append(f"s. {self.page}")
        text = " ".join(parts)
        if self.stk is not None:
            text += f", stk. {self.stk}"
        if self.nr is not None:
            text += f", nr. {self.nr}"
        if self.note:
            text += f", {self.note}"
        return text

    @property
    def document(self) -> Document:
        return DOCUMENTS[self.source]


def cirk(paragraph: int | str, stk: int | str | None = None) -> Citation:
    return Citation(Source.CIRK, paragraph=str(paragraph), stk=None if stk is None else str(stk))


def vej(pkt: int | str) -> Citation:
    return Citation(Source.VEJ, pkt=str(pkt))


def strfbl(paragraph: int | str, stk: int | str | None = None) -> Citation:
    return Citation(Source.STRFBL, paragraph=str(paragraph), stk=None if stk is None else str(stk))


def tilsynsbek(paragraph: int | str, stk: int | str | None = None) -> Citation:
    return Citation(Source.TILSYNSBEK, paragraph=str(paragraph), stk=None if stk is None else str(stk))


def gl_step(step: str) -> Citation:
    return Citation(Source.GL, step=step)


def gl_page(page: int | str, note: str | None = None) -> Citation:
    return Citation(Source.GL, page=str(page), note=note)


def local_agreement(note: str) -> Citation:
    return Citation(Source.LOCAL, note=note)
