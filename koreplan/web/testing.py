"""Reading a conflict page in tests (koreplan/web/conflicts.py): what it shows as saved
now, and what the form kept of the user's own input."""

from __future__ import annotations

import re
from html import unescape


def saved_now(page: str) -> str:
    """The text of the page's "saved now" section, unescaped."""
    match = re.search(r'<section class="conflict-saved".*?</section>', page, re.DOTALL)
    assert match, "the page shows nothing saved beside the form"
    return unescape(match.group(0))


def input_value(page: str, name: str) -> str:
    """The value of the page's input called ``name``."""
    match = re.search(rf'<input [^>]*name="{name}"[^>]*value="([^"]*)"', page)
    assert match, f"no input {name}"
    return unescape(match.group(1))
