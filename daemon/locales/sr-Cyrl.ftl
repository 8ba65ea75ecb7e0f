## Речи hlidac-а на српском (ћирилица). Сваки језик има сваку поруку (проверава тест).
## Износи и датуми стижу форматирани; $n, $days_left и $count су бројеви.

## Заједнички делови обавештења
watchdog = обавештења: { $tenant }
days = { $n ->
    [one] { $n } дан
    [few] { $n } дана
   *[other] { $n } дана
}
alert-hello = Поштовани,
alert-footer-reason = { $tenant } – обавештења. Ову поруку добијате јер сте укључили обавештења.
alert-footer-digest = { $tenant } – обавештења. Преглед добијате једном дневно јер сте га изабрали.
alert-footer-stop = Искључите сва обавештења: { $url }
label-amount = Износ
label-amount-to-pay = Износ за уплату
label-due-date = Рок плаћања
label-account = Рачун
label-iban = IBAN
label-variable-symbol = Позив на број
label-reference = Број предмета
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
receivable-new-subject = { $tenant }: ново задужење { $title }, рок { $due }
receivable-new-intro = { $tenant } је евидентирао ново задужење које треба да платите:
receivable-new-outro = Подсетићемо вас пре рока плаћања.
receivable-reminder-subject = { $days_left ->
    [0] { $tenant }: данас доспева { $title }
   *[other] { $tenant }: за { $days } доспева { $title }
}
receivable-reminder-intro = { $days_left ->
    [0] подсећамо вас да данас доспева ово задужење:
   *[other] подсећамо вас да за { $days }, { $due }, доспева ово задужење:
}
receivable-reminder-outro = Ако сте већ платили, занемарите ову поруку.
receivable-overdue-subject = { $tenant }: задужење { $title } није плаћено у року
receivable-overdue-body = задужење { $title } у износу од { $amount } доспело је { $due }, а { $tenant } га још не води као плаћено.
receivable-overdue-outro = Молимо вас да га платите што пре. Уплата коју сте већ извршили може бити видљива тек за неколико дана.
receivable-paid-subject = { $tenant }: задужење { $title } је плаћено
receivable-paid-body = { $tenant } је евидентирао уплату за { $title } у износу од { $amount }. Хвала вам.
receivable-discount-subject = { $tenant }: попуст { $percent } % за { $title } до { $until }
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
me-logged-in = Пријављени сте као:
me-documents = Документи
me-valid-until = важи до { $date }
logout = Одјава
logged-out = Одјављени сте
logged-out-text = Успешно сте се одјавили.
logged-out-idp-unverified = Овде сте одјављени; одјава код пружаоца идентитета није могла бити потврђена.
logout-refused = Одјава није прихваћена
logout-refused-text = Захтев за одјаву није могао бити проверен.
form-expired = Образац је истекао
form-expired-text = Образац није послат са ове странице. Вратите се и покушајте поново.
