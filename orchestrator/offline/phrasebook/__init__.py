"""The offline engine's phrasebook: every fixed word of an offline CV or cover letter, per
language, one module per language (``en``, ``de``, ``fr``, ``es``, ``it``, ``pt``, ``nl``,
``pl``: the languages the drafting page offers).

Each module's ``PHRASES`` has the same keys (``tests/unit/test_offline_languages.py`` checks
it). Placeholders: {title}, {company}, {company_part}, {skills}, {skills_part}, {who},
{a_who}, {role}, {a_role}, {employer}, {item}, {last}, {name}, {address}. Tone-dependent
phrases are dicts keyed by tone (formal, friendly, confident, enthusiastic). The wording
avoids gendered forms where the language has them ("candidat(e)" is a template's tell), and
nothing in it is a blank to fill: every sentence is complete once its placeholders are.
"""

from __future__ import annotations

from orchestrator.offline.phrasebook import de, en, es, fr, it, nl, pl, pt

TABLES: dict[str, dict] = {m.CODE: m.PHRASES for m in (en, de, fr, es, it, pt, nl, pl)}
NAMES: dict[str, tuple[str, ...]] = {m.CODE: m.NAMES for m in (en, de, fr, es, it, pt, nl, pl)}

__all__ = ["NAMES", "TABLES"]
