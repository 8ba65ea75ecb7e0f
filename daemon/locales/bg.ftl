## Думите на hlidac на български. Всеки език има всяко съобщение (проверява го тест).
## Сумите и датите идват форматирани; $n, $days_left и $count са числа.

## Общи части на известията
days = { $n ->
    [one] { $n } ден
   *[other] { $n } дни
}
alert-hello = Здравейте,
alert-footer-reason = { $tenant } – известия. Получавате това съобщение, защото сте включили известията.
alert-footer-digest = { $tenant } – известия. Получавате обобщение веднъж дневно, защото сте го избрали.
alert-footer-stop = Спиране на всички известия
label-amount = Сума
label-amount-to-pay = Сума за плащане
label-due-date = Падеж
label-account = Сметка
label-iban = IBAN
label-bic = BIC
label-constant-symbol = Константен символ
label-specific-symbol = Специфичен символ
label-payment-code = Код за вид плащане
label-variable-symbol = Основание за плащане
label-filing-number = Входящ номер
label-case-number = Номер на преписка
label-registration-index = Регистрационен индекс
label-status = Състояние
label-new-status = Ново състояние
label-previous-status = Предишно състояние
label-handled-by = Отговорен служител
label-deadline = Срок
label-valid-until = Валидност до
label-number = № { $number }
document-kind = { $kind ->
    [id_card] лична карта
    [passport] паспорт
    [driving_licence] шофьорска книжка
   *[other] документ
}
document-kind-title = { $kind ->
    [id_card] Лична карта
    [passport] Паспорт
    [driving_licence] Шофьорска книжка
   *[other] Документ
}
status = { $code ->
    [received] получено
    [assigned] разпределено на служител
    [in_progress] в процес на обработка
    [waiting_for_citizen] очаква вашия отговор
    [forwarded] препратено към компетентния орган
    [resolved] решено
    [closed] приключено
    [cancelled] отменено
    [reopened] отворено отново
   *[other] { $code }
}

## Известия по вид
receivable-new-subject = { $tenant }: ново задължение – { $title }, { $amount } до { $due }
receivable-new-intro = { $tenant } отчете ново задължение за плащане:
receivable-new-outro = Ще ви напомним преди падежа.
receivable-reminder-subject = { $days_left ->
    [0] { $tenant }: днес е падежът на { $title }, { $amount }
   *[other] { $tenant }: { $title }, { $amount } с падеж { $due } (след { $days })
}
receivable-reminder-intro = { $days_left ->
    [0] напомняме, че днес е падежът на това задължение:
   *[other] напомняме, че след { $days }, на { $due }, е падежът на това задължение:
}
receivable-reminder-outro = Ако вече сте платили, моля, не обръщайте внимание на това съобщение.
receivable-overdue-subject = { $tenant }: { $title }, { $amount } – просрочено от { $due }
receivable-overdue-body = задължението { $title } в размер на { $amount } беше с падеж { $due } и { $tenant } все още не го отчита като платено.
receivable-overdue-outro = Моля, платете го възможно най-скоро. Вече направено плащане може да се отрази след няколко дни.
receivable-paid-subject = { $tenant }: задължението { $title } е платено ({ $amount })
receivable-paid-body = { $tenant } отчете задължението { $title } в размер на { $amount } като платено. Благодарим ви.
receivable-cancelled-subject = { $tenant }: задължението { $title } ({ $amount }) е отменено
receivable-cancelled-body = { $tenant } анулира задължението { $title } в размер на { $amount }. Не е нужно да го плащате; ако вече сте платили, общината ще се свърже с вас.
receivable-discount-subject = { $tenant }: { $percent } % отстъпка за { $title }, { $amount } до { $until }
receivable-discount-body = ако платите { $title } до { $until }, { $tenant } ви прави отстъпка { $percent } %:
receivable-discount-with = Сума с отстъпка
receivable-discount-without = Сума без отстъпка
submission-new-subject = { $tenant }: следим вашата преписка { $reference }
submission-new-intro = { $tenant } регистрира вашата преписка:
submission-new-outro = Ще ви съобщаваме за всяка промяна в състоянието ѝ.
submission-changed-subject = { $tenant }: преписка { $reference } – { $status }
submission-changed-intro = състоянието на вашата преписка се промени:
document-expiry-subject = { $days_left ->
    [0] { $tenant }: днес изтича валидността на документа ({ $kind })
   *[other] { $tenant }: след { $days } изтича валидността на документа ({ $kind })
}
document-expiry-intro = { $days_left ->
    [0] напомняме, че днес изтича валидността на вашия документ:
   *[other] напомняме, че след { $days }, на { $until }, изтича валидността на вашия документ:
}
document-expiry-outro = Можете да подадете заявление за нов документ в общината.
digest-subject = { $tenant }: обобщение на известията ({ $count })
digest-intro = изпращаме обобщение на известията за вас ({ $count }):

