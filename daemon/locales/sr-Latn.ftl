## Reči hlidac-a na srpskom (latinica). Svaki jezik ima svaku poruku (proverava test).
## Iznosi i datumi stižu formatirani; $n, $days_left i $count su brojevi.

## Zajednički delovi obaveštenja
days = { $n ->
    [one] { $n } dan
    [few] { $n } dana
   *[other] { $n } dana
}
alert-hello = Poštovani,
alert-footer-reason = { $tenant } – obaveštenja. Ovu poruku dobijate jer ste uključili obaveštenja.
alert-footer-digest = { $tenant } – obaveštenja. Pregled dobijate jednom dnevno jer ste ga izabrali.
alert-footer-stop = Isključite sva obaveštenja
label-amount = Iznos
label-amount-to-pay = Iznos za uplatu
label-due-date = Rok plaćanja
label-account = Račun
label-iban = IBAN
label-bic = BIC
label-constant-symbol = Konstantni simbol
label-specific-symbol = Specifični simbol
label-payment-code = Šifra plaćanja
label-variable-symbol = Poziv na broj
label-filing-number = Zavodni broj
label-case-number = Broj predmeta
label-registration-index = Registracioni indeks
label-status = Status
label-new-status = Novi status
label-previous-status = Prethodni status
label-handled-by = Obrađivač
label-deadline = Rok
label-valid-until = Važi do
label-number = br. { $number }
document-kind = { $kind ->
    [id_card] lična karta
    [passport] pasoš
    [driving_licence] vozačka dozvola
   *[other] dokument
}
document-kind-title = { $kind ->
    [id_card] Lična karta
    [passport] Pasoš
    [driving_licence] Vozačka dozvola
   *[other] Dokument
}
status = { $code ->
    [received] primljeno
    [assigned] dodeljeno obrađivaču
    [in_progress] u obradi
    [waiting_for_citizen] čeka vaš odgovor
    [forwarded] prosleđeno nadležnom organu
    [resolved] rešeno
    [closed] zatvoreno
    [cancelled] obustavljeno
    [reopened] ponovo otvoreno
   *[other] { $code }
}

## Obaveštenja po vrsti
receivable-new-subject = { $tenant }: novo zaduženje – { $title }, { $amount } do { $due }
receivable-new-intro = { $tenant } je evidentirao novo zaduženje koje treba da platite:
receivable-new-outro = Podsetićemo vas pre roka plaćanja.
receivable-reminder-subject = { $days_left ->
    [0] { $tenant }: danas ističe rok za { $title }, { $amount }
   *[other] { $tenant }: { $title }, { $amount } dospeva { $due } (za { $days })
}
receivable-reminder-intro = { $days_left ->
    [0] podsećamo vas da danas dospeva ovo zaduženje:
   *[other] podsećamo vas da za { $days }, { $due }, dospeva ovo zaduženje:
}
receivable-reminder-outro = Ako ste već platili, zanemarite ovu poruku.
receivable-overdue-subject = { $tenant }: { $title }, { $amount } – u docnji od { $due }
receivable-overdue-body = zaduženje { $title } u iznosu od { $amount } dospelo je { $due }, a { $tenant } ga još ne vodi kao plaćeno.
receivable-overdue-outro = Molimo vas da ga platite što pre. Uplata koju ste već izvršili može biti vidljiva tek za nekoliko dana.
receivable-paid-subject = { $tenant }: zaduženje { $title } je plaćeno ({ $amount })
receivable-paid-body = { $tenant } je evidentirao uplatu za { $title } u iznosu od { $amount }. Hvala vam.
receivable-cancelled-subject = { $tenant }: zaduženje { $title } ({ $amount }) je poništeno
receivable-cancelled-body = { $tenant } je poništio zaduženje { $title } u iznosu od { $amount }. Ne morate ga plaćati; ako ste već platili, opština će vas kontaktirati.
receivable-discount-subject = { $tenant }: popust { $percent } % na { $title }, { $amount } do { $until }
receivable-discount-body = ako platite { $title } do { $until }, { $tenant } vam daje popust od { $percent } %:
receivable-discount-with = Iznos sa popustom
receivable-discount-without = Iznos bez popusta
submission-new-subject = { $tenant }: pratimo vaš predmet { $reference }
submission-new-intro = { $tenant } je evidentirao vaš podnesak:
submission-new-outro = Obavestićemo vas o svakoj promeni njegovog statusa.
submission-changed-subject = { $tenant }: predmet { $reference } – { $status }
submission-changed-intro = status vašeg predmeta se promenio:
document-expiry-subject = { $days_left ->
    [0] { $tenant }: danas ističe važenje dokumenta ({ $kind })
   *[other] { $tenant }: za { $days } ističe važenje dokumenta ({ $kind })
}
document-expiry-intro = { $days_left ->
    [0] podsećamo vas da danas ističe važenje vašeg dokumenta:
   *[other] podsećamo vas da za { $days }, { $until }, ističe važenje vašeg dokumenta:
}
document-expiry-outro = Zahtev za novi dokument možete podneti u opštini.
digest-subject = { $tenant }: pregled obaveštenja ({ $count })
digest-intro = šaljemo vam pregled obaveštenja ({ $count }):

