"""The one server: the Streamlit app, the REST API, the OpenAI-compatible gateway and the
browser session routes, on one port (``make run`` runs ``streamlit run app.py``).

- ``/api/v1/...``    REST API (FastAPI; docs at ``/api/v1/docs``)
- ``/v1/...``        OpenAI-compatible gateway (``/v1/chat/completions``, ``/v1/models``)
- ``/auth/...``      sign-in and sign-out, which set and clear the HttpOnly session cookie
- ``/metrics``       Prometheus metrics (bearer token, or loopback clients only without one)
- ``/demo/...``      sample job postings while the stakeholder demo is on (``orchestrator.demo_mode``)
- everything else    the Streamlit app (``streamlit_app.py``)
"""

from __future__ import annotations

import streamlit as st
from starlette.middleware import Middleware
from starlette.routing import Mount
from streamlit.runtime.pages_manager import PagesManager

from orchestrator.http.api import create_api
from orchestrator.http.browser import BrowserSessionMiddleware, browser_routes
from orchestrator.http.demo_pages import demo_routes
from orchestrator.http.gateway import create_gateway
from orchestrator.http.metrics import metrics_routes

# The app navigates with st.navigation only; pages/ is merely where its page files live. Streamlit
# guesses from the existence of a pages/ directory, until the first st.navigation call of the
# process, that the app uses its old directory-based pages, so the very first session of every
# server process would answer a deep link (/documents) with a "Page not found" dialog. Tell it.
PagesManager.uses_pages_directory = False

app = st.App(
    "streamlit_app.py",
    routes=[Mount("/api/v1", app=create_api()), Mount("/v1", app=create_gateway()), *browser_routes(),
            *metrics_routes(), *demo_routes()],
    middleware=[Middleware(BrowserSessionMiddleware)],
)
