"""Reads of organisations and regions."""

from datetime import date

from django.db.models import Q

from koreplan.organisations.models import Organisation, Region, RegionMembership


def region_of(*, municipality: Organisation, on: date) -> Region | None:
    """The region the municipality belonged to on the given date: the date of the legal
    fact, not today, so that a report on 2026 still says Region Hovedstaden after 2027."""
    membership = (
        RegionMembership.objects.filter(municipality=municipality, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .select_related("region")
        .first()
    )
    return membership.region if membership else None

