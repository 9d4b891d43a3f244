"""French (epicene wording: no "candidat(e)")."""

CODE = "fr"
NAMES = ("french", "français", "francais", "fr", "fra", "fre", "französisch", "francés", "frances", "francese",
         "francês", "frans", "francuski")

PHRASES = {
    "candidate": "Curriculum vitae",
    "present": "aujourd'hui",
    "and": "et",
    "h_profile": "Profil",
    "h_skills": "Compétences clés",
    "h_experience": "Expérience professionnelle",
    "h_education": "Formation",
    "h_languages": "Langues",
    "skills_part": {
        "formal": " avec une expérience en {skills}",
        "friendly": " qui aime travailler avec {skills}",
        "confident": " avec des résultats concrets en {skills}",
        "enthusiastic": " avec une vraie passion pour {skills}",
    },
    "company_part": " chez {company}",
    "summary": {
        "formal": "{who}{skills_part} ; candidature au poste de {title}{company_part}.",
        "friendly": "{who}{skills_part}, avec un vif intérêt pour le poste de {title}{company_part}.",
        "confident": "{who}{skills_part}, avec l'ambition de réussir au poste de {title}{company_part}.",
        "enthusiastic": "{who}{skills_part}, enthousiaste à l'idée de devenir {title}{company_part} !",
    },
    "summary_bare": "Candidature au poste de {title}{company_part}.",
    "experience_in": "Expérience en {skills}.",
    "worked_with": "Utilisation de {skills}",
    "greeting": {
        "formal": ("Madame, Monsieur,", "Madame, Monsieur,"),
        "friendly": ("Bonjour à l'équipe de {company},", "Bonjour,"),
        "confident": ("Madame, Monsieur,", "Madame, Monsieur,"),
        "enthusiastic": ("Chère équipe de {company},", "Chère équipe de recrutement,"),
    },
    "dear": {"f": "Madame {last},", "m": "Monsieur {last},", "name": "Bonjour {name},"},
    "dear_warm": {"f": "Bonjour Madame {last},", "m": "Bonjour Monsieur {last},", "name": "Bonjour {name},"},
    "address": {"f": "Madame", "m": "Monsieur", "none": "Madame, Monsieur"},
    "opening": {
        "formal": "Je souhaite vous présenter ma candidature au poste de {title}{company_part}.",
        "friendly": "C'est avec plaisir que j'ai découvert votre offre pour le poste de {title}{company_part}, "
                    "et j'aimerais beaucoup y postuler.",
        "confident": "J'ai la conviction de pouvoir réussir au poste de {title}{company_part}.",
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
    "own_skills": "Parmi mes compétences figurent {skills}.",
    "results_current": "Quelques réalisations de mon poste actuel chez {employer} :",
    "results_past": "Quelques réalisations de mon passage chez {employer} :",
    "results": "Quelques réalisations de mon parcours :",
    "at_employer": None,
    "interest": "Ce qui m'attire particulièrement dans ce poste, c'est la possibilité de {item}.",
    "emphasis": "Je souhaite mettre particulièrement en avant mon expérience en {skills}.",
    "team": "votre équipe",
    "closing": {
        "formal": "Je me tiens à votre disposition pour un entretien afin d'échanger sur ce que je peux apporter "
                  "à {company}. Je vous remercie de l'attention portée à ma candidature.",
        "friendly": "J'aimerais beaucoup échanger avec vous sur la façon dont je pourrais aider {company}. "
                    "Merci de votre lecture !",
        "confident": "Parlons de ce que je peux apporter à {company}. Au plaisir de vous lire.",
        "enthusiastic": "J'ai hâte de vous en dire plus sur ce que je pourrais apporter à {company}. "
                        "Merci infiniment pour votre attention !",
    },
    "signoff": {"formal": "Veuillez agréer, {address}, l'expression de mes salutations distinguées.",
                "friendly": "Bien cordialement,", "confident": "Cordialement,",
                "enthusiastic": "Avec mes meilleures salutations,"},
    "languages": {"english": "Anglais", "german": "Allemand", "french": "Français", "spanish": "Espagnol",
                  "italian": "Italien", "portuguese": "Portugais", "dutch": "Néerlandais", "polish": "Polonais",
                  "russian": "Russe", "ukrainian": "Ukrainien", "chinese": "Chinois", "japanese": "Japonais",
                  "arabic": "Arabe", "turkish": "Turc", "swedish": "Suédois", "danish": "Danois"},
    "levels": {"native": "langue maternelle", "fluent": "courant", "business": "niveau professionnel",
               "advanced": "avancé", "intermediate": "intermédiaire", "basic": "notions"},
    "stopwords": "le la les et des du de un une est pour dans avec sur au aux je nous vous en que qui par pas "
                 "plus ce cette mes nos",
}
