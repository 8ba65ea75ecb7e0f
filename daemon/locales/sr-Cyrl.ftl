## Речи hlidac-а на српском (ћирилица). Сваки језик има сваку поруку (проверава тест).
## Износи и датуми стижу форматирани; $n, $days_left и $count су бројеви.

## Заједнички делови обавештења
days = { $n ->
    [one] { $n } дан
    [few] { $n } дана
   *[other] { $n } дана
}
alert-hello = Поштовани,
alert-footer-reason = { $tenant } – обавештења. Ову поруку добијате јер сте укључили обавештења.
alert-footer-digest = { $tenant } – обавештења. Преглед добијате једном дневно јер сте га изабрали.
alert-footer-stop = Искључите сва обавештења
label-amount = Износ
label-amount-to-pay = Износ за уплату
label-due-date = Рок плаћања
label-account = Рачун
label-iban = IBAN
label-bic = BIC
label-constant-symbol = Константни симбол
label-specific-symbol = Специфични симбол
label-payment-code = Шифра плаћања
label-variable-symbol = Позив на број
label-filing-number = Заводни број
label-case-number = Број предмета
label-registration-index = Регистрациони индекс
label-status = Статус
label-new-status = Нови статус
label-previous-status = Претходни статус
label-handled-by = Обрађивач
label-deadline = Рок
label-valid-until = Важи до
label-number = бр. { $number }
document-kind = { $kind ->
    [id_card] лична карта
    [passport] пасош
    [driving_licence] возачка дозвола
   *[other] документ
}
document-kind-title = { $kind ->
    [id_card] Лична карта
    [passport] Пасош
    [driving_licence] Возачка дозвола
   *[other] Документ
}
status = { $code ->
    [received] примљено
    [assigned] додељено обрађивачу
    [in_progress] у обради
    [waiting_for_citizen] чека ваш одговор
    [forwarded] прослеђено надлежном органу
    [resolved] решено
    [closed] затворено
    [cancelled] обустављено
    [reopened] поново отворено
   *[other] { $code }
}

## Обавештења по врсти
receivable-new-subject = { $tenant }: ново задужење – { $title }, { $amount } до { $due }
receivable-new-intro = { $tenant } је евидентирао ново задужење које треба да платите:
receivable-new-outro = Подсетићемо вас пре рока плаћања.
receivable-reminder-subject = { $days_left ->
    [0] { $tenant }: данас истиче рок за { $title }, { $amount }
   *[other] { $tenant }: { $title }, { $amount } доспева { $due } (за { $days })
}
receivable-reminder-intro = { $days_left ->
    [0] подсећамо вас да данас доспева ово задужење:
   *[other] подсећамо вас да за { $days }, { $due }, доспева ово задужење:
}
receivable-reminder-outro = Ако сте већ платили, занемарите ову поруку.
receivable-overdue-subject = { $tenant }: { $title }, { $amount } – у доцњи од { $due }
receivable-overdue-body = задужење { $title } у износу од { $amount } доспело је { $due }, а { $tenant } га још не води као плаћено.
receivable-overdue-outro = Молимо вас да га платите што пре. Уплата коју сте већ извршили може бити видљива тек за неколико дана.
receivable-paid-subject = { $tenant }: задужење { $title } је плаћено ({ $amount })
receivable-paid-body = { $tenant } је евидентирао уплату за { $title } у износу од { $amount }. Хвала вам.
receivable-cancelled-subject = { $tenant }: задужење { $title } ({ $amount }) је поништено
receivable-cancelled-body = { $tenant } је поништио задужење { $title } у износу од { $amount }. Не морате га плаћати; ако сте већ платили, општина ће вас контактирати.
receivable-discount-subject = { $tenant }: попуст { $percent } % на { $title }, { $amount } до { $until }
receivable-discount-body = ако платите { $title } до { $until }, { $tenant } вам даје попуст од { $percent } %:
receivable-discount-with = Износ са попустом
receivable-discount-without = Износ без попуста
submission-new-subject = { $tenant }: пратимо ваш предмет { $reference }
submission-new-intro = { $tenant } је евидентирао ваш поднесак:
submission-new-outro = Обавестићемо вас о свакој промени његовог статуса.
submission-changed-subject = { $tenant }: предмет { $reference } – { $status }
submission-changed-intro = статус вашег предмета се променио:
document-expiry-subject = { $days_left ->
    [0] { $tenant }: данас истиче важење документа ({ $kind })
   *[other] { $tenant }: за { $days } истиче важење документа ({ $kind })
}
document-expiry-intro = { $days_left ->
    [0] подсећамо вас да данас истиче важење вашег документа:
   *[other] подсећамо вас да за { $days }, { $until }, истиче важење вашег документа:
}
document-expiry-outro = Захтев за нови документ можете поднети у општини.
digest-subject = { $tenant }: преглед обавештења ({ $count })
digest-intro = шаљемо вам преглед обавештења ({ $count }):

