"""Italian (no "lieto/a": the wording avoids gendered forms)."""

CODE = "it"
NAMES = ("italian", "italiano", "it", "ita", "italienisch", "italien", "italiaans", "włoski", "wloski")

PHRASES = {
    "candidate": "Curriculum vitae",
    "present": "oggi",
    "and": "e",
    "h_profile": "Profilo",
    "h_skills": "Competenze chiave",
    "h_experience": "Esperienza professionale",
    "h_education": "Formazione",
    "h_languages": "Lingue",
    "skills_part": {
        "formal": " con esperienza in {skills}",
        "friendly": " che ama lavorare con {skills}",
        "confident": " con risultati comprovati in {skills}",
        "enthusiastic": " con una vera passione per {skills}",
    },
    "company_part": " presso {company}",
    "summary": {
        "formal": "{who}{skills_part}. Candidatura per la posizione di {title}{company_part}.",
        "friendly": "{who}{skills_part}, con grande interesse per il ruolo di {title}{company_part}.",
        "confident": "{who}{skills_part}, con la determinazione di fare la differenza come {title}{company_part}.",
        "enthusiastic": "{who}{skills_part}, entusiasta di candidarsi per il ruolo di {title}{company_part}!",
    },
    "summary_bare": "Candidatura per la posizione di {title}{company_part}.",
    "experience_in": "Esperienza in {skills}.",
    "worked_with": "Utilizzo di {skills}",
    "greeting": {
        "formal": ("Spettabile {company},", "Gentile responsabile della selezione,"),
        "friendly": ("Buongiorno team di {company},", "Buongiorno,"),
        "confident": ("Gentile team di {company},", "Gentile responsabile della selezione,"),
        "enthusiastic": ("Caro team di {company},", "Caro team di selezione,"),
    },
    "dear": {"f": "Gentile Sig.ra {last},", "m": "Gentile Sig. {last},", "f_dr": "Gentile Dott.ssa {last},",
             "m_dr": "Gentile Dott. {last},", "name": "Gentile {name},"},
    "dear_warm": {"f": "Buongiorno Sig.ra {last},", "m": "Buongiorno Sig. {last},", "name": "Buongiorno {name},"},
    "address": {"f": "", "m": "", "none": ""},
    "opening": {
        "formal": "Con la presente desidero candidarmi per la posizione di {title}{company_part}.",
        "friendly": "Ho letto con piacere il vostro annuncio per la posizione di {title}{company_part} e mi "
                    "piacerebbe molto candidarmi.",
        "confident": "Ho la certezza di poter dare un contributo concreto come {title}{company_part}.",
        "enthusiastic": "È con grande entusiasmo che mi candido per la posizione di {title}{company_part}!",
    },
    "current_role": "Attualmente lavoro come {role} presso {employer}.",
    "current_role_no_employer": "Attualmente lavoro come {role}.",
    "past_role": "Di recente ho lavorato come {role} presso {employer}.",
    "past_role_no_employer": "Di recente ho lavorato come {role}.",
    "headline_only": "Sono {who}.",
    "match": {
        "formal": "Il mio percorso corrisponde a quanto richiesto nel vostro annuncio in termini di {skills}.",
        "friendly": "Ho visto che cercate {skills}: proprio ciò con cui amo lavorare.",
        "confident": "Cercate {skills}. È esattamente ciò che porto.",
        "enthusiastic": "{skills}: esattamente ciò che mi appassiona!",
    },
    "own_skills": "Tra le mie competenze figurano {skills}.",
    "results_current": "Alcuni risultati del mio lavoro attuale presso {employer}:",
    "results_past": "Alcuni risultati del periodo presso {employer}:",
    "results": "Alcuni risultati del mio percorso:",
    "at_employer": None,
    "interest": "Ciò che mi attrae di più di questo ruolo è la possibilità di {item}.",
    "emphasis": "Desidero sottolineare in particolare la mia esperienza con {skills}.",
    "team": "il vostro team",
    "closing": {
        "formal": "Resto a disposizione per un colloquio in cui illustrare ciò che posso fare per {company}. "
                  "Vi ringrazio per l'attenzione.",
        "friendly": "Mi farebbe piacere parlarne insieme e capire come posso essere utile per {company}. "
                    "Grazie per la lettura!",
        "confident": "Parliamo di ciò che posso realizzare per {company}. Attendo con piacere un vostro riscontro.",
        "enthusiastic": "Non vedo l'ora di raccontarvi di più su ciò che posso fare per {company}. "
                        "Grazie di cuore per l'attenzione!",
    },
    "signoff": {"formal": "Cordiali saluti,", "friendly": "Un caro saluto,", "confident": "Distinti saluti,",
                "enthusiastic": "Con i migliori saluti,"},
    "languages": {"english": "Inglese", "german": "Tedesco", "french": "Francese", "spanish": "Spagnolo",
                  "italian": "Italiano", "portuguese": "Portoghese", "dutch": "Olandese", "polish": "Polacco",
                  "russian": "Russo", "ukrainian": "Ucraino", "chinese": "Cinese", "japanese": "Giapponese",
                  "arabic": "Arabo", "turkish": "Turco", "swedish": "Svedese", "danish": "Danese"},
    "levels": {"native": "madrelingua", "fluent": "fluente", "business": "livello professionale",
               "advanced": "avanzato", "intermediate": "intermedio", "basic": "base"},
    "stopwords": "il lo la gli le e di del della un una per con che è sono nel nella da al alla ho mi dei delle",
}
