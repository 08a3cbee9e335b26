"""The managers' and the administrators' journeys in a real browser, with an accessibility
check on every page (see conftest.py). Both log in with a one-time backup code after the
password, as the demo prints them.

Lars (`leder`, Storstrøm Fængsel) reads the management figures: a figure in a table, the
cases behind it with the purpose of his reading, the table exported with the purpose of
the export, and the Målepunkter report. What he sees must agree wherever he sees it: the
key figure with the report's population, the number in the table with the list behind it
and with the exported file.

Anders (`admin`, the Directorate) answers a client's request to know who has read about
him: he finds the client on the Persondata pages, reads the access log, exports it and
everything the system holds about the client. Then a member of staff leaves: he
deactivates her login in the administration, and she can no longer log in.
"""

from __future__ import annotations

import csv
import json
import re

import pytest

pytestmark = pytest.mark.browser

#: A case-based figure of the Målepunkter table, with some cases behind it in the demo.
POINT = "Første handleplan senest fire uger efter indsættelsen"


def table_cell(page, table_id: str, row: str, column: str):
    """The cell of the table in the row headed ``row`` and the column headed ``column``."""
    table = page.locator(f"#{table_id}")
    columns = [" ".join(text.split()) for text in table.locator("thead th").all_inner_texts()]
    assert column in columns, f"#{table_id} has no column {column!r}: {columns}"
    rows = table.locator("tbody tr").filter(has=page.get_by_role("rowheader", name=row, exact=True))
    assert rows.count() == 1, f"#{table_id} has {rows.count()} rows headed {row!r}"
    return rows.locator("th, td").nth(columns.index(column))


def number(text: str) -> int:
    return int(text.replace(".", "").strip())


def test_a_manager_reads_the_figures_and_the_cases_behind_them(desk):
    page = desk.page
    main = page.locator("main")

    # -- 1. The dashboard: the key figures and a figure in a table -------------------------------
    desk.log_in("leder")
    desk.follow("Ledelse", within="header")
    assert desk.path().startswith("/ledelse/"), page.url
    desk.sees("Ledelse: Storstrøm Fængsel")
    began = page.locator(".dashboard-key-figure").filter(has_text="Sager, der begyndte i perioden").locator("dd")
    population = number(began.inner_text())
    desk.sees(f"Population: {population} sager, der begyndte i perioden.")
    not_met = table_cell(page, "tabel-maalepunkter", POINT, "Ikke opfyldt")
    behind = number(not_met.inner_text())
    assert behind > 0, f"the demo has no case behind {POINT!r}: the journey cannot follow the number"

    # -- 2. The number opens the cases behind it; he gives the purpose of his reading ------------
    desk.navigate(lambda: not_met.get_by_role("link").click())
    assert desk.path().startswith("/ledelse/sager/"), page.url
    desk.sees(f"Tallet tæller {behind} sag" + ("er" if behind != 1 else ""))
    listed = main.locator("table tbody tr")
    hidden = main.locator(".alert-info").filter(has_text="uden for det, du kan se")
    shown_hidden = number(re.search(r"(\d+) sager? mere", hidden.inner_text()).group(1)) if hidden.count() else 0
    assert listed.count() + shown_hidden == behind, (listed.count(), shown_hidden, behind)
    desk.fill({"purpose": "Opfølgning på de første handleplaner"}, within="main form")
    desk.press("Skriv formålet i logningen")
    assert "purpose=" in page.url, page.url
    assert page.get_by_label("Formål").input_value() == "Opfølgning på de første handleplaner"
    assert main.locator("table tbody tr").count() == listed.count()
    client = main.locator("table tbody th a").first
    name = client.inner_text().strip()
    desk.navigate(client.click)
    assert re.fullmatch(r"/sager/\d+/", desk.path()), page.url
    desk.sees(name)
    page.go_back()
    desk.check()
    desk.follow("Tilbage til ledelsesinformationen")

    # -- 3. The table exported with the purpose of the export ------------------------------------
    export = page.locator("form").filter(has=page.locator("#purpose-tabel-maalepunkter"))
    export.get_by_label("Formål").fill("Kvartalsrapport til direktoratet")
    with page.expect_download() as download:
        export.get_by_role("button", name=re.compile("^CSV")).click()
    assert re.fullmatch(r"koreplan-maalepunkter-.+\.csv", download.value.suggested_filename), download.value.suggested_filename
    assert "purpose=Kvartalsrapport" in download.value.url, download.value.url
    with open(download.value.path(), encoding="utf-8-sig", newline="") as f:
        exported = {row["Målepunkt"]: row for row in csv.DictReader(f, delimiter=",")}
    assert POINT in exported, sorted(exported)
    assert number(exported[POINT]["Ikke opfyldt"]) == behind, exported[POINT]

    # -- 4. The Målepunkter report, to print ------------------------------------------------------
    page.locator("#purpose-reports").fill("Ledermøde")
    desk.press("Udskriv rapporten med målepunkter")
    assert desk.path().startswith("/ledelse/maalepunkter/"), page.url
    report = desk.sees(POINT)
    assert f"Population: {population} sager" in report, report[:2000]
    # The PDF form offers the purpose the report was opened with.
    assert page.get_by_label("Formål").input_value() == "Ledermøde"

    checked = {url.split("/", 3)[3].split("?")[0] for url in desk.checked}
    for path in ("login/", "login/kode/", "ledelse/", "ledelse/sager/", "ledelse/maalepunkter/"):
        assert path in checked, f"{path} was not checked: {sorted(checked)}"


