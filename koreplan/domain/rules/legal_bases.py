"""Legal bases for disclosing a client's information without consent, kept as data.

VEJ pkt. 65 (2013) names persondataloven § 7, stk. 2, nr. 4, and § 8, stk. 2, nr. 3.
Since 25 May 2018 the GDPR (Art. 10 for criminal-offence data) and databeskyttelsesloven
§ 8 apply, and for Kriminalforsorgen's law-enforcement tasks retshåndhævelsesloven. Each
basis carries its period of validity: the one used is the one in force on the day of the
disclosure. A basis is never enough on its own: the disclosure also needs a written
justification and a second person's approval (the services enforce that).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

GDPR_IN_FORCE = date(2018, 5, 25)


@dataclass(frozen=True, slots=True)
class LegalBasis:
    code: str
    citation: str
    title_da: str
    title_en: str
    valid_from: date | None
    valid_to: date | None

    def in_force(self, on: date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_to is None or on <= self.valid_to)


LEGAL_BASES: tuple[LegalBasis, ...] = (
    LegalBasis(
        "pdl_7_2_4",
        "persondataloven § 7, stk. 2, nr. 4",
        "Nødvendig for at fastlægge, gøre gældende eller forsvare et retskrav",
        "Necessary to establish, exercise or defend a legal claim",
        None,
        date(2018, 5, 24),
    ),
    LegalBasis(
        "pdl_8_2_3",
        "persondataloven § 8, stk. 2, nr. 3",
        "Nødvendig for udførelsen af en myndigheds opgaver",
        "Necessary for an authority's performance of its tasks",
        None,
        date(2018, 5, 24),
    ),
    LegalBasis(
        "dbl_8_2_2",
        "databeskyttelsesloven § 8, stk. 2, nr. 2 (GDPR art. 10)",
        "Til varetagelse af offentlige interesser, der klart overstiger hensynet til den registrerede",
        "Protecting public interests that clearly outweigh the person's interests",
        GDPR_IN_FORCE,
        None,
    ),
    LegalBasis(
        "dbl_8_2_3",
        "databeskyttelsesloven § 8, stk. 2, nr. 3 (GDPR art. 10)",
        "Nødvendig for udførelsen af en myndigheds virksomhed eller påkrævet for en afgørelse",
        "Necessary for an authority's activity or required for a decision it must make",
        GDPR_IN_FORCE,
        None,
    ),
    LegalBasis(
        "rhl_10",
        "retshåndhævelsesloven § 10",
        "Kriminalforsorgens videregivelse til andre formål i retshåndhævelsen",
        "Kriminalforsorgen's disclosure for other law-enforcement purposes",
        GDPR_IN_FORCE,
        None,
    ),
)

BY_CODE = {basis.code: basis for basis in LEGAL_BASES}


def legal_bases_in_force(on: date) -> tuple[LegalBasis, ...]:
    return tuple(basis for basis in LEGAL_BASES if basis.in_force(on))
