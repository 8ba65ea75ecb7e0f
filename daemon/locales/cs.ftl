## Slova hlídače česky. Každý jazyk má každou zprávu (kontroluje to test).
## Částky a data přicházejí naformátované; $n, $days_left a $count jsou čísla.

## Společné části upozornění
days = { $n ->
    [one] { $n } den
    [few] { $n } dny
   *[other] { $n } dní
}
alert-hello = Dobrý den,
alert-footer-reason = { $tenant } – hlídač. Tuto zprávu dostáváte, protože jste si upozornění zapnuli.
alert-footer-digest = { $tenant } – hlídač. Souhrn dostáváte jednou denně, protože jste si ho zvolili.
alert-footer-stop = Zastavit všechna upozornění
label-amount = Částka
label-amount-to-pay = Částka k úhradě
label-due-date = Splatnost
label-account = Číslo účtu
label-iban = IBAN
label-bic = BIC
label-constant-symbol = Konstantní symbol
label-specific-symbol = Specifický symbol
label-payment-code = Kód platby
label-variable-symbol = Variabilní symbol
label-filing-number = Číslo jednací
label-case-number = Spisová značka
label-registration-index = Registrační index
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
receivable-new-subject = { $tenant }: nový poplatek k úhradě – { $title }, { $amount } do { $due }
receivable-new-intro = { $tenant } eviduje nový poplatek, který máte zaplatit:
receivable-new-outro = Před splatností vám ho připomeneme.
receivable-reminder-subject = { $days_left ->
    [0] { $tenant }: dnes je splatný poplatek { $title }, { $amount }
   *[other] { $tenant }: { $title }, { $amount } je splatný { $due } (za { $days })
}
receivable-reminder-intro = { $days_left ->
    [0] připomínáme, že dnes je splatný poplatek:
   *[other] připomínáme, že za { $days }, { $due }, je splatný poplatek:
}
receivable-reminder-outro = Pokud jste již zaplatili, zprávu prosím považujte za bezpředmětnou.
receivable-overdue-subject = { $tenant }: { $title }, { $amount } – po splatnosti od { $due }
receivable-overdue-body = poplatek { $title } ve výši { $amount } byl splatný { $due } a { $tenant } ho zatím neeviduje jako zaplacený.
receivable-overdue-outro = Zaplaťte ho prosím co nejdříve. Platba, kterou jste už odeslali, se může projevit až za několik dní.
receivable-paid-subject = { $tenant }: poplatek { $title } je zaplacen ({ $amount })
receivable-paid-body = { $tenant } eviduje poplatek { $title } ve výši { $amount } jako zaplacený. Děkujeme.
receivable-cancelled-subject = { $tenant }: poplatek { $title } ({ $amount }) byl zrušen
receivable-cancelled-body = { $tenant } zrušil(a) poplatek { $title } ve výši { $amount }. Nic neplaťte; pokud jste už zaplatili, obec se vám ozve.
receivable-discount-subject = { $tenant }: sleva { $percent } % na { $title }, { $amount } do { $until }
receivable-discount-body = když zaplatíte poplatek { $title } do { $until }, { $tenant } vám poskytne slevu { $percent } %:
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
login-declined = Přihlášení nebylo dokončeno
login-declined-text = Přihlášení bylo zrušeno, nebo ho poskytovatel identity nemohl dokončit. Nic se nezměnilo. Přihlášení můžete začít znovu.
request-too-large = Požadavek byl příliš velký
request-too-large-text = Prohlížeč poslal víc dat, než má jakákoli odpověď přihlášení. Začněte prosím přihlášení znovu.
me-logged-in = Přihlášen(a):
me-documents = Doklady
me-valid-until = platnost do { $date }
logout = Odhlásit se
logged-out = Odhlášeno
logged-out-text = { $tenant }: odhlásili jste se z hlídače.
logged-out-idp-unverified = Zde jste odhlášeni; odhlášení u poskytovatele identity se nepodařilo ověřit.
logout-refused = Odhlášení nepřijato
logout-refused-text = Žádost o odhlášení se nepodařilo ověřit.
form-expired = Formulář vypršel
form-expired-text = Formulář nebyl odeslán z této stránky. Vraťte se prosím zpět a zkuste to znovu.

