## Slová hliadača po slovensky. Každý jazyk má každú správu (kontroluje to test).
## Sumy a dátumy prichádzajú naformátované; $n, $days_left a $count sú čísla.

## Spoločné časti upozornení
days = { $n ->
    [one] { $n } deň
    [few] { $n } dni
   *[other] { $n } dní
}
alert-hello = Dobrý deň,
alert-footer-reason = { $tenant } – hliadač. Túto správu dostávate, pretože ste si upozornenia zapli.
alert-footer-digest = { $tenant } – hliadač. Súhrn dostávate raz denne, pretože ste si ho zvolili.
alert-footer-stop = Odhlásiť všetky upozornenia: { $url }
label-amount = Suma
label-amount-to-pay = Suma na úhradu
label-due-date = Splatnosť
label-account = Číslo účtu
label-iban = IBAN
label-bic = BIC
label-constant-symbol = Konštantný symbol
label-specific-symbol = Špecifický symbol
label-payment-code = Kód platby
label-variable-symbol = Variabilný symbol
label-filing-number = Registratúrne číslo
label-case-number = Číslo spisu
label-registration-index = Registračný index
label-status = Stav
label-new-status = Nový stav
label-previous-status = Predchádzajúci stav
label-handled-by = Vybavuje
label-deadline = Lehota
label-valid-until = Platnosť do
label-number = č. { $number }
document-kind = { $kind ->
    [id_card] občiansky preukaz
    [passport] cestovný pas
    [driving_licence] vodičský preukaz
   *[other] doklad
}
document-kind-title = { $kind ->
    [id_card] Občiansky preukaz
    [passport] Cestovný pas
    [driving_licence] Vodičský preukaz
   *[other] Doklad
}
status = { $code ->
    [received] prijaté
    [assigned] pridelené spracovateľovi
    [in_progress] vo vybavovaní
    [waiting_for_citizen] čaká na vás
    [forwarded] postúpené príslušnému úradu
    [resolved] vybavené
    [closed] uzavreté
    [cancelled] zrušené
    [reopened] znovu otvorené
   *[other] { $code }
}

## Upozornenia podľa druhu
receivable-new-subject = { $tenant }: nová platba { $title }, splatnosť { $due }
receivable-new-intro = { $tenant } eviduje novú platbu, ktorú máte uhradiť:
receivable-new-outro = Pred splatnosťou vám ju pripomenieme.
receivable-reminder-subject = { $days_left ->
    [0] { $tenant }: dnes je splatná platba { $title }
   *[other] { $tenant }: o { $days } je splatná platba { $title }
}
receivable-reminder-intro = { $days_left ->
    [0] pripomíname, že dnes je splatná platba:
   *[other] pripomíname, že o { $days }, { $due }, je splatná platba:
}
receivable-reminder-outro = Ak ste už zaplatili, správu prosím považujte za bezpredmetnú.
receivable-overdue-subject = { $tenant }: platba { $title } je po splatnosti
receivable-overdue-body = platba { $title } vo výške { $amount } bola splatná { $due } a { $tenant } ju zatiaľ neeviduje ako uhradenú.
receivable-overdue-outro = Uhraďte ju prosím čo najskôr. Platba, ktorú ste už odoslali, sa môže prejaviť až o niekoľko dní.
receivable-paid-subject = { $tenant }: platba { $title } je uhradená
receivable-paid-body = { $tenant } eviduje platbu { $title } vo výške { $amount } ako uhradenú. Ďakujeme.
receivable-cancelled-subject = { $tenant }: poplatok { $title } bol zrušený
receivable-cancelled-body = { $tenant } zrušil(a) poplatok { $title } vo výške { $amount }. Nič neplaťte; ak ste už zaplatili, obec sa vám ozve.
receivable-discount-subject = { $tenant }: zľava { $percent } % na { $title } platí do { $until }
receivable-discount-body = keď zaplatíte platbu { $title } do { $until }, { $tenant } vám poskytne zľavu { $percent } %:
receivable-discount-with = Suma so zľavou
receivable-discount-without = Suma bez zľavy
submission-new-subject = { $tenant }: sledujeme vaše podanie { $reference }
submission-new-intro = { $tenant } eviduje vaše podanie:
submission-new-outro = O každej zmene jeho stavu vám dáme vedieť.
submission-changed-subject = { $tenant }: podanie { $reference } – { $status }
submission-changed-intro = stav vášho podania sa zmenil:
document-expiry-subject = { $days_left ->
    [0] { $tenant }: dnes končí platnosť dokladu ({ $kind })
   *[other] { $tenant }: o { $days } končí platnosť dokladu ({ $kind })
}
document-expiry-intro = { $days_left ->
    [0] pripomíname, že dnes končí platnosť vášho dokladu:
   *[other] pripomíname, že o { $days }, { $until }, končí platnosť vášho dokladu:
}
document-expiry-outro = O nový doklad môžete požiadať na obecnom úrade.
digest-subject = { $tenant }: súhrn upozornení ({ $count })
digest-intro = posielame súhrn upozornení, ktoré pre vás máme ({ $count }):

