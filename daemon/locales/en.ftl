## hlidac's words in English. Every locale has every message (a test checks it).
## Amounts and dates come formatted; $n, $days_left and $count are numbers.

## Shared parts of alerts
days = { $n ->
    [one] { $n } day
   *[other] { $n } days
}
alert-hello = Hello,
alert-footer-reason = The { $tenant } watchdog. You receive this because you turned these alerts on.
alert-footer-digest = The { $tenant } watchdog. You receive one summary a day because you chose it.
alert-footer-stop = Stop all alerts
label-amount = Amount
label-amount-to-pay = Amount to pay
label-due-date = Due date
label-account = Account
label-iban = IBAN
label-bic = BIC
label-constant-symbol = Constant symbol
label-specific-symbol = Specific symbol
label-payment-code = Payment code
label-variable-symbol = Variable symbol
label-filing-number = Reference number
label-case-number = Case number
label-registration-index = Registration index
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
receivable-new-subject = { $tenant }: new bill – { $title }, { $amount } due { $due }
receivable-new-intro = { $tenant } has a new bill for you to pay:
receivable-new-outro = We will remind you before it is due.
receivable-reminder-subject = { $days_left ->
    [0] { $tenant }: { $title }, { $amount } is due today
   *[other] { $tenant }: { $title }, { $amount } is due { $due } (in { $days })
}
receivable-reminder-intro = { $days_left ->
    [0] a reminder that this payment is due today:
   *[other] a reminder that this payment is due in { $days }, on { $due }:
}
receivable-reminder-outro = If you have already paid, please disregard this message.
receivable-overdue-subject = { $tenant }: { $title }, { $amount } – overdue since { $due }
receivable-overdue-body = the payment { $title } of { $amount } was due on { $due } and { $tenant } has not registered it as paid yet.
receivable-overdue-outro = Please pay it as soon as possible. A payment already made may take a few days to show.
receivable-paid-subject = { $tenant }: { $title } is paid ({ $amount })
receivable-paid-body = { $tenant } has recorded the bill { $title } of { $amount } as paid. Thank you.
receivable-cancelled-subject = { $tenant }: { $title } ({ $amount }) was cancelled
receivable-cancelled-body = { $tenant } has cancelled the bill { $title } of { $amount }. You do not need to pay it; if you already have, the municipality will contact you.
receivable-discount-subject = { $tenant }: { $percent } % off { $title }, { $amount } until { $until }
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
login-declined = The login was not completed
login-declined-text = The login was cancelled, or the identity provider could not complete it. Nothing was changed. You can start the login again.
request-too-large = The request was too large
request-too-large-text = What your browser sent was larger than any login answer. Please start the login again.
me-logged-in = Logged in:
me-documents = Documents
me-valid-until = valid until { $date }
logout = Log out
logged-out = Logged out
logged-out-text = { $tenant }: you have logged out of the watchdog.
logged-out-idp-unverified = You are logged out here; the identity provider's logout could not be verified.
logout-refused = Logout not accepted
logout-refused-text = The logout request could not be verified.
form-expired = Form expired
form-expired-text = The form was not sent from this page. Please go back and try again.

## Layout
language-name = English
site-name = Municipal alerts
product-name = watchdog
skip-to-content = Skip to the content
nav-label = Your account
nav-overview = Overview
nav-settings = Alerts
nav-contacts = Contacts
nav-reminders = My reminders
nav-delete = Delete account
nav-export = Download my data
language = Language
language-change = Change
footer-text = This service tells you about your fees, submissions and documents.
back = Back
save = Save
notice-saved = Your settings are saved.

