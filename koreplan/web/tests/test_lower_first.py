"""A label set inside a sentence loses only its capital first letter, never an acronym's."""

from django.template import Context, Template


def render(value: str) -> str:
    return Template("{% load koreplan_web %}{{ value|lower_first }}").render(Context({"value": value}))


def test_only_the_first_letter_is_lowered():
    assert render("Lukket fængsel") == "lukket fængsel"
    assert render("Til KIF ved prøveløsladelse") == "til KIF ved prøveløsladelse"
    assert render("Kriminalforsorgen i Frihed (KIF)") == "kriminalforsorgen i Frihed (KIF)"
    assert render("") == ""
