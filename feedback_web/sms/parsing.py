"""Reading a rating out of a citizen's SMS reply, in Azerbaijani, Russian or English.

Pure and total: ``parse_sms`` never raises and never returns a rating outside 1-5.
What it understands, in order:
1. opt-out: the whole message is STOP, DAYAN, СТОП (or a synonym), perhaps with "please";
2. a leading number 1-5, after any brackets, quotes or emoji: "5", "5 çox yaxşı idi",
   "(5)", "«4»", "🙏 5", "3 - uzun növbə";
3. "N/5", "N из 5", "N out of 5", "5-dən 4" anywhere;
4. one number 1-5 after label or courtesy words only: "Qiymət: 5", "Mənim qiymətim 4",
   "Оценка - 4", "Ставлю 5 баллов", "My rating is 5", "I'd give 4", "Спасибо, 5";
5. a number word: beş, пять/pyat, five, alone, first with punctuation, "stars" or only
   courtesy words after it, or last ("Ставлю пятёрку", "Qiymətim beşdir");
6. stars ⭐⭐⭐⭐ (★ too) and rating emoji (👍 5, 👎 1, 😡 1 ... 😍 5);
7. a grade word, perhaps with thanks: əla, отлично, excellent, "отлично, спасибо" ...
Transliterated spellings without special letters (qiymet, ocenka, otlichno) count too.
Anything else has no rating: the text stays the comment, and the caller sends help.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass
from typing import Literal

Language = Literal["az", "ru", "en"]

OPT_OUT_WORDS: dict[str, Language] = {
    "stop": "en", "stopall": "en", "unsubscribe": "en", "cancel": "en", "end": "en", "quit": "en",
    "dayan": "az", "dayandır": "az", "dayandir": "az", "imtina": "az", "i̇mtina": "az",
    "стоп": "ru", "отписаться": "ru", "отписка": "ru", "хватит": "ru",
}

NUMBER_WORDS: dict[str, tuple[int, Language]] = {
    # Azerbaijani, with the spellings typed on phones without Azerbaijani letters.
    "bir": (1, "az"), "iki": (2, "az"), "üç": (3, "az"), "uc": (3, "az"), "üc": (3, "az"),
    "dörd": (4, "az"), "dord": (4, "az"), "beş": (5, "az"), "bes": (5, "az"),
    # ... and with the copula people add: "Qiymətim beşdir".
    "birdir": (1, "az"), "ikidir": (2, "az"), "üçdür": (3, "az"), "ucdur": (3, "az"), "dörddür": (4, "az"),
    "dorddur": (4, "az"), "beşdir": (5, "az"), "besdir": (5, "az"),
    # Russian, including the school grades "пятёрка" etc.
    "один": (1, "ru"), "одна": (1, "ru"), "единица": (1, "ru"), "кол": (1, "ru"),
    "два": (2, "ru"), "две": (2, "ru"), "двойка": (2, "ru"),
    "три": (3, "ru"), "тройка": (3, "ru"),
    "четыре": (4, "ru"), "четверка": (4, "ru"), "четвёрка": (4, "ru"),
    "пять": (5, "ru"), "пятерка": (5, "ru"), "пятёрка": (5, "ru"),
    "единицу": (1, "ru"), "двойку": (2, "ru"), "тройку": (3, "ru"), "четверку": (4, "ru"), "четвёрку": (4, "ru"),
    "пятерку": (5, "ru"), "пятёрку": (5, "ru"),
    # Russian typed in Latin letters.
    "odin": (1, "ru"), "dva": (2, "ru"), "tri": (3, "ru"), "chetyre": (4, "ru"), "chetire": (4, "ru"),
    "pyat": (5, "ru"), "pyat'": (5, "ru"), "piat": (5, "ru"), "pjat": (5, "ru"),
    "one": (1, "en"), "two": (2, "en"), "three": (3, "en"), "four": (4, "en"), "five": (5, "en"),
}

# A message that is only one of these words is a rating.
GRADE_WORDS: dict[str, tuple[int, Language]] = {
    "əla": (5, "az"), "ela": (5, "az"), "super": (5, "en"), "yaxşı": (4, "az"), "yaxsi": (4, "az"),
    "orta": (3, "az"), "kafi": (3, "az"), "pis": (2, "az"), "çox pis": (1, "az"), "cox pis": (1, "az"),
    "отлично": (5, "ru"), "супер": (5, "ru"), "хорошо": (4, "ru"), "нормально": (3, "ru"),
    "удовлетворительно": (3, "ru"), "плохо": (2, "ru"), "очень плохо": (1, "ru"), "ужасно": (1, "ru"),
    "çox yaxşı": (5, "az"), "cox yaxsi": (5, "az"), "очень хорошо": (5, "ru"), "very good": (5, "en"),
    "otlichno": (5, "ru"), "horosho": (4, "ru"), "khorosho": (4, "ru"), "normalno": (3, "ru"), "ploho": (2, "ru"),
    "plokho": (2, "ru"), "uzhasno": (1, "ru"),
    "excellent": (5, "en"), "great": (5, "en"), "good": (4, "en"), "ok": (3, "en"), "okay": (3, "en"),
    "average": (3, "en"), "bad": (2, "en"), "very bad": (1, "en"), "terrible": (1, "en"), "awful": (1, "en"),
}

STAR_WORDS = {"ulduz", "stars", "star", "звезд", "звезды", "звезда", "звёзд", "звёзды", "балл", "балла", "баллов",
              "bal", "points", "xal", "ballov", "balla", "ball", "bala"}

# "ok thanks" acknowledges the message; only a bare "ok" is a middling grade.
VAGUE_GRADES = {"ok", "okay"}
# Words people put before the number they rate with ("Qiymət: 5", "Оценка - 4", "My
# rating is 5", "I'd give it a 4"), in each language and typed without special letters.
LABEL_WORDS = {
    "qiymət", "qiymet", "qiymətim", "qiymetim", "qiyməti", "qiymeti", "qiymətiniz", "qiymetiniz", "xidməti",
    "xidmeti", "mənim", "menim", "mən", "men", "verirəm",
    "verirem", "verdim", "qoyuram", "bal", "balım", "balim", "xal", "cavab", "cavabım", "cavabim", "reytinq",
    "xidmətə", "xidmete", "xidmət", "xidmet", "sizə", "size", "ümumi", "umumi", "ulduz",
    "оценка", "оценку", "моя", "мой", "оцениваю", "оценю", "на", "ставлю", "поставлю", "балл", "ответ", "итого",
    "твёрдая", "твердая", "ocenka", "otsenka", "moya", "stavlu", "stavlyu", "postavlyu", "na", "otvet", "ball",
    "vse", "всё", "все", "say",
    "rating", "my", "is", "rate", "i", "it", "i'd", "id", "would", "give", "a", "score", "answer", "mark", "grade",
    "rated", "you", "service",
}
# Thanks and praise around a rating: "Спасибо, 5", "bes cox sagolun", "отлично, спасибо".
COURTESY_WORDS = {
    "спасибо", "спс", "большое", "spasibo", "spasiba", "thanks", "thank", "thx", "ty", "you", "very", "much",
    "super", "супер", "ela", "əla", "отлично", "otlichno", "çox", "cox", "sağ", "sag", "olun", "sağolun",
    "sagolun", "təşəkkürlər", "tesekkurler", "təşəkkür", "tesekkur", "edirəm", "edirem", "ok", "ок",
}
# What may follow an opt-out word: "STOP pls", "Stop sms", "dayan zəhmət olmasa".
PLEASE_WORDS = {"please", "pls", "plz", "пожалуйста", "xahiş", "xahis", "edirəm", "edirem", "zəhmət", "zehmet",
                "olmasa", "sms", "messages", "смс", "сообщения", "mesaj", "mesajlar"}

STAR_CHARACTERS = "⭐★🌟"
EMOJI_RATINGS: dict[str, int] = {
    "👍": 5, "😍": 5, "🥰": 5, "😀": 5, "😃": 5, "😄": 5, "😁": 5, "❤": 5, "💯": 5, "👏": 5,
    "🙂": 4, "😊": 4, "☺": 4, "😌": 4,
    "😐": 3, "😶": 3, "🤔": 3,
    "🙁": 2, "☹": 2, "😕": 2, "😞": 2, "😟": 2, "😒": 2,
    "👎": 1, "😡": 1, "😠": 1, "🤬": 1, "😤": 1, "😢": 1, "😭": 1,
}

# Words that say which language a message is in when its letters alone do not.
AZ_HINTS = {"çox", "cox", "yaxşı", "yaxsi", "idi", "var", "yox", "deyil", "təşəkkür", "tesekkur", "sağ", "sag", "ol",
            "olun", "növbə", "novbe", "uzun", "gözlədim", "gozledim", "işçilər", "isciler", "xidmət", "xidmet", "pis",
            "əla", "ela", "mərkəz", "merkez", "ulduz", "dən", "den", "bəyəndim", "beyendim", "amma", "və", "ve"}
EN_HINTS = {"the", "was", "very", "good", "great", "thanks", "thank", "you", "staff", "service", "wait", "waited",
            "long", "bad", "and", "but", "out", "of", "stars", "star", "excellent", "terrible", "ok", "okay", "it",
            "is", "were", "nice", "helpful", "slow", "queue", "give", "i", "rude", "awful", "super", "nobody", "me",
            "my", "help", "helped", "no", "not", "too", "what", "when", "please", "so", "all", "we", "they"}
AZ_LETTERS = set("əğışçöüİƏĞŞÇÖÜ")

LEADING_NUMBER = re.compile(r"^\s*(\d+)(?:[.,]\d+)?(?!\d|:\d)")
# Before a leading number: brackets, quotes and emoji ("(5)", "«4»", "🙏 5"), not - or +.
LEADING_DECORATION = re.compile(r"^(?:[\s(\[{<«\"'“„‘]|[^\w\s\-+.,])*")
NUMBERS = re.compile(r"\d+(?:[.,]\d+)?")
OUT_OF_FIVE = re.compile(
    r"(?<!\d)([1-5])\s*(?:/|из|out\s+of|of)\s*5(?!\d)|(?<!\d)5\s*-?\s*(?:dən|den)\s*([1-5])(?!\d)",
    re.IGNORECASE,
)
SEPARATORS = " \t\r\n.,;:!?-–—)(/*#\"'«»[]{}<>“”„‘’"
MAX_INPUT_CHARS = 5000  # an SMS is at most a few hundred characters; the rest is not a reply


@dataclass(frozen=True)
class SmsReply:
    rating: int | None
    comment: str
    opt_out: bool
    language: Language | None

    def to_dict(self) -> dict:
        return asdict(self)


def parse_sms(text: object) -> SmsReply:
    """The rating, comment, opt-out and language of one SMS body. Never raises."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    text = _printable(text[:MAX_INPUT_CHARS])
    stripped = text.strip()
    words = _words(stripped)
    language = detect_language(stripped)

    bare = stripped.strip(SEPARATORS).casefold()
    if bare in OPT_OUT_WORDS:
        return SmsReply(None, "", True, OPT_OUT_WORDS[bare])
    lowered = [w.casefold() for w in words]
    if len(lowered) > 1 and lowered[0] in OPT_OUT_WORDS and set(lowered[1:]) <= PLEASE_WORDS:
        return SmsReply(None, "", True, OPT_OUT_WORDS[lowered[0]])

    rating, comment = _rating(stripped, words)
    if rating is not None and rating[1] and language is None:
        language = rating[1]
    value = rating[0] if rating is not None else None
    if value is not None and not 1 <= value <= 5:  # defensive: the rules only produce 1-5
        value, comment = None, stripped
    return SmsReply(value, comment, False, language)


