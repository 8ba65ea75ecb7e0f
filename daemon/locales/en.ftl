## hlidac's words in English. Every locale has every message (a test checks it).
## Amounts and dates come formatted; $n, $days_left and $count are numbers.

## Shared parts of alerts
watchdog = the { $tenant } watchdog
days = { $n ->
    [one] { $n } day
   *[other] { $n } days
}
alert-hello = Hello,
alert-footer-reason = The { $tenant } watchdog. You receive this because you turned these alerts on.
alert-footer-digest = The { $tenant } watchdog. You receive one summary a day because you chose it.
alert-footer-stop = Stop all alerts: { $url }
label-amount = Amount
label-amount-to-pay = Amount to pay
label-due-date = Due date
label-account = Account
label-iban = IBAN
label-variable-symbol = Variable symbol
label-reference = Reference
label-status = Status
label-new-status = New status
label-previous-status = Previous status
label-handled-by = Handled by
label-deadline = Deadline
label-valid-until = Valid until
label-number = no. { $number }
document-kind = { $kind ->
    [id_card] identity card
    [passport] passport
    [driving_licence] driving licence
   *[other] document
}
document-kind-title = { $kind ->
    [id_card] Identity card
    [passport] Passport
    [driving_licence] Driving licence
   *[other] Document
}
status = { $code ->
    [received] received
    [assigned] assigned to an official
    [in_progress] in progress
    [waiting_for_citizen] waiting for you
    [forwarded] forwarded to the competent office
    [resolved] resolved
    [closed] closed
    [cancelled] cancelled
    [reopened] reopened
   *[other] { $code }
}

## Alerts by kind
receivable-new-subject = { $tenant }: new payment { $title }, due { $due }
receivable-new-intro = { $tenant } has registered a new payment for you:
receivable-new-outro = We will remind you before it is due.
receivable-reminder-subject = { $days_left ->
    [0] { $tenant }: { $title } is due today
   *[other] { $tenant }: { $title } is due in { $days }
}
receivable-reminder-intro = { $days_left ->
    [0] a reminder that this payment is due today:
   *[other] a reminder that this payment is due in { $days }, on { $due }:
}
receivable-reminder-outro = If you have already paid, please disregard this message.
receivable-overdue-subject = { $tenant }: { $title } is overdue
receivable-overdue-body = the payment { $title } of { $amount } was due on { $due } and { $tenant } has not registered it as paid yet.
receivable-overdue-outro = Please pay it as soon as possible. A payment already made may take a few days to show.
receivable-paid-subject = { $tenant }: { $title } is paid
receivable-paid-body = { $tenant } has registered the payment { $title } of { $amount } as paid. Thank you.
receivable-discount-subject = { $tenant }: { $percent } % off { $title } until { $until }
receivable-discount-body = if you pay { $title } by { $until }, { $tenant } takes { $percent } % off:
receivable-discount-with = Amount with the discount
receivable-discount-without = Amount without it
submission-new-subject = { $tenant }: we are following your submission { $reference }
submission-new-intro = { $tenant } has registered your submission:
submission-new-outro = We will tell you about every change of its status.
submission-changed-subject = { $tenant }: submission { $reference } – { $status }
submission-changed-intro = the status of your submission has changed:
document-expiry-subject = { $days_left ->
    [0] { $tenant }: your { $kind } expires today
   *[other] { $tenant }: your { $kind } expires in { $days }
}
document-expiry-intro = { $days_left ->
    [0] a reminder that your document expires today:
   *[other] a reminder that your document expires in { $days }, on { $until }:
}
document-expiry-outro = You can apply for a new one at the municipal office.
digest-subject = { $tenant }: your alerts ({ $count })
digest-intro = here is a summary of your alerts ({ $count }):

## Pages
page-not-found = Not found
page-not-found-text = There is no such page.
login-title = Log in
login-intro = Log in with your electronic identity:
login-continue = Continue to the login
login-redirect-title = On to the login
login-too-many = Too many attempts
login-too-many-text = Please try again in a minute.
login-unavailable = Login is not available now
login-unavailable-text = Please try again later.
login-not-linked = We could not find you in the registry
login-not-linked-text = You logged in, but the municipality did not find you in the registry of persons. If you live here, please contact the municipal office.
login-low-loa = Level of assurance too low
login-low-loa-text = The municipality requires a login with a higher level of assurance. Please use another means, such as an electronic ID card.
login-failed = The login did not work
login-failed-error-text = Something failed on our side. Please try again later.
login-failed-refused-text = The identity provider's answer could not be verified. Please start the login again.
me-logged-in = Logged in:
me-documents = Documents
me-valid-until = valid until { $date }
logout = Log out
logged-out = Logged out
logged-out-text = You are logged out.
logged-out-idp-unverified = You are logged out here; the identity provider's logout could not be verified.
logout-refused = Logout not accepted
logout-refused-text = The logout request could not be verified.
form-expired = Form expired
form-expired-text = The form was not sent from this page. Please go back and try again.
