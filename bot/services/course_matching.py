"""Words -> skills: tokens, a small Roman-Urdu->English glossary, career->skill expansions, and
the test that tells a course-choice question from a programme-rules question.

Pure functions over text; the recommender (bot/services/courses.py) builds on them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

# Roman Urdu as learners type it -> English, applied word by word (phrases first) before
# anything else, so the rest of the matching and the embedder see English.
ROMAN_URDU_PHRASES: dict[str, str] = {
    "ke liye": "for",
    "ki liye": "for",
    "kay liye": "for",
    "kon sa": "which",
    "kaun sa": "which",
    "kon si": "which",
    "kaun si": "which",
    "online kamai": "earn online freelancing",
    "paise kamana": "earn money freelancing",
    "paisa kamana": "earn money freelancing",
    "hisab kitab": "accounting",
    "hisaab kitaab": "accounting",
    "apna karobar": "entrepreneurship business",
    "apna business": "entrepreneurship business",
    "shuru se": "from basics",
}
ROMAN_URDU_WORDS: dict[str, str] = {
    "konsa": "which",
    "konsi": "which",
    "kaunsa": "which",
    "kaunsi": "which",
    "konse": "which",
    "kaunse": "which",
    "kis": "which",
    "banna": "become",
    "banana": "become",
    "bnna": "become",
    "banoon": "become",
    "banun": "become",
    "seekhna": "learn",
    "sikhna": "learn",
    "seekhni": "learn",
    "sikhni": "learn",
    "seekhne": "learn",
    "sikhne": "learn",
    "seekhun": "learn",
    "sikhun": "learn",
    "sikhao": "learn",
    "parhna": "study",
    "parhai": "study",
    "chahta": "want",
    "chahti": "want",
    "chahiye": "want",
    "chahie": "want",
    "naukri": "job",
    "nokri": "job",
    "kaam": "work",
    "karobar": "business",
    "kaarobar": "business",
    "tijarat": "business",
    "dukaan": "business",
    "hisab": "accounting",
    "hisaab": "accounting",
    "angrezi": "english",
    "angraizi": "english",
    "bolna": "speaking",
    "bolne": "speaking",
    "likhna": "writing",
    "likhne": "writing",
    "taqreer": "presentation",
    "qiyadat": "leadership",
    "rehnumai": "leadership",
    "maaliyat": "finance",
    "sarmayakari": "investment",
    "hifazat": "security",
    "asaan": "beginner",
    "bunyadi": "basics",
    "buniyadi": "basics",
    "mushkil": "advanced",
    "behtar": "better",
    "acha": "good",
    "achha": "good",
    "kaise": "how",
    "kya": "what",
    "kaunsay": "which",
    "mazameen": "courses",
    "mazmoon": "course",
    "kors": "course",
    "korse": "course",
}


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that carry no topic in either language; they neither match nor count as understood.
STOPWORDS = _words(
    """
    a an the and or of to for in on at by with from as is are be am was i me my we our you
    your it this that these those some any what which who how do does did can could should
    would will shall may might please want wants wanted need needs like get go good better
    best also just very so then than there here about into more most much many one two
    course courses mujhe mujhay mje muje main mein mai hum ham hai hain ho hona hoon hun tha
    thi ka ki ke ko se ne par pe aur ya bhi jo woh wo yeh ye koi kuch karna karni karne karo
    kar liye lie sa si wala wali waly wale apna apni apne ap aap tum raha rahi rahe take
    taking available under know tell give find help use using make
    """
)
# Roman Urdu filler dropped from the English text handed to the embedder.
_ROMAN_URDU_FILLER = _words(
    """
    mujhe mujhay mje muje hai hain ho hoon hun tha thi ka ki ke ko se ne par pe aur bhi
    """
)
# Words that say "I have a goal" without naming one; a goal made only of these is unclear.
INTENT_WORDS = _words(
    """
    become learn study career job work earn money start started starting skill skills
    improve grow path track future beginner basics advanced intermediate professional
    certificate specialization specialisation recommend suggest choose choosing
    """
)
# Careers and shorthand -> the catalogue skills a good path covers. Keys are matched as
# phrases on the English text; values are added to the query.
GOAL_SKILLS: dict[str, tuple[str, ...]] = {
    "data analyst": (
        "data analysis",
        "sql",
        "microsoft excel",
        "spreadsheet",
        "data visualization",
    ),
    "data analysis": ("data analysis", "sql", "spreadsheet", "data visualization"),
    "data scientist": ("data science", "python programming", "machine learning", "statistics"),
    "data science": ("data science", "python programming", "machine learning", "statistics"),
    "data engineer": ("data engineering", "sql", "big data", "data warehousing", "cloud computing"),
    "business analyst": ("business analysis", "data analysis", "microsoft excel", "sql"),
    "web developer": ("web development", "html", "css", "javascript"),
    "web development": ("web development", "html", "css", "javascript"),
    "website": ("web development", "web design", "html", "css"),
    "full stack": ("web development", "javascript", "back-end", "front-end"),
    "frontend": ("front-end", "javascript", "html", "css"),
    "front end": ("front-end", "javascript", "html", "css"),
    "backend": ("back-end", "web application", "database"),
    "back end": ("back-end", "web application", "database"),
    "app developer": ("application development", "mobile development", "android"),
    "mobile app": ("mobile development", "android", "application development"),
    "android": ("android", "mobile development", "java programming"),
    "software engineer": ("software engineering", "computer programming", "algorithms"),
    "programmer": ("computer programming", "python programming", "algorithms"),
    "programming": ("computer programming", "python programming"),
    "coding": ("computer programming", "python programming"),
    "python": ("python programming",),
    "java": ("java programming",),
    "javascript": ("javascript",),
    "sql": ("sql", "database"),
    "excel": ("microsoft excel", "spreadsheet"),
    "cloud": ("cloud computing", "google cloud platform", "microsoft azure", "amazon web services"),
    "aws": ("amazon web services", "cloud computing"),
    "azure": ("microsoft azure", "cloud computing"),
    "gcp": ("google cloud platform", "cloud computing"),
    "devops": ("devops", "cloud computing", "software engineering"),
    "ai": ("artificial intelligence", "machine learning"),
    "artificial intelligence": ("artificial intelligence", "machine learning"),
    "machine learning": ("machine learning", "python programming", "deep learning"),
    "ml": ("machine learning",),
    "deep learning": ("deep learning", "tensorflow", "artificial neural network"),
    "generative": ("generative ai", "prompt engineering", "artificial intelligence"),
    "chatgpt": ("generative ai", "prompt engineering", "artificial intelligence"),
    "prompt": ("prompt engineering", "generative ai"),
    "cyber": ("cybersecurity", "network security", "information security"),
    "cybersecurity": ("cybersecurity", "network security", "information security"),
    "security": ("cybersecurity", "network security", "information security"),
    "hacking": ("cybersecurity", "penetration test", "network security"),
    "hacker": ("cybersecurity", "penetration test", "network security"),
    "network": ("computer networking", "network security"),
    "it support": ("technical support", "troubleshooting", "operating systems"),
    "digital marketing": (
        "digital marketing",
        "social media marketing",
        "search engine optimization",
    ),
    "marketing": ("marketing", "digital marketing", "social media marketing"),
    "social media": ("social media", "social media marketing"),
    "seo": ("search engine optimization",),
    "content": ("content marketing", "writing"),
    "ecommerce": ("e-commerce", "digital marketing"),
    "e-commerce": ("e-commerce", "digital marketing"),
    "freelancing": ("freelancing", "communication", "negotiation"),
    "freelancer": ("freelancing", "communication", "negotiation"),
    "freelance": ("freelancing", "communication", "negotiation"),
    "graphic design": ("graphic design", "adobe photoshop", "visual design"),
    "designer": ("graphic design", "user experience design", "visual design"),
    "ux": ("user experience", "user experience design", "user interface"),
    "ui": ("user interface", "user experience design"),
    "communication": ("communication", "business communication", "writing", "presentation"),
    "english": ("english language", "communication", "writing", "english grammar"),
    "speaking": ("public speaking", "presentation", "communication"),
    "public speaking": ("public speaking", "presentation", "communication"),
    "presentation": ("presentation", "public speaking", "communication"),
    "writing": ("writing", "business writing", "communication"),
    "leadership": ("leadership", "leadership and management", "people management"),
    "leader": ("leadership", "leadership and management", "people management"),
    "manager": ("management", "leadership and management", "people management"),
    "management": ("management", "leadership and management"),
    "team": ("teamwork", "people management", "leadership"),
    "soft skills": ("communication", "presentation", "people skills", "emotional intelligence"),
    "project manager": ("project management", "planning", "agile", "scrum"),
    "project management": ("project management", "planning", "agile", "scrum"),
    "pmp": ("project management", "planning"),
    "scrum": ("scrum", "agile", "project management"),
    "agile": ("agile", "scrum"),
    "hr": ("human resources", "recruitment", "people management"),
    "human resource": ("human resources", "people management"),
    "accounting": ("accounting", "financial accounting", "financial statement"),
    "accountant": ("accounting", "financial accounting", "financial statement"),
    "finance": ("finance", "financial analysis", "investment"),
    "banking": ("finance", "banking", "investment"),
    "investment": ("investment", "finance"),
    "entrepreneurship": ("entrepreneurship", "business strategy", "marketing"),
    "entrepreneur": ("entrepreneurship", "business strategy", "marketing"),
    "startup": ("entrepreneurship", "business strategy", "innovation"),
    "business": ("business", "entrepreneurship", "strategy and operations"),
    "statistics": ("statistics", "probability & statistics"),
    "blockchain": ("blockchain", "cryptocurrency"),
    "teacher": ("teaching", "education", "instructional design"),
    "teaching": ("teaching", "education", "instructional design"),
    "research": ("research methods", "academic writing", "statistics"),
}
# Token-level synonyms: different forms of one idea meet on one token.
TOKEN_SYNONYMS: dict[str, str] = {
    "analyst": "analysis",
    "analytics": "analysis",
    "analytical": "analysis",
    "analyze": "analysis",
    "analyse": "analysis",
    "analysing": "analysis",
    "analyzing": "analysis",
    "developer": "development",
    "developing": "development",
    "develop": "development",
    "programmer": "programming",
    "program": "programming",
    "programme": "programming",
    "code": "programming",
    "coding": "programming",
    "marketer": "marketing",
    "designer": "design",
    "designing": "design",
    "engineer": "engineering",
    "manager": "management",
    "managing": "management",
    "manage": "management",
    "leader": "leadership",
    "leading": "leadership",
    "lead": "leadership",
    "scientist": "science",
    "writer": "writing",
    "write": "writing",
    "speak": "speaking",
    "speaker": "speaking",
    "communicate": "communication",
    "communicating": "communication",
    "secure": "security",
    "cyber": "cybersecurity",
    "accountant": "accounting",
    "visualisation": "visualization",
    "visualise": "visualization",
    "visualize": "visualization",
    "dataviz": "visualization",
    "specialisation": "specialization",
    "organisational": "organizational",
    "freelancer": "freelancing",
    "freelance": "freelancing",
    "entrepreneur": "entrepreneurship",
    "statistical": "statistics",
    "websites": "website",
    "apps": "app",
    "e-commerce": "ecommerce",
}

# Course-choice cues vs programme-rules cues, for `is_course_question`.
_CHOICE_CUES = re.compile(
    r"\b(which|what|recommend\w*|suggest\w*|best|good|choose|pick|should i|path|track|"
    r"become|learn|study|start|konsa|konsi|kaunsa|kaunsi|kon sa|kaun sa|kon si|konse|"
    r"banna|seekh\w*|sikh\w*)\b"
)
_COURSE_CUES = re.compile(
    r"\b(courses?|kors|speciali[sz]ations?|certificates? (?:course|program)|tracks?|"
    r"learning path|what (?:to|should i) (?:learn|study)|learn|seekh\w*|sikh\w*|become|banna)\b"
)
_RULES_CUES = re.compile(
    r"\b(licen[cs]e\w*|eligib\w*|deadline\w*|apply|applied|application|register\w*|"
    r"enrol\w*|invite|invitation|login|log in|password|account|email|fee|fees|free|cost|"
    r"pay\w*|price|refund|focal|expire\w*|expiry|extend\w*|download|complete|completed|"
    r"grade|quiz|audit|how many|kab|kitne|kitni|status|problem|error|issue|not working)\b"
)


def normalise_text(text: str) -> str:
    """Lowercase, Roman Urdu translated to English, punctuation turned into spaces."""
    lowered = " " + re.sub(r"[^\w&+#\-]+", " ", text.lower()) + " "
    for phrase, english in ROMAN_URDU_PHRASES.items():
        lowered = lowered.replace(f" {phrase} ", f" {english} ")
    words = [
        ROMAN_URDU_WORDS.get(word, word)
        for word in lowered.split()
        if word not in _ROMAN_URDU_FILLER
    ]
    return " ".join(words)


def tokens(text: str) -> list[str]:
    """Topic tokens of an English text: stopwords dropped, synonyms folded, plurals cut."""
    result: list[str] = []
    text = text.lower().replace("e-commerce", "ecommerce")
    for word in re.findall(r"[a-z0-9][a-z0-9+#&]*", text):
        if word in STOPWORDS or (len(word) < 2 and word not in ("r", "c")):
            continue
        result.append(_singular(TOKEN_SYNONYMS.get(word, word)))
    return result


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "ics")):
        return word[:-1]
    return word


def skill_phrases(skill: str) -> list[str]:
    """A catalogue skill and its parenthesised alias: 'Data Visualization (DataViz)' ->
    ['data visualization', 'dataviz']."""
    lowered = skill.lower().strip()
    phrases = [re.sub(r"\s*\([^)]*\)", "", lowered).strip()]
    phrases.extend(alias.strip() for alias in re.findall(r"\(([^)]*)\)", lowered))
    return [phrase for phrase in phrases if phrase]


@dataclass(frozen=True)
class GoalQuery:
    """A learner's goal as the recommender uses it."""

    original: str
    english: str
    goal_tokens: tuple[str, ...]
    expanded_skills: tuple[str, ...]
    query_tokens: tuple[str, ...]
    intent_only: bool
    has_language: bool
    matched_goals: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_empty(self) -> bool:
        return not self.goal_tokens

    def embedding_text(self) -> str:
        # Short on purpose: query latency grows with length, and the expansions already count
        # in the lexical half.
        return " ".join(self.english.split()[:24])