## Landing and consent
landing-intro = { $tenant } can tell you by e-mail or SMS when a fee is due, when your submission moves on and when a document of yours expires.
landing-to-overview = Go to your overview
landing-what-title = What you can be told about
landing-what-receivables = local fees and taxes: a new bill, a reminder before it is due, an overdue notice and the confirmation that it is paid
landing-what-submissions = your submissions: each change of their status
landing-what-documents = your identity card and passport: a reminder before they expire
login-post-text = Your browser will now take you to the login.
title-consent = Before you start
consent-intro = { $tenant } can alert you about fees, submissions and documents. This is your first login: please read what the watchdog does.
consent-watched-title = What is watched
consent-data-title = Which data is used
consent-data-text = Your name and identifier from the electronic identity, to find you in the registry of persons; the fees, submissions and documents the municipality keeps about you; the e-mail address and phone number you confirm here. Identifiers are never stored readably: only encrypted, or as a fingerprint they cannot be worked out from.
consent-leave-title = How to leave
consent-leave-text = Every e-mail has a link that stops alerts at once. Under "Delete account" you can remove everything kept about you at any time.
consent-yes = I agree, continue
consent-no = No, thank you
consent-declined = Nothing is kept
consent-declined-text = You did not agree, so nothing about you is kept. You can come back at any time.

## Overview
title-overview = Overview
receivables-title = Fees and payments
receivables-none = You have no fees to pay here.
receivable-status = { $code ->
    [open] to pay
    [partially_paid] partly paid
    [paid] paid
    [overdue] overdue
    [in_enforcement] in enforcement
    [written_off] written off
    [disputed] disputed
   *[other] { $code }
}
instalments-title = Instalments
col-instalment = Instalment
instalment-paid = paid
instalment-open = to pay
how-to-pay = How to pay
label-payment-reference = Payment reference
qr-alt = QR code for paying { $amount } from a banking app
qr-caption-spayd = Scan with your banking app (QR Platba).
qr-caption-epc = Scan with your banking app (EPC QR code for a SEPA transfer).
qr-caption-ips = Scan with your banking app (NBS IPS QR code).
submissions-title = Your submissions
submissions-none = You have no submissions being followed here.
history-title = History
documents-none = The registry knows no documents of yours.
alerts-title = Alerts sent to you
alerts-caption = The latest alerts, newest first
alerts-none = No alerts have been sent to you yet.
col-when = Date
col-what = What
col-channel = How
col-delivery = Delivery
alert-kind = { $kind ->
    [receivable_new] new bill
    [receivable_reminder] payment reminder
    [receivable_overdue] overdue payment
    [receivable_paid] payment confirmed
    [receivable_cancelled] bill cancelled
    [receivable_discount_ending] discount ending
    [submission_new] submission registered
    [submission_status_changed] submission status
    [document_expiry] document expiry
    [personal_reminder] your reminder
    [contact_verify] contact confirmation
    [digest] daily summary
   *[other] { $kind }
}
alert-state = { $state ->
    [bounced] not delivered, the address does not work
    [queued] waiting
    [held] waiting for the daily summary
    [digested] in the daily summary
    [sending] being sent
    [sent] sent
    [delivered] delivered
    [failed] not delivered yet, trying again
    [dead] could not be delivered
    [suppressed] not sent
    [expired] not sent in time
   *[other] { $state }
}
channel = { $channel ->
    [email] E-mail
    [sms] SMS
   *[other] { $channel }
}

## Alert settings
title-settings = Alerts
settings-topics = What to tell you, and how
settings-topics-hint = Alerts go only to a confirmed contact (see Contacts).
col-topic = Topic
topic = { $topic ->
    [receivables] Fees and payments
    [submissions] Submissions
    [documents] Documents
    [reminders] My reminders
   *[other] { $topic }
}
settings-delivery = When to send
delivery = { $mode ->
    [immediate] at once
   *[daily] one summary a day
}
settings-quiet-hours = No SMS between
settings-quiet-hours-hint = Text messages due in this time wait until it ends. Empty: the municipality's hours.
settings-language = Language of the alerts
settings-offsets = Remind me of a payment this many days before it is due
settings-offsets-hint = The due date itself and the days before it. Nothing ticked: the municipality's days ({ $days }).
error-offsets = Tick one to six days.
error-quiet-hours = Fill in both the start and the end, for example 21:00 and 08:00.
error-choice = Choose one of the options offered.

