"""The HTTP side of the one server: the REST API (``/api/v1``), the OpenAI-compatible
gateway (``/v1``) and the browser session routes (``/auth``).

``app.py`` at the repository root mounts these on Streamlit's own Starlette server
(``st.App``), so ``make run`` serves the app and the API on one port. Nothing here
imports Streamlit: the apps are plain ASGI and tests drive them in-process.
Every route goes through the same services and pipeline as the pages.
"""
