"""Dutch."""

CODE = "nl"
NAMES = ("dutch", "nederlands", "nl", "nld", "dut", "flemish", "vlaams", "niederländisch", "niederlandisch",
         "néerlandais", "neerlandais", "holandés", "olandese", "holenderski")

PHRASES = {
    "candidate": "Curriculum vitae",
    "present": "heden",
    "and": "en",
    "h_profile": "Profiel",
    "h_skills": "Kerncompetenties",
    "h_experience": "Werkervaring",
    "h_education": "Opleiding",
    "h_languages": "Talen",
    "skills_part": {
        "formal": " met ervaring in {skills}",
        "friendly": " die graag werkt met {skills}",
        "confident": " met aantoonbare resultaten in {skills}",
        "enthusiastic": " met een passie voor {skills}",
    },
    "company_part": " bij {company}",
    "summary": {
        "formal": "{who}{skills_part}. Sollicitatie voor de functie van {title}{company_part}.",
        "friendly": "{who}{skills_part}, met veel interesse in de functie van {title}{company_part}.",
        "confident": "{who}{skills_part}, klaar om als {title}{company_part} het verschil te maken.",
        "enthusiastic": "{who}{skills_part}, enthousiast over de kans om als {title}{company_part} aan de slag "
                        "te gaan!",
    },
    "summary_bare": "Sollicitatie voor de functie van {title}{company_part}.",
    "experience_in": "Ervaring in {skills}.",
    "worked_with": "Werken met {skills}",
    "greeting": {
        "formal": ("Geachte heer/mevrouw,", "Geachte heer/mevrouw,"),
        "friendly": ("Beste team van {company},", "Beste recruiter,"),
        "confident": ("Geachte heer/mevrouw,", "Geachte heer/mevrouw,"),
        "enthusiastic": ("Beste team van {company},", "Beste recruiter,"),
    },
    "dear": {"f": "Geachte mevrouw {last},", "m": "Geachte heer {last},", "name": "Geachte {name},"},
    "dear_warm": {"f": "Beste mevrouw {last},", "m": "Beste meneer {last},", "name": "Beste {name},"},
    "address": {"f": "", "m": "", "none": ""},
    "opening": {
        "formal": "Hierbij solliciteer ik naar de functie van {title}{company_part}.",
        "friendly": "Met plezier las ik jullie vacature voor {title}{company_part}, en ik kom graag in aanmerking.",
        "confident": "Ik ben ervan overtuigd dat ik als {title}{company_part} een sterke bijdrage kan leveren.",
        "enthusiastic": "Met groot enthousiasme solliciteer ik naar de functie van {title}{company_part}!",
    },
    "current_role": "Momenteel werk ik als {role} bij {employer}.",
    "current_role_no_employer": "Momenteel werk ik als {role}.",
    "past_role": "Meest recent werkte ik als {role} bij {employer}.",
    "past_role_no_employer": "Meest recent werkte ik als {role}.",
    "headline_only": "Ik ben {who}.",
    "match": {
        "formal": "Mijn achtergrond sluit aan bij wat uw vacature vraagt op het gebied van {skills}.",
        "friendly": "Ik zag dat jullie op zoek zijn naar {skills}: precies waar ik graag mee werk.",
        "confident": "U zoekt {skills}. Dat is precies wat ik meebreng.",
        "enthusiastic": "{skills}: precies de dingen waar ik enthousiast van word!",
    },
    "own_skills": "Tot mijn vaardigheden behoren {skills}.",
    "results_current": "Enkele resultaten uit mijn huidige werk bij {employer}:",
    "results_past": "Enkele resultaten uit mijn tijd bij {employer}:",
    "results": "Enkele resultaten uit mijn loopbaan:",
    "at_employer": None,
    "interest": None,
    "emphasis": "Graag wijs ik in het bijzonder op mijn ervaring met {skills}.",
    "team": "uw team",
    "closing": {
        "formal": "Graag licht ik in een persoonlijk gesprek toe wat ik voor {company} kan betekenen. "
                  "Hartelijk dank voor uw tijd en aandacht.",
        "friendly": "Ik vertel jullie graag meer over hoe ik {company} kan helpen. Bedankt voor het lezen!",
        "confident": "Laten we bespreken wat ik voor {company} kan realiseren. Ik zie uw reactie graag tegemoet.",
        "enthusiastic": "Ik kijk ernaar uit om u meer te vertellen over wat ik voor {company} kan betekenen. "
                        "Heel erg bedankt voor uw aandacht!",
    },
    "signoff": {"formal": "Met vriendelijke groet,", "friendly": "Hartelijke groet,",
                "confident": "Met hartelijke groet,", "enthusiastic": "Met enthousiaste groet,"},
    "languages": {"english": "Engels", "german": "Duits", "french": "Frans", "spanish": "Spaans",
                  "italian": "Italiaans", "portuguese": "Portugees", "dutch": "Nederlands", "polish": "Pools",
                  "russian": "Russisch", "ukrainian": "Oekraïens", "chinese": "Chinees", "japanese": "Japans",
                  "arabic": "Arabisch", "turkish": "Turks", "swedish": "Zweeds", "danish": "Deens"},
    "levels": {"native": "moedertaal", "fluent": "vloeiend", "business": "professioneel niveau",
               "advanced": "gevorderd", "intermediate": "gemiddeld", "basic": "basiskennis"},
    "stopwords": "de het een en van in op met voor is zijn ik wij je jij we dat die te aan bij naar ook niet "
                 "onze mijn heb",
}
