"""The one server: the Streamlit app, the REST API, the OpenAI-compatible gateway and the
browser session routes, on one port (``make run`` runs ``streamlit run app.py``).

- ``/api/v1/...``    REST API (FastAPI; docs at ``/api/v1/docs``)
- ``/v1/...``        OpenAI-compatible gateway (``/v1/chat/completions``, ``/v1/models``)
- ``/auth/...``      sign-in and sign-out, which set and clear the HttpOnly session cookie
- everything else    the Streamlit app (``streamlit_app.py``)
"""

from __future__ import annotations

import streamlit as st
from starlette.middleware import Middleware
from starlette.routing import Mount

from orchestrator.http.api import create_api
from orchestrator.http.browser import BrowserSessionMiddleware, browser_routes
from orchestrator.http.gateway import create_gateway

app = st.App(
    "streamlit_app.py",
    routes=[Mount("/api/v1", app=create_api()), Mount("/v1", app=create_gateway()), *browser_routes()],
    middleware=[Middleware(BrowserSessionMiddleware)],
)