## Странице
page-not-found = Није пронађено
page-not-found-text = Таква страница не постоји.
login-title = Пријава
login-intro = Пријавите се својим електронским идентитетом:
login-continue = Наставите на пријаву
login-redirect-title = Преусмеравање на пријаву
login-too-many = Превише покушаја
login-too-many-text = Покушајте поново за минут.
login-unavailable = Пријава тренутно није могућа
login-unavailable-text = Покушајте поново касније.
login-not-linked = Нисмо вас пронашли у регистру
login-not-linked-text = Пријавили сте се, али вас општина није пронашла у регистру становништва. Ако овде имате пребивалиште, обратите се општинској управи.
login-low-loa = Недовољан ниво поузданости
login-low-loa-text = Општина захтева пријаву са вишим нивоом поузданости. Користите друго средство, на пример личну карту са чипом.
login-failed = Пријава није успела
login-failed-error-text = Дошло је до грешке на нашој страни. Покушајте поново касније.
login-failed-refused-text = Одговор пружаоца идентитета није могао бити проверен. Започните пријаву поново.
login-declined = Пријава није завршена
login-declined-text = Пријава је отказана или је пружалац идентитета није могао завршити. Ништа није промењено. Пријаву можете започети поново.
request-too-large = Захтев је био превелик
request-too-large-text = Прегледач је послао више података него што има било који одговор пријаве. Започните пријаву поново.
me-logged-in = Пријављени сте као:
me-documents = Документи
me-valid-until = важи до { $date }
logout = Одјава са налога
logged-out = Одјављени сте
logged-out-text = { $tenant }: одјавили сте се са налога.
logged-out-idp-unverified = Овде сте одјављени; одјава код пружаоца идентитета није могла бити потврђена.
logout-refused = Одјава није прихваћена
logout-refused-text = Захтев за одјаву није могао бити проверен.
form-expired = Образац је истекао
form-expired-text = Образац није послат са ове странице. Вратите се и покушајте поново.

## Изглед
language-name = Српски (ћирилица)
site-name = Обавештења општине
product-name = обавештења
skip-to-content = Пређи на садржај
nav-label = Ваш налог
nav-overview = Преглед
nav-settings = Обавештења
nav-contacts = Контакти
nav-reminders = Моји подсетници
nav-delete = Брисање налога
nav-export = Преузмите своје податке
language = Језик
language-change = Промени
footer-text = Ова услуга вас обавештава о вашим задужењима, предметима и документима.
back = Назад
save = Сачувај
notice-saved = Подешавања су сачувана.

## Почетна и сагласност
landing-intro = { $tenant } може да вас обавести имејлом или SMS-ом када доспева задужење, када се ваш предмет помери и када истиче важење вашег документа.
landing-to-overview = Идите на преглед
landing-what-title = О чему можете бити обавештени
landing-what-receivables = локалне таксе и порези: ново задужење, подсетник пре рока, обавештење о доцњи и потврда уплате
landing-what-submissions = ваши предмети: свака промена њиховог статуса
landing-what-documents = лична карта и пасош: подсетник пре истека важења
login-post-text = Прегледач ће вас сада одвести на пријаву.
title-consent = Пре него што почнете
consent-intro = { $tenant } може да вас обавештава о задужењима, предметима и документима. Први пут се пријављујете: прочитајте шта услуга ради.
consent-watched-title = Шта се прати
consent-data-title = Који се подаци користе
consent-data-text = Име и идентификатор из електронског идентитета, да бисмо вас пронашли у регистру становништва; задужења, предмети и документи које општина води о вама; имејл и телефон које овде потврдите. Идентификаторе не чувамо у читљивом облику: само шифроване или као отисак из ког се не могу открити.
consent-leave-title = Како да одустанете
consent-leave-text = Сваки имејл садржи везу која одмах зауставља обавештења. У делу „Брисање налога“ можете у сваком тренутку обрисати све што чувамо о вама.
consent-yes = Слажем се, наставите
consent-no = Не, хвала
consent-declined = Ништа се не чува
consent-declined-text = Нисте дали сагласност, па о вама ништа не чувамо. Можете се вратити у било ком тренутку.

