## Slova hlídače česky. Každý jazyk má každou zprávu (kontroluje to test).
## Částky a data přicházejí naformátované; $n, $days_left a $count jsou čísla.

## Společné části upozornění
watchdog = hlídač { $tenant }
days = { $n ->
    [one] { $n } den
    [few] { $n } dny
   *[other] { $n } dní
}
alert-hello = Dobrý den,
alert-footer-reason = { $tenant } – hlídač. Tuto zprávu dostáváte, protože jste si upozornění zapnuli.
alert-footer-digest = { $tenant } – hlídač. Souhrn dostáváte jednou denně, protože jste si ho zvolili.
alert-footer-stop = Odhlásit všechna upozornění: { $url }
label-amount = Částka
label-amount-to-pay = Částka k úhradě
label-due-date = Splatnost
label-account = Číslo účtu
label-iban = IBAN
label-variable-symbol = Variabilní symbol
label-reference = Značka
label-status = Stav
label-new-status = Nový stav
label-previous-status = Předchozí stav
label-handled-by = Vyřizuje
label-deadline = Lhůta
label-valid-until = Platnost do
label-number = č. { $number }
document-kind = { $kind ->
    [id_card] občanský průkaz
    [passport] cestovní pas
    [driving_licence] řidičský průkaz
   *[other] doklad
}
document-kind-title = { $kind ->
    [id_card] Občanský průkaz
    [passport] Cestovní pas
    [driving_licence] Řidičský průkaz
   *[other] Doklad
}
status = { $code ->
    [received] přijato
    [assigned] přiděleno zpracovateli
    [in_progress] ve vyřizování
    [waiting_for_citizen] čeká na vás
    [forwarded] postoupeno příslušnému úřadu
    [resolved] vyřízeno
    [closed] uzavřeno
    [cancelled] zrušeno
    [reopened] znovu otevřeno
   *[other] { $code }
}

## Upozornění podle druhu
receivable-new-subject = { $tenant }: nová platba { $title }, splatnost { $due }
receivable-new-intro = { $tenant } eviduje novou platbu, kterou máte uhradit:
receivable-new-outro = Před splatností vám ji připomeneme.
receivable-reminder-subject = { $days_left ->
    [0] { $tenant }: dnes je splatná platba { $title }
   *[other] { $tenant }: za { $days } je splatná platba { $title }
}
receivable-reminder-intro = { $days_left ->
    [0] připomínáme, že dnes je splatná platba:
   *[other] připomínáme, že za { $days }, { $due }, je splatná platba:
}
receivable-reminder-outro = Pokud jste již zaplatili, zprávu prosím považujte za bezpředmětnou.
receivable-overdue-subject = { $tenant }: platba { $title } je po splatnosti
receivable-overdue-body = platba { $title } ve výši { $amount } byla splatná { $due } a { $tenant } ji zatím neeviduje jako uhrazenou.
receivable-overdue-outro = Uhraďte ji prosím co nejdříve. Platba, kterou jste už odeslali, se může projevit až za několik dní.
receivable-paid-subject = { $tenant }: platba { $title } je uhrazena
receivable-paid-body = { $tenant } eviduje platbu { $title } ve výši { $amount } jako uhrazenou. Děkujeme.
receivable-discount-subject = { $tenant }: sleva { $percent } % na { $title } platí do { $until }
receivable-discount-body = když zaplatíte platbu { $title } do { $until }, { $tenant } vám poskytne slevu { $percent } %:
receivable-discount-with = Částka se slevou
receivable-discount-without = Částka bez slevy
submission-new-subject = { $tenant }: sledujeme vaše podání { $reference }
submission-new-intro = { $tenant } eviduje vaše podání:
submission-new-outro = O každé změně jeho stavu vám dáme vědět.
submission-changed-subject = { $tenant }: podání { $reference } – { $status }
submission-changed-intro = stav vašeho podání se změnil:
document-expiry-subject = { $days_left ->
    [0] { $tenant }: dnes končí platnost dokladu ({ $kind })
   *[other] { $tenant }: za { $days } končí platnost dokladu ({ $kind })
}
document-expiry-intro = { $days_left ->
    [0] připomínáme, že dnes končí platnost vašeho dokladu:
   *[other] připomínáme, že za { $days }, { $until }, končí platnost vašeho dokladu:
}
document-expiry-outro = O nový doklad můžete požádat na obecním úřadě.
digest-subject = { $tenant }: souhrn upozornění ({ $count })
digest-intro = posíláme souhrn upozornění, která pro vás máme ({ $count }):

## Stránky
page-not-found = Nenalezeno
page-not-found-text = Taková stránka neexistuje.
login-title = Přihlášení
login-intro = Přihlaste se svou elektronickou identitou:
login-continue = Pokračovat k přihlášení
login-redirect-title = Přesměrování k přihlášení
login-too-many = Příliš mnoho pokusů
login-too-many-text = Zkuste to prosím za minutu znovu.
login-unavailable = Přihlášení teď nejde
login-unavailable-text = Zkuste to prosím později.
login-not-linked = Nepodařilo se vás ztotožnit
login-not-linked-text = Přihlášení proběhlo, ale obec vás v registru obyvatel nenašla. Pokud zde máte trvalý pobyt, obraťte se prosím na podatelnu obce.
login-low-loa = Nedostatečná úroveň ověření
login-low-loa-text = Obec vyžaduje přihlášení s vyšší úrovní záruky. Použijte prosím jiný prostředek (např. eObčanku nebo bankovní identitu).
login-failed = Přihlášení se nepovedlo
login-failed-error-text = Na naší straně nastala chyba. Zkuste to prosím později.
login-failed-refused-text = Odpověď poskytovatele identity nešlo ověřit. Začněte prosím přihlášení znovu.
me-logged-in = Přihlášen(a):
me-documents = Doklady
me-valid-until = platnost do { $date }
logout = Odhlásit
logged-out = Odhlášeno
logged-out-text = Byli jste odhlášeni.
logged-out-idp-unverified = Zde jste odhlášeni; odhlášení u poskytovatele identity se nepodařilo ověřit.
logout-refused = Odhlášení nepřijato
logout-refused-text = Žádost o odhlášení se nepodařilo ověřit.
form-expired = Formulář vypršel
form-expired-text = Formulář nebyl odeslán z této stránky. Vraťte se prosím zpět a zkuste to znovu.
