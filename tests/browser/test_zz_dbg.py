import httpx, pytest
pytestmark = pytest.mark.browser
def test_dbg(browser, app_url):
    r = httpx.post(f"{app_url}/auth/sign-in", data={"email": "free@example.com", "password": "demo", "next": "/"}, headers={"Origin": app_url})
    cookie = r.cookies.get("orch_session")
    ctx = browser.new_context()
    ctx.add_cookies([{"name": "orch_session", "value": cookie, "url": app_url}])
    page = ctx.new_page()
    msgs = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda f: msgs.append(("sent", len(f) if isinstance(f, (bytes, str)) else f))))
    page.goto(f"{app_url}/documents")
    page.wait_for_timeout(3000)
    print("A", page.get_by_text("Page not found").count(), page.url)
    ctx.close()
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(f"{app_url}/auth/sign-in?next=/documents")
    page.get_by_label("Email").fill("free@example.com")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_timeout(3000)
    print("B", page.get_by_text("Page not found").count(), page.url)
    ctx.close()