## Преглед
title-overview = Преглед
receivables-title = Таксе и порези
receivables-none = Овде немате задужења за плаћање.
receivable-status = { $code ->
    [open] за плаћање
    [partially_paid] делимично плаћено
    [paid] плаћено
    [overdue] у доцњи
    [in_enforcement] у принудној наплати
    [written_off] отписано
    [disputed] спорно
   *[other] { $code }
}
instalments-title = Рате
col-instalment = Рата
instalment-paid = плаћена
instalment-open = за плаћање
how-to-pay = Како да платите
label-payment-reference = Позив на број
qr-alt = QR код за плаћање износа { $amount } из банкарске апликације
qr-caption-spayd = Скенирајте банкарском апликацијом (QR Platba).
qr-caption-epc = Скенирајте банкарском апликацијом (EPC QR код за SEPA пренос).
qr-caption-ips = Скенирајте банкарском апликацијом (NBS IPS QR код).
submissions-title = Ваши предмети
submissions-none = Овде не пратимо ниједан ваш предмет.
history-title = Историја
documents-none = Регистар не води ниједан ваш документ.
alerts-title = Послата обавештења
alerts-caption = Последња обавештења, најновија на врху
alerts-none = Још вам нисмо послали ниједно обавештење.
col-when = Датум
col-what = Шта
col-channel = Како
col-delivery = Испорука
alert-kind = { $kind ->
    [receivable_new] ново задужење
    [receivable_reminder] подсетник за плаћање
    [receivable_overdue] задужење у доцњи
    [receivable_paid] потврда уплате
    [receivable_cancelled] поништено задужење
    [receivable_discount_ending] крај попуста
    [submission_new] евидентиран предмет
    [submission_status_changed] статус предмета
    [document_expiry] истек документа
    [personal_reminder] ваш подсетник
    [contact_verify] потврда контакта
    [digest] дневни преглед
   *[other] { $kind }
}
alert-state = { $state ->
    [bounced] није испоручено, адреса не ради
    [queued] чека слање
    [held] чека дневни преглед
    [digested] у дневном прегледу
    [sending] шаље се
    [sent] послато
    [delivered] испоручено
    [failed] још није испоручено, покушаћемо поново
    [dead] није могло бити испоручено
    [suppressed] није послато
    [expired] није послато на време
   *[other] { $state }
}
channel = { $channel ->
    [email] Имејл
    [sms] SMS
   *[other] { $channel }
}

## Подешавања обавештења
title-settings = Обавештења
settings-topics = О чему и како да вас обавештавамо
settings-topics-hint = Обавештења иду само на потврђен контакт (видите Контакти).
col-topic = Тема
topic = { $topic ->
    [receivables] Таксе и порези
    [submissions] Предмети
    [documents] Документи
    [reminders] Моји подсетници
   *[other] { $topic }
}
settings-delivery = Када да шаљемо
delivery = { $mode ->
    [immediate] одмах
   *[daily] један преглед дневно
}
settings-quiet-hours = Без SMS-а између
settings-quiet-hours-hint = SMS поруке у том периоду чекају његов крај. Празно: време општине.
settings-language = Језик обавештења
settings-offsets = Подсети ме на плаћање толико дана пре рока
settings-offsets-hint = Дан рока и дани пре њега. Ништа означено: дани општине ({ $days }).
error-offsets = Означите од једног до шест дана.
error-quiet-hours = Унесите почетак и крај, на пример 21:00 и 08:00.
error-choice = Изаберите једну од понуђених могућности.