## Stránky
page-not-found = Nenájdené
page-not-found-text = Taká stránka neexistuje.
login-title = Prihlásenie
login-intro = Prihláste sa svojou elektronickou identitou:
login-continue = Pokračovať na prihlásenie
login-redirect-title = Presmerovanie na prihlásenie
login-too-many = Príliš veľa pokusov
login-too-many-text = Skúste to prosím o minútu znova.
login-unavailable = Prihlásenie teraz nie je možné
login-unavailable-text = Skúste to prosím neskôr.
login-not-linked = Nepodarilo sa vás stotožniť
login-not-linked-text = Prihlásenie prebehlo, ale obec vás v registri obyvateľov nenašla. Ak tu máte trvalý pobyt, obráťte sa prosím na podateľňu obce.
login-low-loa = Nedostatočná úroveň overenia
login-low-loa-text = Obec vyžaduje prihlásenie s vyššou úrovňou zabezpečenia. Použite prosím iný prostriedok (napr. občiansky preukaz s čipom).
login-failed = Prihlásenie sa nepodarilo
login-failed-error-text = Na našej strane nastala chyba. Skúste to prosím neskôr.
login-failed-refused-text = Odpoveď poskytovateľa identity sa nepodarilo overiť. Začnite prosím prihlásenie znova.
login-declined = Prihlásenie nebolo dokončené
login-declined-text = Prihlásenie bolo zrušené alebo ho poskytovateľ identity nemohol dokončiť. Nič sa nezmenilo. Prihlásenie môžete začať znova.
request-too-large = Požiadavka bola príliš veľká
request-too-large-text = Prehliadač poslal viac údajov, než má akákoľvek odpoveď prihlásenia. Začnite prosím prihlásenie znova.
me-logged-in = Prihlásený(á):
me-documents = Doklady
me-valid-until = platnosť do { $date }
logout = Odhlásiť
logged-out = Odhlásené
logged-out-text = Boli ste odhlásení.
logged-out-idp-unverified = Tu ste odhlásení; odhlásenie u poskytovateľa identity sa nepodarilo overiť.
logout-refused = Odhlásenie neprijaté
logout-refused-text = Žiadosť o odhlásenie sa nepodarilo overiť.
form-expired = Formulár vypršal
form-expired-text = Formulár nebol odoslaný z tejto stránky. Vráťte sa prosím späť a skúste to znova.

## Rozloženie
language-name = Slovenčina
site-name = Upozornenia obce
product-name = hliadač
skip-to-content = Preskočiť na obsah
nav-label = Váš účet
nav-overview = Prehľad
nav-settings = Upozornenia
nav-contacts = Kontakty
nav-reminders = Moje pripomienky
nav-delete = Zrušiť účet
nav-export = Stiahnuť moje údaje
language = Jazyk
language-change = Zmeniť
footer-text = Táto služba vás upozorní na poplatky, podania a doklady. Nepotrebuje JavaScript.
back = Späť
save = Uložiť
notice-saved = Nastavenia sú uložené.

## Úvod a súhlas
landing-intro = { $tenant } vám môže e-mailom alebo SMS dať vedieť, keď sa blíži splatnosť poplatku, keď sa pohne vaše podanie a keď končí platnosť vášho dokladu.
landing-to-overview = Prejsť na prehľad
landing-what-title = Na čo vás môžeme upozorniť
landing-what-receivables = miestne poplatky a dane: nová platba, pripomienka pred splatnosťou, upozornenie po splatnosti a potvrdenie úhrady
landing-what-submissions = vaše podania: každá zmena ich stavu
landing-what-documents = občiansky preukaz a cestovný pas: pripomienka pred koncom platnosti
login-post-text = Prehliadač vás teraz presmeruje na prihlásenie.
title-consent = Skôr než začnete
consent-intro = Do hliadača obce { $tenant } sa prihlasujete prvýkrát. Prečítajte si prosím, čo robí.
consent-watched-title = Čo sa sleduje
consent-data-title = Aké údaje sa používajú
consent-data-text = Meno a identifikátor z elektronickej identity, aby sme vás našli v registri obyvateľov; poplatky, podania a doklady, ktoré o vás obec vedie; e-mail a telefón, ktoré tu potvrdíte. Identifikátory uchovávame len ako kľúčované odtlačky alebo zašifrované.
consent-leave-title = Ako odísť
consent-leave-text = Každý e-mail obsahuje odkaz, ktorý upozornenia hneď zastaví. V časti „Zrušiť účet“ môžete kedykoľvek vymazať všetko, čo o vás uchovávame.
consent-yes = Súhlasím, pokračovať
consent-no = Nie, ďakujem
consent-declined = Nič sa neuchováva
consent-declined-text = Nesúhlasili ste, preto o vás nič neuchovávame. Vrátiť sa môžete kedykoľvek.

