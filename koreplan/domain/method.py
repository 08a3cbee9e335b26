"""The method — Køreplan for god løsladelse (GL Bilag 1) — as data, for its checklist.

GL asks for "en enkel tjekliste [knyttet] til køreplanens forskellige aktiviteter … til
efter løsladelsesforløbet at evaluere samarbejdsprocessen". This module holds what the
checklist asks: each of the twelve steps (1–12 with 9A) — was it followed? — and under it
the step's prerequisites ("Det forudsættes, at …"), the organisational conditions the
method names for the step to work. GL ends with two prerequisites for every case (the
responsible follow each step, whatever the time frame; the managers make sure the
prerequisites are met): they are the general group ``G``.

Every item has a stable id — ``"5"`` for step 5 itself, ``"5.2"`` for its second
prerequisite, ``"G.1"`` — which is what an answer stores; the texts may be reworded, the
ids never change meaning. The Danish wording follows GL closely (it is what the
organisations signed up to); the English is a faithful translation for the second
language. ``concerns`` names who a prerequisite asks something of, so a summary can say
where the method breaks.

Pure Python: the dashboards' evaluation form and summary read it, and so may anything else.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from koreplan.domain.citations import Citation, Source, gl_step


class Party(StrEnum):
    """Whom a step or prerequisite asks something of."""

    INSTITUTION = "institution"
    KIF = "kif"
    MUNICIPALITY = "municipality"


class Answer(StrEnum):
    """The answers the checklist takes (GL: documentation and evaluation)."""

    YES = "yes"
    PARTLY = "partly"
    NO = "no"
    NOT_RELEVANT = "not_relevant"


#: Answers that count as "the prerequisite was not met" in a summary, and how much.
FAILURE_WEIGHT: dict[Answer, float] = {Answer.NO: 1.0, Answer.PARTLY: 0.5}


@dataclass(frozen=True, slots=True)
class Prerequisite:
    id: str
    text_da: str
    text_en: str
    concerns: tuple[Party, ...]

    @property
    def step_id(self) -> str:
        return self.id.split(".", 1)[0]


@dataclass(frozen=True, slots=True)
class Step:
    id: str
    title_da: str
    title_en: str
    responsible: Party | None
    prerequisites: tuple[Prerequisite, ...]
    citation: Citation

    @property
    def is_general(self) -> bool:
        return self.id == "G"


_I, _K, _M = Party.INSTITUTION, Party.KIF, Party.MUNICIPALITY


def _step(step_id: str, title_da: str, title_en: str, responsible: Party | None, *prerequisites) -> Step:
    return Step(
        step_id,
        title_da,
        title_en,
        responsible,
        tuple(Prerequisite(f"{step_id}.{n}", da, en, concerns) for n, (da, en, concerns) in enumerate(prerequisites, 1)),
        gl_step(step_id) if step_id != "G" else Citation(Source.GL, note="Bilag 1, Metoden og forudsætninger for dens succes"),
    )


STEPS: tuple[Step, ...] = (
    _step(
        "1",
        "Fængslet giver besked til kommunen, når en borger indsættes i arrest/fængsel",
        "The prison notifies the municipality when a citizen is admitted to custody or prison",
        _I,
        (
            "fængslet har procedurer for, hvem der med den indsattes samtykke skal meddele kommunen indsættelsen",
            "the prison has procedures for who, with the inmate's consent, notifies the municipality of the intake",
            (_I,),
        ),
        (
            ("kommunen har tydeliggjort, hvor (til hvilken afdeling og adresse, evt. kontaktperson) meddelelse om "
            "indsættelse skal gives"),
            ("the municipality has made clear where (which department and address, perhaps a contact person) the "
            "notice of intake is to be sent"),
            (_M,),
        ),
        (
            "meddelelsen formidles videre til andre relevante afdelinger i kommunen",
            "the notice is passed on to the other relevant departments of the municipality",
            (_M,),
        ),
    ),
    _step(
        "2",
        "Der udpeges en handleplansansvarlig medarbejder i fængslet",
        "A plan-responsible member of staff is appointed in the prison",
        _I,
        (
            "fængslet har procedurer for hurtig udpegning af en handleplansansvarlig medarbejder",
            "the prison has procedures for appointing a plan-responsible member of staff quickly",
            (_I,),
        ),
    ),
    _step(
        "3",
        "Indsættelsessamtale umiddelbart efter indsættelsen: vejledning, udredning og samtykke til at indhente "
        "sagsakter",
        "Intake interview right after the intake: guidance, assessment and consent to obtain case files",
        _I,
        (
            ("fængslet har procedurer for, hvor hurtigt indsættelsessamtaler skal være afviklede og for indholdet af "
            "disse, herunder for iværksættelse af udredningsarbejdet"),
            ("the prison has procedures for how soon intake interviews are held and for what they cover, including "
            "starting the assessment"),
            (_I,),
        ),
        (
            ("den handleplansansvarlige som led i udredningen søger den indsattes samtykke til at kontakte andre "
            "myndigheder om relevant information og sagsakter fra tidligere"),
            ("the plan-responsible, as part of the assessment, asks the inmate's consent to contact other "
            "authorities for relevant information and earlier case files"),
            (_I,),
        ),
        (
            ("den handleplansansvarlige ud over at give den indsatte vejledning om rettigheder, pligter og øvrige "
            "forhold under straffuldbyrdelsen, påbegynder udredningsarbejdet"),
            ("the plan-responsible, besides guiding the inmate on rights, duties and other conditions of the "
            "sentence, starts the assessment"),
            (_I,),
        ),
    ),
    _step(
        "4",
        "Den handleplansansvarlige indhenter sagsakter fra andre relevante myndigheder",
        "The plan-responsible obtains case files from other relevant authorities",
        _I,
        (
            "der i fængslet er enighed om vigtigheden af at anvende andre instansers erfaring og viden",
            "the prison agrees that it matters to use other authorities' experience and knowledge",
            (_I,),
        ),
        (
            "fængslet ved, hvordan sagsakter indhentes fra andre myndigheder og har procedurer for det",
            "the prison knows how to obtain case files from other authorities and has procedures for it",
            (_I,),
        ),
        (
            ("der hos andre myndigheder (f.eks. kommunen, herunder misbrugscenter og socialpsykiatrien) er klarhed "
            "om og procedurer for udlevering af sagsakter"),
            ("other authorities (the municipality, its addiction centre and community mental health services) are "
            "clear about, and have procedures for, handing over case files"),
            (_M,),
        ),
    ),
    _step(
        "5",
        "Senest 4 uger efter indsættelsen udarbejdes en handleplan for strafudståelsen og tiden efter løsladelsen "
        "i samarbejde med den indsatte",
        "Within 4 weeks of the intake an action plan for the sentence and the time after release is made with "
        "the inmate",
        _I,
        (
            ("fængslet har procedurer/guidelines for arbejdet med udredning og handleplan og samarbejde med den "
            "indsatte"),
            "the prison has procedures or guidelines for the assessment, the action plan and working with the inmate",
            (_I,),
        ),
        (
            ("den handleplansansvarlige har de nødvendige kompetencer til at iværksætte udredningsarbejde samt "
            "udarbejdelse af handleplan"),
            "the plan-responsible has the skills needed to carry out the assessment and make the action plan",
            (_I,),
        ),
    ),
    _step(
        "6",
        "Den handleplansansvarlige kontakter kommunen for at koordinere samarbejdet (senest 1 år før en eventuel "
        "prøveløsladelse, eller senest 4 uger efter iværksat straf)",
        "The plan-responsible contacts the municipality to coordinate (at the latest a year before a possible "
        "parole, or within 4 weeks of the start of the sentence)",
        _I,
        (
            ("det er afklaret i kommunen og tydeligt for fængslet, hvor »indgangen« (afdeling, adresse og eventuel "
            "kontaktperson) til kommunen er med hensyn til koordineret samarbejde"),
            ("the municipality has settled, and the prison knows, where its entrance (department, address, perhaps "
            "a contact person) for coordinated work is"),
            (_M,),
        ),
        (
            "relevante sagsbehandlere fra social- og arbejdsmarkedsområdet tager sagen",
            "relevant caseworkers from social services and employment take the case",
            (_M,),
        ),
    ),
    _step(
        "7",
        "Den handleplansansvarlige følger op på handleplanen mindst hver 3. måned (ved ophold over 2 år mindst "
        "hvert halve år)",
        "The plan-responsible follows up the action plan at least every 3 months (every 6 months for stays over "
        "2 years)",
        _I,
        (
            ("der i fængslet er klarhed om, hvad opfølgning af handleplaner indebærer, og hvordan justeringer "
            "foretages"),
            "the prison is clear about what following up an action plan means and how it is adjusted",
            (_I,),
        ),
    ),
    _step(
        "8",
        "Løsladelsesmøde med den indsatte, KIF og kommunen senest 3 måneder før løsladelsen",
        "Release meeting with the inmate, probation (KIF) and the municipality at the latest 3 months before "
        "release",
        _I,
        (
            "fængslet tager initiativ til et løsladelsesmøde",
            "the prison takes the initiative to a release meeting",
            (_I,),
        ),
        (
            "samarbejde om den gode løsladelse prioriteres i de enkelte systemer",
            "each organisation gives priority to working together on a good release",
            (_I, _K, _M),
        ),
        (
            ("relevante sagsbehandlere i KIF og kommunen møder op til løsladelsesmødet og indgår i planlægning og "
            "aftaler om en god løsladelse, herunder hvem, der skal tage initiativ til et opfølgende møde senest 4 "
            "uger efter løsladelsen"),
            ("relevant caseworkers at probation (KIF) and the municipality attend the release meeting and take part "
            "in planning and agreeing a good release, including who calls a follow-up meeting within 4 weeks of "
            "release"),
            (_K, _M),
        ),
        (
            ("fængslet med kommunen (beskæftigelsesafd. og socialafd.) har tilrettelagt procedurer, så sagen i "
            "kommunen kan klargøres før løsladelsen, og at der i kommunen er udpeget en hovedansvarlig"),
            ("the prison and the municipality (employment and social services) have procedures so that the case is "
            "ready at the municipality before release, and the municipality has appointed one lead caseworker"),
            (_I, _M),
        ),
        (
            ("der kan ske tidsbestilling på løsladelsesdagen, så den løsladte borger kan få udbetalt et acontobeløb "
            "til datoen for første udbetaling af kontanthjælp eller anden ydelse, og evt. få kontakt til "
            "misbrugscentret"),
            ("appointments can be made for release day, so that the released citizen is paid an advance until the "
            "first payment of social assistance or another benefit, and can see the addiction centre"),
            (_M,),
        ),
    ),
    _step(
        "9",
        "Senest 8 uger før forventet prøveløsladelse inddrager fængslet KIF i planlægningen af prøveløsladelsen",
        "At the latest 8 weeks before the expected parole the prison involves probation (KIF) in planning it",
        _I,
        (
            "fængslet har klare procedurer for kontakten til KIF om medvirken i beslutningen om prøveløsladelse",
            "the prison has clear procedures for contacting probation (KIF) to take part in the parole decision",
            (_I,),
        ),
        (
            "fængslet og KIF har indgået samarbejdsaftaler om samarbejdets indhold, opgavefordeling, mm.",
            ("the prison and probation (KIF) have agreed in writing on what their collaboration covers and who does "
            "what"),
            (_I, _K),
        ),
    ),
    _step(
        "9A",
        "Senest 4 uger før løsladelse efter endt straf sikrer den handleplansansvarlige, at der er aftalt møder "
        "i kommunen på løsladelsesdatoen",
        "At the latest 4 weeks before release at full term the plan-responsible makes sure there are "
        "appointments at the municipality on release day",
        _I,
        (
            ("den indsatte selv under en § 31 udgang, eller den handleplansansvarlige har aftalt et møde i den/de "
            "relevante afdelinger i kommunen på løsladelsesdatoen"),
            ("the inmate (on § 31 leave) or the plan-responsible has made an appointment with the relevant "
            "municipal departments on release day"),
            (_I,),
        ),
        (
            "den fornødne dokumentation og nødvendige skemaer samt borgerens handleplan er klargjort",
            "the documentation and forms needed, and the citizen's action plan, are ready",
            (_I,),
        ),
    ),
    _step(
        "10",
        "Senest 1 uge efter prøveløsladelsen mødes den løsladte med KIF og vejledes om tilsynet",
        "Within 1 week of parole the released person meets probation (KIF) and is told about the supervision",
        _K,
        (
            "KIF har procedurer for modtagelse af den løsladte og for overtagelse af sagen fra fængslet",
            ("probation (KIF) has procedures for receiving the released person and taking over the case from the "
            "prison"),
            (_K,),
        ),
        (
            "evt. iværksatte foranstaltninger fra fængslet følges op",
            "measures the prison started are followed up",
            (_K,),
        ),
        (
            "KIF i samarbejde med den løsladte udarbejder en handleplan for tilsynsperioden og tiden derefter",
            "probation (KIF) makes an action plan for the supervision and after it, with the released person",
            (_K,),
        ),
    ),
    _step(
        "11",
        "Senest 4 uger efter prøveløsladelsen kontakter KIF kommunen om koordinering af handleplanen",
        "Within 4 weeks of parole probation (KIF) contacts the municipality to coordinate the action plan",
        _K,
        (
            ("det er afklaret i kommunen og tydeligt for KIF, hvor »indgangen« (afdeling, adresse og evt. "
            "kontaktperson) til kommunen er med hensyn til koordineret samarbejde"),
            ("the municipality has settled, and probation (KIF) knows, where its entrance (department, address, "
            "perhaps a contact person) for coordinated work is"),
            (_M,),
        ),
        (
            "relevante sagsbehandlere fra social- og arbejdsmarkedsområdet tager sagen",
            "relevant caseworkers from social services and employment take the case",
            (_M,),
        ),
    ),
    _step(
        "12",
        "KIF følger op på planen med den løsladte mindst hver 3. måned i tilsynsperioden",
        "Probation (KIF) follows up the plan with the released person at least every 3 months of the supervision",
        _K,
    ),
    _step(
        "G",
        "For alle forløb",
        "For every case",
        None,
        (
            "de ansvarlige rent faktisk følger de enkelte trin i køreplanen – uanset tidsrammer",
            "those responsible actually follow each step of the roadmap, whatever the time frame",
            (_I, _K, _M),
        ),
        (
            ("de ledelsesansvarlige i hvert system som minimum sikrer, at de forudsætninger, der er nævnt ved hvert "
            "trin, er opfyldt"),
            "the managers of each organisation at least make sure the prerequisites named at each step are met",
            (_I, _K, _M),
        ),
    ),
)

STEP_BY_ID: dict[str, Step] = {step.id: step for step in STEPS}
PREREQUISITE_BY_ID: dict[str, Prerequisite] = {p.id: p for step in STEPS for p in step.prerequisites}

#: Every item the checklist asks about, in order: each step ("was it followed?") followed
#: by its prerequisites. The general group has no step question of its own.
CHECKLIST_ITEM_IDS: tuple[str, ...] = tuple(
    item
    for step in STEPS
    for item in ((() if step.is_general else (step.id,)) + tuple(p.id for p in step.prerequisites))
)


def is_step_item(item_id: str) -> bool:
    return item_id in STEP_BY_ID


def item_text(item_id: str, language: str = "da") -> str:
    """The words of a checklist item in the language asked for (Danish unless "en…")."""
    english = language.startswith("en")
    if item_id in STEP_BY_ID:
        step = STEP_BY_ID[item_id]
        return step.title_en if english else step.title_da
    prerequisite = PREREQUISITE_BY_ID[item_id]
    return prerequisite.text_en if english else prerequisite.text_da


def failure_score(counts: dict[Answer, int]) -> float:
    """How badly an item fails across answers: "no" counts whole, "partly" half."""
    return sum(FAILURE_WEIGHT.get(answer, 0.0) * n for answer, n in counts.items())