## Страници
page-not-found = Няма такава страница
page-not-found-text = Търсената страница не съществува.
login-title = Вход
login-intro = Влезте с вашата електронна идентичност:
login-continue = Продължете към входа
login-redirect-title = Пренасочване към входа
login-too-many = Твърде много опити
login-too-many-text = Моля, опитайте отново след минута.
login-unavailable = Входът в момента не е възможен
login-unavailable-text = Моля, опитайте отново по-късно.
login-not-linked = Не успяхме да ви намерим в регистъра
login-not-linked-text = Влязохте успешно, но общината не ви намери в регистъра на населението. Ако живеете тук, моля, обърнете се към общинската администрация.
login-low-loa = Недостатъчно ниво на осигуреност
login-low-loa-text = Общината изисква вход с по-високо ниво на осигуреност. Моля, използвайте друго средство, например електронна лична карта.
login-failed = Входът не беше успешен
login-failed-error-text = Възникна грешка от наша страна. Моля, опитайте отново по-късно.
login-failed-refused-text = Отговорът на доставчика на идентичност не можа да бъде проверен. Моля, започнете входа отначало.
login-declined = Входът не беше завършен
login-declined-text = Входът беше отказан или доставчикът на идентичност не можа да го завърши. Нищо не е променено. Можете да започнете входа отначало.
request-too-large = Заявката беше твърде голяма
request-too-large-text = Браузърът изпрати повече данни, отколкото съдържа който и да е отговор при вход. Моля, започнете входа отначало.
me-logged-in = Влязохте като:
me-documents = Документи
me-valid-until = валидност до { $date }
logout = Изход от профила
logged-out = Излязохте
logged-out-text = { $tenant }: излязохте от профила си.
logged-out-idp-unverified = Излязохте тук; изходът при доставчика на идентичност не можа да бъде потвърден.
logout-refused = Изходът не е приет
logout-refused-text = Заявката за изход не можа да бъде проверена.
form-expired = Формулярът е изтекъл
form-expired-text = Формулярът не беше изпратен от тази страница. Моля, върнете се и опитайте отново.

## Оформление
language-name = Български
site-name = Известия на общината
product-name = известия
skip-to-content = Към съдържанието
nav-label = Вашият профил
nav-overview = Преглед
nav-settings = Известия
nav-contacts = Контакти
nav-reminders = Моите напомняния
nav-delete = Изтриване на профила
nav-export = Изтегляне на моите данни
language = Език
language-change = Смяна
footer-text = Тази услуга ви известява за вашите задължения, преписки и документи.
back = Назад
save = Запазване
notice-saved = Настройките са запазени.

## Начало и съгласие
landing-intro = { $tenant } може да ви съобщи по имейл или SMS, когато наближава падежът на задължение, когато преписката ви се придвижи и когато изтича валидността на ваш документ.
landing-to-overview = Към прегледа
landing-what-title = За какво можете да бъдете известени
landing-what-receivables = местни данъци и такси: ново задължение, напомняне преди падежа, известие за просрочие и потвърждение за плащане
landing-what-submissions = вашите преписки: всяка промяна в състоянието им
landing-what-documents = лична карта и паспорт: напомняне преди изтичане на валидността
login-post-text = Браузърът ще ви пренасочи към входа.
title-consent = Преди да започнете
consent-intro = { $tenant } може да ви известява за задължения, преписки и документи. Влизате за първи път: моля, прочетете какво прави услугата.
consent-watched-title = Какво се следи
consent-data-title = Какви данни се използват
consent-data-text = Името и идентификаторът от електронната идентичност, за да ви намерим в регистъра на населението; задълженията, преписките и документите, които общината води за вас; имейлът и телефонът, които потвърдите тук. Идентификаторите не се пазят в четим вид: само криптирани или като отпечатък, от който не могат да бъдат възстановени.
consent-leave-title = Как да се откажете
consent-leave-text = Всеки имейл съдържа връзка, която спира известията веднага. В „Изтриване на профила“ можете по всяко време да изтриете всичко, което пазим за вас.
consent-yes = Приемам, продължете
consent-no = Не, благодаря
consent-declined = Нищо не се пази
consent-declined-text = Не дадохте съгласие, затова не пазим нищо за вас. Можете да се върнете по всяко време.