## Stranice
page-not-found = Nije pronađeno
page-not-found-text = Takva stranica ne postoji.
login-title = Prijava
login-intro = Prijavite se svojim elektronskim identitetom:
login-continue = Nastavite na prijavu
login-redirect-title = Preusmeravanje na prijavu
login-too-many = Previše pokušaja
login-too-many-text = Pokušajte ponovo za minut.
login-unavailable = Prijava trenutno nije moguća
login-unavailable-text = Pokušajte ponovo kasnije.
login-not-linked = Nismo vas pronašli u registru
login-not-linked-text = Prijavili ste se, ali vas opština nije pronašla u registru stanovništva. Ako ovde imate prebivalište, obratite se opštinskoj upravi.
login-low-loa = Nedovoljan nivo pouzdanosti
login-low-loa-text = Opština zahteva prijavu sa višim nivoom pouzdanosti. Koristite drugo sredstvo, na primer ličnu kartu sa čipom.
login-failed = Prijava nije uspela
login-failed-error-text = Došlo je do greške na našoj strani. Pokušajte ponovo kasnije.
login-failed-refused-text = Odgovor pružaoca identiteta nije mogao biti proveren. Započnite prijavu ponovo.
login-declined = Prijava nije završena
login-declined-text = Prijava je otkazana ili je pružalac identiteta nije mogao završiti. Ništa nije promenjeno. Prijavu možete započeti ponovo.
request-too-large = Zahtev je bio prevelik
request-too-large-text = Pregledač je poslao više podataka nego što ima bilo koji odgovor prijave. Započnite prijavu ponovo.
me-logged-in = Prijavljeni ste kao:
me-documents = Dokumenti
me-valid-until = važi do { $date }
logout = Odjava sa naloga
logged-out = Odjavljeni ste
logged-out-text = { $tenant }: odjavili ste se sa naloga.
logged-out-idp-unverified = Ovde ste odjavljeni; odjava kod pružaoca identiteta nije mogla biti potvrđena.
logout-refused = Odjava nije prihvaćena
logout-refused-text = Zahtev za odjavu nije mogao biti proveren.
form-expired = Obrazac je istekao
form-expired-text = Obrazac nije poslat sa ove stranice. Vratite se i pokušajte ponovo.

## Izgled
language-name = Srpski (latinica)
site-name = Obaveštenja opštine
product-name = obaveštenja
skip-to-content = Pređi na sadržaj
nav-label = Vaš nalog
nav-overview = Pregled
nav-settings = Obaveštenja
nav-contacts = Kontakti
nav-reminders = Moji podsetnici
nav-delete = Brisanje naloga
nav-export = Preuzmite svoje podatke
language = Jezik
language-change = Promeni
footer-text = Ova usluga vas obaveštava o vašim zaduženjima, predmetima i dokumentima.
back = Nazad
save = Sačuvaj
notice-saved = Podešavanja su sačuvana.

