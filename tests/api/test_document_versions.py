"""Document versions over the REST API, in-process on both databases: the list shows one
document per job and kind with its version count; versions, edit, restore, compare, parts,
rewrite and delete answer as documented; another user's document is 404."""

from __future__ import annotations

from tests.api.conftest import bearer
from tests.support import POSTING

DRAFT, EXTRACT = "/cv-drafter/draft", "/job-extractor/extract"


def _cv_versions(api, headers) -> list[int]:
    job_id = api.post(EXTRACT, json={"text": POSTING}, headers=headers).json()["job_id"]
    return [api.post(DRAFT, json={"job_id": job_id, "regenerate": True}, headers=headers).json()["document_id"]
            for _ in range(2)]


def test_versions_edit_restore_compare_and_delete(api, token_for):
    headers = bearer(token_for())
    v1, v2 = _cv_versions(api, headers)
    [card] = api.get("/documents", headers=headers).json()["documents"]
    assert (card["id"], card["version"], card["version_count"], card["current"], card["origin"]) == \
        (v2, 2, 2, True, "generated")
    listed = api.get(f"/documents/{v1}/versions", headers=headers).json()["versions"]
    assert [(v["id"], v["version"], v["current"]) for v in listed] == [(v2, 2, True), (v1, 1, False)]

    r = api.put(f"/documents/{v2}", json={"text": "# Frida Free\n\nEdited by hand."}, headers=headers)
    assert r.status_code == 200, r.text
    edited = r.json()
    assert (edited["version"], edited["origin"], edited["text"]) == (3, "edited", "# Frida Free\n\nEdited by hand.")
    restored = api.post(f"/documents/{v1}/restore", headers=headers).json()
    assert (restored["version"], restored["origin"], restored["current"]) == (4, "restored", True)

    diff = api.get(f"/documents/{edited['id']}/compare/{restored['id']}", headers=headers).json()
    assert diff["old_id"] == edited["id"] and diff["added"] + diff["changed"] > 0
    assert {line["tag"] for line in diff["lines"]} <= {"equal", "replace", "delete", "insert"}

    assert api.delete(f"/documents/{edited['id']}", headers=headers).status_code == 204
    assert [v["version"] for v in api.get(f"/documents/{v1}/versions", headers=headers).json()["versions"]] == \
        [4, 2, 1]
    assert api.delete(f"/documents/{v1}", params={"all_versions": "true"}, headers=headers).status_code == 204
    assert api.get("/documents", headers=headers).json()["documents"] == []


def test_rewrite_one_part(api, token_for):
    headers = bearer(token_for())
    _v1, v2 = _cv_versions(api, headers)
    listed = api.get(f"/documents/{v2}/parts", headers=headers).json()
    assert listed["styles"] == {"concise": "More concise", "quantified": "More quantified",
                                "posting_wording": "Match the posting's wording"}
    part = next(p for p in listed["parts"] if p["kind"] == "bullet" and "6 hours" in p["text"])
    r = api.post(f"/documents/{v2}/rewrite", json={"part": part["index"], "style": "quantified"}, headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["version"] == 3 and body["part_text"].startswith("Saved 6 hours a week")
    assert body["part_text"] in body["text"] and body["request_id"] and body["provider"] == "offline"
    r = api.post(f"/documents/{v2}/rewrite", json={"part": part["index"], "style": "louder"}, headers=headers)
    assert r.status_code == 400 and "style must be one of" in r.json()["error"]


def test_another_users_document_is_404(api, token_for):
    mine = _cv_versions(api, bearer(token_for()))[0]
    theirs = bearer(token_for("pro@example.com"))
    for method, path, kwargs in [("get", f"/documents/{mine}/versions", {}),
                                 ("put", f"/documents/{mine}", {"json": {"text": "mine now"}}),
                                 ("post", f"/documents/{mine}/restore", {}),
                                 ("delete", f"/documents/{mine}", {}),
                                 ("get", f"/documents/{mine}/compare/{mine}", {}),
                                 ("get", f"/documents/{mine}/parts", {}),
                                 ("post", f"/documents/{mine}/rewrite", {"json": {"part": 0, "style": "concise"}})]:
        r = getattr(api, method)(path, headers=theirs, **kwargs)
        assert r.status_code == 404, (method, path, r.text)