def _rating(text: str, words: list[str]) -> tuple[tuple[int, Language | None] | None, str]:
    """((rating, language implied by the rating word), comment) or (None, whole text)."""
    # 2. A leading number: the rating if it is 1-5; any other leading number is no rating.
    decoration = LEADING_DECORATION.match(text).end()
    if decoration and LEADING_NUMBER.match(text[decoration:]):
        text = text[decoration:]
    match = LEADING_NUMBER.match(text)
    if match:
        if OUT_OF_FIVE.match(text.lstrip()):
            found = OUT_OF_FIVE.match(text.lstrip())
            return (int(found.group(1) or found.group(2)), None), _comment(text.lstrip()[found.end():])
        whole = match.group(0).strip()
        if len(whole) == 1 and whole in "12345":  # never int() a long digit string
            return (int(whole), None), _comment(_drop_star_word(text[match.end():]))
        return None, text
    # 3. "4/5", "4 из 5", "4 out of 5" anywhere.
    found = OUT_OF_FIVE.search(text)
    if found:
        return (int(found.group(1) or found.group(2)), None), _comment(text[: found.start()] + " " + text[found.end():])
    # 4. One number 1-5 after label or courtesy words only.
    labelled = _labelled_number(text)
    if labelled is not None:
        return labelled
    lowered = [w.casefold() for w in words]
    # 5. Number words.
    if lowered:
        first = lowered[0]
        if first in NUMBER_WORDS:
            rest = text.lstrip()[len(words[0]):]
            follows_punctuation = not rest or rest[0] in ",.;:!-–—/)" or rest.strip() == ""
            next_is_star = len(lowered) > 1 and lowered[1] in STAR_WORDS
            only_courtesy = len(lowered) > 1 and set(lowered[1:]) <= COURTESY_WORDS | LABEL_WORDS | STAR_WORDS
            if len(lowered) == 1 or follows_punctuation or next_is_star or only_courtesy:
                return NUMBER_WORDS[first], _comment(_drop_star_word(rest))
        last = lowered[-1]
        if len(lowered) <= 4 and last in NUMBER_WORDS and not any(w in NUMBER_WORDS for w in lowered[:-1]):
            if not any(ch.isdigit() for ch in text):
                return NUMBER_WORDS[last], ""
    # 6. Stars and emoji.
    stars = sum(text.count(ch) for ch in STAR_CHARACTERS)
    if stars:
        comment = _comment("".join(ch for ch in text if ch not in STAR_CHARACTERS and ch != "\ufe0f"))
        return ((stars, None), comment) if stars <= 5 else (None, text)
    emoji = [EMOJI_RATINGS[ch] for ch in text if ch in EMOJI_RATINGS]
    if emoji:
        if len(set(emoji)) == 1:
            rest = "".join(ch for ch in text if ch not in EMOJI_RATINGS and ch not in "\ufe0f\u200d")
            return (emoji[0], None), _comment(rest)
        return None, text
    # 7. A grade word ("əla", "отлично", "very bad"), perhaps followed by thanks.
    for size in (2, 1):
        phrase = " ".join(lowered[:size])
        courtesy_after = set(lowered[size:]) <= COURTESY_WORDS and (size == len(lowered) or phrase not in VAGUE_GRADES)
        if len(lowered) >= size and phrase in GRADE_WORDS and courtesy_after:
            return GRADE_WORDS[phrase], _comment(" ".join(words[size:]))
    return None, text


