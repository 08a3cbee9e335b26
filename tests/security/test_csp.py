"""The Content Security Policy and the other security headers, and the rule that keeps the
policy strict: no template (nor markup built in Python) carries inline script, an event
handler attribute, a style attribute, a <style> element or htmx's inline-code attributes.

A page under ``script-src 'self'; style-src 'self'`` that held any of those would break in
the browser; the scan finds them before a browser does.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from koreplan.cases.tests.factories import open_case

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
PRODUCT_TEMPLATES = sorted(
    [*(ROOT / "templates").rglob("*.html"), *(ROOT / "koreplan").glob("*/templates/**/*.html")]
)

#: Documents only WeasyPrint reads (a PDF, never served to a browser): a <style> there
#: is not subject to the page's CSP. Each is checked to be rendered for a PDF only.
PDF_ONLY_TEMPLATES = {"dashboards/survey_pdf.html"}


def _directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def assert_strict_policy(response) -> None:
    assert "Content-Security-Policy" in response, f"no CSP on {response.request['PATH_INFO']}"
    policy = _directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    everything = " ".join(word for words in policy.values() for word in words)
    for loophole in ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "data:", "*"):
        assert loophole not in everything.split(), f"{loophole} in {response['Content-Security-Policy']}"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


class _InlineCode(HTMLParser):
    """Collects what a strict CSP would block in a rendered page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        names = {name.lower(): value for name, value in attrs}
        for name, value in names.items():
            if name.startswith("on") or name == "style" or name.startswith("hx-on") or name in ("hx-vars",):
                self.found.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:…>")
            if name == "hx-vals" and (value or "").strip().startswith("js:"):
                self.found.append(f"<{tag} hx-vals=js:…>")
        if tag == "style":
            self.found.append("<style>")
        if tag == "script":
            if "src" not in names and names.get("type") != "application/json":
                self.found.append("<script> without src")
            self._in_script = True

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.found.append(f"inline script: {data.strip()[:60]}")


def inline_code(html: str) -> list[str]:
    parser = _InlineCode()
    parser.feed(html)
    return parser.found


# -- the header --------------------------------------------------------------------------------