## Početna i saglasnost
landing-intro = { $tenant } može da vas obavesti imejlom ili SMS-om kada dospeva zaduženje, kada se vaš predmet pomeri i kada ističe važenje vašeg dokumenta.
landing-to-overview = Idite na pregled
landing-what-title = O čemu možete biti obavešteni
landing-what-receivables = lokalne takse i porezi: novo zaduženje, podsetnik pre roka, obaveštenje o docnji i potvrda uplate
landing-what-submissions = vaši predmeti: svaka promena njihovog statusa
landing-what-documents = lična karta i pasoš: podsetnik pre isteka važenja
login-post-text = Pregledač će vas sada odvesti na prijavu.
title-consent = Pre nego što počnete
consent-intro = { $tenant } može da vas obaveštava o zaduženjima, predmetima i dokumentima. Prvi put se prijavljujete: pročitajte šta usluga radi.
consent-watched-title = Šta se prati
consent-data-title = Koji se podaci koriste
consent-data-text = Ime i identifikator iz elektronskog identiteta, da bismo vas pronašli u registru stanovništva; zaduženja, predmeti i dokumenti koje opština vodi o vama; imejl i telefon koje ovde potvrdite. Identifikatore ne čuvamo u čitljivom obliku: samo šifrovane ili kao otisak iz kog se ne mogu otkriti.
consent-leave-title = Kako da odustanete
consent-leave-text = Svaki imejl sadrži vezu koja odmah zaustavlja obaveštenja. U delu „Brisanje naloga“ možete u svakom trenutku obrisati sve što čuvamo o vama.
consent-yes = Slažem se, nastavite
consent-no = Ne, hvala
consent-declined = Ništa se ne čuva
consent-declined-text = Niste dali saglasnost, pa o vama ništa ne čuvamo. Možete se vratiti u bilo kom trenutku.

## Pregled
title-overview = Pregled
receivables-title = Takse i porezi
receivables-none = Ovde nemate zaduženja za plaćanje.
receivable-status = { $code ->
    [open] za plaćanje
    [partially_paid] delimično plaćeno
    [paid] plaćeno
    [overdue] u docnji
    [in_enforcement] u prinudnoj naplati
    [written_off] otpisano
    [disputed] sporno
   *[other] { $code }
}
instalments-title = Rate
col-instalment = Rata
instalment-paid = plaćena
instalment-open = za plaćanje
how-to-pay = Kako da platite
label-payment-reference = Poziv na broj
qr-alt = QR kod za plaćanje iznosa { $amount } iz bankarske aplikacije
qr-caption-spayd = Skenirajte bankarskom aplikacijom (QR Platba).
qr-caption-epc = Skenirajte bankarskom aplikacijom (EPC QR kod za SEPA prenos).
qr-caption-ips = Skenirajte bankarskom aplikacijom (NBS IPS QR kod).
submissions-title = Vaši predmeti
submissions-none = Ovde ne pratimo nijedan vaš predmet.
history-title = Istorija
documents-none = Registar ne vodi nijedan vaš dokument.
alerts-title = Poslata obaveštenja
alerts-caption = Poslednja obaveštenja, najnovija na vrhu
alerts-none = Još vam nismo poslali nijedno obaveštenje.
col-when = Datum
col-what = Šta
col-channel = Kako
col-delivery = Isporuka
alert-kind = { $kind ->
    [receivable_new] novo zaduženje
    [receivable_reminder] podsetnik za plaćanje
    [receivable_overdue] zaduženje u docnji
    [receivable_paid] potvrda uplate
    [receivable_cancelled] poništeno zaduženje
    [receivable_discount_ending] kraj popusta
    [submission_new] evidentiran predmet
    [submission_status_changed] status predmeta
    [document_expiry] istek dokumenta
    [personal_reminder] vaš podsetnik
    [contact_verify] potvrda kontakta
    [digest] dnevni pregled
   *[other] { $kind }
}
alert-state = { $state ->
    [bounced] nije isporučeno, adresa ne radi
    [queued] čeka slanje
    [held] čeka dnevni pregled
    [digested] u dnevnom pregledu
    [sending] šalje se
    [sent] poslato
    [delivered] isporučeno
    [failed] još nije isporučeno, pokušaćemo ponovo
    [dead] nije moglo biti isporučeno
    [suppressed] nije poslato
    [expired] nije poslato na vreme
   *[other] { $state }
}
channel = { $channel ->
    [email] Imejl
    [sms] SMS
   *[other] { $channel }
}

