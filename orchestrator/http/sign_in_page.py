"""The server-rendered sign-in page (``GET /auth/sign-in``).

Plain HTML and inline CSS in the app's theme (``.streamlit/config.toml``): it has to work
before any Streamlit code runs, without JavaScript, and under a strict Content Security
Policy (no scripts, no external resources). Every value put into it is escaped here.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from html import escape
from pathlib import Path

TITLE = "AI Orchestrator"
CAPTION = "Tailored CVs and cover letters from any job posting."
DEMO_NOTE = ("Demo accounts: free@example.com, paygo@example.com, pro@example.com and admin@example.com, "
             "password <code>demo</code>.")

# The page runs no script and loads nothing: inline styles only, forms post to this origin.
CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")

_CSS = """
:root { --primary: #4F46E5; --primary-dark: #4338CA; --text: #1F2333; --muted: rgba(31, 35, 51, 0.62);
        --line: #D9DBE6; --soft: #F4F5FB; }
* { box-sizing: border-box; }
html, body { margin: 0; padding: 0; }
body { min-height: 100vh; background: linear-gradient(180deg, #FFFFFF 0%, var(--soft) 100%);
       color: var(--text); font: 16px/1.6 "Source Sans", "Source Sans Pro", "Source Sans 3", -apple-system,
       BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       -webkit-font-smoothing: antialiased; }
main { max-width: 440px; margin: 0 auto; padding: 12vh 1.25rem 3rem; }
.brand { display: flex; align-items: center; gap: .6rem; margin-bottom: .25rem; }
.brand svg { flex: none; }
h1 { font-size: 2rem; font-weight: 700; letter-spacing: -0.01em; line-height: 1.2; margin: 0; }
.caption { color: var(--muted); font-size: .95rem; margin: .35rem 0 1.5rem; }
.card { background: #FFFFFF; border: 1px solid #E6E8F0; border-radius: .75rem; padding: 1.5rem;
        box-shadow: 0 1px 2px rgba(31, 35, 51, .04), 0 8px 24px rgba(31, 35, 51, .06); }
label { display: block; font-size: .875rem; margin: 0 0 .3rem; }
input[type=email], input[type=password] { display: block; width: 100%; font: inherit; color: var(--text);
        background: var(--soft); border: 1px solid transparent; border-radius: .5rem; padding: .5rem .75rem;
        margin-bottom: 1rem; outline: none; transition: border-color .15s, box-shadow .15s; }
input[type=email]:focus, input[type=password]:focus { border-color: var(--primary);
        box-shadow: 0 0 0 3px rgba(79, 70, 229, .18); background: #FFFFFF; }
button { display: block; width: 100%; font: inherit; font-weight: 600; color: #FFFFFF;
         background: var(--primary); border: 1px solid var(--primary); border-radius: .5rem;
         padding: .55rem .75rem; margin-top: .5rem; cursor: pointer; transition: background .15s; }
button:hover { background: var(--primary-dark); border-color: var(--primary-dark); }
button:focus-visible { outline: none; box-shadow: 0 0 0 3px rgba(79, 70, 229, .35); }
.alert { border-radius: .5rem; padding: .75rem 1rem; margin: 0 0 1rem; font-size: .95rem; }
.error { background: rgba(255, 43, 43, .09); color: #7D000C; }
.notice { background: rgba(33, 195, 84, .1); color: #14532D; }
.info { background: rgba(79, 70, 229, .08); color: #2A2670; margin: 1.25rem 0 0; }
.link { color: var(--primary); font-weight: 600; text-decoration: none; }
.link:hover { text-decoration: underline; }
code { font-family: "Source Code Pro", SFMono-Regular, Menlo, Consolas, monospace; font-size: .85em;
       background: rgba(79, 70, 229, .1); color: #3730A3; border-radius: .25rem; padding: .1em .35em; }
"""

@lru_cache(maxsize=1)
def _app_font() -> str:
    """An ``@font-face`` for the app's own typeface, Source Sans, which the same server already
    serves under ``/static/media/`` with a hashed name. The file is found on disk (Streamlit is
    located, never imported); without it the page falls back to the system's sans-serif."""
    spec = importlib.util.find_spec("streamlit")
    if spec is None or not spec.submodule_search_locations:
        return ""
    media = Path(next(iter(spec.submodule_search_locations))) / "static" / "static" / "media"
    found = sorted(media.glob("SourceSansVF-Upright*.woff2"))
    if not found:
        return ""
    return ('@font-face { font-family: "Source Sans"; font-style: normal; font-weight: 200 900; '
            f'font-display: swap; src: url("/static/media/{found[0].name}") format("woff2"); }}')


# Material Symbols "auto_awesome", the app's page icon, drawn inline (the page loads nothing).
_ICON = ('<svg width="34" height="34" viewBox="0 -960 960 960" aria-hidden="true" fill="#4F46E5">'
         '<path d="m744-612-45-99-99-45 99-45 45-99 45 99 99 45-99 45-45 99Zm0 528-45-99-99-45 99-45 '
         '45-99 45 99 99 45-99 45-45 99ZM360-216l-90-198-198-90 198-90 90-198 90 198 198 90-198 90-90 '
         '198Z"/></svg>')


def render(*, next_path: str = "/", email: str = "", error: str | None = None,
           notice: str | None = None) -> str:
    """The whole page. ``error`` is a sign-in failure (shown in the alert area), ``notice`` a
    neutral message such as "You have signed out."; the e-mail survives a failed attempt."""
    alert = ""
    if error:
        alert = f'<div class="alert error" role="alert">{escape(error)}</div>'
    elif notice:
        alert = f'<div class="alert notice" role="status">{escape(notice)}</div>'
    focus_email = "" if email else " autofocus"
    focus_password = " autofocus" if email else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Sign in · {TITLE}</title>
<style>{_app_font()}{_CSS}</style>
</head>
<body>
<main>
  <div class="brand">{_ICON}<h1>{TITLE}</h1></div>
  <p class="caption">{CAPTION}</p>
  <div class="card">
    {alert}
    <form method="post" action="/auth/sign-in" autocomplete="on">
      <input type="hidden" name="next" value="{escape(next_path)}">
      <label for="email">Email</label>
      <input id="email" name="email" type="email" autocomplete="username" inputmode="email" required
             maxlength="254" value="{escape(email)}"{focus_email}>
      <label for="password">Password</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required
             maxlength="1024"{focus_password}>
      <button type="submit">Sign in</button>
    </form>
  </div>
  <div class="alert info">{DEMO_NOTE}</div>
</main>
</body>
</html>
"""


def refused_page(message: str) -> str:
    """A minimal page for a refused request (a cross-site post), in the same look."""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Request refused · {TITLE}</title><style>{_app_font()}{_CSS}</style></head>
<body><main><div class="brand">{_ICON}<h1>{TITLE}</h1></div>
<div class="card"><div class="alert error" role="alert">{escape(message)}</div>
<a class="link" href="/auth/sign-in">Go to the sign-in page</a></div>
</main></body></html>
"""