## Rozvržení
language-name = Čeština
site-name = Upozornění obce
product-name = hlídač
skip-to-content = Přeskočit na obsah
nav-label = Váš účet
nav-overview = Přehled
nav-settings = Upozornění
nav-contacts = Kontakty
nav-reminders = Moje připomínky
nav-delete = Zrušit účet
nav-export = Stáhnout moje údaje
language = Jazyk
language-change = Změnit
footer-text = Tato služba vás upozorní na poplatky, podání a doklady.
back = Zpět
save = Uložit
notice-saved = Nastavení je uloženo.

## Úvod a souhlas
landing-intro = { $tenant } vám může e-mailem nebo SMS dát vědět, když se blíží splatnost poplatku, když se pohne vaše podání a když končí platnost vašeho dokladu.
landing-to-overview = Přejít na přehled
landing-what-title = Na co vás můžeme upozornit
landing-what-receivables = místní poplatky a daně: nový poplatek, připomínka před splatností, upozornění po splatnosti a potvrzení, že je zaplacen
landing-what-submissions = vaše podání: každá změna jejich stavu
landing-what-documents = občanský průkaz a cestovní pas: připomínka před koncem platnosti
login-post-text = Prohlížeč vás teď přesměruje k přihlášení.
title-consent = Než začnete
consent-intro = { $tenant } vás může upozorňovat na poplatky, podání a doklady. Přihlašujete se poprvé, přečtěte si prosím, co hlídač dělá.
consent-watched-title = Co se sleduje
consent-data-title = Jaké údaje se používají
consent-data-text = Jméno a identifikátor z elektronické identity, abychom vás našli v registru obyvatel; poplatky, podání a doklady, které o vás obec vede; e-mail a telefon, které zde potvrdíte. Identifikátory neukládáme v čitelné podobě: jen zašifrované nebo jako otisk, ze kterého je nelze zpětně zjistit.
consent-leave-title = Jak odejít
consent-leave-text = Každý e-mail obsahuje odkaz, který upozornění hned zastaví. V části „Zrušit účet“ můžete kdykoli smazat vše, co o vás uchováváme.
consent-yes = Souhlasím, pokračovat
consent-no = Ne, děkuji
consent-declined = Nic se neuchovává
consent-declined-text = Nesouhlasili jste, a proto o vás nic neuchováváme. Vrátit se můžete kdykoli.

## Přehled
title-overview = Přehled
receivables-title = Poplatky a platby
receivables-none = Nemáte zde žádné poplatky k úhradě.
receivable-status = { $code ->
    [open] k úhradě
    [partially_paid] částečně uhrazeno
    [paid] uhrazeno
    [overdue] po splatnosti
    [in_enforcement] ve vymáhání
    [written_off] odepsáno
    [disputed] sporné
   *[other] { $code }
}
instalments-title = Splátky
col-instalment = Splátka
instalment-paid = zaplacena
instalment-open = k zaplacení
how-to-pay = Jak zaplatit
label-payment-reference = Reference platby
qr-alt = QR kód pro zaplacení { $amount } v bankovní aplikaci
qr-caption-spayd = Naskenujte v bankovní aplikaci (QR Platba).
qr-caption-epc = Naskenujte v bankovní aplikaci (QR kód EPC pro platbu SEPA).
qr-caption-ips = Naskenujte v bankovní aplikaci (NBS IPS QR kód).
submissions-title = Vaše podání
submissions-none = Nesledujeme zde žádné vaše podání.
history-title = Historie
documents-none = Registr o vás nevede žádné doklady.
alerts-title = Odeslaná upozornění
alerts-caption = Poslední upozornění, nejnovější nahoře
alerts-none = Zatím jsme vám neposlali žádné upozornění.
col-when = Datum
col-what = Co
col-channel = Jak
col-delivery = Doručení
alert-kind = { $kind ->
    [receivable_new] nový poplatek
    [receivable_reminder] připomínka poplatku
    [receivable_overdue] poplatek po splatnosti
    [receivable_paid] poplatek zaplacen
    [receivable_cancelled] zrušený poplatek
    [receivable_discount_ending] konec slevy
    [submission_new] zaevidované podání
    [submission_status_changed] stav podání
    [document_expiry] konec platnosti dokladu
    [personal_reminder] vaše připomínka
    [contact_verify] potvrzení kontaktu
    [digest] denní souhrn
   *[other] { $kind }
}
alert-state = { $state ->
    [bounced] nedoručeno, adresa nefunguje
    [queued] čeká na odeslání
    [held] čeká na denní souhrn
    [digested] v denním souhrnu
    [sending] odesílá se
    [sent] odesláno
    [delivered] doručeno
    [failed] zatím nedoručeno, zkusíme znovu
    [dead] nepodařilo se doručit
    [suppressed] neodesláno
    [expired] neodesláno včas
   *[other] { $state }
}
channel = { $channel ->
    [email] E-mail
    [sms] SMS
   *[other] { $channel }
}