## Prehľad
title-overview = Prehľad
receivables-title = Poplatky a platby
receivables-none = Nemáte tu žiadne poplatky na úhradu.
receivable-status = { $code ->
    [open] na úhradu
    [partially_paid] čiastočne uhradené
    [paid] uhradené
    [overdue] po splatnosti
    [in_enforcement] vo vymáhaní
    [written_off] odpísané
    [disputed] sporné
   *[other] { $code }
}
instalments-title = Splátky
col-instalment = Splátka
instalment-paid = uhradená
instalment-open = na úhradu
how-to-pay = Ako zaplatiť
label-payment-reference = Referencia platby
qr-alt = QR kód na zaplatenie { $amount } v bankovej aplikácii
qr-caption-spayd = Naskenujte v bankovej aplikácii (QR Platba).
qr-caption-epc = Naskenujte v bankovej aplikácii (QR kód EPC pre platbu SEPA).
qr-caption-ips = Naskenujte v bankovej aplikácii (NBS IPS QR kód).
submissions-title = Vaše podania
submissions-none = Nesledujeme tu žiadne vaše podanie.
history-title = História
documents-none = Register o vás nevedie žiadne doklady.
alerts-title = Odoslané upozornenia
alerts-caption = Posledné upozornenia, najnovšie hore
alerts-none = Zatiaľ sme vám neposlali žiadne upozornenie.
col-when = Dátum
col-what = Čo
col-channel = Ako
col-delivery = Doručenie
alert-kind = { $kind ->
    [receivable_new] nová platba
    [receivable_reminder] pripomienka platby
    [receivable_overdue] platba po splatnosti
    [receivable_paid] potvrdenie úhrady
    [receivable_cancelled] zrušený poplatok
    [receivable_discount_ending] koniec zľavy
    [submission_new] zaevidované podanie
    [submission_status_changed] stav podania
    [document_expiry] koniec platnosti dokladu
    [personal_reminder] vaša pripomienka
    [contact_verify] potvrdenie kontaktu
    [digest] denný súhrn
   *[other] { $kind }
}
alert-state = { $state ->
    [queued] čaká na odoslanie
    [held] čaká na denný súhrn
    [digested] v dennom súhrne
    [sending] odosiela sa
    [sent] odoslané
    [delivered] doručené
    [failed] zatiaľ nedoručené, skúsime znova
    [dead] nepodarilo sa doručiť
    [suppressed] neodoslané
    [expired] neodoslané včas
   *[other] { $state }
}
channel = { $channel ->
    [email] E-mail
    [sms] SMS
   *[other] { $channel }
}

## Nastavenia upozornení
title-settings = Upozornenia
settings-topics = Na čo a ako vás upozorniť
settings-topics-hint = Upozornenia chodia len na potvrdený kontakt (pozri Kontakty).
col-topic = Téma
topic = { $topic ->
    [receivables] Poplatky a platby
    [submissions] Podania
    [documents] Doklady
    [reminders] Moje pripomienky
   *[other] { $topic }
}
settings-delivery = Kedy posielať
delivery = { $mode ->
    [immediate] hneď
   *[daily] raz denne súhrn
}
settings-quiet-hours = Neposielať SMS medzi
settings-quiet-hours-hint = Miestny čas ako HH:MM-HH:MM, napríklad 21:00-08:00. Prázdne: nastavenie obce.
settings-language = Jazyk upozornení
settings-offsets = Pripomenúť platbu toľko dní pred splatnosťou
settings-offsets-hint = Dni oddelené čiarkou, napríklad 14, 3, 0 (0 je deň splatnosti). Prázdne: dni obce ({ $days }).
error-offsets = Zapíšte najviac šesť rôznych počtov dní od 0 do 90 oddelených čiarkou.
error-quiet-hours = Zapíšte čas ako HH:MM-HH:MM, napríklad 21:00-08:00.
error-choice = Vyberte jednu z ponúknutých možností.

