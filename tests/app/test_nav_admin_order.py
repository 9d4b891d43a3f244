"""The admin menu leads with Overview, then Cost analytics and Alerts, then the console's pages."""

from __future__ import annotations

import types

import streamlit as st

from ui import nav_admin, nav_analytics


def _fake_page(path, *, title, icon=None, **_):
    return types.SimpleNamespace(path=path, title=title)


def test_admin_menu_starts_with_overview(monkeypatch):
    monkeypatch.setattr(st, "Page", _fake_page)
    titles = [p.title for p in nav_admin.admin_menu()]
    assert titles[:4] == ["Overview", "Cost analytics", "Alerts", "Providers"]
    # every admin and analytics page is listed exactly once
    every = [p.title for p in nav_admin.admin_pages() + nav_analytics.analytics_pages()]
    assert sorted(titles) == sorted(every) and len(set(titles)) == len(titles)


def test_an_admin_sees_overview_first_in_the_menu(app_env, monkeypatch):
    """What the app hands to ``st.navigation`` for an admin: the Admin section opens with Overview."""
    from tests.app.conftest import signed_in

    seen = []
    real = st.navigation

    def spy(pages, *args, **kwargs):
        seen.append(pages)
        return real(pages, *args, **kwargs)

    monkeypatch.setattr(st, "navigation", spy)
    at = signed_in("admin@example.com")
    assert not at.exception
    admin = seen[-1]["Admin"]
    assert [p.title for p in admin][:4] == ["Overview", "Cost analytics", "Alerts", "Providers"]
    assert list(seen[-1]) == ["Job search", "Admin"]


def test_only_the_super_admin_is_shown_the_stakeholder_demo(monkeypatch):
    monkeypatch.setattr(st, "Page", _fake_page)
    assert "Stakeholder demo" in [p.title for p in nav_admin.admin_menu(super_admin=True)]
    plain = [p.title for p in nav_admin.admin_menu(super_admin=False)]
    assert "Stakeholder demo" not in plain and plain[:2] == ["Overview", "Cost analytics"]