## Nastavení upozornění
title-settings = Upozornění
settings-topics = Na co a jak vás upozornit
settings-topics-hint = Upozornění chodí jen na potvrzený kontakt (viz Kontakty).
col-topic = Téma
topic = { $topic ->
    [receivables] Poplatky a platby
    [submissions] Podání
    [documents] Doklady
    [reminders] Moje připomínky
   *[other] { $topic }
}
settings-delivery = Kdy posílat
delivery = { $mode ->
    [immediate] hned
   *[daily] jednou denně souhrn
}
settings-quiet-hours = Neposílat SMS mezi
settings-quiet-hours-hint = SMS v tuto dobu počkají do jejího konce. Prázdné: doba obce.
settings-language = Jazyk upozornění
settings-offsets = Připomenout platbu tolik dní před splatností
settings-offsets-hint = Den splatnosti i dny před ní. Nic nezaškrtnuto: dny obce ({ $days }).
error-offsets = Zaškrtněte jeden až šest dní.
error-quiet-hours = Vyplňte začátek i konec, například 21:00 a 08:00.
error-choice = Vyberte jednu z nabízených možností.

## Kontakty
title-contacts = Kontakty
contacts-intro = Upozornění posíláme jen na e-maily a telefony, které jste potvrdili.
contacts-caption = Vaše kontakty
col-contact = Kontakt
col-action = Akce
contact-verified = potvrzeno
contact-unverified = nepotvrzeno
contact-send-link = Poslat potvrzovací odkaz
contact-send-code = Poslat kód v SMS
contact-code = Kód z SMS
contact-confirm-code = Potvrdit
contact-remove = Odebrat
contacts-add = Přidat kontakt
contacts-add-button = Přidat
contacts-phone-hint = V mezinárodním tvaru, například +420601123456.
error-email = Zadejte e-mailovou adresu, například jana@example.cz.
error-phone = Zadejte telefon v mezinárodním tvaru, například +420601123456.
error-contact-empty = Zadejte e-mail nebo telefon.
error-code = Kód je 6 číslic z SMS.
error-code-wrong = Kód nesouhlasí. Zkontrolujte ho prosím a zkuste znovu.
error-code-expired = Platnost kódu vypršela nebo byl zadán příliš mnohokrát. Nechte si poslat nový.
notice-contact-added = Kontakt je přidán. Potvrďte ho, aby na něj chodila upozornění.
notice-link-sent = Poslali jsme potvrzovací odkaz; platí 24 hodin.
notice-code-sent = Poslali jsme šestimístný kód v SMS; platí 10 minut.
notice-verified = Kontakt je potvrzen.
notice-removed = Kontakt je odebrán.
notice-wait = Počkejte prosím minutu, než o kód požádáte znovu.
verify-email-subject = { $tenant }: potvrďte svou e-mailovou adresu
verify-email-body = Potvrďte prosím otevřením odkazu (platí 24 hodin), že vám { $tenant } má na tuto adresu posílat upozornění: { $url }
verify-email-ignore = Pokud jste o nic nežádali, zprávu ignorujte; nic vám posílat nebudeme.
verify-sms-text = { $tenant }: váš potvrzovací kód je { $code }. Platí 10 minut.
notice-locked = U tohoto kontaktu bylo zadáno příliš mnoho chybných kódů. Odeberte ho a přidejte znovu.
notice-send-limit = Dnešní potvrzení jsou vyčerpána. Zkuste to prosím zítra.
error-contacts-limit = Máte už nejvíce kontaktů, kolik lze uchovat. Nejdřív některý odeberte.
error-reminders-limit = Máte už nejvíce připomínek, kolik lze uchovat. Nejdřív některou odeberte.
verify-confirm = Potvrzení e-mailu
verify-confirm-text = Mají se upozornění posílat na { $address }?
verify-confirm-button = Ano, potvrdit tuto adresu
verify-ok = E-mail potvrzen
verify-ok-text = Děkujeme. { $tenant } vám teď může posílat upozornění na { $address }.
verify-bad = Odkaz neplatí
verify-bad-text = Platnost odkazu vypršela nebo už byl použit. Nový si pošlete ze stránky Kontakty.