## Преглед
title-overview = Преглед
receivables-title = Данъци и такси
receivables-none = Нямате задължения за плащане тук.
receivable-status = { $code ->
    [open] за плащане
    [partially_paid] частично платено
    [paid] платено
    [overdue] просрочено
    [in_enforcement] в принудително събиране
    [written_off] отписано
    [disputed] оспорено
   *[other] { $code }
}
instalments-title = Вноски
col-instalment = Вноска
instalment-paid = платена
instalment-open = за плащане
how-to-pay = Как да платите
label-payment-reference = Основание за плащане
qr-alt = QR код за плащане на { $amount } от банково приложение
qr-caption-spayd = Сканирайте с банковото си приложение (QR Platba).
qr-caption-epc = Сканирайте с банковото си приложение (EPC QR код за превод SEPA).
qr-caption-ips = Сканирайте с банковото си приложение (NBS IPS QR код).
submissions-title = Вашите преписки
submissions-none = Тук не следим ваши преписки.
history-title = История
documents-none = Регистърът не води документи за вас.
alerts-title = Изпратени известия
alerts-caption = Последните известия, най-новите отгоре
alerts-none = Все още не сме ви изпращали известия.
col-when = Дата
col-what = Какво
col-channel = Как
col-delivery = Доставка
alert-kind = { $kind ->
    [receivable_new] ново задължение
    [receivable_reminder] напомняне за плащане
    [receivable_overdue] просрочено задължение
    [receivable_paid] потвърждение за плащане
    [receivable_cancelled] анулирано задължение
    [receivable_discount_ending] край на отстъпка
    [submission_new] регистрирана преписка
    [submission_status_changed] състояние на преписка
    [document_expiry] изтичане на документ
    [personal_reminder] ваше напомняне
    [contact_verify] потвърждение на контакт
    [digest] дневно обобщение
   *[other] { $kind }
}
alert-state = { $state ->
    [bounced] недоставено, адресът не работи
    [queued] чака изпращане
    [held] чака дневното обобщение
    [digested] в дневното обобщение
    [sending] изпраща се
    [sent] изпратено
    [delivered] доставено
    [failed] още не е доставено, ще опитаме отново
    [dead] не можа да бъде доставено
    [suppressed] не е изпратено
    [expired] не е изпратено навреме
   *[other] { $state }
}
channel = { $channel ->
    [email] Имейл
    [sms] SMS
   *[other] { $channel }
}

## Настройки на известията
title-settings = Известия
settings-topics = За какво и как да ви известяваме
settings-topics-hint = Известията се изпращат само до потвърден контакт (вижте Контакти).
col-topic = Тема
topic = { $topic ->
    [receivables] Данъци и такси
    [submissions] Преписки
    [documents] Документи
    [reminders] Моите напомняния
   *[other] { $topic }
}
settings-delivery = Кога да изпращаме
delivery = { $mode ->
    [immediate] веднага
   *[daily] едно обобщение на ден
}
settings-quiet-hours = Без SMS между
settings-quiet-hours-hint = SMS съобщенията в този период изчакват до края му. Празно: часовете на общината.
settings-language = Език на известията
settings-offsets = Напомняне за плащане толкова дни преди падежа
settings-offsets-hint = Денят на падежа и дните преди него. Нищо не е отметнато: дните на общината ({ $days }).
error-offsets = Отметнете от един до шест дни.
error-quiet-hours = Попълнете начало и край, например 21:00 и 08:00.
error-choice = Изберете една от предложените възможности.

