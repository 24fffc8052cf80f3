"""Every string of the managers' pages, in Azerbaijani (the default), Russian and English.

Citizen-facing strings stay in ``dost_channels.i18n``; these are for staff only.
``tests/feedback_web/manage/test_texts.py`` checks every key exists, non-empty, in every language.
"""

from __future__ import annotations

from dost_channels.i18n import DEFAULT_LANGUAGE, LANGUAGE_NAMES, LANGUAGES, language_or_default, pick_language

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "LANGUAGE_NAMES", "MESSAGES", "pick_language", "text"]

MESSAGES: dict[str, dict[str, str]] = {
    "app_name": {"az": "DOST: vətəndaş rəyləri", "ru": "DOST: отзывы граждан", "en": "DOST: citizen feedback"},
    "language_label": {"az": "Dil", "ru": "Язык", "en": "Language"},
    "skip_to_content": {"az": "Əsas məzmuna keçin", "ru": "Перейти к содержанию", "en": "Skip to content"},
    "sign_in_title": {"az": "Menecer girişi", "ru": "Вход для руководителей", "en": "Managers' sign-in"},
    "email": {"az": "E-poçt", "ru": "Эл. почта", "en": "E-mail"},
    "password": {"az": "Şifrə", "ru": "Пароль", "en": "Password"},
    "password_again": {"az": "Şifrə (təkrar)", "ru": "Пароль (ещё раз)", "en": "Password (again)"},
    "password_hint": {"az": "Ən azı 12 simvol.", "ru": "Не менее 12 символов.", "en": "At least 12 characters."},
    "sign_in": {"az": "Daxil olun", "ru": "Войти", "en": "Sign in"},
    "sign_out": {"az": "Çıxış", "ru": "Выйти", "en": "Sign out"},
    "signed_in_as": {"az": "Daxil olan: {email}", "ru": "Вы вошли как {email}", "en": "Signed in as {email}"},
    "error_sign_in": {"az": "E-poçt və ya şifrə yanlışdır.", "ru": "Неверная эл. почта или пароль.",
                      "en": "Wrong e-mail or password."},
    "error_too_many": {"az": "Çox cəhd edildi. Bir az sonra yenidən cəhd edin.",
                       "ru": "Слишком много попыток. Повторите позже.",
                       "en": "Too many attempts. Try again in a while."},
    "error_csrf": {"az": "Forma köhnəlib. Səhifəni yeniləyib yenidən cəhd edin.",
                   "ru": "Форма устарела. Обновите страницу и повторите.",
                   "en": "The form has expired. Reload the page and try again."},
    "set_password_title": {"az": "Şifrə təyin edin", "ru": "Задайте пароль", "en": "Set your password"},
    "set_password": {"az": "Şifrəni saxla", "ru": "Сохранить пароль", "en": "Save password"},
    "error_link": {"az": "Bu keçid etibarsızdır və ya artıq istifadə olunub. Yeni keçid istəyin.",
                   "ru": "Ссылка недействительна или уже использована. Запросите новую.",
                   "en": "This link is not valid or has been used. Ask for a new one."},
    "error_password_short": {"az": "Şifrə ən azı 12 simvol olmalıdır.", "ru": "Пароль должен быть не короче 12 "
                             "символов.", "en": "The password needs at least 12 characters."},
    "error_password_mismatch": {"az": "Şifrələr eyni deyil.", "ru": "Пароли не совпадают.",
                                "en": "The passwords differ."},
    "password_saved": {"az": "Şifrə saxlanıldı. İndi daxil olun.", "ru": "Пароль сохранён. Теперь войдите.",
                       "en": "Password saved. Sign in now."},
    "cases_title": {"az": "Təqib işləri", "ru": "Обращения для разбора", "en": "Follow-up cases"},
    "filters": {"az": "Filtrlər", "ru": "Фильтры", "en": "Filters"},
    "filter_apply": {"az": "Göstər", "ru": "Показать", "en": "Show"},
    "any": {"az": "Hamısı", "ru": "Все", "en": "Any"},
    "status": {"az": "Status", "ru": "Статус", "en": "Status"},
    "service_group": {"az": "Xidmət qrupu", "ru": "Группа услуг", "en": "Service group"},
    "root_cause": {"az": "Əsas səbəb", "ru": "Первопричина", "en": "Root cause"},
    "center": {"az": "Mərkəz", "ru": "Центр", "en": "Center"},
    "rating": {"az": "Qiymət", "ru": "Оценка", "en": "Rating"},
    "channel": {"az": "Kanal", "ru": "Канал", "en": "Channel"},
    "opened_at": {"az": "Açılıb", "ru": "Открыто", "en": "Opened"},
    "due_at": {"az": "Son tarix", "ru": "Срок", "en": "Due"},
    "assignee": {"az": "İcraçı", "ru": "Исполнитель", "en": "Assignee"},
    "nobody": {"az": "Təyin olunmayıb", "ru": "Не назначен", "en": "Nobody yet"},
    "overdue": {"az": "Gecikib", "ru": "Просрочено", "en": "Overdue"},
    "no_cases": {"az": "Heç bir iş yoxdur.", "ru": "Обращений нет.", "en": "No cases."},
    "case_title": {"az": "İş {case_id}", "ru": "Обращение {case_id}", "en": "Case {case_id}"},
    "back_to_list": {"az": "Siyahıya qayıt", "ru": "К списку", "en": "Back to the list"},
    "comment": {"az": "Rəy", "ru": "Комментарий", "en": "Comment"},
    "no_comment": {"az": "Rəy yazılmayıb.", "ru": "Без комментария.", "en": "No comment."},
    "sentiment": {"az": "Əhval", "ru": "Тональность", "en": "Sentiment"},
    "history": {"az": "Tarixçə", "ru": "История", "en": "History"},
    "actions": {"az": "Əməliyyatlar", "ru": "Действия", "en": "Actions"},
    "action_take": {"az": "Üzərimə götürürəm", "ru": "Взять себе", "en": "Take it"},
    "action_start": {"az": "İcradadır", "ru": "В работе", "en": "Mark in progress"},
    "action_resolve": {"az": "Həll edildi", "ru": "Решено", "en": "Resolve"},
    "action_reopen": {"az": "Yenidən aç", "ru": "Открыть снова", "en": "Reopen"},
    "action_reply": {"az": "Vətəndaşa SMS göndər", "ru": "Отправить SMS гражданину", "en": "Send the citizen an SMS"},
    "note": {"az": "Qeyd (məcburi)", "ru": "Примечание (обязательно)", "en": "Note (required)"},
    "reply_text": {"az": "Qısa mesaj (nömrə sizə göstərilmir)", "ru": "Короткое сообщение (номер вам не "
                   "показывается)", "en": "A short message (the number is never shown to you)"},
    "choose": {"az": "Seçin", "ru": "Выберите", "en": "Choose"},
    "error_action": {"az": "Əməliyyat alınmadı: {reason}", "ru": "Действие не выполнено: {reason}",
                     "en": "The action failed: {reason}"},
    "done": {"az": "Yadda saxlanıldı.", "ru": "Сохранено.", "en": "Saved."},
    "not_found": {"az": "Belə iş yoxdur.", "ru": "Такого обращения нет.", "en": "No such case."},
    "status_open": {"az": "Açıq", "ru": "Открыто", "en": "Open"},
    "status_in_progress": {"az": "İcrada", "ru": "В работе", "en": "In progress"},
    "status_resolved": {"az": "Həll edilib", "ru": "Решено", "en": "Resolved"},
    "status_closed": {"az": "Bağlanıb", "ru": "Закрыто", "en": "Closed"},
    "cause_waiting_time": {"az": "Gözləmə vaxtı", "ru": "Время ожидания", "en": "Waiting time"},
    "cause_staff_conduct": {"az": "Əməkdaşın davranışı", "ru": "Поведение сотрудника", "en": "Staff conduct"},
    "cause_information_given": {"az": "Verilən məlumat", "ru": "Предоставленная информация",
                                "en": "Information given"},
    "cause_documents_process": {"az": "Sənədlər/proses", "ru": "Документы/процесс", "en": "Documents/process"},
    "cause_premises": {"az": "Bina və şərait", "ru": "Помещение", "en": "Premises"},
    "cause_decision_outcome": {"az": "Qərar/nəticə", "ru": "Решение/результат", "en": "Decision/outcome"},
    "cause_digital_services": {"az": "Rəqəmsal xidmətlər", "ru": "Цифровые услуги", "en": "Digital services"},
    "cause_other": {"az": "Digər", "ru": "Другое", "en": "Other"},
    "sentiment_negative": {"az": "Mənfi", "ru": "Негативная", "en": "Negative"},
    "sentiment_neutral": {"az": "Neytral", "ru": "Нейтральная", "en": "Neutral"},
    "sentiment_positive": {"az": "Müsbət", "ru": "Позитивная", "en": "Positive"},
}


def text(key: str, language: str | None, **values: str) -> str:
    """The message in ``language``; a key we lack (a new status or cause) is shown as itself."""
    messages = MESSAGES.get(key)
    if messages is None:
        return key.split("_", 1)[-1].replace("_", " ")
    message = messages[language_or_default(language)]
    return message.format(**values) if values else message