## Kontakty
title-contacts = Kontakty
contacts-intro = Upozornenia posielame len na e-maily a telefóny, ktoré ste potvrdili.
contacts-caption = Vaše kontakty
col-contact = Kontakt
col-action = Akcia
contact-verified = potvrdené
contact-unverified = nepotvrdené
contact-send-link = Poslať potvrdzovací odkaz
contact-send-code = Poslať kód v SMS
contact-code = Kód z SMS
contact-confirm-code = Potvrdiť
contact-remove = Odobrať
contacts-add = Pridať kontakt
contacts-add-button = Pridať
contacts-phone-hint = V medzinárodnom tvare, napríklad +421901123456.
error-email = Zadajte e-mailovú adresu, napríklad jana@example.sk.
error-phone = Zadajte telefón v medzinárodnom tvare, napríklad +421901123456.
error-contact-empty = Zadajte e-mail alebo telefón.
error-code = Kód je 6 číslic z SMS.
error-code-wrong = Kód nesúhlasí. Skontrolujte ho prosím a skúste znova.
error-code-expired = Platnosť kódu vypršala alebo bol zadaný príliš veľakrát. Nechajte si poslať nový.
notice-contact-added = Kontakt je pridaný. Potvrďte ho, aby naň chodili upozornenia.
notice-link-sent = Poslali sme potvrdzovací odkaz; platí 24 hodín.
notice-code-sent = Poslali sme šesťmiestny kód v SMS; platí 10 minút.
notice-verified = Kontakt je potvrdený.
notice-removed = Kontakt je odobraný.
notice-wait = Počkajte prosím minútu, kým o kód požiadate znova.
verify-email-subject = { $tenant }: potvrďte svoju e-mailovú adresu
verify-email-body = Potvrďte prosím, že na túto adresu majú chodiť upozornenia obce { $tenant }, otvorením odkazu (platí 24 hodín): { $url }
verify-email-ignore = Ak ste o nič nežiadali, správu ignorujte; nič vám posielať nebudeme.
verify-sms-text = { $tenant }: váš potvrdzovací kód je { $code }. Platí 10 minút.
notice-locked = Pri tomto kontakte bolo zadaných príliš veľa chybných kódov. Odoberte ho a pridajte znova.
notice-send-limit = Dnešné potvrdenia sú vyčerpané. Skúste to prosím zajtra.
error-contacts-limit = Máte už najviac kontaktov, koľko sa dá uchovať. Najprv niektorý odoberte.
error-reminders-limit = Máte už najviac pripomienok, koľko sa dá uchovať. Najprv niektorú odoberte.
verify-confirm = Potvrdenie e-mailu
verify-confirm-text = Majú sa upozornenia posielať na { $address }?
verify-confirm-button = Áno, potvrdiť túto adresu
verify-ok = E-mail potvrdený
verify-ok-text = Ďakujeme. Na túto adresu teraz môžu chodiť upozornenia.
verify-bad = Odkaz neplatí
verify-bad-text = Platnosť odkazu vypršala alebo už bol použitý. Nový si pošlite zo stránky Kontakty.

## Vlastné pripomienky
title-reminders = Moje pripomienky
reminders-intro = Pripomienka s vašou poznámkou, ktorú pošleme vo zvolený deň.
reminders-none = Nemáte žiadne pripomienky.
reminders-add = Nová pripomienka
reminders-add-button = Pridať pripomienku
reminder-date = Dátum
reminder-note = Poznámka (najviac 140 znakov)
reminder-remove = Odobrať
error-date = Zadajte dátum od zajtra do piatich rokov.
error-note = Napíšte poznámku s 1 až 140 znakmi, bez značiek.
notice-reminder-added = Pripomienka je nastavená.
personal-reminder-subject = { $tenant }, { $date }: { $note }
personal-reminder-body = na dnes ste si nechali pripomenúť:

## Export a zrušenie
title-delete = Zrušiť účet
delete-text = Zrušením vymažete svoje kontakty, nastavenia, pripomienky a prepojenie s registrom a všetky upozornenia sa hneď zastavia. Vlastných záznamov obce sa to netýka.
delete-confirm = Chcem zrušiť svoj účet
delete-button = Zrušiť môj účet
error-confirm = Začiarknite políčko na potvrdenie.
deleted = Účet zrušený
deleted-text = Všetko, čo sme o vás uchovávali, je vymazané a žiadne ďalšie upozornenia neprídu.

## Odhlásenie odberu
unsubscribe-title = Odhlásiť upozornenia
unsubscribe-text = { $topic ->
    [receivables] Po potvrdení vám už nebudeme posielať e-maily o poplatkoch a platbách.
    [submissions] Po potvrdení vám už nebudeme posielať e-maily o vašich podaniach.
    [documents] Po potvrdení vám už nebudeme posielať e-maily o platnosti dokladov.
   *[other] Po potvrdení vám už nebudeme posielať žiadne upozornenia e-mailom.
}
unsubscribe-button = Odhlásiť
unsubscribe-done = Hotovo
unsubscribe-done-text = Odber je zrušený.
unsubscribe-bad = Odkaz neplatí
unsubscribe-bad-text = Odkaz je poškodený alebo patrí k inej adrese.
try-later = Skúste to prosím neskôr
try-later-text = Na našej strane nastala chyba.
