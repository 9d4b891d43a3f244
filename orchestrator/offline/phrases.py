"""The fixed phrases of offline CVs and cover letters, per language and tone.

English, German, French and Spanish; any other language falls back to
English (the document says so in no way: it is simply written in English).
Tone-dependent phrases are dicts keyed by tone. Placeholders: {title},
{company}, {skills}, {role}, {employer}, {who}, {emphasis}, {item}.
"""

from __future__ import annotations

import re

TONES = ("formal", "friendly", "confident", "enthusiastic")

_LANGUAGE_NAMES = {
    "en": ("english", "en", "eng", "anglais", "englisch", "inglés", "ingles"),
    "de": ("german", "deutsch", "de", "ger", "deu", "allemand", "alemán", "aleman"),
    "fr": ("french", "français", "francais", "fr", "fra", "französisch", "francés", "frances"),
    "es": ("spanish", "español", "espanol", "es", "spa", "castellano", "spanisch", "espagnol"),
}


def language_code(language: str | None) -> str:
    """'German', 'de-DE', 'Deutsch' -> 'de'; anything unknown -> 'en'."""
    first = re.split(r"[\s\-_(,/]+", (language or "").strip().lower())[0] if language else ""
    for code, names in _LANGUAGE_NAMES.items():
        if first in names:
            return code
    return "en"


