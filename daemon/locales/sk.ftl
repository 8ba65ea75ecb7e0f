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
alert-footer-stop = Zastaviť všetky upozornenia
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
receivable-new-subject = { $tenant }: nový poplatok na úhradu – { $title }, { $amount } do { $due }
receivable-new-intro = { $tenant } eviduje nový poplatok, ktorý máte zaplatiť:
receivable-new-outro = Pred splatnosťou vám ho pripomenieme.
receivable-reminder-subject = { $days_left ->
    [0] { $tenant }: dnes je splatný poplatok { $title }, { $amount }
   *[other] { $tenant }: { $title }, { $amount } je splatný { $due } (o { $days })
}
receivable-reminder-intro = { $days_left ->
    [0] pripomíname, že dnes je splatný poplatok:
   *[other] pripomíname, že o { $days }, { $due }, je splatný poplatok:
}
receivable-reminder-outro = Ak ste už zaplatili, správu prosím považujte za bezpredmetnú.
receivable-overdue-subject = { $tenant }: { $title }, { $amount } – po splatnosti od { $due }
receivable-overdue-body = poplatok { $title } vo výške { $amount } bol splatný { $due } a { $tenant } ho zatiaľ neeviduje ako zaplatený.
receivable-overdue-outro = Zaplaťte ho prosím čo najskôr. Platba, ktorú ste už odoslali, sa môže prejaviť až o niekoľko dní.
receivable-paid-subject = { $tenant }: poplatok { $title } je zaplatený ({ $amount })
receivable-paid-body = { $tenant } eviduje poplatok { $title } vo výške { $amount } ako zaplatený. Ďakujeme.
receivable-cancelled-subject = { $tenant }: poplatok { $title } ({ $amount }) bol zrušený
receivable-cancelled-body = { $tenant } zrušil(a) poplatok { $title } vo výške { $amount }. Nič neplaťte; ak ste už zaplatili, obec sa vám ozve.
receivable-discount-subject = { $tenant }: zľava { $percent } % na { $title }, { $amount } do { $until }
receivable-discount-body = keď zaplatíte poplatok { $title } do { $until }, { $tenant } vám poskytne zľavu { $percent } %:
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
logout = Odhlásiť sa
logged-out = Odhlásené
logged-out-text = { $tenant }: odhlásili ste sa z hliadača.
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
footer-text = Táto služba vás upozorní na poplatky, podania a doklady.
back = Späť
save = Uložiť
notice-saved = Nastavenia sú uložené.

## Úvod a súhlas
landing-intro = { $tenant } vám môže e-mailom alebo SMS dať vedieť, keď sa blíži splatnosť poplatku, keď sa pohne vaše podanie a keď končí platnosť vášho dokladu.
landing-to-overview = Prejsť na prehľad
landing-what-title = Na čo vás môžeme upozorniť
landing-what-receivables = miestne poplatky a dane: nový poplatok, pripomienka pred splatnosťou, upozornenie po splatnosti a potvrdenie, že je zaplatený
landing-what-submissions = vaše podania: každá zmena ich stavu
landing-what-documents = občiansky preukaz a cestovný pas: pripomienka pred koncom platnosti
login-post-text = Prehliadač vás teraz presmeruje na prihlásenie.
title-consent = Skôr než začnete
consent-intro = { $tenant } vás môže upozorňovať na poplatky, podania a doklady. Prihlasujete sa prvýkrát, prečítajte si prosím, čo hliadač robí.
consent-watched-title = Čo sa sleduje
consent-data-title = Aké údaje sa používajú
consent-data-text = Meno a identifikátor z elektronickej identity, aby sme vás našli v registri obyvateľov; poplatky, podania a doklady, ktoré o vás obec vedie; e-mail a telefón, ktoré tu potvrdíte. Identifikátory neukladáme v čitateľnej podobe: len zašifrované alebo ako odtlačok, z ktorého sa nedajú spätne zistiť.
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
instalment-paid = zaplatená
instalment-open = na zaplatenie
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
    [receivable_new] nový poplatok
    [receivable_reminder] pripomienka poplatku
    [receivable_overdue] poplatok po splatnosti
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
    [bounced] nedoručené, adresa nefunguje
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
settings-quiet-hours-hint = SMS v tomto čase počkajú do jeho konca. Prázdne: čas obce.
settings-language = Jazyk upozornení
settings-offsets = Pripomenúť platbu toľko dní pred splatnosťou
settings-offsets-hint = Deň splatnosti aj dni pred ním. Nič nezaškrtnuté: dni obce ({ $days }).
error-offsets = Zaškrtnite jeden až šesť dní.
error-quiet-hours = Vyplňte začiatok aj koniec, napríklad 21:00 a 08:00.
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
verify-email-body = Potvrďte prosím otvorením odkazu (platí 24 hodín), že vám { $tenant } má na túto adresu posielať upozornenia: { $url }
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
verify-ok-text = Ďakujeme. { $tenant } vám teraz môže posielať upozornenia na { $address }.
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
deleted-text = { $tenant }: všetko, čo o vás hliadač uchovával, je zmazané a žiadne ďalšie upozornenia neprídu.