## Контакти
title-contacts = Контакти
contacts-intro = Обавештења шаљемо само на имејлове и телефоне које сте потврдили.
contacts-caption = Ваши контакти
col-contact = Контакт
col-action = Радња
contact-verified = потврђен
contact-unverified = није потврђен
contact-send-link = Пошаљи везу за потврду
contact-send-code = Пошаљи код SMS-ом
contact-code = Код из SMS-а
contact-confirm-code = Потврди
contact-remove = Уклони
contacts-add = Додајте контакт
contacts-add-button = Додај
contacts-phone-hint = У међународном облику, на пример +381641234567.
error-email = Унесите имејл адресу, на пример petar@example.rs.
error-phone = Унесите телефон у међународном облику, на пример +381641234567.
error-contact-empty = Унесите имејл или телефон.
error-code = Код има 6 цифара из SMS-а.
error-code-wrong = Код се не поклапа. Проверите га и покушајте поново.
error-code-expired = Код је истекао или је унет превише пута. Затражите нови.
notice-contact-added = Контакт је додат. Потврдите га да бисте на њега добијали обавештења.
notice-link-sent = Послали смо везу за потврду; важи 24 сата.
notice-code-sent = Послали смо шестоцифрени код SMS-ом; важи 10 минута.
notice-verified = Контакт је потврђен.
notice-removed = Контакт је уклоњен.
notice-wait = Сачекајте минут пре него што поново затражите.
verify-email-subject = { $tenant }: потврдите своју имејл адресу
verify-email-body = Потврдите отварањем везе (важи 24 сата) да { $tenant } може да шаље обавештења на ову адресу: { $url }
verify-email-ignore = Ако ово нисте тражили, занемарите поруку; ништа вам нећемо слати.
verify-sms-text = { $tenant }: ваш код за потврду је { $code }. Важи 10 минута.
notice-locked = За овај контакт унето је превише погрешних кодова. Уклоните га и додајте поново.
notice-send-limit = Данашње потврде су искоришћене. Покушајте сутра.
error-contacts-limit = Имате највећи дозвољени број контаката. Прво уклоните неки.
error-reminders-limit = Имате највећи дозвољени број подсетника. Прво уклоните неки.
verify-confirm = Потврда имејла
verify-confirm-text = Да ли да се обавештења шаљу на { $address }?
verify-confirm-button = Да, потврди ову адресу
verify-ok = Имејл је потврђен
verify-ok-text = Хвала. { $tenant } сада може да шаље обавештења на { $address }.
verify-bad = Веза не важи
verify-bad-text = Веза је истекла или је већ искоришћена. Затражите нову на страници Контакти.

## Лични подсетници
title-reminders = Моји подсетници
reminders-intro = Подсетник са вашом белешком, послат на дан који изаберете.
reminders-none = Немате подсетнике.
reminders-add = Нови подсетник
reminders-add-button = Додај подсетник
reminder-date = Датум
reminder-note = Белешка (највише 140 знакова)
reminder-remove = Уклони
error-date = Унесите датум од сутра, највише пет година унапред.
error-note = Напишите белешку од 1 до 140 знакова, без ознака.
notice-reminder-added = Подсетник је постављен.
personal-reminder-subject = { $tenant }, { $date }: { $note }
personal-reminder-body = тражили сте да вас данас подсетимо:

## Преузимање и брисање
title-delete = Брисање налога
delete-text = Брисањем уклањате своје контакте, подешавања, подсетнике и везу са регистром, а сва обавештења се одмах заустављају. Сопствене евиденције општине нису обухваћене.
delete-confirm = Желим да обришем свој налог
delete-button = Обриши мој налог
error-confirm = Означите поље за потврду.
deleted = Налог је обрисан
deleted-text = { $tenant }: све што смо чували о вама је обрисано и више нећете добијати обавештења.

## Одјава са обавештења
unsubscribe-title = Искључите обавештења имејлом
unsubscribe-text = { $topic ->
    [receivables] Када потврдите, { $tenant } престаје да шаље имејлове о задужењима на { $addresses }.
    [submissions] Када потврдите, { $tenant } престаје да шаље имејлове о вашим предметима на { $addresses }.
    [documents] Када потврдите, { $tenant } престаје да шаље имејлове о вашим документима на { $addresses }.
    [reminders] Када потврдите, { $tenant } престаје да шаље ваше подсетнике на { $addresses }.
   *[other] Када потврдите, { $tenant } престаје да шаље сва обавештења имејлом на { $addresses }.
}
unsubscribe-button = { $topic ->
    [all] Искључите сва обавештења
   *[other] Искључите ова обавештења
}
unsubscribe-done = Обавештења су искључена
unsubscribe-done-text = { $topic ->
    [receivables] { $tenant } више неће слати имејлове о задужењима на { $addresses }.
    [submissions] { $tenant } више неће слати имејлове о предметима на { $addresses }.
    [documents] { $tenant } више неће слати имејлове о документима на { $addresses }.
    [reminders] { $tenant } више неће слати ваше подсетнике на { $addresses }.
   *[other] { $tenant } више неће слати никаква обавештења на { $addresses }.
}
unsubscribe-bad = Веза не важи
unsubscribe-bad-text = Веза је оштећена или припада другој адреси.
try-later = Покушајте поново касније
try-later-text = Дошло је до грешке на нашој страни.

