"""Writes of organisations: loading the national reference data."""

import json
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from koreplan.audit.services import audit_record
from koreplan.organisations.models import (
    Entrance,
    MunicipalDepartment,
    Organisation,
    Region,
    RegionMembership,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
DIRECTORATE_NAME = "Direktoratet for Kriminalforsorgen"


@dataclass(frozen=True)
class ReferenceDataLoaded:
    regions: int
    municipalities: int
    institutions: int
    kif_departments: int
    municipal_departments: int
    entrances_created: int


def reference_data_load(*, data_dir: Path = DATA_DIR) -> ReferenceDataLoaded:
    """Load regions, municipalities, institutions, KIF departments and the Directorate from
    the JSON files in `data_dir`. Running it again updates the national reference data in
    place and creates nothing twice.

    Each municipality gets its five departments and an entrance. Those are the
    municipality's own data, maintained in the admin, so they are created once with
    placeholder values and never overwritten by a later load.
    """
    with transaction.atomic():
        regions = {
            row["slug"]: Region.objects.update_or_create(
                slug=row["slug"],
                defaults={
                    "code": row["code"],
                    "code_assumed": row.get("code_assumed", False),
                    "name": row["name"],
                    "valid_from": _date(row["valid_from"]),
                    "valid_to": _date(row["valid_to"]),
                },
            )[0]
            for row in _read(data_dir, "regions.json")
        }

        department_templates = _read(data_dir, "municipal_departments.json")
        municipalities: dict[str, Organisation] = {}
        entrances_created = 0
        for row in _read(data_dir, "municipalities.json"):
            municipality = Organisation.objects.update_or_create(
                kind=Organisation.Kind.MUNICIPALITY,
                code=row["code"],
                defaults={"name": row["name"]},
            )[0]
            municipalities[row["code"]] = municipality
            for membership in row["region_memberships"]:
                RegionMembership.objects.update_or_create(
                    municipality=municipality,
                    valid_from=_date(membership["valid_from"]),
                    defaults={
                        "region": regions[membership["region"]],
                        "valid_to": _date(membership["valid_to"]),
                    },
                )
            entrances_created += _municipal_departments_create(
                municipality=municipality, templates=department_templates
            )

        institutions = _read(data_dir, "institutions.json")
        for row in institutions:
            Organisation.objects.update_or_create(
                kind=Organisation.Kind.INSTITUTION,
                name=row["name"],
                defaults={
                    "institution_type": row["kind"],
                    "located_in": municipalities[row["municipality_code"]],
                    "address": row["address"] or "",
                },
            )

        kif_departments = _read(data_dir, "kif_departments.json")
        for row in kif_departments:
            Organisation.objects.update_or_create(
                kind=Organisation.Kind.KIF,
                name=row["name"],
                defaults={"located_in": municipalities[row["municipality_code"]]},
            )

        Organisation.objects.get_or_create(
            kind=Organisation.Kind.DIRECTORATE, name=DIRECTORATE_NAME
        )

        result = ReferenceDataLoaded(
            regions=len(regions),
            municipalities=len(municipalities),
            institutions=len(institutions),
            kif_departments=len(kif_departments),
            municipal_departments=len(municipalities) * len(department_templates),
            entrances_created=entrances_created,
        )
        audit_record(action="koreplan.reference_data.loaded", data=asdict(result))
    return result


def _municipal_departments_create(
    *, municipality: Organisation, templates: list[dict[str, Any]]
) -> int:
    """Create the municipality's missing departments and its entrance; return 1 if the
    entrance was new."""
    departments = {
        template["kind"]: MunicipalDepartment.objects.get_or_create(
            municipality=municipality,
            kind=template["kind"],
            defaults={"name": template["name_da"]},
        )[0]
        for template in templates
    }
    slug = _danish_slug(municipality.name)
    _, created = Entrance.objects.get_or_create(
        municipality=municipality,
        defaults={
            "department": departments[MunicipalDepartment.Kind.YDELSE],
            "address": f"{municipality.name} Kommune, Borgerservice",
            "secure_email": f"indgang@{slug}.kommune.dk",
            "is_demo_data": True,
        },
    )
    return int(created)


def _danish_slug(name: str) -> str:
    # slugify() drops æ, ø and å; spell them the way Danish domain names do.
    for letter, spelling in (("æ", "ae"), ("ø", "oe"), ("å", "aa")):
        name = name.lower().replace(letter, spelling)
    return slugify(name)


def _read(data_dir: Path, filename: str) -> list[dict[str, Any]]:
    return json.loads((data_dir / filename).read_text(encoding="utf-8"))


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