def test_the_login_page_sends_the_strict_policy_and_the_security_headers(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert_strict_policy(response)
    assert inline_code(response.content.decode()) == []


def test_the_pages_of_a_case_send_the_policy_and_hold_no_inline_code(client, socialraadgiver, guldborgsund):
    case = open_case(actor=socialraadgiver, municipality=guldborgsund)
    client.force_login(socialraadgiver)
    for url in [reverse("cases:case_list"), reverse("cases:worklist"), reverse("cases:case_detail", args=[case.pk]),
                reverse("cases:case_facts", args=[case.pk])]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict_policy(response)
        assert inline_code(response.content.decode()) == [], url


def test_an_htmx_partial_and_an_error_page_send_the_policy_too(client, socialraadgiver, guldborgsund):
    case = open_case(actor=socialraadgiver, municipality=guldborgsund)
    client.force_login(socialraadgiver)
    partial = client.get(reverse("cases:case_detail", args=[case.pk]), headers={"HX-Request": "true"})
    assert_strict_policy(partial)
    missing = client.get(reverse("cases:case_detail", args=[case.pk + 1000]))
    assert missing.status_code == 404
    assert_strict_policy(missing)


def test_the_managers_dashboard_with_its_svg_charts_holds_no_inline_style(client, leder):
    client.force_login(leder)
    response = client.get(reverse("dashboards:dashboard"))
    assert response.status_code == 200
    assert_strict_policy(response)
    assert inline_code(response.content.decode()) == []


def test_the_api_sends_the_policy(client, socialraadgiver):
    client.force_login(socialraadgiver)
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert_strict_policy(response)


def test_htmx_is_told_not_to_inject_styles_or_evaluate_code():
    base = (ROOT / "templates" / "base.html").read_text()
    config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", base)
    assert config, "base.html has no htmx-config meta tag"
    assert '"includeIndicatorStyles": false' in config.group(1)
    assert '"allowEval": false' in config.group(1)
    assert '"allowScriptTags": false' in config.group(1)


# -- the scan of the source -------------------------------------------------------------------

# Template syntax is replaced before the HTML is read, so that `{% if %}` inside a tag does
# not hide an attribute, nor `{{ value }}` look like one.
_TEMPLATE_SYNTAX = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", re.DOTALL)
_ATTRIBUTE = re.compile(r"""[\s"'](on[a-z]+|style|hx-on[:\w-]*|hx-vars)\s*=""", re.IGNORECASE)
_TAG = re.compile(r"<[a-zA-Z][^<>]*>")


def template_findings(text: str) -> list[str]:
    found = []
    for tag in _TAG.findall(_TEMPLATE_SYNTAX.sub(" ", text)):
        for match in _ATTRIBUTE.finditer(tag):
            found.append(f"{match.group(1)}= in {tag[:80]}")
        if re.search(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", tag, re.IGNORECASE):
            found.append(f"javascript: URL in {tag[:80]}")
        if re.search(r"""hx-vals\s*=\s*["']\s*js:""", tag, re.IGNORECASE):
            found.append(f"hx-vals js: in {tag[:80]}")
    for match in re.finditer(r"<script\b([^>]*)>(.*?)</script>", text, re.DOTALL | re.IGNORECASE):
        attributes, body = match.groups()
        if "src=" not in attributes or body.strip():
            found.append(f"inline <script>: {match.group(0)[:80]}")
    if re.search(r"<style\b", text, re.IGNORECASE):
        found.append("<style> element")
    return found


def test_the_scan_finds_what_it_is_meant_to_find():
    # Without this, a scan that finds nothing would pass as well.
    assert template_findings('<div style="color: red">') != []
    assert template_findings('<a href="#" onclick="go()">') != []
    assert template_findings("<button hx-on:click=\"go()\">") != []
    assert template_findings('<button {% if x %}class="a"{% endif %} onmouseover="go()">') != []
    assert template_findings("<script>alert(1)</script>") != []
    assert template_findings('<script src="/static/x.js">alert(1)</script>') != []
    assert template_findings("<style>p { color: red }</style>") != []
    assert template_findings('<a href="javascript:go()">') != []
    assert template_findings('<div hx-vals=\'js:{a: b()}\'>') != []
    assert template_findings('<script defer src="{% static \'x.js\' %}"></script><p class="x" data-on="1">') == []


def test_no_template_holds_inline_script_handlers_or_styles():
    assert len(PRODUCT_TEMPLATES) > 50, "the templates were not found"
    findings = {}
    for path in PRODUCT_TEMPLATES:
        name = path.relative_to(ROOT).as_posix()
        found = template_findings(path.read_text(encoding="utf-8"))
        if name.split("/templates/")[-1] in PDF_ONLY_TEMPLATES:
            found = [f for f in found if f != "<style> element"]
        if found:
            findings[name] = found
    assert findings == {}


def test_the_pdf_only_templates_are_rendered_for_weasyprint_only():
    # Their <style> is allowed only because no browser is sent them.
    for name in PDF_ONLY_TEMPLATES:
        users = [
            path for path in (ROOT / "koreplan").rglob("*.py")
            if "/tests/" not in path.as_posix() and f'"{name}"' in path.read_text(encoding="utf-8")
        ]
        assert users, f"{name} is not rendered anywhere"
        for path in users:
            text = path.read_text(encoding="utf-8")
            assert "html_pdf(" in text or "render_pdf(" in text, f"{path} renders {name} but not for a PDF"
            assert f'render(request, "{name}"' not in text, f"{path} serves {name} as a page"


def test_markup_built_in_python_has_no_style_or_handler_attributes():
    # Template tags and the dashboards' SVG charts build markup with format_html.
    findings = []
    for path in (ROOT / "koreplan").rglob("*.py"):
        if "/tests/" in path.as_posix() or "/migrations/" in path.as_posix():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"""<[a-zA-Z][^>]*\s(style|on[a-z]+)=""", line):
                findings.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    assert findings == []


def test_our_own_javascript_neither_evaluates_code_nor_writes_styles_or_markup():
    for path in (ROOT / "static" / "koreplan" / "js").rglob("*.js"):
        text = path.read_text(encoding="utf-8")
        for forbidden in ("eval(", "new Function", "innerHTML", "outerHTML", "insertAdjacentHTML",
                          "document.write", ".setAttribute(\"style\"", "setAttribute('style'", "<style"):
            assert forbidden not in text, f"{path.name} uses {forbidden}"