def _labelled_number(text: str) -> tuple[tuple[int, None], str] | None:
    """"Qiymət: 5", "Оценка - 4", "My rating is 5": the message's only number, 1-5, after
    no more than five words, each a label or courtesy word."""
    numbers = list(NUMBERS.finditer(text))
    if len(numbers) != 1 or numbers[0].group() not in ("1", "2", "3", "4", "5"):
        return None
    number = numbers[0]
    before = [w.casefold() for w in _words(text[: number.start()])]
    glued = number.end() < len(text) and text[number.end()].isalpha()
    if not 1 <= len(before) <= 5 or glued or not set(before) <= LABEL_WORDS | COURTESY_WORDS:
        return None
    after = [w.casefold() for w in _words(text[number.end():])]
    if before in (["на"], ["na"]) and not set(after) <= STAR_WORDS | COURTESY_WORDS:
        return None  # "на 5 баллов" is a rating, "на 3 этаже" (on the 3rd floor) is not
    return (int(number.group()), None), _comment(_drop_star_word(text[number.end():]))


def _drop_star_word(rest: str) -> str:
    words = rest.strip(SEPARATORS).split(maxsplit=1)
    if words and words[0].casefold().strip(SEPARATORS) in STAR_WORDS:
        return words[1] if len(words) > 1 else ""
    return rest


