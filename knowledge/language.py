"""Language detection, normalisation and a Roman Urdu / Urdu → English glossary.

The knowledge base is written in (British) English. Learners write English (often American
spelling), Roman Urdu (Urdu in Latin letters, spelt many ways) or Urdu script. BM25 can only
match English words, so questions are normalised and the Urdu/Roman Urdu *vocabulary of the
programme* (licence, certificate, apply, how, when...) is mapped to the words the rules use.
The glossary is general programme vocabulary, not phrases from any evaluation question.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cache

import snowballstemmer
from spellchecker import SpellChecker


class Language(StrEnum):
    ENGLISH = "en"
    ROMAN_URDU = "roman_ur"
    URDU = "ur"


_URDU_CHAR = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")
_WORD = re.compile(r"[\w']+", re.UNICODE)

# American → British spellings used by the rules, and common misspellings of key terms.
SPELLING: dict[str, str] = {
    "license": "licence",
    "licenses": "licences",
    "licence's": "licence",
    "lisence": "licence",
    "lisense": "licence",
    "liscense": "licence",
    "licens": "licence",
    "enroll": "enrol",
    "enrolled": "enrolled",
    "enrollment": "enrolment",
    "enrollments": "enrolments",
    "enrolling": "enrolling",
    "program": "programme",
    "programs": "programmes",
    "center": "centre",
    "catalog": "catalogue",
    "organization": "organisation",
    "specialization": "specialisation",
    "specializations": "specialisations",
    "certifcate": "certificate",
    "certficate": "certificate",
    "certificat": "certificate",
    "cerificate": "certificate",
    "eligable": "eligible",
    "eligiblity": "eligibility",
    "univeristy": "university",
    "uni": "university",
    "webinars": "webinar",
    "e-mail": "email",
    "mail": "email",
    "cnic's": "cnic",
}

# Frequent Roman Urdu spelling variants collapsed to one form before glossary lookup.
ROMAN_VARIANTS: dict[str, str] = {
    "kese": "kaise",
    "kaisay": "kaise",
    "kaisy": "kaise",
    "kesay": "kaise",
    "kaese": "kaise",
    "kia": "kya",
    "kyaa": "kya",
    "ky": "kya",
    "kb": "kab",
    "kahan": "kahan",
    "kahaan": "kahan",
    "kidhar": "kahan",
    "kitnay": "kitne",
    "kitna": "kitne",
    "kitni": "kitne",
    "kitny": "kitne",
    "kon": "kaun",
    "kaunsa": "kaun",
    "konsa": "kaun",
    "kaunsi": "kaun",
    "konsi": "kaun",
    "kyun": "kyun",
    "kyon": "kyun",
    "kiun": "kyun",
    "q": "kyun",
    "milay": "milega",
    "milegi": "milega",
    "mile": "milega",
    "milta": "milega",
    "milti": "milega",
    "milenge": "milega",
    "mil": "milega",
    "chahiye": "chahiye",
    "chahye": "chahiye",
    "chaiye": "chahiye",
    "chahiay": "chahiye",
    "khatam": "khatam",
    "khtm": "khatam",
    "khatm": "khatam",
    "darkhast": "darkhwast",
    "darkhwaast": "darkhwast",
    "sanad": "sanad",
    "dakhla": "dakhla",
    "dakhlay": "dakhla",
    "muft": "muft",
    "paisay": "paise",
    "pesay": "paise",
    "paisy": "paise",
    "fees": "fee",
}

# Roman Urdu / Urdu programme vocabulary → the English words of the rules.
GLOSSARY: dict[str, tuple[str, ...]] = {
    # question words
    "kaise": ("how",),
    "kya": ("what",),
    "kab": ("when", "date", "deadline"),
    "kitne": ("how", "many", "much"),
    "kahan": ("where",),
    "kaun": ("who", "which"),
    "kyun": ("why",),
    # verbs and nouns of the programme
    "milega": ("get", "receive"),
    "chahiye": ("need", "required"),
    "khatam": ("end", "ends", "expire"),
    # "chalna" (to run): how long something lasts or stays valid
    "chalta": ("lasts", "valid"),
    "chalti": ("lasts", "valid"),
    "chalega": ("lasts", "valid"),
    "chalegi": ("lasts", "valid"),
    "darkhwast": ("apply", "application"),
    "apply": ("apply", "application"),
    "dakhla": ("enrol", "admission"),
    "sanad": ("certificate",),
    "muft": ("free", "cost"),
    "paise": ("fee", "pay", "cost"),
    "qeemat": ("cost", "fee"),
    "madad": ("help", "support"),
    "rabta": ("contact",),
    "shikayat": ("complaint",),
    "talib": ("student",),
    "talaba": ("students",),
    "tulaba": ("students",),
    "ustad": ("faculty", "teacher"),
    "jamia": ("university",),
    "mudat": ("duration", "period", "long", "last"),
    "muddat": ("duration", "period", "long", "last"),
    "arsa": ("duration", "period", "long", "last"),
    "arsay": ("duration", "period", "long", "last"),
    "waqt": ("time", "deadline"),
    "akhri": ("last", "deadline"),
    "tareekh": ("date",),
    "tarikh": ("date",),
    "din": ("days",),
    "dino": ("days",),
    "mahine": ("months",),
    "saal": ("year",),
    "dobara": ("again", "reapply"),
    "wapas": ("back", "return"),
    "band": ("closed", "deactivated"),
    "ghair": ("inactive",),
    "faal": ("active",),
    "kaam": ("work",),
    "nahi": ("not",),
    "nahin": ("not",),
    "mukammal": ("complete", "finish"),
    "pura": ("complete", "finish"),
    "naukri": ("job", "career"),
    "hunar": ("skills",),
    "masla": ("problem", "issue"),
    "bhool": ("forgot",),
    "bhool gaya": ("forgot",),
    "zaroori": ("required", "mandatory"),
    "lazmi": ("mandatory", "required"),
    "shart": ("condition", "requirement"),
    "sharait": ("conditions", "requirements"),
    "ahliyat": ("eligibility", "eligible"),
    "ahal": ("eligible",),
    "intikhab": ("selection", "choose"),
    "chunna": ("choose",),
    "chunein": ("choose",),
    "cheating": ("cheating", "integrity"),
    "nakal": ("cheating", "plagiarism"),
    "maloomat": ("information", "data"),
    "raaz": ("privacy",),
    # Urdu script
    "لائسنس": ("licence",),
    "لائسنز": ("licences",),
    "سرٹیفکیٹ": ("certificate",),
    "سرٹیفیکیٹ": ("certificate",),
    "سند": ("certificate",),
    "کورس": ("course",),
    "کورسز": ("courses",),
    "کورسرا": ("coursera",),
    "اہلیت": ("eligibility", "eligible"),
    "اہل": ("eligible",),
    "درخواست": ("apply", "application"),
    "داخلہ": ("enrol", "admission"),
    "یونیورسٹی": ("university",),
    "جامعہ": ("university",),
    "طالب": ("student",),
    "طلبہ": ("students",),
    "طلباء": ("students",),
    "فیکلٹی": ("faculty",),
    "اساتذہ": ("faculty", "teachers"),
    "مدت": ("duration", "period", "long", "last"),
    "عرصہ": ("duration", "period", "long", "last"),
    "عرصے": ("duration", "period", "long", "last"),
    "ختم": ("end", "ends", "expire"),
    "غیر": ("inactive",),
    "فعال": ("active",),
    "ہیلپ": ("helpdesk", "help"),
    "ڈیسک": ("helpdesk",),
    "مدد": ("help", "support"),
    "رابطہ": ("contact",),
    "فوکل": ("focal",),
    "پرسن": ("person",),
    "کریڈٹ": ("credit",),
    "مفت": ("free", "cost"),
    "فیس": ("fee",),
    "پاسورڈ": ("password",),
    # Two-word forms only: alone, "پاس" is "near/pass" and "ای" is the letter E (as in the
    # spelt-out "ڈی ایل ایس ای آئی", DLSEI).
    "پاس ورڈ": ("password",),
    "ای میل": ("email",),
    "سروے": ("survey",),
    "ڈیٹا": ("data",),
    "اکاؤنٹ": ("account",),
    "ویبینار": ("webinar",),
    "ٹریک": ("track",),
    "مکمل": ("complete", "finish"),
    "نوکری": ("job", "career"),
    "رجسٹر": ("register",),
    "ڈگری": ("degree",),
    "دعوت": ("invitation",),
    "دعوت نامہ": ("invitation",),
    "آخری": ("last", "deadline"),
    "تاریخ": ("date",),
    "دن": ("days",),
    "مہینے": ("months",),
    "دوبارہ": ("again", "reapply"),
    "نقل": ("cheating", "plagiarism"),
    "شرائط": ("conditions", "requirements"),
    "کیسے": ("how",),
    "کس": ("how", "which"),
    "کیا": ("what",),
    "کب": ("when", "date"),
    "کتنے": ("how", "many"),
    "کتنی": ("how", "much"),
    "کہاں": ("where",),
    "کون": ("who", "which"),
    "کیوں": ("why",),
    "ملے": ("get",),
    "ملتا": ("get",),
    "ملے گا": ("get",),
    "چاہیے": ("need",),
}


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Function words of Roman Urdu: evidence of the language, no content for retrieval.
ROMAN_URDU_FUNCTION_WORDS = _words(
    "hai hain ho hota hoti hote ka ki ke ko se mein mai main mujhe mujhay mera meri mere hum "
    "humein aap ap apna apni apne yeh ye woh wo kar karna karein karen karte karta karti kiya "
    "sakta sakti sakte skta skti gaya gayi gaye tha thi the bhi aur ya agar to toh jab tak "
    "par pe liye liay lye wala wali wale kuch koi sab jo ab abhi raha rahi rahe hoga hogi "
    "kaise kya kab kitne kahan kaun kyun nahi nahin chahiye milega "
    # common verbs, particles and fillers of everyday Roman Urdu chat
    "karun karoon karu krna krein kro karo batao batayein bataen btao plz pls yaar bhai "
    "hui hua huye hue hona hone hoti hoga jata jati jate jaye jaega jayega lete leti lena "
    "dete deti dena di diya diye aaya aayi aaye aayega raha rahe rahi pehle pehlay baad "
    "wala wale wali walay sirf bas bohat bahut zyada kam acha achha theek thik ghalat sahi "
    "khud apne pata lagta lagte lagti sakta sakti mil gaya gayi "
    "abhi tak phir dobara kuchh kisi kis kin unka unki unke iska iski iske mein "
    # verb stems and the short negation (dena → de, lena → le; na = not)
    "de le na "
    # the ergative postposition and the pronouns it joins (kisi ne, maine, usne), second-person
    # pronouns and the emphatic hi: grammar, never a topic
    "ne maine mainay humne usne unhon unhone tum tumhara tumhari tumhare tumhe tumhein hi"
)

ENGLISH_STOPWORDS = _words(
    "a an the is are was were be been being am do does did doing have has had having i me my "
    "we our you your he she it its they them their this that these those of in on at to for "
    "from by with about as into over after before under again further then once here there "
    "all any both each few more most other some such no nor not only own same so than too "
    "very s t can will just should now or and but if because until while what which who whom "
    "when where why how would could may might must shall get got also please tell know want "
    "let ok okay hi hello dear sir madam thanks thank "
)

# Question words carry intent but not topic: kept for dense search, ignored for coverage.
QUESTION_WORDS = _words("how what when where who which why whom whose many much")


@dataclass(frozen=True)
class NormalisedQuery:
    """A question prepared for retrieval."""

    original: str
    language: Language
    text: str  # normalised, for dense search
    terms: tuple[str, ...]  # English terms for BM25 (question words kept)
    glossed: tuple[str, ...]  # English words that came from the glossary
    # Content of the question for evidence checks: one group per word of the question, holding
    # its English alternatives (a glossary entry's synonyms count once, matched by any of them).
    groups: tuple[tuple[str, ...], ...] = ()
    # Groups whose absence from the (English) knowledge base is no evidence against them:
    # Roman Urdu words that are not English words, and names of the programme's own
    # universities and places (``with_known_names``).
    foreign: frozenset[tuple[str, ...]] = frozenset()
    # The question's own spelling of each stemmed content word ("scholarships" for "scholarship").
    surface: dict[str, str] = field(default_factory=dict)
    # Groups that came from the glossary (programme vocabulary, never "unsupported").
    glossary: frozenset[tuple[str, ...]] = frozenset()
    # Groups read from English loanwords in Urdu script (see urdu_skeleton): their stemmed
    # English readings → the readings as written, most common first ("scholarship").
    loanwords: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)


def detect_language(text: str) -> Language:
    """Urdu script if Arabic-script letters dominate; Roman Urdu if its function words appear."""
    letters = [ch for ch in text if ch.isalpha()]
    if letters and sum(1 for ch in letters if _URDU_CHAR.match(ch)) / len(letters) >= 0.3:
        return Language.URDU
    words = [w.lower() for w in _WORD.findall(text)]
    canonical = [ROMAN_VARIANTS.get(w, w) for w in words]
    roman = sum(1 for w in canonical if w in ROMAN_URDU_FUNCTION_WORDS)
    # Short English words ("to", "main") overlap; require two markers or a high share.
    if roman >= 2 or (words and roman / len(words) >= 0.25):
        return Language.ROMAN_URDU
    return Language.ENGLISH


def tokenize(text: str) -> list[str]:
    """Lowercase word tokens with British spelling, stemmed (for BM25 and coverage)."""
    tokens: list[str] = []
    for raw in _WORD.findall(text.lower()):
        word = raw.strip("'")
        if not word:
            continue
        word = SPELLING.get(word, word)
        tokens.append(stem(word))
    return tokens


_STEMMER = snowballstemmer.stemmer("english")


@cache
def stem(word: str) -> str:
    """Snowball (Porter 2) stem, so "expires", "expiry" and "expired" meet as one term."""
    return str(_STEMMER.stemWord(word.removesuffix("'s")))


@cache
def _english_frequencies() -> tuple[dict[str, int], int]:
    # pyspellchecker's English list (word counts from film subtitles): a general-English
    # lexicon that knows nothing of the knowledge base. Loaded once, on first use.
    frequency = SpellChecker(language="en").word_frequency
    return dict(frequency.dictionary), int(frequency.total_words)


def english_zipf(word: str) -> float:
    """How common a word is in general English on the Zipf scale (log10 of uses per billion
    words; "the" ≈ 7.5, "scholarship" ≈ 3.7); 0.0 for a word English does not use."""
    counts, total = _english_frequencies()
    count = counts.get(word.lower(), 0)
    return math.log10(count / total * 1e9) if count else 0.0


# A Roman Urdu word rarer than this in English (about one use per million words) is taken to
# be Urdu, not an English loanword: "dost" or "badle" say nothing about the rules' vocabulary.
ENGLISH_WORD_MIN_ZIPF = 3.0


# --- English loanwords written in Urdu script -----------------------------------------------
#
# Urdu-script questions name things in English loanwords ("لیپ ٹاپ" laptop, "اسکالرشپ"
# scholarship, "پاسپورٹ" passport) that the glossary, being programme vocabulary, does not
# hold. To let the evidence checks see them, a word is read as English when its consonant
# skeleton equals that of an English word. Both sides are reduced to the consonants a loanword
# keeps: Urdu writes only long vowels (ا و ی), English spelling writes every vowel, so vowels,
# h, w and y are dropped except at the start of a word (initial و and ی are consonants).
# Rules of Urdu loanword spelling, not a list of words, make it precise enough:
# - English t and d are written with the retroflex ٹ and ڈ; the dental ت and د stand for the
#   English "th" only. So "t"/"d" and "ت"/"د" never meet (Persian-Arabic "درخواست" is not
#   "darkest").
# - Letters for Arabic sounds English lacks (ث ح خ ذ ص ض ط ظ ع غ ق), the retroflex flap ڑ and
#   the aspiration mark ھ (save تھ, دھ for "th") occur only in native words: no reading.
# - s and z, and k and hard c/q, are one sound class each (English "visa" is written ویزا).
# Skeletons are ambiguous when short: in the 20,000 most frequent words of pyspellchecker's
# Persian list (a stand-in for the Perso-Arabic part of Urdu), 64% of three-consonant skeletons
# and 26% of four-consonant ones equal an English word's, 7% of five-consonant ones (most of
# them real loanwords: "ambulance", "atmosphere"). So a word is read as English only with five
# consonants or more, or four with a retroflex ٹ/ڈ (English t/d, rare in native words of that
# length). Short loanwords ("ویزا" visa, "ڈالر" dollar) stay unread: a miss, not an error.
_LOAN_CONSONANTS: dict[str, str] = {
    "ب": "b",
    "پ": "p",
    "ت": "θ",  # dental: English "th"
    "ٹ": "t",  # retroflex: English t
    "ج": "j",
    "چ": "c",
    "د": "ð",  # dental: English "th" (voiced)
    "ڈ": "d",  # retroflex: English d
    "ر": "r",
    "ز": "s",
    "س": "s",
    "ش": "x",
    "ف": "f",
    "ک": "k",
    "گ": "g",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "ں": "n",
}
_LOAN_SILENT = frozenset("اآأإءئؤہۂۃ")
_NATIVE_ONLY = frozenset("ثحخذصضطظعغقڑ")
_RETROFLEX = frozenset("ٹڈ")
# English spellings → the sound the Urdu spelling keeps (applied in this order).
_ENGLISH_DIGRAPHS = (
    ("sch", "sk"),
    ("tch", "C"),
    ("tion", "Xn"),
    ("sion", "Xn"),
    ("ture", "Cr"),
    ("ch", "C"),
    ("sh", "X"),
    ("ph", "f"),
    ("th", "T"),
    ("ck", "k"),
    ("gh", ""),
    ("kh", "k"),
    ("qu", "k"),
)
# An English word at least this common (Zipf, ~1 use per million words) can be a loanword.
LOANWORD_MIN_ZIPF = 3.0
_DOUBLED = re.compile(r"(.)\1+")


def urdu_skeleton(word: str) -> str | None:
    """The consonant skeleton of an Urdu-script word as an English loanword would have it
    ("لیپٹاپ" → "lptp"), or None when its letters show it is a native word."""
    if any(ch in _NATIVE_ONLY for ch in word):
        return None
    word = word.replace("تھ", "ت").replace("دھ", "د")
    if "ھ" in word:
        return None
    out: list[str] = []
    for i, ch in enumerate(word):
        if ch == "و":
            out.append("v" if i == 0 else "")
        elif ch in "یےيى":
            out.append("y" if i == 0 else "")
        elif ch in _LOAN_SILENT:
            continue
        elif ch in _LOAN_CONSONANTS:
            out.append(_LOAN_CONSONANTS[ch])
        else:
            return None
    return _DOUBLED.sub(r"\1", "".join(out))


def english_skeletons(word: str) -> frozenset[str]:
    """The consonant skeletons an English word can have in Urdu script ("scholarship" →
    "sklrxp"; "college" → "klg" or "klj", for a soft g)."""
    word = word.lower()
    if not word.isascii() or not word.isalpha():
        return frozenset()
    for spelling, sound in _ENGLISH_DIGRAPHS:
        word = word.replace(spelling, sound)
    word = re.sub(r"c(?=[eiy])", "s", word).replace("c", "k")
    word = word.replace("x", "ks").replace("q", "k").replace("z", "s")
    word = word.replace("C", "c").replace("X", "x")
    variants = {word}
    if re.search(r"g(?=[eiy])", word):
        variants.add(re.sub(r"g(?=[eiy])", "j", word))
    skeletons: set[str] = set()
    for variant in variants:
        spoken = variant
        if spoken[0] == "w":
            spoken = "v" + spoken[1:]
        elif spoken[0] == "u":
            spoken = "y" + spoken  # "university": یونیورسٹی
        head, rest = (spoken[0], spoken[1:]) if spoken[0] in "vy" else ("", spoken)
        skeleton = _DOUBLED.sub(r"\1", head + re.sub(r"[aeiouvwyh]", "", rest))
        skeletons.add(skeleton.replace("T", "θ"))
        if "T" in skeleton:
            skeletons.add(skeleton.replace("T", "ð"))
    return frozenset(skeletons)


@cache
def _loanword_index() -> dict[str, tuple[str, ...]]:
    """Skeleton → the English words (Zipf ≥ LOANWORD_MIN_ZIPF) having it, most common first."""
    counts, total = _english_frequencies()
    floor = total * 10**LOANWORD_MIN_ZIPF / 1e9
    index: dict[str, list[tuple[int, str]]] = {}
    for word, count in counts.items():
        if count < floor:
            continue
        for skeleton in english_skeletons(word):
            index.setdefault(skeleton, []).append((count, word))
    return {k: tuple(w for _, w in sorted(v, reverse=True)) for k, v in index.items()}


def _specific(skeleton: str, word: str) -> bool:
    return len(skeleton) >= 5 or (len(skeleton) == 4 and any(ch in _RETROFLEX for ch in word))


def english_loanword(word: str) -> tuple[str, ...]:
    """The English words an Urdu-script word (or two written apart, joined) can be a loanword
    of, most common first; () when it is native or its skeleton is too short to tell."""
    skeleton = urdu_skeleton(word)
    if skeleton is None or not _specific(skeleton, word):
        return ()
    return _loanword_index().get(skeleton, ())


def _urdu_loanwords(words: list[str], used: set[int]) -> list[tuple[str, tuple[str, ...]]]:
    """(Urdu spelling, English readings) of the loanwords among the words not yet used; two
    short words are also read together, as compounds are often written apart ("لیپ ٹاپ")."""
    found: list[tuple[str, tuple[str, ...]]] = []
    i = 0
    while i < len(words):
        if i in used or not _URDU_CHAR.search(words[i]):
            i += 1
            continue
        readings = english_loanword(words[i])
        if readings:
            found.append((words[i], readings))
            i += 1
            continue
        if i + 1 < len(words) and i + 1 not in used:
            skeletons = [urdu_skeleton(words[i]), urdu_skeleton(words[i + 1])]
            if all(s is not None and len(s) <= 2 for s in skeletons):
                joined = words[i] + words[i + 1]
                readings = english_loanword(joined)
                if readings:
                    found.append((f"{words[i]} {words[i + 1]}", readings))
                    i += 2
                    continue
        i += 1
    return found


def _glossary_lookup(words: list[str]) -> tuple[list[tuple[str, ...]], set[int]]:
    """English alternatives for glossary hits, two-word phrases first; indexes consumed."""
    found: list[tuple[str, ...]] = []
    used: set[int] = set()
    for i in range(len(words)):
        if i in used:
            continue
        if i + 1 < len(words) and f"{words[i]} {words[i + 1]}" in GLOSSARY:
            found.append(GLOSSARY[f"{words[i]} {words[i + 1]}"])
            used.update({i, i + 1})
        elif words[i] in GLOSSARY:
            found.append(GLOSSARY[words[i]])
            used.add(i)
    return found, used


_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+)\W*$")


def proper_names(question: str) -> set[str]:
    """Words (lower-cased) the question writes as names: an acronym or a word with inner
    capitals ("PSL", "FSc") anywhere, or a capitalised word inside a sentence ("... ki
    Fulbright ..."). A sentence's first word is left out, as phones capitalise it anyway.

    In Roman Urdu a word that is not English is normally taken to be Urdu, whose absence from
    English rules is no evidence (``NormalisedQuery.foreign``). A name is not Urdu: the
    rules either name it or are not about it, so its absence counts like an English word's.
    """
    found: set[str] = set()
    for match in _WORD.finditer(question):
        word = match.group().strip("'")
        if len(word) < 2 or not word[0].isupper():
            continue
        capitals = sum(ch.isupper() for ch in word)
        if capitals >= 2 or not _SENTENCE_START.search(question[: match.start()]):
            found.add(word.lower())
    return found


def known_name_stems(names: Iterable[str]) -> frozenset[str]:
    """The words of names ("Allama Iqbal Open University", "AJK", "Muzaffarabad") that English
    does not use, stemmed: "allama", "iqbal", "ajk", but not "open" or "university"."""
    return frozenset(
        stem(word)
        for name in names
        for word in re.findall(r"[a-z]+", name.lower())
        if len(word) > 1 and english_zipf(word) < ENGLISH_WORD_MIN_ZIPF
    )


def with_known_names(query: NormalisedQuery, known: frozenset[str]) -> NormalisedQuery:
    """The query with the programme's own names (``known_name_stems``) among the words whose
    absence from the rules is no evidence. The rules apply to every partner university alike
    and never list them, so "Can students in Azad Jammu Kashmir apply?" asks the eligibility
    rule, not about something the rules leave out, as "hostel" or "Udemy" do."""
    named = {group for group in query.groups if len(group) == 1 and group[0] in known}
    return replace(query, foreign=query.foreign | named) if named else query


def _is_content(word: str) -> bool:
    return word not in ENGLISH_STOPWORDS and word not in QUESTION_WORDS


def normalise_query(question: str) -> NormalisedQuery:
    """Detect the language, fix spellings, map Urdu/Roman Urdu vocabulary to English terms."""
    language = detect_language(question)
    raw_words = [w.strip("'") for w in _WORD.findall(question.lower())]
    words = [SPELLING.get(w, w) for w in raw_words if w]
    if language is not Language.ENGLISH:
        words = [ROMAN_VARIANTS.get(w, w) for w in words]
    glossed: list[str] = []
    kept: list[str] = []
    alternatives: list[tuple[str, ...]] = []
    used: set[int] = set()
    if language is Language.ENGLISH:
        kept = words
    else:
        alternatives, used = _glossary_lookup(words)
        glossed = [word for group in alternatives for word in group]
        for i, word in enumerate(words):
            if i in used or word in ROMAN_URDU_FUNCTION_WORDS or _URDU_CHAR.search(word):
                continue
            kept.append(word)  # English loanwords in Roman Urdu: "licence", "coursera"...
    terms = [
        stem(w) for w in [*kept, *glossed] if w not in ENGLISH_STOPWORDS or w in QUESTION_WORDS
    ]
    text = " ".join(words)
    if glossed:
        # Dense search sees the question plus its English gloss (e5 is multilingual, but the
        # gloss pulls the vector towards the rules' vocabulary).
        text = f"{question.strip()} ({' '.join(dict.fromkeys(glossed))})"
    elif language is Language.ENGLISH:
        text = _WORD.sub(lambda m: SPELLING.get(m.group().lower(), m.group()), question)
    groups: list[tuple[str, ...]] = [(stem(w),) for w in kept if _is_content(w)]
    names = proper_names(question) if language is Language.ROMAN_URDU else set()
    foreign = {
        (stem(w),)
        for w in kept
        if language is Language.ROMAN_URDU
        and _is_content(w)
        and not w.isdigit()
        and english_zipf(w) < ENGLISH_WORD_MIN_ZIPF
        and w not in names
    }
    glossary_groups: set[tuple[str, ...]] = set()
    for group in alternatives:
        # A word glossed as a function word ("milega" → get) carries no topic, as in English.
        if all(_is_content(w) for w in group):
            stems = tuple(dict.fromkeys(stem(w) for w in group))
            groups.append(stems)
            glossary_groups.add(stems)
    loanwords: dict[tuple[str, ...], tuple[str, ...]] = {}
    if language is Language.URDU:
        # Only for evidence checks (coverage, unsupported words): retrieval is unchanged.
        for _, readings in _urdu_loanwords(words, used):
            stems = tuple(dict.fromkeys(stem(SPELLING.get(w, w)) for w in readings))
            if stems not in loanwords:
                groups.append(stems)
                loanwords[stems] = readings
    return NormalisedQuery(
        original=question,
        language=language,
        text=text,
        terms=tuple(dict.fromkeys(terms)),
        glossed=tuple(dict.fromkeys(glossed)),
        groups=tuple(dict.fromkeys(groups)),
        foreign=frozenset(foreign),
        surface={stem(w): w for w in kept if _is_content(w)},
        glossary=frozenset(glossary_groups),
        loanwords=loanwords,
    )
