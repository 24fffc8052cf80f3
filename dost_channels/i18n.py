"""Every citizen-facing string, in Azerbaijani (the default), Russian and English.

The kiosk and QR pages, their JavaScript (which receives the whole table) and the SMS
texts all read from here; nothing a citizen sees is written anywhere else.
``tests/dost_channels/test_i18n.py`` checks every key exists, non-empty, in every language.
"""

from __future__ import annotations

from typing import Literal

Language = Literal["az", "ru", "en"]
LANGUAGES: tuple[Language, ...] = ("az", "ru", "en")
DEFAULT_LANGUAGE: Language = "az"
LANGUAGE_NAMES = {"az": "Azərbaycanca", "ru": "Русский", "en": "English"}

MESSAGES: dict[str, dict[str, str]] = {
    "page_title": {
        "az": "Xidmətimizi qiymətləndirin",
        "ru": "Оцените наше обслуживание",
        "en": "Rate our service",
    },
    "question": {
        "az": "Bu gün xidmətimizdən nə dərəcədə razı qaldınız?",
        "ru": "Насколько вы довольны обслуживанием сегодня?",
        "en": "How satisfied are you with our service today?",
    },
    "language_label": {"az": "Dil", "ru": "Язык", "en": "Language"},
    "rating_group_label": {
        "az": "Qiymət: 1 (çox pis) - 5 (əla)",
        "ru": "Оценка: 1 (очень плохо) - 5 (отлично)",
        "en": "Rating: 1 (very bad) to 5 (excellent)",
    },
    "rating_1": {"az": "Çox pis", "ru": "Очень плохо", "en": "Very bad"},
    "rating_2": {"az": "Pis", "ru": "Плохо", "en": "Bad"},
    "rating_3": {"az": "Orta", "ru": "Нормально", "en": "Okay"},
    "rating_4": {"az": "Yaxşı", "ru": "Хорошо", "en": "Good"},
    "rating_5": {"az": "Əla", "ru": "Отлично", "en": "Excellent"},
    "service_label": {
        "az": "Hansı xidmətdən istifadə etdiniz? (istəyə görə)",
        "ru": "Какой услугой вы воспользовались? (необязательно)",
        "en": "Which service did you use? (optional)",
    },
    "service_none": {"az": "Seçilməyib", "ru": "Не выбрано", "en": "Not selected"},
    "service_employment": {"az": "Məşğulluq", "ru": "Занятость", "en": "Employment"},
    "service_pensions": {"az": "Pensiyalar", "ru": "Пенсии", "en": "Pensions"},
    "service_social_benefits": {"az": "Sosial müavinətlər", "ru": "Социальные пособия", "en": "Social benefits"},
    "service_social_services": {"az": "Sosial xidmətlər", "ru": "Социальные услуги", "en": "Social services"},
    "service_disability": {"az": "Əlillik", "ru": "Инвалидность", "en": "Disability"},
    "service_medico_social_expertise_rehabilitation": {
        "az": "Tibbi-sosial ekspertiza və reabilitasiya",
        "ru": "Медико-социальная экспертиза и реабилитация",
        "en": "Medico-social expertise and rehabilitation",
    },
    "service_social_insurance": {"az": "Sosial sığorta", "ru": "Социальное страхование", "en": "Social insurance"},
    "service_labor_relations": {"az": "Əmək münasibətləri", "ru": "Трудовые отношения", "en": "Labour relations"},
    "service_social_legal": {"az": "Sosial-hüquqi", "ru": "Социально-правовые", "en": "Social-legal"},
    "service_social_household": {"az": "Sosial-məişət", "ru": "Социально-бытовые", "en": "Social-household"},
    "service_social_pedagogical": {
        "az": "Sosial-pedaqoji", "ru": "Социально-педагогические", "en": "Social-pedagogical",
    },
    "comment_title": {
        "az": "Nəyi daha yaxşı edə bilərdik?",
        "ru": "Что мы могли бы сделать лучше?",
        "en": "What could we have done better?",
    },
    "comment_label": {
        "az": "Şərhiniz (istəyə görə)",
        "ru": "Ваш комментарий (необязательно)",
        "en": "Your comment (optional)",
    },
    "comment_hint": {
        "az": "Şəxsi məlumatlarınızı (telefon, FİN) yazmayın.",
        "ru": "Не указывайте личные данные (телефон, ФИН).",
        "en": "Please do not write personal data (phone, FIN).",
    },
    "send": {"az": "Göndər", "ru": "Отправить", "en": "Send"},
    "skip": {"az": "Şərhsiz göndər", "ru": "Отправить без комментария", "en": "Send without comment"},
    "back": {"az": "Geri", "ru": "Назад", "en": "Back"},
    "thanks_title": {"az": "Təşəkkür edirik!", "ru": "Спасибо!", "en": "Thank you!"},
    "thanks_body": {
        "az": "Rəyiniz qeydə alındı. Xidmətimizi yaxşılaşdırmağa kömək edir.",
        "ru": "Ваш отзыв принят. Он помогает нам улучшать обслуживание.",
        "en": "Your feedback has been recorded. It helps us improve our service.",
    },
    "thanks_reset": {
        "az": "Ekran bir neçə saniyəyə yenilənəcək.",
        "ru": "Экран обновится через несколько секунд.",
        "en": "This screen resets in a few seconds.",
    },
    "done": {"az": "Bitir", "ru": "Готово", "en": "Done"},
    "queued_notice": {
        "az": "Şəbəkə yoxdur: rəylər saxlanılıb və bərpa olunanda göndəriləcək.",
        "ru": "Нет сети: отзывы сохранены и будут отправлены, когда связь восстановится.",
        "en": "No network: ratings are saved and will be sent when the connection returns.",
    },
    "pending_count": {"az": "Göndərilməyi gözləyir:", "ru": "Ожидают отправки:", "en": "Waiting to be sent:"},
    "error_not_set_up": {
        "az": "Bu planşet hələ qurulmayıb. Zəhmət olmasa, əməkdaşa müraciət edin.",
        "ru": "Этот планшет ещё не настроен. Пожалуйста, обратитесь к сотруднику.",
        "en": "This tablet is not set up yet. Please ask a member of staff.",
    },
    "error_device_rejected": {
        "az": "Bu planşetin girişi etibarsızdır. Zəhmət olmasa, əməkdaşa müraciət edin. Rəylər saxlanılır.",
        "ru": "Доступ этого планшета недействителен. Пожалуйста, обратитесь к сотруднику. Отзывы сохранены.",
        "en": "This tablet's access is not valid. Please ask a member of staff. Ratings are kept.",
    },
    "error_rate_limited": {
        "az": "Çox tez-tez göndərilir. Rəyiniz saxlanılıb və bir azdan göndəriləcək.",
        "ru": "Слишком часто. Ваш отзыв сохранён и скоро будет отправлен.",
        "en": "Too many ratings at once. Yours is saved and will be sent shortly.",
    },
    "error_generic": {
        "az": "Xəta baş verdi. Zəhmət olmasa, yenidən cəhd edin.",
        "ru": "Произошла ошибка. Пожалуйста, попробуйте ещё раз.",
        "en": "Something went wrong. Please try again.",
    },
    "error_unknown_center": {
        "az": "Belə DOST mərkəzi tapılmadı.",
        "ru": "Такой центр DOST не найден.",
        "en": "No such DOST center.",
    },
    "qr_used_title": {
        "az": "Bu keçid artıq istifadə olunub",
        "ru": "Эта ссылка уже использована",
        "en": "This link has already been used",
    },
    "qr_used_body": {
        "az": "Hər bilet üçün bir dəfə qiymət vermək olar. Rəyiniz üçün təşəkkür edirik!",
        "ru": "По каждому талону можно оценить один раз. Спасибо за ваш отзыв!",
        "en": "Each ticket can be rated once. Thank you for your feedback!",
    },
    "qr_expired_title": {
        "az": "Bu keçidin vaxtı bitib",
        "ru": "Срок действия ссылки истёк",
        "en": "This link has expired",
    },
    "qr_expired_body": {
        "az": "Növbəti ziyarətinizdə yeni bilet ilə qiymət verə bilərsiniz.",
        "ru": "Вы сможете оценить нас по новому талону при следующем визите.",
        "en": "You can rate us with a new ticket on your next visit.",
    },
    "qr_unknown_title": {
        "az": "Keçid tanınmadı",
        "ru": "Ссылка не распознана",
        "en": "This link is not recognised",
    },
    "qr_unknown_body": {
        "az": "Zəhmət olmasa, biletdəki QR kodu yenidən skan edin.",
        "ru": "Пожалуйста, отсканируйте QR-код на талоне ещё раз.",
        "en": "Please scan the QR code on your ticket again.",
    },
    # SMS texts. Kept short: one SMS segment where the alphabet allows.
    "sms_invitation": {
        "az": "DOST: {center} ziyarətinizi 1-dən 5-ə qiymətləndirin (5 əla). Cavab olaraq rəqəm göndərin. İmtina: DAYAN",
        "ru": "DOST: оцените визит в {center} от 1 до 5 (5 отлично), ответив цифрой. Отписаться: СТОП",
        "en": "DOST: rate your visit to {center} from 1 to 5 (5 excellent) by replying with a number. Opt out: STOP",
    },
    "sms_help": {
        "az": "DOST: cavabınızı başa düşmədik. Zəhmət olmasa, 1-dən 5-ə bir rəqəm göndərin, məs. 5. İmtina: DAYAN",
        "ru": "DOST: мы не поняли ответ. Пожалуйста, пришлите цифру от 1 до 5, например 5. Отписаться: СТОП",
        "en": "DOST: we did not understand your reply. Please send a number from 1 to 5, e.g. 5. Opt out: STOP",
    },
    "sms_thanks": {
        "az": "DOST: təşəkkür edirik! Qiymətiniz qeydə alındı.",
        "ru": "DOST: спасибо! Ваша оценка учтена.",
        "en": "DOST: thank you! Your rating has been recorded.",
    },
    "sms_opted_out": {
        "az": "DOST: artıq sizə sorğu göndərilməyəcək.",
        "ru": "DOST: мы больше не будем присылать вам опросы.",
        "en": "DOST: you will not receive any more surveys.",
    },
    "sms_closed": {
        "az": "DOST: bu sorğu artıq bağlıdır. Təşəkkür edirik!",
        "ru": "DOST: этот опрос уже закрыт. Спасибо!",
        "en": "DOST: this survey is already closed. Thank you!",
    },
    # Follow-up cases (dost_channels.case_sms): the manager's one reply, then the survey.
    "sms_case_reply": {
        "az": "DOST, {center} rəhbərliyi: {message}",
        "ru": "DOST, руководство {center}: {message}",
        "en": "DOST, {center} management: {message}",
    },
    "sms_case_survey": {
        "az": "DOST: {center} müraciətinizə necə baxdığımızdan razısınızmı? 1-dən 5-ə cavab verin (5 çox razı).",
        "ru": "DOST: довольны ли вы тем, как {center} разобрал ваше обращение? Ответьте от 1 до 5 (5 очень доволен).",
        "en": "DOST: are you satisfied with how {center} handled your feedback? Reply 1-5 (5 very satisfied).",
    },
    "sms_case_survey_thanks": {
        "az": "DOST: təşəkkür edirik! Cavabınız rəhbərliyə çatdırıldı.",
        "ru": "DOST: спасибо! Ваш ответ передан руководству центра.",
        "en": "DOST: thank you! Your answer has been passed to the center's managers.",
    },
}


def language_or_default(language: str | None) -> Language:
    return language if language in LANGUAGES else DEFAULT_LANGUAGE  # type: ignore[return-value]


def text(key: str, language: str | None, **values: str) -> str:
    message = MESSAGES[key][language_or_default(language)]
    return message.format(**values) if values else message


def table(language: str | None) -> dict[str, str]:
    """Every message in one language (what the page's script receives)."""
    lang = language_or_default(language)
    return {key: messages[lang] for key, messages in MESSAGES.items()}


def pick_language(requested: str | None, accept_language: str | None = None) -> Language:
    """``?lang=`` if it is one of ours, else the browser's first supported language, else az."""
    if requested in LANGUAGES:
        return requested  # type: ignore[return-value]
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code  # type: ignore[return-value]
    return DEFAULT_LANGUAGE