def _comment(rest: str) -> str:
    return " ".join(rest.strip(SEPARATORS + "\ufe0f").split())


def _printable(text: str) -> str:
    # Control and format characters (except the emoji joiner) become spaces.
    return "".join(
        " " if unicodedata.category(ch) in ("Cc", "Cs") or (unicodedata.category(ch) == "Cf" and ch != "\u200d")
        else ch
        for ch in text
    )


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[\s,.;:!?()\"«»/]+", text) if w and re.search(r"\w", w)]


def detect_language(text: str) -> Language | None:
    """az, ru or en from the letters and a few common words; None for digits and emoji only."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return None
    cyrillic = sum("\u0400" <= ch <= "\u04ff" for ch in letters)
    if cyrillic * 2 >= len(letters):
        return "ru"
    if any(ch in AZ_LETTERS for ch in letters):
        return "az"
    words = {w.casefold() for w in _words(text)}
    az_score = len(words & AZ_HINTS) + sum(w in NUMBER_WORDS and NUMBER_WORDS[w][1] == "az" for w in words)
    en_score = len(words & EN_HINTS) + sum(w in NUMBER_WORDS and NUMBER_WORDS[w][1] == "en" for w in words)
    if az_score > en_score:
        return "az"
    if en_score > az_score:
        return "en"
    return None
