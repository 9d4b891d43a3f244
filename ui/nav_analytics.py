"""Admin pages for cost analytics and alerts (owned by the analytics work)."""


def analytics_pages() -> list:
    return []
