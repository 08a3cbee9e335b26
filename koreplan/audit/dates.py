from datetime import datetime


def years_before(moment: datetime, years: int) -> datetime:
    """The same moment `years` calendar years earlier; 29 February becomes 28 February."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)
