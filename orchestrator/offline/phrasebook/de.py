"""German."""

CODE = "de"
NAMES = ("german", "deutsch", "de", "ger", "deu", "allemand", "alemán", "aleman", "tedesco", "alemão", "duits",
         "niemiecki")

PHRASES = {
    "candidate": "Lebenslauf",
    "present": "heute",
    "and": "und",
    "h_profile": "Profil",
    "h_skills": "Kernkompetenzen",
    "h_experience": "Berufserfahrung",
    "h_education": "Ausbildung",
    "h_languages": "Sprachen",
    "skills_part": {
        "formal": " mit Erfahrung in {skills}",
        "friendly": " mit Freude an der Arbeit mit {skills}",
        "confident": " mit nachweisbaren Erfolgen in {skills}",
        "enthusiastic": " mit Begeisterung für {skills}",
    },
    "company_part": " bei {company}",
    "summary": {
        "formal": "{who}{skills_part} – Bewerbung als {title}{company_part}.",
        "friendly": "{who}{skills_part}, mit großem Interesse an der Stelle als {title}{company_part}.",
        "confident": "{who}{skills_part}, bereit, als {title}{company_part} Verantwortung zu übernehmen.",
        "enthusiastic": "{who}{skills_part} – begeistert von der Chance, als {title}{company_part} mitzuwirken!",
    },
    "summary_bare": "Bewerbung als {title}{company_part}.",
    "experience_in": "Erfahrung in {skills}.",
    "worked_with": "Arbeit mit {skills}",
    "greeting": {
        "formal": ("Sehr geehrte Damen und Herren,", "Sehr geehrte Damen und Herren,"),
        "friendly": ("Hallo liebes Team von {company},", "Hallo,"),
        "confident": ("Sehr geehrtes Team von {company},", "Sehr geehrte Damen und Herren,"),
        "enthusiastic": ("Liebes Team von {company},", "Liebes Recruiting-Team,"),
    },
    "dear": {"f": "Sehr geehrte Frau {last},", "m": "Sehr geehrter Herr {last},",
             "f_dr": "Sehr geehrte Frau Dr. {last},", "m_dr": "Sehr geehrter Herr Dr. {last},",
             "dr": "Guten Tag Dr. {last},", "name": "Guten Tag {name},"},
    "dear_warm": {"f": "Liebe Frau {last},", "m": "Lieber Herr {last},", "f_dr": "Liebe Frau Dr. {last},",
                  "m_dr": "Lieber Herr Dr. {last},", "name": "Hallo {name},"},
    "address": {"f": "", "m": "", "none": ""},
    "opening": {
        "formal": "hiermit bewerbe ich mich um die Stelle als {title}{company_part}.",
        "friendly": "mit Freude habe ich Ihre Ausschreibung für die Stelle als {title}{company_part} gelesen "
                    "und bewerbe mich gern.",
        "confident": "ich bin überzeugt, dass ich als {title}{company_part} einen starken Beitrag leisten kann.",
        "enthusiastic": "mit großer Begeisterung bewerbe ich mich um die Stelle als {title}{company_part}!",
    },
    "current_role": "Derzeit arbeite ich als {role} bei {employer}.",
    "current_role_no_employer": "Derzeit arbeite ich als {role}.",
    "past_role": "Zuletzt war ich als {role} bei {employer} tätig.",
    "past_role_no_employer": "Zuletzt war ich als {role} tätig.",
    "headline_only": "Ich bin {who}.",
    "match": {
        "formal": "Mit meiner Erfahrung in {skills} bringe ich mit, was Ihre Ausschreibung verlangt.",
        "friendly": "Sie suchen Erfahrung mit {skills} – genau damit arbeite ich gern.",
        "confident": "Sie suchen {skills}. Genau das bringe ich mit.",
        "enthusiastic": "{skills} – genau das sind die Themen, für die ich brenne!",
    },
    "own_skills": "Zu meinen Kompetenzen gehören {skills}.",
    "results_current": "Einige Ergebnisse meiner aktuellen Arbeit bei {employer}:",
    "results_past": "Einige Ergebnisse aus meiner Zeit bei {employer}:",
    "results": "Einige Ergebnisse aus meiner bisherigen Arbeit:",
    "at_employer": None,
    "interest": None,
    "emphasis": "Besonders hervorheben möchte ich meine Erfahrung mit {skills}.",
    "team": "Ihr Team",
    "closing": {
        "formal": "Über die Gelegenheit, Ihnen in einem persönlichen Gespräch zu zeigen, wie ich {company} "
                  "unterstützen kann, freue ich mich sehr. Vielen Dank für Ihre Zeit.",
        "friendly": "Ich würde mich freuen, mit Ihnen darüber zu sprechen, wie ich {company} unterstützen kann. "
                    "Danke fürs Lesen!",
        "confident": "Lassen Sie uns darüber sprechen, was ich für {company} erreichen kann. "
                     "Ich freue mich auf Ihre Rückmeldung.",
        "enthusiastic": "Ich kann es kaum erwarten, Ihnen mehr darüber zu erzählen, wie ich {company} "
                        "voranbringen kann. Vielen herzlichen Dank!",
    },
    "signoff": {"formal": "Mit freundlichen Grüßen", "friendly": "Viele Grüße", "confident": "Mit besten Grüßen",
                "enthusiastic": "Herzliche Grüße"},
    "languages": {"english": "Englisch", "german": "Deutsch", "french": "Französisch", "spanish": "Spanisch",
                  "italian": "Italienisch", "portuguese": "Portugiesisch", "dutch": "Niederländisch",
                  "polish": "Polnisch", "russian": "Russisch", "ukrainian": "Ukrainisch", "chinese": "Chinesisch",
                  "japanese": "Japanisch", "arabic": "Arabisch", "turkish": "Türkisch", "swedish": "Schwedisch",
                  "danish": "Dänisch"},
    "levels": {"native": "Muttersprache", "fluent": "fließend", "business": "verhandlungssicher",
               "advanced": "sehr gut", "intermediate": "gut", "basic": "Grundkenntnisse"},
    "stopwords": "der die das und ist mit für von zu den dem ein eine einen ich wir sie auf im bei nicht auch "
                 "als werden wurde des sich über nach durch unsere meine",
}