## Podešavanja obaveštenja
title-settings = Obaveštenja
settings-topics = O čemu i kako da vas obaveštavamo
settings-topics-hint = Obaveštenja idu samo na potvrđen kontakt (vidite Kontakti).
col-topic = Tema
topic = { $topic ->
    [receivables] Takse i porezi
    [submissions] Predmeti
    [documents] Dokumenti
    [reminders] Moji podsetnici
   *[other] { $topic }
}
settings-delivery = Kada da šaljemo
delivery = { $mode ->
    [immediate] odmah
   *[daily] jedan pregled dnevno
}
settings-quiet-hours = Bez SMS-a između
settings-quiet-hours-hint = SMS poruke u tom periodu čekaju njegov kraj. Prazno: vreme opštine.
settings-language = Jezik obaveštenja
settings-offsets = Podseti me na plaćanje toliko dana pre roka
settings-offsets-hint = Dan roka i dani pre njega. Ništa označeno: dani opštine ({ $days }).
error-offsets = Označite od jednog do šest dana.
error-quiet-hours = Unesite početak i kraj, na primer 21:00 i 08:00.
error-choice = Izaberite jednu od ponuđenih mogućnosti.

## Kontakti
title-contacts = Kontakti
contacts-intro = Obaveštenja šaljemo samo na imejlove i telefone koje ste potvrdili.
contacts-caption = Vaši kontakti
col-contact = Kontakt
col-action = Radnja
contact-verified = potvrđen
contact-unverified = nije potvrđen
contact-send-link = Pošalji vezu za potvrdu
contact-send-code = Pošalji kod SMS-om
contact-code = Kod iz SMS-a
contact-confirm-code = Potvrdi
contact-remove = Ukloni
contacts-add = Dodajte kontakt
contacts-add-button = Dodaj
contacts-phone-hint = U međunarodnom obliku, na primer +381641234567.
error-email = Unesite imejl adresu, na primer petar@example.rs.
error-phone = Unesite telefon u međunarodnom obliku, na primer +381641234567.
error-contact-empty = Unesite imejl ili telefon.
error-code = Kod ima 6 cifara iz SMS-a.
error-code-wrong = Kod se ne poklapa. Proverite ga i pokušajte ponovo.
error-code-expired = Kod je istekao ili je unet previše puta. Zatražite novi.
notice-contact-added = Kontakt je dodat. Potvrdite ga da biste na njega dobijali obaveštenja.
notice-link-sent = Poslali smo vezu za potvrdu; važi 24 sata.
notice-code-sent = Poslali smo šestocifreni kod SMS-om; važi 10 minuta.
notice-verified = Kontakt je potvrđen.
notice-removed = Kontakt je uklonjen.
notice-wait = Sačekajte minut pre nego što ponovo zatražite.
verify-email-subject = { $tenant }: potvrdite svoju imejl adresu
verify-email-body = Potvrdite otvaranjem veze (važi 24 sata) da { $tenant } može da šalje obaveštenja na ovu adresu: { $url }
verify-email-ignore = Ako ovo niste tražili, zanemarite poruku; ništa vam nećemo slati.
verify-sms-text = { $tenant }: vaš kod za potvrdu je { $code }. Važi 10 minuta.
notice-locked = Za ovaj kontakt uneto je previše pogrešnih kodova. Uklonite ga i dodajte ponovo.
notice-send-limit = Današnje potvrde su iskorišćene. Pokušajte sutra.
error-contacts-limit = Imate najveći dozvoljeni broj kontakata. Prvo uklonite neki.
error-reminders-limit = Imate najveći dozvoljeni broj podsetnika. Prvo uklonite neki.
verify-confirm = Potvrda imejla
verify-confirm-text = Da li da se obaveštenja šalju na { $address }?
verify-confirm-button = Da, potvrdi ovu adresu
verify-ok = Imejl je potvrđen
verify-ok-text = Hvala. { $tenant } sada može da šalje obaveštenja na { $address }.
verify-bad = Veza ne važi
verify-bad-text = Veza je istekla ili je već iskorišćena. Zatražite novu na stranici Kontakti.