def interpret_goal(goal: str) -> GoalQuery:
    """Translate, tokenise and expand a goal ('mujhe data analyst banna hai' -> data analysis,
    sql, excel...)."""
    english = normalise_text(goal)
    padded = f" {english} "
    matched = [key for key in GOAL_SKILLS if f" {key} " in padded]
    # A longer phrase ("data analyst") wins over a word inside it ("data" has no entry anyway,
    # but "marketing" inside "digital marketing" would add broad marketing too: keep both).
    expanded: list[str] = []
    for key in matched:
        for skill in GOAL_SKILLS[key]:
            if skill not in expanded:
                expanded.append(skill)
    goal_tokens = tokens(english)
    topic = [token for token in goal_tokens if token not in INTENT_WORDS]
    query = list(topic)
    for skill in expanded:
        query.extend(token for token in tokens(skill) if token not in query)
    return GoalQuery(
        original=goal,
        english=english.strip(),
        goal_tokens=tuple(topic),
        expanded_skills=tuple(expanded),
        query_tokens=tuple(query),
        intent_only=not topic and any(token in INTENT_WORDS for token in goal_tokens),
        # Function words ("I want to...", "mujhe ... hai") mean a sentence, not keyboard noise.
        has_language=any(
            word in STOPWORDS or word in INTENT_WORDS or word in _ROMAN_URDU_FILLER
            for word in re.findall(r"[a-z]+", f"{goal.lower()} {english}")
        ),
        matched_goals=tuple(matched),
    )


