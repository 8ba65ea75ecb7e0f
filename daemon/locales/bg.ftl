## Думите на hlidac на български. Всеки език има всяко съобщение (проверява го тест).
## Сумите и датите идват форматирани; $n, $days_left и $count са числа.

## Общи части на известията
watchdog = известията на { $tenant }
days = { $n ->
    [one] { $n } ден
   *[other] { $n } дни
}
alert-hello = Здравейте,
alert-footer-reason = { $tenant } – известия. Получавате това съобщение, защото сте включили известията.
alert-footer-digest = { $tenant } – известия. Получавате обобщение веднъж дневно, защото сте го избрали.
alert-footer-stop = Спиране на всички известия: { $url }
label-amount = Сума
label-amount-to-pay = Сума за плащане
label-due-date = Падеж
label-account = Сметка
label-iban = IBAN
label-variable-symbol = Основание за плащане
label-reference = Входящ номер
label-status = Състояние
label-new-status = Ново състояние
label-previous-status = Предишно състояние
label-handled-by = Отговорен служител
label-deadline = Срок
label-valid-until = Валиден до
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
receivable-new-subject = { $tenant }: ново задължение { $title }, падеж { $due }
receivable-new-intro = { $tenant } отчете ново задължение за плащане:
receivable-new-outro = Ще ви напомним преди падежа.
receivable-reminder-subject = { $days_left ->
    [0] { $tenant }: днес е падежът на { $title }
   *[other] { $tenant }: след { $days } е падежът на { $title }
}
receivable-reminder-intro = { $days_left ->
    [0] напомняме, че днес е падежът на това задължение:
   *[other] напомняме, че след { $days }, на { $due }, е падежът на това задължение:
}
receivable-reminder-outro = Ако вече сте платили, моля, не обръщайте внимание на това съобщение.
receivable-overdue-subject = { $tenant }: задължението { $title } е просрочено
receivable-overdue-body = задължението { $title } в размер на { $amount } беше с падеж { $due } и { $tenant } все още не го отчита като платено.
receivable-overdue-outro = Моля, платете го възможно най-скоро. Вече направено плащане може да се отрази след няколко дни.
receivable-paid-subject = { $tenant }: задължението { $title } е платено
receivable-paid-body = { $tenant } отчете задължението { $title } в размер на { $amount } като платено. Благодарим ви.
receivable-discount-subject = { $tenant }: отстъпка { $percent } % за { $title } до { $until }
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
me-logged-in = Влязохте като:
me-documents = Документи
me-valid-until = валиден до { $date }
logout = Изход
logged-out = Излязохте
logged-out-text = Излязохте от профила си.
logged-out-idp-unverified = Излязохте тук; изходът при доставчика на идентичност не можа да бъде потвърден.
logout-refused = Изходът не е приет
logout-refused-text = Заявката за изход не можа да бъде проверена.
form-expired = Формулярът е изтекъл
form-expired-text = Формулярът не беше изпратен от тази страница. Моля, върнете се и опитайте отново.
