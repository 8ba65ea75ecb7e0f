## Slová hliadača po slovensky. Každý jazyk má každú správu (kontroluje to test).
## Sumy a dátumy prichádzajú naformátované; $n, $days_left a $count sú čísla.

## Spoločné časti upozornení
watchdog = hliadač { $tenant }
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
label-variable-symbol = Variabilný symbol
label-reference = Značka
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