## Contacts
title-contacts = Contacts
contacts-intro = Alerts go only to e-mail addresses and phone numbers you have confirmed.
contacts-caption = Your contacts
col-contact = Contact
col-action = Action
contact-verified = confirmed
contact-unverified = not confirmed
contact-send-link = Send a confirmation link
contact-send-code = Send a code by SMS
contact-code = Code from the SMS
contact-confirm-code = Confirm
contact-remove = Remove
contacts-add = Add a contact
contacts-add-button = Add
contacts-phone-hint = In international form, for example +420601123456.
error-email = Enter an e-mail address such as jana@example.cz.
error-phone = Enter a phone number in international form, such as +420601123456.
error-contact-empty = Enter an e-mail address or a phone number.
error-code = The code is 6 digits from the SMS.
error-code-wrong = The code does not match. Please check it and try again.
error-code-expired = The code has expired or was tried too often. Send a new one.
notice-contact-added = The contact is added. Confirm it to receive alerts there.
notice-link-sent = We sent a confirmation link; it is valid for 24 hours.
notice-code-sent = We sent a 6-digit code by SMS; it is valid for 10 minutes.
notice-verified = The contact is confirmed.
notice-removed = The contact is removed.
notice-wait = Please wait a minute before asking again.
verify-email-subject = { $tenant }: confirm your e-mail address
verify-email-body = Please confirm, by opening this link (valid for 24 hours), that { $tenant } may send alerts to this address: { $url }
verify-email-ignore = If you did not ask for this, ignore this message; nothing will be sent to you.
verify-sms-text = { $tenant }: your confirmation code is { $code }. It is valid for 10 minutes.
notice-locked = This contact took too many wrong codes. Remove it and add it again.
notice-send-limit = Today's confirmations are used up. Please try again tomorrow.
error-contacts-limit = You have as many contacts as can be kept. Remove one first.
error-reminders-limit = You have as many reminders as can be kept. Remove one first.
verify-confirm = Confirm your e-mail
verify-confirm-text = Should alerts be sent to { $address }?
verify-confirm-button = Yes, confirm this address
verify-ok = E-mail confirmed
verify-ok-text = Thank you. { $tenant } can now send alerts to { $address }.
verify-bad = The link is not valid
verify-bad-text = The link has expired or was already used. Send a new one from the Contacts page.

## Personal reminders
title-reminders = My reminders
reminders-intro = A reminder with your own note, sent on the day you choose.
reminders-none = You have no reminders.
reminders-add = New reminder
reminders-add-button = Add the reminder
reminder-date = Date
reminder-note = Note (up to 140 characters)
reminder-remove = Remove
error-date = Enter a date from tomorrow on, within five years.
error-note = Write a note of 1 to 140 characters, without markup.
notice-reminder-added = The reminder is set.
personal-reminder-subject = { $tenant }, { $date }: { $note }
personal-reminder-body = you asked to be reminded today:

## Export and delete
title-delete = Delete account
delete-text = Deleting removes your contacts, settings, reminders and the link to the registry, and stops all alerts at once. The municipality's own records are not affected.
delete-confirm = I want to delete my account
delete-button = Delete my account
error-confirm = Tick the box to confirm.
deleted = Account deleted
deleted-text = { $tenant }: everything the watchdog kept about you is deleted, and no more alerts will come.

