"""Placeholders for personal data: what goes to an external provider has none of the user's
details, the same value keeps its number, the answer gets the values back (JSON-escaped in JSON,
across chunk boundaries when streamed), and an answer with a placeholder that cannot be put back
is an invalid answer. Linear time on hostile text, both ways."""

from __future__ import annotations

import json
import random
import time

import pytest

from orchestrator.errors import ProviderError
from orchestrator.personal_data import Identity
from orchestrator.placeholders import MAX_LEN, PLAIN, Placeholders, StreamRestorer, _Guarded
from orchestrator.providers.base import ChatRequest, Completion, TokenUsage
from orchestrator.schemas import Profile
from orchestrator.tasks.common import dumps

PROFILE = Profile(name="Frida Free", email="frida.free@mailbox.example", phone="+49 30 1234 5678",
                  location="Hauptstraße 12, 10115 Berlin",
                  links=["https://www.linkedin.com/in/frida-free", "https://frida.dev"],
                  summary="Analyst. Call +49 30 1234 5678 or write to frida.free@mailbox.example.")
SECRETS = ["Frida", "frida.free@", "1234 5678", "Hauptstraße", "10115", "linkedin.com/in/frida-free", "frida.dev",
           "ff@signin.example"]


def table() -> Placeholders:
    return Placeholders(Identity.of(name="Frida Free", email="ff@signin.example", profile=PROFILE))


def test_a_profile_prompt_goes_out_without_personal_data_and_comes_back_whole():
    t = table()
    prompt = "Draft a CV.\n<profile_json>\n" + dumps(PROFILE.model_dump(mode="json")) + "\n</profile_json>\n" \
             "Contact the recruiter at jobs@acme.example or +44 20 7946 0958. Account: ff@signin.example."
    hidden = t.hide(prompt)
    assert [s for s in SECRETS if s in hidden] == []
    assert "jobs@acme.example" not in hidden and "7946 0958" not in hidden  # generic contact data too
    data = json.loads(hidden.split("<profile_json>\n")[1].split("\n</profile_json>")[0])
    assert (data["name"], data["email"], data["phone"], data["location"]) == (
        "[[NAME_1]]", "[[EMAIL_1]]", "[[PHONE_1]]", "[[ADDRESS_1]]")
    assert data["links"] == ["[[LINK_1]]", "[[LINK_2]]"]
    assert "Call [[PHONE_1]] or write to [[EMAIL_1]]." in data["summary"]  # the same value, the same number
    assert t.restore(hidden) == prompt


def test_numbering_is_stable_within_a_request_and_per_kind():
    t = table()
    first = t.hide("Frida Free <frida.free@mailbox.example>, then bob@other.example")
    again = t.hide("bob@other.example wrote to Frida Free at frida.free@mailbox.example")
    assert first == "[[NAME_1]] <[[EMAIL_1]]>, then [[EMAIL_2]]"
    assert again == "[[EMAIL_2]] wrote to [[NAME_1]] at [[EMAIL_1]]"
    # another request starts its own table
    assert table().hide("bob@other.example") == "[[EMAIL_1]]"


def test_values_come_back_exactly_as_written():
    t = table()
    text = "FRIDA FREE\nFrida\nFree · Frida"  # another case, wrapped, one word: each its own placeholder
    hidden = t.hide(text)
    assert "Frida" not in hidden and "FRIDA" not in hidden
    assert t.restore(hidden) == text


def test_json_answers_get_values_json_escaped():
    t = Placeholders(Identity.of(name='Ann "Nan" O\'Neil', profile={"location": "Flat 2\\B, 1 Main St"}))
    hidden = t.hide('Ann "Nan" O\'Neil lives at Flat 2\\B, 1 Main St')
    assert "Ann" not in hidden and "Main St" not in hidden
    answer = json.dumps({"summary": hidden.replace(" lives at ", " / ")})  # a model's JSON around placeholders
    restored = t.restore(answer, json_text=True)
    assert json.loads(restored) == {"summary": 'Ann "Nan" O\'Neil / Flat 2\\B, 1 Main St'}


@pytest.mark.parametrize("answer", [
    "Hello [[NAME_7]]", "Hello [[NAME_1]", "Hello [NAME_1]]", "Hello [NAME_1]", "Hello [[name_1]]",
    "Hello [[NAME 1]]", "Hello \\[\\[NAME\\_1\\]\\]", "Hello NAME_1.", "Hello [[PHONE_0]]", "Hello [Name_1]",
    "Hello [LINK 2]", "Hello [[Email-1]]", "Hello ADDRESS_1]]",
])
def test_a_placeholder_that_cannot_be_put_back_is_an_invalid_answer(answer):
    t = table()
    t.hide("Frida Free")
    with pytest.raises(ProviderError) as err:
        t.restore(answer)
    assert err.value.kind == "invalid_output" and err.value.retryable
    assert "cannot be put back" in err.value.message and "Frida" not in err.value.message
    assert t.restore(answer, strict=False) == answer  # shown as it is while streaming; the final check fails


def test_text_that_already_looks_like_a_placeholder_is_kept_apart():
    t = table()
    posting = "Template: Dear [[NAME_1]], from [NAME_2]. Signed Frida Free"
    hidden = t.hide(posting)
    assert "Frida" not in hidden
    assert t.restore(hidden) == posting  # the literal ones come back as literals, the name as the name
    assert t.restore(hidden.replace("Signed ", "Signed by ")) == posting.replace("Signed ", "Signed by ")


