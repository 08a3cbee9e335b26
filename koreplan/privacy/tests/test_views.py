import csv
import io
import json
from datetime import UTC, datetime

import pytest
import time_machine

from koreplan.audit.models import AuditEntry
from koreplan.audit.selectors import audit_chain_verify
from koreplan.audit.services import audit_pseudonymise, audit_record

pytestmark = pytest.mark.django_db


def _urls(client_id: int) -> list[str]:
    return [
        "/persondata/",
        "/persondata/?q=Hansen",
        f"/persondata/{client_id}/",
        f"/persondata/{client_id}/logning.csv",
        f"/persondata/{client_id}/logning.pdf",
        f"/persondata/{client_id}/indsigt.json",
        f"/persondata/{client_id}/indsigt.pdf",
    ]


@pytest.mark.parametrize("persona", ["socialraadgiver", "fremmed", "kif", "kommune", "leder"])
def test_only_administrators_reach_the_person_pages(client, request, sag, persona):
    client.force_login(request.getfixturevalue(persona))
    for url in _urls(sag.client_id):
        assert client.get(url).status_code == 404, url


def test_anonymous_users_are_sent_to_the_login(client, sag):
    response = client.get(f"/persondata/{sag.client_id}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_menu_links_the_person_pages_for_administrators_only(client, admin, leder):
    client.force_login(admin)
    page = client.get("/sager/").content.decode()
    assert 'href="/persondata/"' in page
    assert "Persondata" in page  # the Danish label, from this app's catalogue
    client.force_login(leder)
    assert 'href="/persondata/"' not in client.get("/sager/").content.decode()


def test_find_a_client_by_cpr_or_name_and_the_search_is_audited(client, admin, sag):
    client.force_login(admin)
    cpr = sag.client.cpr
    for query in (f"{cpr[:6]}-{cpr[6:]}", "jens hans"):
        response = client.get("/persondata/", {"q": query, "purpose": "Indsigtsanmodning"})
        assert response.status_code == 200
        assert f'href="/persondata/{sag.client_id}/?purpose=Indsigtsanmodning"' in response.content.decode()
    entry = AuditEntry.objects.filter(action="koreplan.privacy.person_searched").order_by("-id").first()
    assert (entry.actor, entry.purpose, entry.data) == (admin, "Indsigtsanmodning", {"query": "jens hans", "results": 1})


def test_an_empty_search_names_the_field(client, admin):
    client.force_login(admin)
    response = client.get("/persondata/", {"q": ""})
    assert response.status_code == 200
    assert 'id="id_q-error"' in response.content.decode()
    assert not AuditEntry.objects.filter(action="koreplan.privacy.person_searched").exists()


def test_the_person_page_shows_who_looked_when_from_where_and_why(client, admin, sag, kollega, fremmed):
    client.force_login(kollega)
    client.get(f"/sager/{sag.pk}/")
    audit_record(action="koreplan.test.other_client", actor=fremmed, client_id=sag.client_id + 1000)

    client.force_login(admin)
    response = client.get(f"/persondata/{sag.client_id}/", {"purpose": "Klage"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Kasper Berg" in page
    assert "koreplan.case.viewed" in page
    assert "koreplan.journal.entry_added" in page
    assert "koreplan.test.other_client" not in page
    assert "koreplan.client.created" in page  # the oldest, not pushed off by this view's own entry
    viewed = AuditEntry.objects.filter(action="koreplan.privacy.person_log_viewed").get()
    assert (viewed.client_id, viewed.purpose, viewed.actor) == (sag.client_id, "Klage", admin)


def test_the_person_log_filters_by_organisation_action_and_period(client, admin, sag, kollega, kif_afdeling):
    client.force_login(admin)
    with time_machine.travel(datetime(2030, 1, 15, 12, tzinfo=UTC)):
        audit_record(action="koreplan.case.viewed", actor=kollega, case_id=sag.pk, client_id=sag.client_id)

    def actions(**params):
        response = client.get(f"/persondata/{sag.client_id}/logning.csv", params)
        assert response.status_code == 200
        return [row["action"] for row in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))]

    everything = actions()
    assert "koreplan.case.opened" in everything
    assert actions(since="2030-01-01", until="2030-01-31") == ["koreplan.case.viewed"]
    assert actions(until="2029-12-31").count("koreplan.case.viewed") == everything.count("koreplan.case.viewed") - 1
    assert actions(organisation=kif_afdeling.pk) == []
    assert set(actions(action="koreplan.journal.entry_added")) == {"koreplan.journal.entry_added"}


def test_a_period_that_ends_before_it_starts_is_refused_naming_the_field(client, admin, sag):
    client.force_login(admin)
    response = client.get(f"/persondata/{sag.client_id}/", {"since": "2027-02-01", "until": "2027-01-01"})
    assert response.status_code == 400
    assert 'id="id_until-error"' in response.content.decode()
    assert client.get(f"/persondata/{sag.client_id}/logning.csv", {"since": "nonsense"}).status_code == 400


def test_csv_and_pdf_exports_of_the_log_are_audited(client, admin, sag):
    client.force_login(admin)
    response = client.get(f"/persondata/{sag.client_id}/logning.csv", {"purpose": "Indsigt"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert response["Content-Type"].startswith("text/csv")
    assert {"time", "actor", "organisation", "action", "purpose"} <= set(rows[0])
    assert any(row["actor"] == "Susanne Holm" and row["organisation"] == "Storstrøm Fængsel" for row in rows)

    pdf = client.get(f"/persondata/{sag.client_id}/logning.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    exported = AuditEntry.objects.filter(action="koreplan.privacy.person_log_exported").order_by("id")
    assert [(e.data["format"], e.purpose, e.client_id) for e in exported] == [
        ("csv", "Indsigt", sag.client_id), ("pdf", "", sag.client_id),
    ]
    assert client.get(f"/persondata/{sag.client_id}/logning.xlsx").status_code == 404


def test_a_pseudonymised_entry_is_still_found_under_the_clients_pseudonym(client, admin, sag, kollega):
    with time_machine.travel(datetime(2019, 1, 1, tzinfo=UTC)):
        old = audit_record(action="koreplan.case.viewed", actor=kollega, case_id=sag.pk, client_id=sag.client_id)
    audit_pseudonymise(before=datetime(2020, 1, 1, tzinfo=UTC))

    client.force_login(admin)
    response = client.get(f"/persondata/{sag.client_id}/logning.csv")
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))}
    assert rows[str(old.pk)]["pseudonymised"] == "True"
    assert audit_chain_verify() is None


def test_the_subject_access_export_holds_everything_about_the_client(client, admin, sag, guldborgsund):
    client.force_login(admin)
    response = client.get(f"/persondata/{sag.client_id}/indsigt.json", {"purpose": "Anmodning om indsigt"})

    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["client"]["cpr"] == sag.client.cpr
    data = document["data"]
    assert data["cases.client"][0]["first_name"] == "Jens"
    assert [case["id"] for case in data["cases.case"]] == [sag.pk]
    assert data["cases.journalentry"][0]["text"] == "Samtale om bolig; klienten bor hos sin søster."
    assert {"cases.task", "plans.actionplan", "plans.planversion", "consent.consent"} <= set(data)
    assert "koreplan.case.opened" in {entry["action"] for entry in document["audit_entries"]}
    exported = AuditEntry.objects.get(action="koreplan.privacy.subject_access_exported")
    assert (exported.client_id, exported.purpose, exported.data["format"]) == (sag.client_id, "Anmodning om indsigt", "json")


def test_the_subject_access_export_as_pdf(client, admin, sag):
    client.force_login(admin)
    response = client.get(f"/persondata/{sag.client_id}/indsigt.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="koreplan.privacy.subject_access_exported", data__format="pdf").exists()


def test_an_unknown_client_is_404(client, admin):
    client.force_login(admin)
    assert client.get("/persondata/999999/").status_code == 404


def test_the_person_log_includes_lists_that_showed_the_clients_case(client, admin, sag, kollega, socialraadgiver, guldborgsund):
    from koreplan.cases.tests.factories import open_case

    other = open_case(actor=socialraadgiver, municipality=guldborgsund)
    client.force_login(kollega)
    client.get("/sager/", {"q": "Hansen", "purpose": "Opfølgning"})  # lists both Jens Hansens' cases
    audit_record(action="koreplan.api.cases_listed", actor=kollega, data={"endpoint": "cases", "cases": [other.pk]})

    client.force_login(admin)
    response = client.get(f"/persondata/{sag.client_id}/logning.csv", {"action": "koreplan.case.searched"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(row["actor"], row["purpose"]) for row in rows] == [("Kasper Berg", "Opfølgning")]
    response = client.get(f"/persondata/{sag.client_id}/logning.csv", {"action": "koreplan.api.cases_listed"})
    assert list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))) == []
    response = client.get(f"/persondata/{other.client_id}/logning.csv", {"action": "koreplan.api.cases_listed"})
    assert len(list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))) == 1


def test_the_person_log_includes_the_worklist_that_showed_the_clients_tasks(client, admin, sag, socialraadgiver, fremmed):
    client.force_login(socialraadgiver)
    assert client.get("/opgaver/").status_code == 200
    client.force_login(fremmed)
    assert client.get("/opgaver/").status_code == 200  # Frede's list shows none of Jens' tasks

    client.force_login(admin)
    response = client.get(f"/persondata/{sag.client_id}/logning.csv", {"action": "koreplan.worklist.viewed"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["username"] for row in rows] == ["susanne"]