## Lični podsetnici
title-reminders = Moji podsetnici
reminders-intro = Podsetnik sa vašom beleškom, poslat na dan koji izaberete.
reminders-none = Nemate podsetnike.
reminders-add = Novi podsetnik
reminders-add-button = Dodaj podsetnik
reminder-date = Datum
reminder-note = Beleška (najviše 140 znakova)
reminder-remove = Ukloni
error-date = Unesite datum od sutra, najviše pet godina unapred.
error-note = Napišite belešku od 1 do 140 znakova, bez oznaka.
notice-reminder-added = Podsetnik je postavljen.
personal-reminder-subject = { $tenant }, { $date }: { $note }
personal-reminder-body = tražili ste da vas danas podsetimo:

## Preuzimanje i brisanje
title-delete = Brisanje naloga
delete-text = Brisanjem uklanjate svoje kontakte, podešavanja, podsetnike i vezu sa registrom, a sva obaveštenja se odmah zaustavljaju. Sopstvene evidencije opštine nisu obuhvaćene.
delete-confirm = Želim da obrišem svoj nalog
delete-button = Obriši moj nalog
error-confirm = Označite polje za potvrdu.
deleted = Nalog je obrisan
deleted-text = { $tenant }: sve što smo čuvali o vama je obrisano i više nećete dobijati obaveštenja.

## Odjava sa obaveštenja
unsubscribe-title = Isključite obaveštenja imejlom
unsubscribe-text = { $topic ->
    [receivables] Kada potvrdite, { $tenant } prestaje da šalje imejlove o zaduženjima na { $addresses }.
    [submissions] Kada potvrdite, { $tenant } prestaje da šalje imejlove o vašim predmetima na { $addresses }.
    [documents] Kada potvrdite, { $tenant } prestaje da šalje imejlove o vašim dokumentima na { $addresses }.
    [reminders] Kada potvrdite, { $tenant } prestaje da šalje vaše podsetnike na { $addresses }.
   *[other] Kada potvrdite, { $tenant } prestaje da šalje sva obaveštenja imejlom na { $addresses }.
}
unsubscribe-button = { $topic ->
    [all] Isključite sva obaveštenja
   *[other] Isključite ova obaveštenja
}
unsubscribe-done = Obaveštenja su isključena
unsubscribe-done-text = { $topic ->
    [receivables] { $tenant } više neće slati imejlove o zaduženjima na { $addresses }.
    [submissions] { $tenant } više neće slati imejlove o predmetima na { $addresses }.
    [documents] { $tenant } više neće slati imejlove o dokumentima na { $addresses }.
    [reminders] { $tenant } više neće slati vaše podsetnike na { $addresses }.
   *[other] { $tenant } više neće slati nikakva obaveštenja na { $addresses }.
}
unsubscribe-bad = Veza ne važi
unsubscribe-bad-text = Veza je oštećena ili pripada drugoj adresi.
try-later = Pokušajte ponovo kasnije
try-later-text = Došlo je do greške na našoj strani.