## Vlastní připomínky
title-reminders = Moje připomínky
reminders-intro = Připomínka s vaší poznámkou, kterou pošleme ve zvolený den.
reminders-none = Nemáte žádné připomínky.
reminders-add = Nová připomínka
reminders-add-button = Přidat připomínku
reminder-date = Datum
reminder-note = Poznámka (nejvýše 140 znaků)
reminder-remove = Odebrat
error-date = Zadejte datum od zítřka do pěti let.
error-note = Napište poznámku o 1 až 140 znacích, bez značek.
notice-reminder-added = Připomínka je nastavena.
personal-reminder-subject = { $tenant }, { $date }: { $note }
personal-reminder-body = na dnešek jste si nechali připomenout:

## Export a zrušení
title-delete = Zrušit účet
delete-text = Zrušením smažete své kontakty, nastavení, připomínky a propojení s registrem a všechna upozornění se hned zastaví. Vlastních záznamů obce se to netýká.
delete-confirm = Chci zrušit svůj účet
delete-button = Zrušit můj účet
error-confirm = Zaškrtněte políčko pro potvrzení.
deleted = Účet zrušen
deleted-text = { $tenant }: vše, co o vás hlídač uchovával, je smazáno a žádná další upozornění nepřijdou.

## Odhlášení odběru
unsubscribe-title = Zastavit upozornění e-mailem
unsubscribe-text = { $topic ->
    [receivables] { $tenant } vám po potvrzení přestane posílat e-maily o poplatcích na { $addresses }.
    [submissions] { $tenant } vám po potvrzení přestane posílat e-maily o vašich podáních na { $addresses }.
    [documents] { $tenant } vám po potvrzení přestane posílat e-maily o platnosti dokladů na { $addresses }.
    [reminders] { $tenant } vám po potvrzení přestane posílat vaše připomínky na { $addresses }.
   *[other] { $tenant } vám po potvrzení přestane posílat všechna upozornění e-mailem na { $addresses }.
}
unsubscribe-button = { $topic ->
    [all] Zastavit všechna upozornění
   *[other] Zastavit tato upozornění
}
unsubscribe-done = Upozornění zastavena
unsubscribe-done-text = { $topic ->
    [receivables] { $tenant } vám už na { $addresses } nepošle e-maily o poplatcích.
    [submissions] { $tenant } vám už na { $addresses } nepošle e-maily o podáních.
    [documents] { $tenant } vám už na { $addresses } nepošle e-maily o dokladech.
    [reminders] { $tenant } vám už na { $addresses } nepošle vaše připomínky.
   *[other] { $tenant } vám už na { $addresses } nepošle žádné upozornění.
}
unsubscribe-bad = Odkaz neplatí
unsubscribe-bad-text = Odkaz je poškozený nebo patří k jiné adrese.
try-later = Zkuste to prosím později
try-later-text = Na naší straně nastala chyba.

