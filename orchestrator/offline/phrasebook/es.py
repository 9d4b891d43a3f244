"""Spanish (no "candidato/a": the wording avoids gendered forms)."""

CODE = "es"
NAMES = ("spanish", "español", "espanol", "es", "spa", "castellano", "spanisch", "espagnol", "spagnolo",
         "espanhol", "spaans", "hiszpański", "hiszpanski")

PHRASES = {
    "candidate": "Currículum",
    "present": "actualidad",
    "and": "y",
    "h_profile": "Perfil",
    "h_skills": "Competencias clave",
    "h_experience": "Experiencia profesional",
    "h_education": "Formación",
    "h_languages": "Idiomas",
    "skills_part": {
        "formal": " con experiencia en {skills}",
        "friendly": " a quien le encanta trabajar con {skills}",
        "confident": " con resultados demostrados en {skills}",
        "enthusiastic": " con verdadera pasión por {skills}",
    },
    "company_part": " en {company}",
    "summary": {
        "formal": "{who}{skills_part}. Candidatura al puesto de {title}{company_part}.",
        "friendly": "{who}{skills_part}, con muchas ganas de asumir el puesto de {title}{company_part}.",
        "confident": "{who}{skills_part}, con la preparación necesaria para aportar resultados como "
                     "{title}{company_part}.",
        "enthusiastic": "{who}{skills_part}, ¡con gran entusiasmo por el puesto de {title}{company_part}!",
    },
    "summary_bare": "Candidatura al puesto de {title}{company_part}.",
    "experience_in": "Experiencia en {skills}.",
    "worked_with": "Trabajo con {skills}",
    "greeting": {
        "formal": ("Estimado equipo de selección de {company}:", "Estimado equipo de selección:"),
        "friendly": ("Hola, equipo de {company}:", "Hola:"),
        "confident": ("Estimado equipo de {company}:", "Estimado equipo de selección:"),
        "enthusiastic": ("Querido equipo de {company}:", "Querido equipo de selección:"),
    },
    "dear": {"f": "Estimada Sra. {last}:", "m": "Estimado Sr. {last}:", "f_dr": "Estimada Dra. {last}:",
             "m_dr": "Estimado Dr. {last}:", "name": "Buenos días, {name}:"},
    "dear_warm": {"f": "Hola, Sra. {last}:", "m": "Hola, Sr. {last}:", "name": "Hola, {name}:"},
    "address": {"f": "", "m": "", "none": ""},
    "opening": {
        "formal": "Me dirijo a ustedes para presentar mi candidatura al puesto de {title}{company_part}.",
        "friendly": "Me alegró mucho encontrar su oferta para el puesto de {title}{company_part} y me encantaría "
                    "participar en el proceso.",
        "confident": "Tengo la convicción de que puedo aportar mucho como {title}{company_part}.",
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
    "results_current": "Algunos logros de mi trabajo actual en {employer}:",
    "results_past": "Algunos logros de mi etapa en {employer}:",
    "results": "Algunos logros de mi trayectoria:",
    "at_employer": None,
    "interest": "Lo que más me atrae del puesto es la posibilidad de {item}.",
    "emphasis": "Quisiera destacar especialmente mi experiencia en {skills}.",
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
    "languages": {"english": "Inglés", "german": "Alemán", "french": "Francés", "spanish": "Español",
                  "italian": "Italiano", "portuguese": "Portugués", "dutch": "Neerlandés", "polish": "Polaco",
                  "russian": "Ruso", "ukrainian": "Ucraniano", "chinese": "Chino", "japanese": "Japonés",
                  "arabic": "Árabe", "turkish": "Turco", "swedish": "Sueco", "danish": "Danés"},
    "levels": {"native": "nativo", "fluent": "fluido", "business": "nivel profesional", "advanced": "avanzado",
               "intermediate": "intermedio", "basic": "básico"},
    "stopwords": "el la los las y de del en un una es para con por que se al como su sus más mi mis nuestro",
}