def skills_matching(course_skills: Iterable[str], query: GoalQuery) -> list[str]:
    """Which of a course's skills the goal asks for (shown as 'why it fits')."""
    wanted_phrases = {phrase for skill in query.expanded_skills for phrase in skill_phrases(skill)}
    wanted_tokens = set(query.query_tokens)
    matched: list[str] = []
    seen: set[str] = set()
    for skill in course_skills:
        phrases = skill_phrases(skill)
        if not phrases or phrases[0] in seen:  # "Data Visualization" and "... (DataViz)"
            continue
        seen.add(phrases[0])
        if any(phrase in wanted_phrases for phrase in phrases):
            matched.append(skill)
            continue
        skill_tokens = set(tokens(phrases[0]))
        if skill_tokens and skill_tokens <= wanted_tokens:
            matched.append(skill)
    return matched


def is_course_question(text: str) -> bool:
    """True for "which course for cloud?" / "cloud ke liye konsa course" / "what should I learn
    to become a data analyst"; False for questions about the programme's rules (licences,
    eligibility, deadlines, certificates, accounts), which the knowledge base answers."""
    lowered = " ".join(text.lower().split())
    if not lowered or lowered.startswith("/"):
        return False
    english = normalise_text(lowered)
    combined = f"{lowered} {english}"
    if _RULES_CUES.search(combined):
        return False
    if not _CHOICE_CUES.search(combined):
        return False
    if _COURSE_CUES.search(combined) and re.search(r"\b(courses?|kors|track|path)\b", combined):
        return True
    # "I want to become a data analyst", "mujhe cloud seekhna hai": a goal with a known topic.
    goal = interpret_goal(lowered)
    return bool(goal.matched_goals) and bool(_COURSE_CUES.search(combined))