## Účet, souhrn přehledu a odkazy v upozorněních
error-title-prefix = Chyba:
error-summary-title = Je potřeba něco opravit
menu = Menu
nav-account = Váš účet
title-account = Váš účet
account-intro = { $tenant }: co o vás hlídač uchovává a jak účet zrušit.
account-export-title = Vaše údaje
account-export-text = Stáhněte si vše, co o vás uchováváme, jako soubor JSON.
account-delete-title = Zrušení účtu
account-delete-text = Smaže kontakty, nastavení a připomínky a zastaví všechna upozornění.
delete-keep = Ne, ponechat účet
summary-title = Co máte zaplatit
summary-fees = Poplatky k úhradě
summary-total = Celkem
summary-nearest = Nejbližší splatnost
summary-overdue = Po splatnosti
summary-overdue-count = { $count ->
    [one] 1 poplatek
    [few] { $count } poplatky
   *[other] { $count } poplatků
}
summary-nothing = Nic nemáte k zaplacení.
label-payment-model = Model
qr-save = Uložit QR kód jako obrázek
settings-quiet-from = Od
settings-quiet-to = Do
offset-days = { $days ->
    [0] v den splatnosti
    [one] 1 den předem
    [few] { $days } dny předem
   *[other] { $days } dní předem
}
to-overview = Přejít na přehled
to-settings = Nastavit upozornění
to-start = Na úvodní stránku
login-again = Přihlásit se znovu
unsubscribe-undo = Vrátit zpět
unsubscribe-change = Změnit, co dostáváte
unsubscribe-undone = Upozornění obnovena
unsubscribe-undone-text = { $tenant } vám bude upozornění posílat jako dřív.
alert-footer-contact = Kontakt na obec: { $contact }
alert-footer-overview = Váš přehled
alert-footer-change = Změnit, co dostáváte
alert-footer-stop-topic = { $topic ->
    [receivables] Zastavit e-maily o poplatcích
    [submissions] Zastavit e-maily o podáních
    [documents] Zastavit e-maily o dokladech
   *[other] Zastavit e-maily s připomínkami
}

## Kalendář
label-beneficiary = Příjemce
calendar-title = Kalendář
calendar-intro = Splatnosti poplatků, konce platnosti dokladů a vaše připomínky ve vašem kalendáři (v telefonu nebo počítači), s upozorněním v dny, které jste si zvolili.
calendar-make = Vytvořit odkaz na kalendář
calendar-url = Adresa kalendáře
calendar-hint = Přidejte ji v kalendáři jako odběr kalendáře z internetu. Je jen vaše: nikomu ji nedávejte. Zrušením přestane fungovat.
calendar-revoke = Zrušit odkaz na kalendář
notice-calendar-made = Odkaz na kalendář je vytvořen.
notice-calendar-revoked = Odkaz na kalendář je zrušen a přestal fungovat.
calendar-name = { $tenant } – hlídač
calendar-fee = Zaplatit: { $title }, { $amount }
calendar-instalment = Zaplatit: { $title }, { $no }. splátka, { $amount }
calendar-document = Končí platnost: { $kind }
calendar-reminder = Připomínka: { $note }
welcome-subject = { $tenant }: vítejte v hlídači
welcome-body = { $tenant } vám odteď e-mailem dá vědět o nových poplatcích a jejich splatnosti, o změnách vašich podání a o konci platnosti dokladů. Co a jak dostáváte, změníte na svém přehledu.
welcome-calendar = Splatnosti a konce platnosti si můžete přidat do svého kalendáře: odkaz na kalendář vytvoříte na přehledu.
contact-undeliverable = nedoručitelné
contact-undeliverable-text = E-maily na tuto adresu se vracejí jako nedoručitelné, proto je teď nepoužíváme. Pošlete si nový potvrzovací odkaz, až bude adresa fungovat, nebo přidejte jinou.
overview-undeliverable = E-maily na { $address } se vracejí jako nedoručitelné; upozornění na ni teď neposíláme.
overview-undeliverable-fix = Opravit v kontaktech
sms-undeliverable = { $tenant }: e-maily na vaši adresu se vracejí nedoručené, proto vám je neposíláme. Opravte ji v přehledu