def test_ordinary_text_is_left_alone():
    t = table()
    text = ("Python, SQL, 2019-2023, €70,000 - €90,000, [link](https://acme.example), a_b [1] [[x]] ]], "
            "[Link 1](https://acme.example/a) [Name 2] phone_1 Email 3]")
    assert t.hide(text) == text and t.restore(text) == text


def chunks_of(text: str, rng: random.Random) -> list[str]:
    out, i = [], 0
    while i < len(text):
        n = rng.randint(1, 7)
        out.append(text[i:i + n])
        i += n
    return out


def test_streamed_chunks_are_restored_even_when_a_placeholder_is_split():
    t = table()
    original = "# Frida Free\nfrida.free@mailbox.example · +49 30 1234 5678\n[x] Dear Frida, [[ see [ end ["
    hidden = t.hide(original)
    rng = random.Random(7)
    for _ in range(200):
        r = StreamRestorer(lambda s: t.restore(s, strict=False))
        shown = [r.feed(c) for c in chunks_of(hidden, rng)] + [r.flush()]
        assert "".join(shown) == original
        assert not any("[[" in s and "NAME" in s for s in shown)  # no placeholder ever shown, whole or in part
    one = StreamRestorer(lambda s: t.restore(s, strict=False))
    assert one.feed("Hi [[NA") == "Hi " and one.feed("ME_1") == "" and one.feed("]") == ""
    assert one.feed("]!") == "Frida Free!"


def test_what_is_held_back_is_bounded():
    r = StreamRestorer(lambda s: s)
    assert r.feed("a [[ADDRESS_12345") == "a "
    assert r.feed("6") == ""  # still a possible placeholder
    assert r.feed("7") == "[[ADDRESS_1234567"  # too many digits: nothing to wait for
    for text in ("[" * 100, "[[NAME_" * 50, "x[[EMAIL_99999]"):
        r = StreamRestorer(lambda s: s)
        assert len(text) - len(r.feed(text)) < MAX_LEN


def request(**kw) -> ChatRequest:
    base = dict(task="draft_cv", model="m", system="Write for Frida Free.", prompt="Profile: frida.free@mailbox.example",
                history=(("user", "I am Frida Free"), ("assistant", "Hello [[x]]")))
    return ChatRequest(**{**base, **kw})


class _Shield:
    def __init__(self, t):
        self.t = t

    def table(self):
        return self.t


def test_the_guarded_link_hides_system_prompt_and_history_and_explains_placeholders():
    link = _Guarded(_Shield(table()), structured=False)
    sent = link.send(request())
    text = sent.system + sent.prompt + "".join(t for _r, t in sent.history)
    assert "Frida" not in text and "frida.free" not in text
    assert sent.history[0] == ("user", "I am [[NAME_1]]") and sent.prompt == "Profile: [[EMAIL_1]]"
    assert sent.system.startswith("Write for [[NAME_1]].") and "[[NAME_1]] stands for" not in sent.system
    assert "such as [[NAME_1]]" in sent.system  # the model is told to copy placeholders as they are
    done = link.restore(Completion("# [[NAME_1]]\n[[EMAIL_1]]", TokenUsage()))
    assert done.text == "# Frida Free\nfrida.free@mailbox.example"
    assert PLAIN.send(request()) == request()


def test_a_repair_request_goes_out_without_personal_data():
    link = _Guarded(_Shield(table()), structured=False)
    sent = link.send(request())
    raw = "# [[NAME_1]] at Frida Free Consulting [[NAME_3]]"
    original, again = link.repair(request(), sent, raw, "restored text", "Invented employer: Frida Free Consulting")
    assert "Frida" not in again.prompt + again.system and "[[NAME_3]]" in again.prompt
    assert "Invented employer: [[NAME_1]] Consulting" in again.prompt
    assert "Frida Free Consulting" in original.prompt and "restored text" in original.prompt


def test_when_redaction_fails_nothing_is_sent():
    class Broken:
        def table(self):
            raise RuntimeError("profile unreadable: Frida Free")

    with pytest.raises(ProviderError) as err:
        _Guarded(Broken(), structured=False).send(request())
    assert err.value.kind == "redaction_failed" and not err.value.retryable
    assert "Frida" not in err.value.message and "nothing was sent" in err.value.message


HOSTILE = {
    "brackets": "[" * 100_000,
    "double brackets": "[[" * 50_000,
    "open placeholders": "[[NAME_" * 14_000,
    "unclosed numbers": "[[NAME_1" * 12_000,
    "closers": "NAME_1]]" * 12_000,
    "bare": "NAME_1 " * 14_000,
    "escaped": "\\[\\[NAME\\_1" * 9_000,
    "placeholders": "[[EMAIL_1]]" * 9_000,
    "underscores": "_" * 100_000,
    "contact lines": "Frida Free +49 30 1234 5678 free@example.com linkedin.com/in/x [[NAME_2]] " * 1200,
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hiding_and_restoring_are_linear_on_hostile_text(text):
    t = table()
    t0 = time.perf_counter()
    hidden = t.hide(text)
    t.restore(hidden, strict=False)
    r = StreamRestorer(lambda s: t.restore(s, strict=False))
    for i in range(0, len(text), 4096):
        r.feed(text[i:i + 4096])
    r.flush()
    assert time.perf_counter() - t0 < 1.0