## Nalog, sažetak pregleda i veze u obaveštenjima
error-title-prefix = Greška:
error-summary-title = Nešto treba ispraviti
menu = Meni
nav-account = Vaš nalog
title-account = Vaš nalog
account-intro = { $tenant }: šta čuvamo o vama i kako da obrišete nalog.
account-export-title = Vaši podaci
account-export-text = Preuzmite sve što čuvamo o vama kao JSON datoteku.
account-delete-title = Brisanje naloga
account-delete-text = Briše kontakte, podešavanja i podsetnike i isključuje sva obaveštenja.
delete-keep = Ne, zadržite nalog
summary-title = Šta treba da platite
summary-fees = Zaduženja za plaćanje
summary-total = Ukupno
summary-nearest = Najbliži rok
summary-overdue = U docnji
summary-overdue-count = { $count ->
    [one] { $count } zaduženje
    [few] { $count } zaduženja
   *[other] { $count } zaduženja
}
summary-nothing = Nemate ništa za plaćanje.
label-payment-model = Model
qr-save = Sačuvajte QR kod kao sliku
settings-quiet-from = Od
settings-quiet-to = Do
offset-days = { $days ->
    [0] na dan roka
    [one] { $days } dan ranije
    [few] { $days } dana ranije
   *[other] { $days } dana ranije
}
to-overview = Idite na pregled
to-settings = Podesite obaveštenja
to-start = Na početnu stranu
login-again = Prijavite se ponovo
unsubscribe-undo = Poništite
unsubscribe-change = Promenite šta dobijate
unsubscribe-undone = Obaveštenja su vraćena
unsubscribe-undone-text = { $tenant } će vam slati obaveštenja kao ranije.
alert-footer-contact = Kontakt opštine: { $contact }
alert-footer-overview = Vaš pregled
alert-footer-change = Promenite šta dobijate
alert-footer-stop-topic = { $topic ->
    [receivables] Isključite imejlove o zaduženjima
    [submissions] Isključite imejlove o predmetima
    [documents] Isključite imejlove o dokumentima
   *[other] Isključite imejlove sa podsetnicima
}

## Kalendar
label-beneficiary = Primalac
calendar-title = Kalendar
calendar-intro = Rokovi zaduženja, istek dokumenata i vaši podsetnici u vašem kalendaru (na telefonu ili računaru), sa obaveštenjem u danima koje ste izabrali.
calendar-make = Napravite vezu ka kalendaru
calendar-url = Adresa kalendara
calendar-hint = Dodajte je u kalendar kao pretplatu na kalendar sa interneta. Samo je vaša: ne delite je. Kada je poništite, prestaje da radi.
calendar-revoke = Poništite vezu ka kalendaru
notice-calendar-made = Veza ka kalendaru je napravljena.
notice-calendar-revoked = Veza ka kalendaru je poništena i više ne radi.
calendar-name = { $tenant } – obaveštenja
calendar-fee = Platiti: { $title }, { $amount }
calendar-instalment = Platiti: { $title }, rata { $no }, { $amount }
calendar-document = Ističe: { $kind }
calendar-reminder = Podsetnik: { $note }
welcome-subject = { $tenant }: dobro došli
welcome-body = { $tenant } će vas od sada imejlom obaveštavati o novim zaduženjima i njihovim rokovima, o promenama vaših predmeta i o dokumentima kojima ističe rok. Šta dobijate, možete da promenite na svom pregledu.
welcome-calendar = Rokove možete da dodate u svoj kalendar: vezu ka kalendaru napravite na pregledu.
contact-undeliverable = nedostavljivo
contact-undeliverable-text = Imejlovi na ovu adresu se vraćaju kao neisporučeni, zato je sada ne koristimo. Pošaljite sebi novu vezu za potvrdu kada adresa proradi, ili dodajte drugu.
overview-undeliverable = Imejlovi na { $address } se vraćaju kao neisporučeni; sada ne šaljemo obaveštenja na nju.
overview-undeliverable-fix = Ispravite u kontaktima
sms-undeliverable = { $tenant }: imejlovi na vašu adresu se vraćaju neisporučeni, pa smo prestali da ih šaljemo. Ispravite je u pregledu