def test_an_administrator_answers_a_request_for_the_access_log_and_closes_a_login(desk):
    page = desk.page
    main = page.locator("main")
    purpose = "Klientens anmodning om indsigt"

    # -- 1. Sofie reads a client's case: the read the client will ask about -----------------------
    desk.log_in("socialraadgiver")
    desk.goto("/sager/")
    desk.navigate(main.locator("table tbody tr").first.get_by_role("link").first.click)
    case_url = desk.path()
    assert re.fullmatch(r"/sager/\d+/", case_url), page.url
    name = " ".join(page.locator("h1").inner_text().split())

    # -- 2. Anders finds the client on the Persondata pages, giving the purpose ------------------
    desk.log_in("admin")
    desk.follow("Persondata", within="header")
    desk.fill({"q": name, "purpose": purpose})
    desk.press("Søg")
    desk.follow(name, within="main table")
    client_url = desk.path().split("?")[0]
    assert re.fullmatch(r"/persondata/\d+/", client_url), page.url
    assert page.get_by_label("Formål").input_value() == purpose

    # -- 3. The access log: Sofie's read, and his own reading with its purpose --------------------
    log = main.locator("table tbody tr")
    desk.fill({"organisation": "Storstrøm Fængsel"})
    desk.press("Filtrér")
    sofie = log.filter(has_text="Sofie Kjær").filter(has_text="koreplan.case.viewed")
    assert sofie.count() >= 1, desk.sees("Sofie Kjær")
    assert all("Storstrøm Fængsel" in row for row in log.all_inner_texts()), log.all_inner_texts()
    desk.fill({"organisation": "Direktoratet for Kriminalforsorgen"})
    desk.press("Filtrér")
    own = log.filter(has_text="Anders Skov").filter(has_text="koreplan.privacy.person_log_viewed")
    assert own.filter(has_text=purpose).count() >= 1, log.all_inner_texts()

    # -- 4. The log and everything the system holds, exported -------------------------------------
    with page.expect_download() as download:
        main.get_by_role("link", name="Eksportér CSV").click()
    with open(download.value.path(), encoding="utf-8-sig", newline="") as f:
        exported = list(csv.DictReader(f))
    # The export follows the filter on the page: the Directorate's entries, his own among them.
    assert exported and {row["organisation"] for row in exported} == {"Direktoratet for Kriminalforsorgen"}, exported
    assert any(row["username"] == "admin" and row["purpose"] == purpose for row in exported), exported
    with page.expect_download() as download:
        main.get_by_role("link", name="Indsigt (JSON)").click()
    with open(download.value.path(), encoding="utf-8") as f:
        document = json.load(f)
    assert document["client"]["id"] == int(client_url.strip("/").split("/")[-1]), document["client"]
    assert any(entry["username"] == "socialraadgiver" and entry["action"] == "koreplan.case.viewed"
               for entry in document["audit_entries"]), document["audit_entries"][:5]

    # -- 5. A member of staff leaves: her login is closed in the administration -------------------
    # Camilla (Storstrøm Fængsel) walks no other journey: closing her login changes none.
    desk.follow("Administration", within="header")
    desk.follow("Brugere", within="tr.model-user")
    desk.fill({"q": "camilla"}, within="#changelist-search")
    desk.press("Søg", within="#changelist-search")
    desk.follow("camilla.noergaard", within="#result_list")
    active = page.get_by_label("Aktiv", exact=True)
    assert active.is_checked()
    active.uncheck()
    desk.press("Gem", within="#content")
    assert desk.path().split("?")[0] == "/admin/accounts/user/", page.url
    desk.sees("Bruger “Camilla Nørgaard” blev ændret.", within=".messagelist")

    desk.context.clear_cookies()
    desk.goto("/login/")
    page.get_by_label("Brugernavn").fill("camilla.noergaard")
    page.get_by_label("Adgangskode").fill("demo")
    desk.press("Log ind")
    assert desk.path().startswith("/login/"), f"a closed login got in: {page.url}"
    desk.sees("Indtast venligst")

    checked = {url.split("/", 3)[3].split("?")[0] for url in desk.checked}
    for path in ("login/kode/", "persondata/", client_url[1:], "admin/", "admin/accounts/user/"):
        assert path in checked, f"{path} was not checked: {sorted(checked)}"