## Контакти
title-contacts = Контакти
contacts-intro = Известията се изпращат само до имейли и телефони, които сте потвърдили.
contacts-caption = Вашите контакти
col-contact = Контакт
col-action = Действие
contact-verified = потвърден
contact-unverified = непотвърден
contact-send-link = Изпращане на връзка за потвърждение
contact-send-code = Изпращане на код по SMS
contact-code = Код от SMS
contact-confirm-code = Потвърждаване
contact-remove = Премахване
contacts-add = Добавяне на контакт
contacts-add-button = Добавяне
contacts-phone-hint = В международен формат, например +359888123456.
error-email = Въведете имейл адрес, например ivan@example.bg.
error-phone = Въведете телефон в международен формат, например +359888123456.
error-contact-empty = Въведете имейл или телефон.
error-code = Кодът е 6 цифри от SMS.
error-code-wrong = Кодът не съвпада. Моля, проверете го и опитайте отново.
error-code-expired = Кодът е изтекъл или е въведен твърде много пъти. Поискайте нов.
notice-contact-added = Контактът е добавен. Потвърдете го, за да получавате известия на него.
notice-link-sent = Изпратихме връзка за потвърждение; валидна е 24 часа.
notice-code-sent = Изпратихме 6-цифрен код по SMS; валиден е 10 минути.
notice-verified = Контактът е потвърден.
notice-removed = Контактът е премахнат.
notice-wait = Моля, изчакайте минута, преди да поискате отново.
verify-email-subject = { $tenant }: потвърдете имейл адреса си
verify-email-body = Моля, потвърдете чрез връзката (валидна 24 часа), че { $tenant } може да изпраща известия на този адрес: { $url }
verify-email-ignore = Ако не сте искали това, не обръщайте внимание на съобщението; нищо няма да ви бъде изпращано.
verify-sms-text = { $tenant }: вашият код за потвърждение е { $code }. Валиден е 10 минути.
notice-locked = За този контакт бяха въведени твърде много грешни кодове. Премахнете го и го добавете отново.
notice-send-limit = Потвържденията за днес са изчерпани. Моля, опитайте утре.
error-contacts-limit = Имате максималния брой контакти. Първо премахнете някой.
error-reminders-limit = Имате максималния брой напомняния. Първо премахнете някое.
verify-confirm = Потвърждаване на имейла
verify-confirm-text = Да се изпращат ли известия на { $address }?
verify-confirm-button = Да, потвърждавам този адрес
verify-ok = Имейлът е потвърден
verify-ok-text = Благодарим ви. { $tenant } вече може да изпраща известия на { $address }.
verify-bad = Връзката не е валидна
verify-bad-text = Връзката е изтекла или вече е използвана. Поискайте нова от страницата Контакти.

## Лични напомняния
title-reminders = Моите напомняния
reminders-intro = Напомняне с ваша бележка, изпратено в деня, който изберете.
reminders-none = Нямате напомняния.
reminders-add = Ново напомняне
reminders-add-button = Добавяне на напомнянето
reminder-date = Дата
reminder-note = Бележка (до 140 знака)
reminder-remove = Премахване
error-date = Въведете дата от утре нататък, до пет години напред.
error-note = Напишете бележка от 1 до 140 знака, без маркировка.
notice-reminder-added = Напомнянето е зададено.
personal-reminder-subject = { $tenant }, { $date }: { $note }
personal-reminder-body = поискахте да ви напомним днес:

## Изтегляне и изтриване
title-delete = Изтриване на профила
delete-text = Изтриването премахва вашите контакти, настройки, напомняния и връзката с регистъра и спира всички известия веднага. Собствените регистри на общината не се засягат.
delete-confirm = Искам да изтрия профила си
delete-button = Изтриване на профила ми
error-confirm = Отметнете полето за потвърждение.
deleted = Профилът е изтрит
deleted-text = { $tenant }: всичко, което пазехме за вас, е изтрито и повече известия няма да получавате.

## Отписване
unsubscribe-title = Спиране на известията по имейл
unsubscribe-text = { $topic ->
    [receivables] След потвърждение { $tenant } спира да изпраща имейли за задължения на { $addresses }.
    [submissions] След потвърждение { $tenant } спира да изпраща имейли за вашите преписки на { $addresses }.
    [documents] След потвърждение { $tenant } спира да изпраща имейли за вашите документи на { $addresses }.
    [reminders] След потвърждение { $tenant } спира да изпраща вашите напомняния на { $addresses }.
   *[other] След потвърждение { $tenant } спира да изпраща всякакви известия по имейл на { $addresses }.
}
unsubscribe-button = { $topic ->
    [all] Спиране на всички известия
   *[other] Спиране на тези известия
}
unsubscribe-done = Известията са спрени
unsubscribe-done-text = { $topic ->
    [receivables] { $tenant } вече няма да изпраща имейли за задължения на { $addresses }.
    [submissions] { $tenant } вече няма да изпраща имейли за преписки на { $addresses }.
    [documents] { $tenant } вече няма да изпраща имейли за документи на { $addresses }.
    [reminders] { $tenant } вече няма да изпраща вашите напомняния на { $addresses }.
   *[other] { $tenant } вече няма да изпраща никакви известия на { $addresses }.
}
unsubscribe-bad = Връзката не е валидна
unsubscribe-bad-text = Връзката е повредена или е за друг адрес.
try-later = Моля, опитайте отново по-късно
try-later-text = Възникна грешка от наша страна.

