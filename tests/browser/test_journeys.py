"""The main journeys in a real browser, as the demo users walk them, with an accessibility
check on every page (see conftest.py).

Sofie (`socialraadgiver`, Storstrøm Fængsel) takes in Jens Hansen, a new client, whose
parole is today: a year ago he began a sentence of one year and six months, and what should
have been done over the year is done now, through the pages. She opens his case, writes his
action plan, records his consent, tells Guldborgsund he is in and asks it to coordinate.
Mette (`kommune`, Guldborgsund's entrance) finds both in her inbox and routes them to Jonas
at the job centre: the municipality has hold. Sofie holds the release meeting, goes through
the readiness list until he is ready, involves KIF and hands the case over at parole; Karin
(`kif`, KiF Nykøbing F.) accepts and records the outcome at release.

The managers and administrators (`leder`, `admin`) walk their own journeys in
test_management.py. The journey of tests/journeys/test_release_journey.py is the map; it checks
the rules and the data, this one that a person with a browser can do it and that the pages
pass axe-core.

One test, because each step builds on the one before as it does for the people; the
failure message names the page and what was missing.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

pytestmark = pytest.mark.browser

CPR = "140588-1234"
NAME = "Jens Hansen"


def copenhagen_today() -> date:
    # The server's dates are Danish (TIME_ZONE); so are the dates typed into its forms.
    return datetime.now(ZoneInfo("Europe/Copenhagen")).date()


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def test_a_client_from_intake_to_kif_at_parole(desk):
    page = desk.page
    today = copenhagen_today()
    intake = years_before(today, 1)
    full_term = intake + timedelta(days=548)  # one year and six months on

    # -- 1. Intake: Sofie opens the new client and the case --------------------------------------
    desk.log_in("socialraadgiver")
    desk.goto("/sager/")
    desk.follow("Ny sag")
    page.get_by_label("CPR-nummer").fill(CPR)
    page.get_by_label("Fornavn").fill("Jens")
    page.get_by_label("Efternavn").fill("Hansen")
    page.get_by_label("Handlekommune").select_option(label="Guldborgsund")
    page.get_by_label("Handleplansansvarlig").select_option(label="Sofie Kjær")
    page.get_by_label("Sagstype").select_option(label="Fængselsstraf")
    page.get_by_label("Straf i år").fill("1")
    page.get_by_label("Straf i måneder").fill("6")
    page.get_by_label("Indsættelse").fill(intake.isoformat())
    page.get_by_label("Forventet prøveløsladelse").fill(today.isoformat())
    page.get_by_label("Løsladelse efter endt straf").fill(full_term.isoformat())
    page.get_by_role("group", name=re.compile("^Er bolig sikret")).get_by_label("Nej").check()
    desk.press("Opret sagen")
    assert re.fullmatch(r".*/sager/\d+/", page.url), page.url
    case_url = desk.path()
    main = page.locator("main")
    desk.sees("Sagen om Jens Hansen er oprettet.")

    # -- 2. The action plan: the intake interview, an area of effort, the first version ----------
    desk.follow("Handleplan")
    desk.follow("Skriv indsættelsessamtalen ind i handleplanen")
    desk.fill({
        "held_on": today, "participation": "took_part",
        "area_housing": "Lejligheden i Nykøbing F. er opsagt; ingen bolig efter løsladelsen.",
        "area_finances": "Gæld til SKAT; kontanthjælpen blev stoppet ved indsættelsen.",
        "causes": "Gælden hænger sammen med indbruddene.",
    })
    desk.press("Skriv det ind i handleplanen")
    desk.sees("Lejligheden i Nykøbing F. er opsagt")
    desk.follow("Tilføj et indsatsområde")
    desk.fill({
        "title": "Bolig efter løsladelsen", "life_area": "housing",
        "justification": "Uden bolig løslades Jens til gaden.", "goal": "Egen bolig ved løsladelsen.",
        "stance": "agrees", "evaluation": "Ved løsladelsesmødet.",
        "actions-0-what": "Søge bolig gennem kommunen", "actions-0-who": "staff",
        "change_justification": "Aftalt med Jens ved indsættelsessamtalen.",
    })
    page.locator('main form [name="discussed_with_client"]').check()
    desk.press("Gem indsatsområdet")
    desk.sees("Bolig efter løsladelsen")
    desk.press("Markér version 1 som færdig")
    desk.follow("Tilbage til sagen")

    # -- 3. Consent, the notice of intake and the request for coordination -----------------------
    desk.follow("Registrér et samtykke")
    desk.fill({
        "categories": ["sentence", "housing", "finances"], "recipient_organisation": "Guldborgsund (kommune)",
        "purposes": ["intake_notice", "coordination"], "given_on": today,
        "note": "Skriftligt samtykke, underskrevet i dag.",
    })
    desk.press("Registrér samtykket")
    desk.sees("Samtykket er registreret.")
    desk.goto(case_url)
    desk.follow("Meddelelse om indsættelse (trin 1)")
    desk.fill({"municipality": "Guldborgsund", "message": "Jens Hansen er indsat. Lejligheden er opsagt."})
    desk.press("Forhåndsvis")
    desk.sees("Må den sendes? Ja")
    desk.press("Send til kommunen")
    desk.sees("Sendt til Guldborgsund.")
    desk.goto(case_url)
    desk.follow("Anmodning om koordinering (trin 6 og 11)")
    desk.fill({
        "municipality": "Guldborgsund", "departments": ["jobcenter"],
        "purpose_text": "At koordinere handleplanen med kommunens indsats før løsladelsen.",
        "expectations": "At kommunen hjælper med en bolig fra løsladelsen.",
        "situation_and_wishes": "Jens ønsker egen bolig i Nykøbing F.", "plan_attached": "yes",
    })
    desk.press("Forhåndsvis")
    desk.sees("Må den sendes? Ja")
    desk.press("Send til kommunen")
    desk.sees("Sendt til Guldborgsund.")

    # -- 4. The municipality takes hold: Mette's inbox, routed to a caseworker -------------------
    desk.log_in("kommune")
    for kind in ("Meddelelse om indsættelse", "Anmodning om koordinering"):
        desk.goto("/indbakke/")
        row = main.locator("tr, li").filter(has_text=NAME).filter(has_text=kind)
        desk.navigate(lambda: row.first.get_by_role("link").first.click())
        desk.sees(NAME)
        desk.fill({"department": "Jobcenter, Guldborgsund", "caseworker": "Jonas Krog (Jobcenter)", "note": "Jonas tager sagen."})
        desk.press("Fordel: kommunen har fat")
        assert desk.path() == "/indbakke/", page.url

    # -- 5. The release meeting and the readiness list -------------------------------------------

    desk.log_in("socialraadgiver")
    desk.goto("/meddelelser/")
    desk.sees("Guldborgsund har taget fat i jeres henvendelse")
    desk.goto("/opgaver/")
    desk.goto(case_url)
    desk.sees("Kommunen har fat", within="#kommune")
    desk.follow("Åbn løsladelsen")
    release_url = desk.path()
    desk.follow("Planlæg løsladelsesmødet")
    desk.fill({"on": today, "starts": "09:00", "ends": "10:00", "form": "in_person",
               "location": "Storstrøm Fængsel, mødelokale 2"})
    desk.press("Planlæg mødet")
    desk.follow("Registrér som holdt")
    desk.fill({
        "held_on": today, "plan_holder_after_name": "KiF Nykøbing F. fra prøveløsladelsen",
        "municipal_follow_up": "Jobcentret møder Jens på løsladelsesdagen.",
        "follow_up_called_by": "kif", "follow_up_called_by_name": "Karin Møller",
        "minutes": "Bolig og forsørgelse aftalt med kommunen.",
    })
    desk.press("Registrér som holdt")
    desk.sees("Risiko for løsladelse til gaden – mangler: bolig, indkomst", within="#release-signal")
    for item, label, status, extra in [
        ("housing", "Bolig", "in_place", {"note": "Lejlighed anvist af kommunen."}),
        ("income", "Indkomst", "in_place", {"checks": ["availability_assessment", "advance_payment"]}),
        ("employment_education", "Job eller uddannelse", "in_place", {}),
        ("treatment", "Behandling", "not_needed", {}),
        ("health", "Helbred", "in_place", {"checks": ["doctor"]}),
        ("id_bank_digital", "ID, bank og digital post", "in_place", {"checks": ["id", "bank", "mitid", "digital_post"]}),
        ("network", "Netværk", "not_needed", {}),
    ]:
        form = f'#readiness form[action$="/parathed/{item}/"]'
        page.locator(form).locator("xpath=ancestor::details").locator("summary").click()
        desk.fill({f"r-{item}-status": status, f"r-{item}-responsible_organisation": "Guldborgsund",
                   **{f"r-{item}-{name}": value for name, value in extra.items()}}, within=form)
        desk.swap(lambda: page.locator(form).get_by_role("button").click(), f"/parathed/{item}/")
    desk.sees("Klar til løsladelse? Klar", within="#release-signal")

    # -- 6. KIF: involved, and the case handed over at parole ------------------------------------
    desk.follow("Inddrag KIF")
    desk.fill({"kif": "KiF Nykøbing F.", "officer": "Karin Møller, KiF Nykøbing F.", "involved_on": today,
               "note": "Planen overdrages til KIF ved prøveløsladelsen."})
    desk.press("Inddrag KIF")
    page.get_by_text("Overdrag sagen til KIF ved prøveløsladelsen").click()
    page.get_by_label("Besked til KIF").fill("Prøveløslades i dag. Bolig og forsørgelse er på plads.")
    desk.press("Anmod om overdragelse til KiF Nykøbing F.")

    desk.log_in("kif")
    desk.goto("/meddelelser/")
    desk.sees("En overdragelse fra Storstrøm Fængsel venter på dit svar")
    desk.goto("/overdragelser/")
    desk.sees(NAME)
    # The offer is a region named after the client; accepting is a form of its own in it.
    accept = page.get_by_role("region", name=NAME).get_by_role("form", name="Acceptér")
    plan_responsible = accept.get_by_role("combobox")
    plan_responsible.select_option(label=plan_responsible.locator("option", has_text="Karin Møller").inner_text().strip())
    desk.navigate(lambda: accept.get_by_role("button", name="Acceptér og overtag").click())
    assert desk.path() == case_url, page.url
    desk.sees("KiF Nykøbing F.", within=".koreplan-summary")

    # -- 7. The outcome at release, recorded by KIF ----------------------------------------------
    desk.goto(release_url)
    # The link's visually hidden part ("…: Ved løsladelsen") is read with a pause before it.
    desk.follow(re.compile(r"^Registrér udfaldet\s*: Ved løsladelsen$"))
    desk.fill({"recorded_on": today, "housing": "own", "income_from_day_one": "yes",
               "employment_or_education": "yes", "treatment": "not_needed"})
    desk.press("Gem udfaldet")
    desk.sees("Klar til løsladelse? Løsladt med bolig og indkomst", within="#release-signal")

    # Every page on the way was checked, the htmx updates of the readiness list among them.
    checked = {url.split("/", 3)[3].split("#")[0] for url in desk.checked}
    for path in ("login/", "sager/ny/", case_url[1:], f"{case_url[1:]}handleplan/", f"{case_url[1:]}samtykke/nyt/",
                 f"{case_url[1:]}kommune/ny/indsaettelse/", f"{case_url[1:]}kommune/ny/koordinering/", "indbakke/",
                 release_url[1:], f"{release_url[1:]}kif/", "overdragelser/", f"{release_url[1:]}udfald/ved-loesladelsen/"):
        assert path in checked, f"{path} was not checked: {sorted(checked)}"
    assert sum(1 for url in desk.checked if url.split("#")[0].endswith(release_url)) >= 7 + 1
