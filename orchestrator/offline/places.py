"""Where a job is: a small gazetteer of cities and countries, and a finder.

The engine has no geocoder, so it recognises the cities job postings mention
most (tech hubs and capitals, with local spellings) and takes the ", Region,
Country" that follows one. Anything else is found only through a "Location:"
line or a LinkedIn-style "Company · City, Country" header.
"""

from __future__ import annotations

import re

CITIES = """
New York|NYC|San Francisco|SF Bay Area|Bay Area|Los Angeles|Seattle|Austin|Boston|Chicago|Denver|Atlanta|
Miami|Washington|Washington, D.C.|Philadelphia|San Diego|San Jose|Palo Alto|Mountain View|Menlo Park|
Sunnyvale|Portland|Dallas|Houston|Phoenix|Minneapolis|Detroit|Pittsburgh|Raleigh|Salt Lake City|Nashville|
Toronto|Vancouver|Montreal|Montréal|Ottawa|Calgary|Waterloo|Mexico City|São Paulo|Sao Paulo|Buenos Aires|
Bogotá|Santiago|Lima|London|Manchester|Edinburgh|Glasgow|Bristol|Cambridge|Oxford|Leeds|Birmingham|Belfast|
Cardiff|Dublin|Cork|Galway|Paris|Lyon|Marseille|Toulouse|Bordeaux|Lille|Nantes|Berlin|Munich|München|
Hamburg|Frankfurt|Frankfurt am Main|Cologne|Köln|Düsseldorf|Stuttgart|Leipzig|Dresden|Karlsruhe|Nuremberg|
Nürnberg|Hannover|Bonn|Vienna|Wien|Graz|Zurich|Zürich|Geneva|Genève|Basel|Bern|Lausanne|Zug|Amsterdam|
Rotterdam|The Hague|Utrecht|Eindhoven|Brussels|Bruxelles|Antwerp|Ghent|Luxembourg|Copenhagen|Aarhus|
Stockholm|Gothenburg|Malmö|Oslo|Helsinki|Tallinn|Riga|Vilnius|Warsaw|Kraków|Krakow|Wrocław|Wroclaw|Gdańsk|
Prague|Brno|Bratislava|Budapest|Bucharest|Cluj-Napoca|Sofia|Belgrade|Zagreb|Ljubljana|Athens|Istanbul|
Madrid|Barcelona|Valencia|Seville|Málaga|Malaga|Bilbao|Lisbon|Lisboa|Porto|Milan|Milano|Rome|Roma|Turin|
Bologna|Tel Aviv|Dubai|Abu Dhabi|Riyadh|Doha|Cairo|Lagos|Nairobi|Cape Town|Johannesburg|Bangalore|Bengaluru|
Mumbai|Delhi|New Delhi|Gurgaon|Gurugram|Noida|Hyderabad|Pune|Chennai|Kolkata|Singapore|Hong Kong|Shanghai|
Beijing|Shenzhen|Taipei|Seoul|Tokyo|Osaka|Manila|Jakarta|Kuala Lumpur|Bangkok|Ho Chi Minh City|Hanoi|
Sydney|Melbourne|Brisbane|Perth|Adelaide|Canberra|Auckland|Wellington
"""

COUNTRIES = """
United States|USA|US|U.S.|United Kingdom|UK|U.K.|England|Scotland|Wales|Ireland|Canada|Mexico|Brazil|
Argentina|Germany|Deutschland|France|Spain|España|Portugal|Italy|Italia|Netherlands|The Netherlands|
Nederland|Belgium|Switzerland|Schweiz|Suisse|Austria|Österreich|Denmark|Sweden|Norway|Finland|Estonia|
Poland|Polska|Czech Republic|Czechia|Slovakia|Hungary|Romania|Bulgaria|Greece|Turkey|Israel|
United Arab Emirates|UAE|India|Singapore|Japan|China|South Korea|Australia|New Zealand|South Africa|
Nigeria|Kenya|Egypt|Philippines|Indonesia|Malaysia|Vietnam|Thailand|Luxembourg|EU|EMEA|Europe|Worldwide
"""


def _names(block: str) -> list[str]:
    return sorted({n.strip() for n in block.replace("\n", "").split("|") if n.strip()}, key=len, reverse=True)


_CITY_NAMES = _names(CITIES)
_COUNTRY_NAMES = _names(COUNTRIES)
_CITY_RE = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, _CITY_NAMES)) + r")(?![\w-])")
_COUNTRY_RE = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, _COUNTRY_NAMES)) + r")(?![\w-])")
# ", Region" or ", Country" parts after a city: capitalised, short, no verbs.
_TAIL_PART = re.compile(r",\s*(?P<part>[A-ZÀ-Ý][\w.'-]*(?:\s[A-ZÀ-Ý][\w.'-]*){0,3}|[A-Z]{2})(?=\s*(?:[,;·|()\n–—-]|$|\s(?:or|and|\d)))")

_REMOTE_WORDS = re.compile(
    r"\b(?:remote|hybrid|on-?site|in[- ]office|office[- ]based|full[- ]time|part[- ]time|contract|"
    r"homeoffice|home office|télétravail|vor ort|sur site|presencial|remoto)\b.*$",
    re.I,
)


def looks_like_place(text: str) -> bool:
    """Whether a short text names a known city or country."""
    return bool(_CITY_RE.search(text) or _COUNTRY_RE.fullmatch(text.strip()))


def is_place(text: str) -> bool:
    """Whether a short text is nothing but a place ('Berlin', 'London, UK'), unlike 'TU Berlin'."""
    text = text.strip(" ,.;")
    if _COUNTRY_RE.fullmatch(text):
        return True
    m = _CITY_RE.match(text)
    return bool(m) and _with_tail(text, m.start(), m.end()) == text


def _with_tail(text: str, start: int, end: int) -> str:
    place = text[start:end]
    pos = end
    for _ in range(2):
        m = _TAIL_PART.match(text, pos)
        if not m:
            break
        place += ", " + m.group("part")
        pos = m.end()
    return place


def find_city(text: str) -> str | None:
    """The first known city in ``text`` with the region/country that follows it."""
    m = _CITY_RE.search(text)
    if not m:
        return None
    return _with_tail(text, m.start(), m.end())


def clean_location(value: str) -> str | None:
    """'Berlin, Germany (Hybrid)' -> 'Berlin, Germany'; 'Remote (EU)' stays as it is."""
    value = re.sub(r"\(\s*\d{4,6}\s*\)", "", value)
    value = re.sub(r"\s+", " ", value).strip(" -–—|·,;:*")
    if not value:
        return None
    if re.match(r"^(?:fully |100% )?remote\b", value, re.I):
        return value[:80]
    value = re.sub(r"\((?:[^)]*(?:remote|hybrid|site|office|days?|homeoffice|télétravail)[^)]*)\)", "", value, flags=re.I)
    parts = re.split(r"\s+[·|/–—-]\s+|\s*[·|]\s*", value)
    kept = [p for p in parts if p.strip() and not _REMOTE_WORDS.match(p.strip())]
    value = (kept[0] if kept else "").strip(" ,;")
    value = _REMOTE_WORDS.sub("", value).strip(" ,;(-–")
    return value[:80] or None