## Профил, обобщение на прегледа и връзки в известията
error-title-prefix = Грешка:
error-summary-title = Нещо трябва да се поправи
menu = Меню
nav-account = Вашият профил
title-account = Вашият профил
account-intro = { $tenant }: какво пазим за вас и как да изтриете профила си.
account-export-title = Вашите данни
account-export-text = Изтеглете всичко, което пазим за вас, като файл JSON.
account-delete-title = Изтриване на профила
account-delete-text = Изтрива контактите, настройките и напомнянията и спира всички известия.
delete-keep = Не, запазете профила ми
summary-title = Какво дължите
summary-fees = Задължения за плащане
summary-total = Общо
summary-nearest = Най-близък падеж
summary-overdue = Просрочени
summary-overdue-count = { $count ->
    [one] 1 задължение
   *[other] { $count } задължения
}
summary-nothing = Нямате нищо за плащане.
label-payment-model = Модел
qr-save = Запазване на QR кода като изображение
settings-quiet-from = От
settings-quiet-to = До
offset-days = { $days ->
    [0] в деня на падежа
    [one] 1 ден преди това
   *[other] { $days } дни преди това
}
to-overview = Към прегледа
to-settings = Настройка на известията
to-start = Към началната страница
login-again = Влезте отново
unsubscribe-undo = Отмяна
unsubscribe-change = Променете какво получавате
unsubscribe-undone = Известията са възстановени
unsubscribe-undone-text = { $tenant } ще ви изпраща известия както преди.
alert-footer-contact = Връзка с общината: { $contact }
alert-footer-overview = Вашият преглед
alert-footer-change = Променете какво получавате
alert-footer-stop-topic = { $topic ->
    [receivables] Спиране на имейлите за задължения
    [submissions] Спиране на имейлите за преписки
    [documents] Спиране на имейлите за документи
   *[other] Спиране на имейлите с напомняния
}

## Календар
label-beneficiary = Получател
calendar-title = Календар
calendar-intro = Падежите на задълженията, изтичането на документите и вашите напомняния във вашия календар (в телефона или компютъра), с известия в избраните от вас дни.
calendar-make = Създаване на връзка към календара
calendar-url = Адрес на календара
calendar-hint = Добавете го в календара си като абонамент за календар от интернет. Той е само ваш: не го споделяйте. След отмяна спира да работи.
calendar-revoke = Отмяна на връзката към календара
notice-calendar-made = Връзката към календара е създадена.
notice-calendar-revoked = Връзката към календара е отменена и вече не работи.
calendar-name = { $tenant } – известия
calendar-fee = Плащане: { $title }, { $amount }
calendar-instalment = Плащане: { $title }, вноска { $no }, { $amount }
calendar-document = Изтича валидността: { $kind }
calendar-reminder = Напомняне: { $note }
welcome-subject = { $tenant }: добре дошли
welcome-body = { $tenant } вече ще ви известява по имейл за нови задължения и техните падежи, за промени по вашите преписки и за изтичащи документи. Какво получавате, можете да промените в прегледа си.
welcome-calendar = Можете да добавите падежите и сроковете в своя календар: създайте връзка към календара в прегледа си.
contact-undeliverable = недоставим
contact-undeliverable-text = Имейлите до този адрес се връщат като недоставени, затова сега не го използваме. Изпратете си нова връзка за потвърждение, когато адресът заработи, или добавете друг.
overview-undeliverable = Имейлите до { $address } се връщат като недоставени; сега не изпращаме известия до него.
overview-undeliverable-fix = Поправете в контактите
sms-undeliverable = { $tenant }: имейлите до вашия адрес се връщат недоставени, затова спряхме да ги изпращаме. Поправете го в прегледа си
