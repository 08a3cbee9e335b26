"""A browser-free walk through the plan's journey, page by page, as Susanne and her
colleagues would take it: the intake interview written into the plan → the first
version → areas of effort → approval → evaluation → a locked version carried on →
status at release. Time moves as it would."""

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse

from koreplan.audit.models import AuditEntry
from koreplan.audit.selectors import audit_chain_verify
from koreplan.cases.tests.factories import open_case
from koreplan.plans.models import ActionPlan

pytestmark = pytest.mark.django_db

INTAKE = date(2026, 11, 4)


def management(prefix, total, initial=0):
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}


def on(day):
    return time_machine.travel(day, tick=False)


def test_from_the_intake_interview_to_the_status_at_release(client, socialraadgiver, kollega, leder, guldborgsund):
    with on(INTAKE):
        sag = open_case(actor=socialraadgiver, municipality=guldborgsund, intake_on=INTAKE,
                        release_on=INTAKE + timedelta(days=300))
    plan_url = reverse("plans:plan", args=[sag.pk])

    def page(path=plan_url):
        response = client.get(path)
        assert response.status_code == 200, path
        return response.content.decode()

    def post(name, data, *args, expect=302):
        response = client.post(reverse(f"plans:{name}", args=[sag.pk, *args]), data)
        assert response.status_code == expect, (name, response.content.decode()[:3000])
        return response

    def current():
        version = ActionPlan.objects.get(case=sag).versions.order_by("-number").first()
        return {"version": version.number, "revision": version.revision}

    # Day 3: the intake interview. The client takes part; what came up goes into the plan.
    with on(INTAKE + timedelta(days=3)):
        client.force_login(socialraadgiver)
        assert "Skriv indsættelsessamtalen ind i handleplanen" in page()
        post("intake_interview", {
            "held_on": (INTAKE + timedelta(days=3)).isoformat(), "participation": "took_part",
            "area_housing": "Lejebolig i Nykøbing F.; huslejen kan ikke betales under afsoningen.",
            "area_finances": "Gæld til SKAT og en kviklånsgæld.",
            "area_substance_use": "Hash dagligt før indsættelsen; ønsker behandling.",
            "causes": "Gælden og hashen hænger sammen med indbruddene.",
        })
        assert sag.tasks.get(obligation_id="intake_interview").completed_on == INTAKE + timedelta(days=3)
        html = page()
        assert "Version 1" in html and "Lejebolig i Nykøbing F." in html and "Indsættelsessamtale" in html

    # Day 10: areas of effort, justified and discussed with the client; partners.
    with on(INTAKE + timedelta(days=10)):
        client.force_login(socialraadgiver)
        for title, area, why in [
            ("Bevare boligen", "housing", "Uden bolig løslades klienten til gaden."),
            ("Misbrugsbehandling", "substance_use", "Hashen hænger sammen med kriminaliteten."),
        ]:
            post("area_new", {
                **current(), **management("actions", 1), "title": title, "life_area": area, "priority": "1",
                "justification": why, "goal": "Realistisk mål for " + title.lower(), "sub_goals": "",
                "stance": "agrees", "note": "", "coordination": "", "evaluation": "Ved opfølgningen.",
                "actions-0-what": "Første skridt", "actions-0-who": "staff", "actions-0-status": "planned",
                "change_justification": "Aftalt ved samtalen.", "discussed_with_client": "on",
            })
        post("section_edit", {
            **current(), **management("partners", 1), "partners-0-name": "Mette Dahl",
            "partners-0-organisation": "Guldborgsund Kommune", "partners-0-role": "Kommunens indgang",
            "partners-0-is_municipality": "on", "partners-0-client_covered": "yes", "partners-0-consent_given": "yes",
            "partners-0-contacted_on": (INTAKE + timedelta(days=10)).isoformat(),
        }, "samarbejdspartnere")
        html = page()
        assert html.index("Misbrugsbehandling") < html.index("Bevare boligen")  # the last added went first

        # The first version is finished: the task "first plan" is done in time.
        post("version_finish", {}, 1)
        first_plan = sag.tasks.get(obligation_id="first_plan")
        assert first_plan.completed_on == INTAKE + timedelta(days=10) <= first_plan.due_on

        # Approval at the department meeting: asked by Susanne, decided by a colleague.
        post("approval", {**current(), "comment": "Til afdelingsrådsmødet torsdag."}, 1)
    with on(INTAKE + timedelta(days=13)):
        client.force_login(leder)
        post("approval", {**current(), "decision": "approve", "comment": "Godkendt på afdelingsrådsmødet."}, 1)
        assert "Godkendt" in page()

    # Day 33: version 1 locks, 30 days after it was created; Susanne begins version 2.
    with on(INTAKE + timedelta(days=33)):
        client.force_login(socialraadgiver)
        html = page()
        assert "Version 1 blev låst" in html and "Start version 2" in html
        post("section_edit", {**current(), "causes": "Forsøg på at ændre en låst version.", "stance": "", "note": ""},
             "aarsager")
        post("version_create", {})
        assert current()["version"] == 2

    # Three months after intake: the evaluation, which completes its task.
    with on(date(2027, 2, 3)):
        client.force_login(socialraadgiver)
        post("evaluation", {
            **current(), **management("agreements", 3), "held_on": "2027-02-03",
            "participants": "Klienten, socialrådgiveren, misbrugscentret",
            "description_update": "Boligen er bevaret med hjælp fra kommunen. Behandlingen er i gang.",
            "carried_out": "Ansøgning om hjælp til husleje.", "not_carried_out": "Gældsrådgivning.",
            "reasons": "Ventetid hos gældsrådgivningen.", "prevention": "Tidlig henvendelse næste gang.",
            "agreements-0-who": "Socialrådgiveren", "agreements-0-what": "Booke gældsrådgivning", "agreements-0-when": "februar",
        })
        evaluation = sag.tasks.filter(obligation_id="plan_evaluation", completed_on=date(2027, 2, 3)).get()
        assert evaluation.occurrence == 1
        assert sag.tasks.filter(obligation_id="plan_evaluation", completed_on__isnull=True).exists()

        # The two versions side by side: version 2 is still a copy.
        compare = page(reverse("plans:compare", args=[sag.pk]) + "?a=1&b=2&kun_aendringer=1")
        assert "0 felter er ændret" in compare

    # Before release: version 2 has locked too (three months after it began); the status —
    # the plan reviewed and up to date — is stated on the next, and completes its task.
    release_day = INTAKE + timedelta(days=300)
    with on(release_day - timedelta(days=1)):
        client.force_login(socialraadgiver)
        post("status", {**current(), "kind": "at_release", "stated_on": (release_day - timedelta(days=1)).isoformat()})
        assert sag.tasks.get(obligation_id="status_at_release").completed_on is None  # refused: locked
        post("version_create", {})
        assert current()["version"] == 3
        post("status", {**current(), "kind": "at_release", "stated_on": (release_day - timedelta(days=1)).isoformat(),
                        "note": "Gennemgået med klienten og KIF."})
        assert sag.tasks.get(obligation_id="status_at_release").completed_on == release_day - timedelta(days=1)
        pdf = client.get(reverse("plans:pdf", args=[sag.pk, 3]))
        assert pdf.content.startswith(b"%PDF")

    version_1 = ActionPlan.objects.get(case=sag).versions.get(number=1)
    assert version_1.content_value().causes == "Gælden og hashen hænger sammen med indbruddene."
    actions = set(AuditEntry.objects.filter(case_id=sag.pk).values_list("action", flat=True))
    assert {
        "koreplan.plan.created", "koreplan.plan_version.created", "koreplan.plan_version.intake_interview_recorded",
        "koreplan.plan_version.area_added", "koreplan.plan_version.section_updated", "koreplan.plan_version.finished",
        "koreplan.plan_version.approval_requested", "koreplan.plan_version.approved",
        "koreplan.plan_evaluation.recorded", "koreplan.plan_status.recorded", "koreplan.plan.viewed",
        "koreplan.plan.compared", "koreplan.plan_version.pdf_made", "koreplan.task.completed",
    } <= actions
    assert audit_chain_verify() is None