## Налог, сажетак прегледа и везе у обавештењима
error-title-prefix = Грешка:
error-summary-title = Нешто треба исправити
menu = Мени
nav-account = Ваш налог
title-account = Ваш налог
account-intro = { $tenant }: шта чувамо о вама и како да обришете налог.
account-export-title = Ваши подаци
account-export-text = Преузмите све што чувамо о вама као JSON датотеку.
account-delete-title = Брисање налога
account-delete-text = Брише контакте, подешавања и подсетнике и искључује сва обавештења.
delete-keep = Не, задржите налог
summary-title = Шта треба да платите
summary-fees = Задужења за плаћање
summary-total = Укупно
summary-nearest = Најближи рок
summary-overdue = У доцњи
summary-overdue-count = { $count ->
    [one] { $count } задужење
    [few] { $count } задужења
   *[other] { $count } задужења
}
summary-nothing = Немате ништа за плаћање.
label-payment-model = Модел
qr-save = Сачувајте QR код као слику
settings-quiet-from = Од
settings-quiet-to = До
offset-days = { $days ->
    [0] на дан рока
    [one] { $days } дан раније
    [few] { $days } дана раније
   *[other] { $days } дана раније
}
to-overview = Идите на преглед
to-settings = Подесите обавештења
to-start = На почетну страну
login-again = Пријавите се поново
unsubscribe-undo = Поништите
unsubscribe-change = Промените шта добијате
unsubscribe-undone = Обавештења су враћена
unsubscribe-undone-text = { $tenant } ће вам слати обавештења као раније.
alert-footer-contact = Контакт општине: { $contact }
alert-footer-overview = Ваш преглед
alert-footer-change = Промените шта добијате
alert-footer-stop-topic = { $topic ->
    [receivables] Искључите имејлове о задужењима
    [submissions] Искључите имејлове о предметима
    [documents] Искључите имејлове о документима
   *[other] Искључите имејлове са подсетницима
}

## Календар
label-beneficiary = Прималац
calendar-title = Календар
calendar-intro = Рокови задужења, истек докумената и ваши подсетници у вашем календару (на телефону или рачунару), са обавештењем у данима које сте изабрали.
calendar-make = Направите везу ка календару
calendar-url = Адреса календара
calendar-hint = Додајте је у календар као претплату на календар са интернета. Само је ваша: не делите је. Када је поништите, престаје да ради.
calendar-revoke = Поништите везу ка календару
notice-calendar-made = Веза ка календару је направљена.
notice-calendar-revoked = Веза ка календару је поништена и више не ради.
calendar-name = { $tenant } – обавештења
calendar-fee = Платити: { $title }, { $amount }
calendar-instalment = Платити: { $title }, рата { $no }, { $amount }
calendar-document = Истиче: { $kind }
calendar-reminder = Подсетник: { $note }
welcome-subject = { $tenant }: добро дошли
welcome-body = { $tenant } ће вас од сада имејлом обавештавати о новим задужењима и њиховим роковима, о променама ваших предмета и о документима којима истиче рок. Шта добијате, можете да промените на свом прегледу.
welcome-calendar = Рокове можете да додате у свој календар: везу ка календару направите на прегледу.
contact-undeliverable = недостављиво
contact-undeliverable-text = Имејлови на ову адресу се враћају као неиспоручени, зато је сада не користимо. Пошаљите себи нову везу за потврду када адреса проради, или додајте другу.
overview-undeliverable = Имејлови на { $address } се враћају као неиспоручени; сада не шаљемо обавештења на њу.
overview-undeliverable-fix = Исправите у контактима
sms-undeliverable = { $tenant }: имејлови на вашу адресу се враћају неиспоручени, па смо престали да их шаљемо. Исправите је у прегледу