## Odhlásenie odberu
unsubscribe-title = Zastaviť upozornenia e-mailom
unsubscribe-text = { $topic ->
    [receivables] { $tenant } vám po potvrdení prestane posielať e-maily o poplatkoch na { $addresses }.
    [submissions] { $tenant } vám po potvrdení prestane posielať e-maily o vašich podaniach na { $addresses }.
    [documents] { $tenant } vám po potvrdení prestane posielať e-maily o platnosti dokladov na { $addresses }.
    [reminders] { $tenant } vám po potvrdení prestane posielať vaše pripomienky na { $addresses }.
   *[other] { $tenant } vám po potvrdení prestane posielať všetky upozornenia e-mailom na { $addresses }.
}
unsubscribe-button = { $topic ->
    [all] Zastaviť všetky upozornenia
   *[other] Zastaviť tieto upozornenia
}
unsubscribe-done = Upozornenia zastavené
unsubscribe-done-text = { $topic ->
    [receivables] { $tenant } vám už na { $addresses } nepošle e-maily o poplatkoch.
    [submissions] { $tenant } vám už na { $addresses } nepošle e-maily o podaniach.
    [documents] { $tenant } vám už na { $addresses } nepošle e-maily o dokladoch.
    [reminders] { $tenant } vám už na { $addresses } nepošle vaše pripomienky.
   *[other] { $tenant } vám už na { $addresses } nepošle žiadne upozornenie.
}
unsubscribe-bad = Odkaz neplatí
unsubscribe-bad-text = Odkaz je poškodený alebo patrí k inej adrese.
try-later = Skúste to prosím neskôr
try-later-text = Na našej strane nastala chyba.

## Účet, súhrn prehľadu a odkazy v upozorneniach
error-title-prefix = Chyba:
error-summary-title = Treba niečo opraviť
menu = Menu
nav-account = Váš účet
title-account = Váš účet
account-intro = { $tenant }: čo o vás hliadač uchováva a ako účet zrušiť.
account-export-title = Vaše údaje
account-export-text = Stiahnite si všetko, čo o vás uchovávame, ako súbor JSON.
account-delete-title = Zrušenie účtu
account-delete-text = Zmaže kontakty, nastavenia a pripomienky a zastaví všetky upozornenia.
delete-keep = Nie, ponechať účet
summary-title = Čo máte zaplatiť
summary-fees = Poplatky na úhradu
summary-total = Spolu
summary-nearest = Najbližšia splatnosť
summary-overdue = Po splatnosti
summary-overdue-count = { $count ->
    [one] 1 poplatok
    [few] { $count } poplatky
   *[other] { $count } poplatkov
}
summary-nothing = Nemáte nič na zaplatenie.
label-payment-model = Model
qr-save = Uložiť QR kód ako obrázok
settings-quiet-from = Od
settings-quiet-to = Do
offset-days = { $days ->
    [0] v deň splatnosti
    [one] 1 deň vopred
    [few] { $days } dni vopred
   *[other] { $days } dní vopred
}
to-overview = Prejsť na prehľad
to-settings = Nastaviť upozornenia
to-start = Na úvodnú stránku
login-again = Prihlásiť sa znova
unsubscribe-undo = Vrátiť späť
unsubscribe-change = Zmeniť, čo dostávate
unsubscribe-undone = Upozornenia obnovené
unsubscribe-undone-text = { $tenant } vám bude upozornenia posielať ako predtým.
alert-footer-contact = Kontakt na obec: { $contact }
alert-footer-overview = Váš prehľad
alert-footer-change = Zmeniť, čo dostávate
alert-footer-stop-topic = { $topic ->
    [receivables] Zastaviť e-maily o poplatkoch
    [submissions] Zastaviť e-maily o podaniach
    [documents] Zastaviť e-maily o dokladoch
   *[other] Zastaviť e-maily s pripomienkami
}

## Kalendár
label-beneficiary = Príjemca
calendar-title = Kalendár
calendar-intro = Splatnosti poplatkov, konce platnosti dokladov a vaše pripomienky vo vašom kalendári (v telefóne alebo počítači), s upozornením v dni, ktoré ste si zvolili.
calendar-make = Vytvoriť odkaz na kalendár
calendar-url = Adresa kalendára
calendar-hint = Pridajte ju v kalendári ako odber kalendára z internetu. Je len vaša: nikomu ju nedávajte. Zrušením prestane fungovať.
calendar-revoke = Zrušiť odkaz na kalendár
notice-calendar-made = Odkaz na kalendár je vytvorený.
notice-calendar-revoked = Odkaz na kalendár je zrušený a prestal fungovať.
calendar-name = { $tenant } – hliadač
calendar-fee = Zaplatiť: { $title }, { $amount }
calendar-instalment = Zaplatiť: { $title }, { $no }. splátka, { $amount }
calendar-document = Končí platnosť: { $kind }
calendar-reminder = Pripomienka: { $note }
welcome-subject = { $tenant }: vitajte v hliadači
welcome-body = { $tenant } vám odteraz e-mailom dá vedieť o nových poplatkoch a ich splatnosti, o zmenách vašich podaní a o konci platnosti dokladov. Čo a ako dostávate, zmeníte na svojom prehľade.
welcome-calendar = Splatnosti a konce platnosti si môžete pridať do svojho kalendára: odkaz na kalendár vytvoríte na prehľade.
contact-undeliverable = nedoručiteľné
contact-undeliverable-text = E-maily na túto adresu sa vracajú ako nedoručiteľné, preto ich teraz nepoužívame. Pošlite si nový potvrdzovací odkaz, keď bude adresa fungovať, alebo pridajte inú.
overview-undeliverable = E-maily na { $address } sa vracajú ako nedoručiteľné; upozornenia na ňu teraz neposielame.
overview-undeliverable-fix = Opraviť v kontaktoch
sms-undeliverable = { $tenant }: e-maily na vašu adresu sa vracajú nedoručené, preto vám ich neposielame. Opravte ju v prehľade