PHRASES: dict[str, dict] = {
    "en": {
        "candidate": "Candidate",
        "present": "Present",
        "and": "and",
        "h_profile": "Profile",
        "h_skills": "Key skills",
        "h_experience": "Experience",
        "h_education": "Education",
        "h_languages": "Languages",
        "h_links": "Links",
        "who_default": "Professional",
        "skills_part": {
            "formal": " with experience in {skills}",
            "friendly": " who enjoys working with {skills}",
            "confident": " with a proven record in {skills}",
            "enthusiastic": " passionate about {skills}",
        },
        "company_part": " at {company}",
        "summary": {
            "formal": "{who}{skills_part}, applying for the {title} position{company_part}.",
            "friendly": "{who}{skills_part}, looking forward to the {title} role{company_part}.",
            "confident": "{who}{skills_part}, ready to make an impact as {title}{company_part}.",
            "enthusiastic": "{who}{skills_part}, excited to apply for the {title} role{company_part}!",
        },
        "summary_bare": "Application for the {title} position{company_part}.",
        "focus": "Focus for this application: {emphasis}.",
        "greeting": {
            "formal": ("Dear Hiring Team at {company},", "Dear Hiring Manager,"),
            "friendly": ("Hello {company} team,", "Hello,"),
            "confident": ("Dear {company} Hiring Team,", "Dear Hiring Team,"),
            "enthusiastic": ("Dear {company} team,", "Dear Hiring Team,"),
        },
        "opening": {
            "formal": "I am writing to apply for the {title} position{company_part}.",
            "friendly": "I was happy to come across your opening for a {title}{company_part}, and I would love to be considered.",
            "confident": "I am confident that I would make a strong {title}{company_part}.",
            "enthusiastic": "I am thrilled to apply for the {title} role{company_part}!",
        },
        "current_role": "I currently work as {role} at {employer}.",
        "current_role_no_employer": "I currently work as {role}.",
        "past_role": "Most recently, I worked as {role} at {employer}.",
        "past_role_no_employer": "Most recently, I worked as {role}.",
        "headline_only": "I am a {who}.",
        "match": {
            "formal": "My background matches what your posting asks for in {skills}.",
            "friendly": "I noticed you are looking for {skills} – all things I enjoy working with.",
            "confident": "You are looking for {skills}. That is exactly what I bring.",
            "enthusiastic": "{skills} – these are exactly the things I love working with!",
        },
        "own_skills": "My skills include {skills}.",
        "highlights": "A few highlights from my experience:",
        "in_short": "In short: {summary}.",
        "interest": "What appeals to me most about the role: {item}.",
        "emphasis": "I would especially like to highlight: {emphasis}.",
        "team": "your team",
        "closing": {
            "formal": "I would welcome the opportunity to discuss how I can contribute to {company}. "
                      "Thank you for your time and consideration.",
            "friendly": "I'd love to chat about how I could help {company}. Thanks for reading!",
            "confident": "Let's talk about what I can deliver for {company}. I look forward to hearing from you.",
            "enthusiastic": "I can't wait to tell you more about how I could contribute to {company}. "
                            "Thank you so much for your consideration!",
        },
        "signoff": {"formal": "Yours sincerely,", "friendly": "Best wishes,", "confident": "Kind regards,",
                    "enthusiastic": "With warm regards,"},
    },
    "de": {
        "candidate": "Bewerbung",
        "present": "heute",
        "and": "und",
        "h_profile": "Profil",
        "h_skills": "Kernkompetenzen",
        "h_experience": "Berufserfahrung",
        "h_education": "Ausbildung",
        "h_languages": "Sprachen",
        "h_links": "Links",
        "who_default": "Fachkraft",
        "skills_part": {
            "formal": " mit Erfahrung in {skills}",
            "friendly": " mit Freude an {skills}",
            "confident": " mit nachweisbaren Erfolgen in {skills}",
            "enthusiastic": " mit Begeisterung für {skills}",
        },
        "company_part": " bei {company}",
        "summary": {
            "formal": "{who}{skills_part}; Bewerbung als {title}{company_part}.",
            "friendly": "{who}{skills_part} – ich freue mich auf die Rolle als {title}{company_part}.",
            "confident": "{who}{skills_part}, bereit, als {title}{company_part} Verantwortung zu übernehmen.",
            "enthusiastic": "{who}{skills_part} – begeistert von der Chance, als {title}{company_part} mitzuwirken!",
        },
        "summary_bare": "Bewerbung als {title}{company_part}.",
        "focus": "Schwerpunkt dieser Bewerbung: {emphasis}.",
        "greeting": {
            "formal": ("Sehr geehrtes Recruiting-Team von {company},", "Sehr geehrte Damen und Herren,"),
            "friendly": ("Hallo liebes Team von {company},", "Hallo,"),
            "confident": ("Sehr geehrtes Team von {company},", "Sehr geehrte Damen und Herren,"),
            "enthusiastic": ("Liebes Team von {company},", "Liebes Recruiting-Team,"),
        },
        "opening": {
            "formal": "hiermit bewerbe ich mich um die Stelle als {title}{company_part}.",
            "friendly": "mit Freude habe ich Ihre Ausschreibung für die Stelle als {title}{company_part} gelesen und bewerbe mich gern.",
            "confident": "ich bin überzeugt, dass ich als {title}{company_part} einen starken Beitrag leisten kann.",
            "enthusiastic": "mit großer Begeisterung bewerbe ich mich um die Stelle als {title}{company_part}!",
        },
        "current_role": "Derzeit arbeite ich als {role} bei {employer}.",
        "current_role_no_employer": "Derzeit arbeite ich als {role}.",
        "past_role": "Zuletzt war ich als {role} bei {employer} tätig.",
        "past_role_no_employer": "Zuletzt war ich als {role} tätig.",
        "headline_only": "Ich bin {who}.",
        "match": {
            "formal": "Mein Profil deckt die in Ihrer Ausschreibung genannten Anforderungen in {skills} ab.",
            "friendly": "Sie suchen Erfahrung in {skills} – genau damit arbeite ich gern.",
            "confident": "Sie suchen {skills}. Genau das bringe ich mit.",
            "enthusiastic": "{skills} – genau das sind die Themen, für die ich brenne!",
        },
        "own_skills": "Zu meinen Kompetenzen gehören {skills}.",
        "highlights": "Einige Beispiele aus meiner Erfahrung:",
        "in_short": "Kurz gesagt: {summary}.",
        "interest": "Besonders reizt mich an der Stelle: {item}.",
        "emphasis": "Besonders hervorheben möchte ich: {emphasis}.",
        "team": "Ihr Team",
        "closing": {
            "formal": "Über die Gelegenheit zu einem persönlichen Gespräch, wie ich {company} unterstützen kann, "
                      "freue ich mich sehr. Vielen Dank für Ihre Zeit.",
            "friendly": "Ich würde mich freuen, mit Ihnen darüber zu sprechen, wie ich {company} unterstützen kann. "
                        "Danke fürs Lesen!",
            "confident": "Lassen Sie uns darüber sprechen, was ich für {company} erreichen kann. "
                         "Ich freue mich auf Ihre Rückmeldung.",
            "enthusiastic": "Ich kann es kaum erwarten, Ihnen mehr darüber zu erzählen, wie ich {company} "
                            "voranbringen kann. Vielen herzlichen Dank!",
        },
        "signoff": {"formal": "Mit freundlichen Grüßen", "friendly": "Viele Grüße", "confident": "Mit besten Grüßen",
                    "enthusiastic": "Herzliche Grüße"},
    },
    "fr": {
        "candidate": "Candidature",
        "present": "aujourd'hui",
        "and": "et",
        "h_profile": "Profil",
        "h_skills": "Compétences clés",
        "h_experience": "Expérience professionnelle",
        "h_education": "Formation",
        "h_languages": "Langues",
        "h_links": "Liens",
        "who_default": "Professionnel(le)",
        "skills_part": {
            "formal": " avec une expérience en {skills}",
            "friendly": " qui aime travailler avec {skills}",
            "confident": " avec des résultats prouvés en {skills}",
            "enthusiastic": " passionné(e) par {skills}",
        },
        "company_part": " chez {company}",
        "summary": {
            "formal": "{who}{skills_part}, candidat(e) au poste de {title}{company_part}.",
            "friendly": "{who}{skills_part}, heureux(se) de postuler au poste de {title}{company_part}.",
            "confident": "{who}{skills_part}, prêt(e) à réussir en tant que {title}{company_part}.",
            "enthusiastic": "{who}{skills_part}, enthousiaste à l'idée de devenir {title}{company_part} !",
        },
        "summary_bare": "Candidature au poste de {title}{company_part}.",
        "focus": "Point fort de cette candidature : {emphasis}.",
        "greeting": {
            "formal": ("Madame, Monsieur,", "Madame, Monsieur,"),
            "friendly": ("Bonjour à l'équipe {company},", "Bonjour,"),
            "confident": ("À l'équipe de recrutement de {company},", "Madame, Monsieur,"),
            "enthusiastic": ("Chère équipe {company},", "Chère équipe de recrutement,"),
        },
        "opening": {
            "formal": "Je souhaite vous présenter ma candidature au poste de {title}{company_part}.",
            "friendly": "C'est avec plaisir que j'ai découvert votre offre pour le poste de {title}{company_part}, et j'aimerais beaucoup y postuler.",
            "confident": "Je suis convaincu(e) de pouvoir réussir au poste de {title}{company_part}.",
            "enthusiastic": "C'est avec un grand enthousiasme que je postule au poste de {title}{company_part} !",
        },
        "current_role": "J'occupe actuellement le poste de {role} chez {employer}.",
        "current_role_no_employer": "J'occupe actuellement le poste de {role}.",
        "past_role": "Dernièrement, j'ai occupé le poste de {role} chez {employer}.",
        "past_role_no_employer": "Dernièrement, j'ai occupé le poste de {role}.",
        "headline_only": "Je suis {who}.",
        "match": {
            "formal": "Mon parcours correspond aux compétences demandées dans votre offre : {skills}.",
            "friendly": "Vous recherchez {skills} : ce sont justement des sujets sur lesquels j'aime travailler.",
            "confident": "Vous recherchez {skills}. C'est exactement ce que j'apporte.",
            "enthusiastic": "{skills} : ce sont exactement les sujets qui me passionnent !",
        },
        "own_skills": "Mes compétences incluent {skills}.",
        "highlights": "Quelques réalisations de mon parcours :",
        "in_short": "En bref : {summary}.",
        "interest": "Ce qui m'attire particulièrement dans ce poste : {item}.",
        "emphasis": "Je souhaite particulièrement souligner : {emphasis}.",
        "team": "votre équipe",
        "closing": {
            "formal": "Je serais heureux(se) d'échanger avec vous sur la manière dont je peux contribuer à {company}. "
                      "Je vous remercie de l'attention portée à ma candidature.",
            "friendly": "J'aimerais beaucoup échanger avec vous sur la façon dont je pourrais aider {company}. "
                        "Merci de votre lecture !",
            "confident": "Parlons de ce que je peux apporter à {company}. Au plaisir de vous lire.",
            "enthusiastic": "J'ai hâte de vous en dire plus sur ce que je pourrais apporter à {company}. "
                            "Merci infiniment pour votre attention !",
        },
        "signoff": {"formal": "Veuillez agréer, Madame, Monsieur, l'expression de mes salutations distinguées.",
                    "friendly": "Bien cordialement,", "confident": "Cordialement,",
                    "enthusiastic": "Avec tout mon enthousiasme,"},
    },
    "es": {
        "candidate": "Candidatura",
        "present": "actualidad",
        "and": "y",
        "h_profile": "Perfil",
        "h_skills": "Competencias clave",
        "h_experience": "Experiencia profesional",
        "h_education": "Formación",
        "h_languages": "Idiomas",
        "h_links": "Enlaces",
        "who_default": "Profesional",
        "skills_part": {
            "formal": " con experiencia en {skills}",
            "friendly": " a quien le encanta trabajar con {skills}",
            "confident": " con resultados demostrados en {skills}",
            "enthusiastic": " apasionado/a por {skills}",
        },
        "company_part": " en {company}",
        "summary": {
            "formal": "{who}{skills_part}, candidato/a al puesto de {title}{company_part}.",
            "friendly": "{who}{skills_part}, con muchas ganas de asumir el puesto de {title}{company_part}.",
            "confident": "{who}{skills_part}, preparado/a para aportar resultados como {title}{company_part}.",
            "enthusiastic": "{who}{skills_part}, ¡con gran entusiasmo por el puesto de {title}{company_part}!",
        },
        "summary_bare": "Candidatura al puesto de {title}{company_part}.",
        "focus": "Enfoque de esta candidatura: {emphasis}.",
        "greeting": {
            "formal": ("Estimado equipo de selección de {company}:", "Estimado/a responsable de selección:"),
            "friendly": ("Hola, equipo de {company}:", "Hola:"),
            "confident": ("Estimado equipo de {company}:", "Estimado equipo de selección:"),
            "enthusiastic": ("Querido equipo de {company}:", "Querido equipo de selección:"),
        },
        "opening": {
            "formal": "Me dirijo a ustedes para presentar mi candidatura al puesto de {title}{company_part}.",
            "friendly": "Me alegró mucho encontrar su oferta para el puesto de {title}{company_part} y me encantaría participar en el proceso.",
            "confident": "Estoy convencido/a de que sería un gran fichaje como {title}{company_part}.",
            "enthusiastic": "¡Es un placer presentar mi candidatura al puesto de {title}{company_part}!",
        },
        "current_role": "Actualmente trabajo como {role} en {employer}.",
        "current_role_no_employer": "Actualmente trabajo como {role}.",
        "past_role": "Recientemente trabajé como {role} en {employer}.",
        "past_role_no_employer": "Recientemente trabajé como {role}.",
        "headline_only": "Soy {who}.",
        "match": {
            "formal": "Mi trayectoria se ajusta a lo que su oferta solicita en {skills}.",
            "friendly": "He visto que buscan {skills}: justo con lo que más disfruto trabajar.",
            "confident": "Buscan {skills}. Eso es exactamente lo que aporto.",
            "enthusiastic": "{skills}: ¡exactamente lo que me apasiona!",
        },
        "own_skills": "Entre mis competencias se encuentran {skills}.",
        "highlights": "Algunos logros de mi trayectoria:",
        "in_short": "En resumen: {summary}.",
        "interest": "Lo que más me atrae del puesto: {item}.",
        "emphasis": "Quisiera destacar especialmente: {emphasis}.",
        "team": "su equipo",
        "closing": {
            "formal": "Agradecería la oportunidad de conversar sobre cómo puedo contribuir a {company}. "
                      "Muchas gracias por su tiempo y consideración.",
            "friendly": "Me encantaría charlar sobre cómo podría ayudar a {company}. ¡Gracias por leerme!",
            "confident": "Hablemos de lo que puedo aportar a {company}. Quedo a la espera de su respuesta.",
            "enthusiastic": "¡Tengo muchas ganas de contarles cómo podría contribuir a {company}! "
                            "Muchísimas gracias por su consideración.",
        },
        "signoff": {"formal": "Atentamente,", "friendly": "Un saludo cordial,", "confident": "Saludos cordiales,",
                    "enthusiastic": "¡Un fuerte saludo!"},
    },
}


def phrases(language: str | None) -> dict:
    """The phrase table for a language, English for anything unknown."""
    return PHRASES[language_code(language)]


def join_words(items: list[str], conjunction: str) -> str:
    """'A', 'A and B', 'A, B and C'."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return items[0] if items else ""
    return ", ".join(items[:-1]) + f" {conjunction} " + items[-1]
