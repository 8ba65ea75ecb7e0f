## Reči hlidac-a na srpskom (latinica). Svaki jezik ima svaku poruku (proverava test).
## Iznosi i datumi stižu formatirani; $n, $days_left i $count su brojevi.

## Zajednički delovi obaveštenja
watchdog = obaveštenja: { $tenant }
days = { $n ->
    [one] { $n } dan
    [few] { $n } dana
   *[other] { $n } dana
}
alert-hello = Poštovani,
alert-footer-reason = { $tenant } – obaveštenja. Ovu poruku dobijate jer ste uključili obaveštenja.
alert-footer-digest = { $tenant } – obaveštenja. Pregled dobijate jednom dnevno jer ste ga izabrali.
alert-footer-stop = Isključite sva obaveštenja: { $url }
label-amount = Iznos
label-amount-to-pay = Iznos za uplatu
label-due-date = Rok plaćanja
label-account = Račun
label-iban = IBAN
label-variable-symbol = Poziv na broj
label-reference = Broj predmeta
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
receivable-new-subject = { $tenant }: novo zaduženje { $title }, rok { $due }
receivable-new-intro = { $tenant } je evidentirao novo zaduženje koje treba da platite:
receivable-new-outro = Podsetićemo vas pre roka plaćanja.
receivable-reminder-subject = { $days_left ->
    [0] { $tenant }: danas dospeva { $title }
   *[other] { $tenant }: za { $days } dospeva { $title }
}
receivable-reminder-intro = { $days_left ->
    [0] podsećamo vas da danas dospeva ovo zaduženje:
   *[other] podsećamo vas da za { $days }, { $due }, dospeva ovo zaduženje:
}
receivable-reminder-outro = Ako ste već platili, zanemarite ovu poruku.
receivable-overdue-subject = { $tenant }: zaduženje { $title } nije plaćeno u roku
receivable-overdue-body = zaduženje { $title } u iznosu od { $amount } dospelo je { $due }, a { $tenant } ga još ne vodi kao plaćeno.
receivable-overdue-outro = Molimo vas da ga platite što pre. Uplata koju ste već izvršili može biti vidljiva tek za nekoliko dana.
receivable-paid-subject = { $tenant }: zaduženje { $title } je plaćeno
receivable-paid-body = { $tenant } je evidentirao uplatu za { $title } u iznosu od { $amount }. Hvala vam.
receivable-discount-subject = { $tenant }: popust { $percent } % za { $title } do { $until }
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
me-logged-in = Prijavljeni ste kao:
me-documents = Dokumenti
me-valid-until = važi do { $date }
logout = Odjava
logged-out = Odjavljeni ste
logged-out-text = Uspešno ste se odjavili.
logged-out-idp-unverified = Ovde ste odjavljeni; odjava kod pružaoca identiteta nije mogla biti potvrđena.
logout-refused = Odjava nije prihvaćena
logout-refused-text = Zahtev za odjavu nije mogao biti proveren.
form-expired = Obrazac je istekao
form-expired-text = Obrazac nije poslat sa ove stranice. Vratite se i pokušajte ponovo.
