"""CPR numbers: ten digits with a real birth date that is not in the future.

The old modulus-11 check is never applied: since 2007 numbers are issued that fail it
(CPR-kontoret), so rejecting on it would turn real people away. python-stdnum reads the
century from the seventh digit.
"""

from __future__ import annotations

from datetime import date

from stdnum.dk import cpr as stdnum_cpr
from stdnum.exceptions import ValidationError as StdnumError

from koreplan.domain.calendar import da_date


def parse_cpr(text: str, *, today: date) -> tuple[str, date]:
    """The compact CPR number and the birth date in it; ValueError says what is wrong (in Danish:
    the message reaches caseworkers as it is)."""
    number = stdnum_cpr.compact(text or "")
    if not number.isdigit() or len(number) != 10:
        raise ValueError("CPR-nummeret skal være ti cifre, skrevet DDMMÅÅ-XXXX eller DDMMÅÅXXXX.")
    try:
        birth = stdnum_cpr.get_birth_date(number)
    except StdnumError:
        raise ValueError("De første seks cifre er ikke en rigtig dato (DDMMÅÅ).") from None
    if birth > today:
        raise ValueError(f"Fødselsdatoen {da_date(birth)} ligger i fremtiden.")
    return number, birth