## Unsubscribe
unsubscribe-title = Stop e-mail alerts
unsubscribe-text = { $topic ->
    [receivables] Once you confirm, { $tenant } stops sending e-mails about fees to { $addresses }.
    [submissions] Once you confirm, { $tenant } stops sending e-mails about your submissions to { $addresses }.
    [documents] Once you confirm, { $tenant } stops sending e-mails about your documents to { $addresses }.
    [reminders] Once you confirm, { $tenant } stops sending your reminders to { $addresses }.
   *[other] Once you confirm, { $tenant } stops sending any alerts by e-mail to { $addresses }.
}
unsubscribe-button = { $topic ->
    [all] Stop all alerts
   *[other] Stop these alerts
}
unsubscribe-done = Alerts stopped
unsubscribe-done-text = { $topic ->
    [receivables] { $tenant } will no longer send e-mails about fees to { $addresses }.
    [submissions] { $tenant } will no longer send e-mails about submissions to { $addresses }.
    [documents] { $tenant } will no longer send e-mails about documents to { $addresses }.
    [reminders] { $tenant } will no longer send your reminders to { $addresses }.
   *[other] { $tenant } will no longer send any alerts to { $addresses }.
}
unsubscribe-bad = This link is not valid
unsubscribe-bad-text = The link is damaged or was made for another address.
try-later = Please try again later
try-later-text = Something failed on our side.

## The account, the overview summary and the links in alerts
error-title-prefix = Error:
error-summary-title = There is a problem
menu = Menu
nav-account = Your account
title-account = Your account
account-intro = { $tenant }: what the watchdog keeps about you, and how to delete your account.
account-export-title = Your data
account-export-text = Download everything we keep about you as a JSON file.
account-delete-title = Deleting your account
account-delete-text = Deletes your contacts, settings and reminders and stops all alerts.
delete-keep = No, keep my account
summary-title = What you owe
summary-fees = Fees to pay
summary-total = Total
summary-nearest = Next due date
summary-overdue = Overdue
summary-overdue-count = { $count ->
    [one] 1 fee
   *[other] { $count } fees
}
summary-nothing = You have nothing to pay.
label-payment-model = Model
qr-save = Save the QR code as an image
settings-quiet-from = From
settings-quiet-to = To
offset-days = { $days ->
    [0] on the due date
    [one] 1 day before
   *[other] { $days } days before
}
to-overview = Go to your overview
to-settings = Choose your alerts
to-start = Go to the start page
login-again = Log in again
unsubscribe-undo = Undo
unsubscribe-change = Change what you receive
unsubscribe-undone = Alerts restored
unsubscribe-undone-text = { $tenant } will send your alerts as before.
alert-footer-contact = Contact the municipality: { $contact }
alert-footer-overview = Your overview
alert-footer-change = Change what you receive
alert-footer-stop-topic = { $topic ->
    [receivables] Stop e-mails about fees
    [submissions] Stop e-mails about submissions
    [documents] Stop e-mails about documents
   *[other] Stop e-mails with your reminders
}

## The calendar
label-beneficiary = Beneficiary
calendar-title = Calendar
calendar-intro = Your fees' due dates, your documents' expiry and your own reminders in your calendar (on your phone or computer), with alerts on the days you chose.
calendar-make = Make a calendar link
calendar-url = Calendar address
calendar-hint = Add it in your calendar app as a calendar subscription from the internet. It is yours alone: do not share it. Revoking it stops it working.
calendar-revoke = Revoke the calendar link
notice-calendar-made = Your calendar link is ready.
notice-calendar-revoked = Your calendar link is revoked and no longer works.
calendar-name = { $tenant } – watchdog
calendar-fee = Pay: { $title }, { $amount }
calendar-instalment = Pay: { $title }, instalment { $no }, { $amount }
calendar-document = Expires: { $kind }
calendar-reminder = Reminder: { $note }
welcome-subject = { $tenant }: welcome to the watchdog
welcome-body = { $tenant } will now tell you by e-mail about new fees and when they are due, about changes to your submissions and about documents that expire. You can change what you receive on your overview.
welcome-calendar = You can have the due dates and expiry dates in your own calendar: make a calendar link on your overview.
contact-undeliverable = undeliverable
contact-undeliverable-text = E-mails to this address come back undelivered, so we do not use it now. Send yourself a new confirmation link once it works, or add another address.
overview-undeliverable = E-mails to { $address } come back undelivered; we are not sending alerts to it now.
overview-undeliverable-fix = Fix it in your contacts
sms-undeliverable = { $tenant }: e-mails to your address come back undelivered, so we have stopped sending them. Fix it in your overview
