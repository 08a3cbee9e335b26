"""The ``koreplan`` command.

``koreplan timeline`` and ``koreplan rules`` use only the pure domain core and start
fast. Every other subcommand is handed to Django's management commands (``koreplan
migrate``, ``koreplan runserver``, ``koreplan generate`` …) with the project's settings.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path

from koreplan.domain.facts import FactsError, parse_date, parse_facts
from koreplan.domain.rules.parameters import DEFAULT_PARAMETERS, ParameterSet
from koreplan.domain.timeline import Status, Timeline, compute_timeline

EXIT_BAD_INPUT = 2

_STATUS = {
    "da": {Status.DONE: "udført", Status.OVERDUE: "overskredet", Status.DUE_SOON: "snart", Status.UPCOMING: "kommende"},
    "en": {Status.DONE: "done", Status.OVERDUE: "overdue", Status.DUE_SOON: "due soon", Status.UPCOMING: "upcoming"},
}
_WHO = {
    "da": {"institution": "institution", "kif": "KIF", "municipality": "kommune"},
    "en": {"institution": "institution", "kif": "probation", "municipality": "municipality"},
}
_HEAD = {
    "da": ("Frist", "Trin", "Hvem", "Hvad", "Status", "Hjemmel", "Bemærk"),
    "en": ("Due", "Step", "Who", "What", "Status", "Legal basis", "Flags"),
}
_FLAGS = {
    "da": {"asap": "snarest muligt", "assumed": "antaget frist", "non_working_day": "weekend/helligdag"},
    "en": {"asap": "as soon as possible", "assumed": "assumed deadline", "non_working_day": "non-working day"},
}
_SUMMARY = {
    "da": (
        ("plan_required", "Handleplanspligt"),
        ("roadmap_applies", "Køreplanen gælder"),
        ("release_meeting_recommended", "Løsladelsesmøde anbefales"),
        ("municipal_coordination_applies", "Koordinering med kommunen"),
    ),
    "en": (
        ("plan_required", "Action plan required"),
        ("roadmap_applies", "The roadmap applies"),
        ("release_meeting_recommended", "Release meeting recommended"),
        ("municipal_coordination_applies", "Municipal coordination"),
    ),
}


class UsageError(Exception):
    """Bad input on the command line: one line on stderr, exit status 2."""


def render_table(timeline: Timeline, lang: str) -> str:
    yes, no = ("ja", "nej") if lang == "da" else ("yes", "no")
    lines = [f"{label}: {yes if getattr(timeline, key) else no}" for key, label in _SUMMARY[lang]]
    release = timeline.expected_release_on.isoformat() if timeline.expected_release_on else "–"
    lines.append(("Forventet løsladelse" if lang == "da" else "Expected release") + f": {release}")
    lines.append("")
    rows = [_HEAD[lang]]
    for o in timeline.obligations:
        flags = [text for flag, text in _FLAGS[lang].items() if getattr(o, flag)]
        rows.append(
            (
                o.due_on.isoformat(),
                o.step or "",
                _WHO[lang][o.who.value],
                o.title(lang) + (f" ({o.occurrence})" if o.occurrence > 1 else ""),
                _STATUS[lang][o.status],
                "; ".join(str(c) for c in o.legal_basis),
                ", ".join(flags),
            )
        )
    if len(rows) == 1:
        lines.append("Ingen frister." if lang == "da" else "No obligations.")
    else:
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for index, row in enumerate(rows):
            lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
            if index == 0:
                lines.append("  ".join("-" * width for width in widths))
    for warning in timeline.warnings:
        lines.append(("Bemærk: " if lang == "da" else "Note: ") + warning.text(lang))
    return "\n".join(lines)


def _parameters(overrides: list[str], agreement: str) -> ParameterSet:
    if not overrides:
        return DEFAULT_PARAMETERS
    values = {}
    for item in overrides:
        key, sep, value = item.partition("=")
        if not sep:
            raise UsageError(f"--override: {item!r} must be written KEY=DURATION, e.g. municipality_contact_before_parole=P6M")
        values[key.strip()] = value.strip()
    try:
        return DEFAULT_PARAMETERS.with_overrides(values, agreement=agreement)
    except ValueError as error:
        raise UsageError(f"--override {error}") from None


def _timeline(args: argparse.Namespace) -> int:
    try:
        today = parse_date(args.today, "--today") if args.today else date.today()
    except FactsError as error:
        raise UsageError(str(error)) from None
    parameters = _parameters(args.override, args.agreement)
    path = Path(args.case)
    try:
        text = sys.stdin.read() if args.case == "-" else path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{args.case}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{args.case}: cannot be read ({error.__class__.__name__}: {error})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise UsageError(f"{args.case}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})") from None
    try:
        facts = parse_facts(data, today=today)
    except FactsError as error:
        raise UsageError(str(error)) from None
    timeline = compute_timeline(facts, today=today, parameters=parameters)
    output_format = args.format or ("table" if sys.stdout.isatty() else "json")
    if output_format == "json":
        json.dump(timeline.to_dict(lang=args.lang), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(render_table(timeline, args.lang))
    return 0


def _rules(args: argparse.Namespace) -> int:
    from koreplan.domain.rules.catalogue import render_markdown

    sys.stdout.write(render_markdown())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="koreplan",
        description="Køreplan for god løsladelse. Other subcommands are Django management commands.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    timeline = sub.add_parser("timeline", help="print the obligations of a case from its facts")
    timeline.add_argument("case", metavar="CASE.json", help="the case facts as JSON ('-' reads standard input)")
    timeline.add_argument("--today", metavar="YYYY-MM-DD", help="the date status is relative to (default: today)")
    timeline.add_argument("--format", choices=("json", "table"), help="default: table on a terminal, else json")
    timeline.add_argument("--lang", choices=("da", "en"), default="da", help="language of the table and warnings")
    timeline.add_argument(
        "--override", action="append", default=[], metavar="KEY=DURATION",
        help="a local agreement's value for a parameter, e.g. municipality_contact_before_parole=P6M",
    )
    timeline.add_argument("--agreement", default="", help="the name of the local agreement behind --override")
    timeline.set_defaults(handler=_timeline)
    rules = sub.add_parser("rules", help="print every rule with its parameters and citations (Markdown)")
    rules.set_defaults(handler=_rules)
    return parser


PURE_COMMANDS = {"timeline", "rules"}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] not in PURE_COMMANDS and not argv[0].startswith("-"):
        return _django(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except UsageError as error:
        print(f"koreplan {args.command}: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # e.g. piped into head
        return 0


def _django(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["koreplan", *argv])
    return 0


if __name__ == "__main__":
    sys.exit(main())
