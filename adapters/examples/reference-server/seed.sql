-- Obec Lhota, a small Czech town: two citizens, a waste fee in two instalments, a dog fee
-- and one submission. Load after schema.sql:
--
--     psql -v ON_ERROR_STOP=1 -d lhota -f seed.sql
--
-- The dates are fixed in 2026; run the server with --today 2026-05-01 to see the fees
-- open (on a later day they are overdue, as they would be).
BEGIN;

INSERT INTO persons (person_ref) VALUES ('CZ-0000-JANA'), ('CZ-0000-PETR');

INSERT INTO person_identifiers
    (scheme, identifier, person_ref, given_name, family_name, date_of_birth)
VALUES
    ('cz-nia', 'CZ/CZ/6f1c2a9e-0b7d-4c55-9a1e-3d2b8c4f7a10', 'CZ-0000-JANA',
     'Jana', 'Nováková', '1980-02-03'),
    ('cz-nia', 'CZ/CZ/0d9e4b71-52a3-4f0c-8e6b-a1c7f2d39b84', 'CZ-0000-PETR',
     'Petr', 'Svoboda', '1975-11-20');

INSERT INTO documents (person_ref, kind, number_masked, valid_until) VALUES
    ('CZ-0000-JANA', 'id_card', '****4321', '2027-01-31'),
    ('CZ-0000-PETR', 'passport', '****7788', '2026-09-30');

-- Jana's waste fee, in two instalments, payable to the town's account.
INSERT INTO fees (key, person_ref, kind, title, period, amount_due,
                  account, variable_symbol, constant_symbol)
VALUES ('R-2026-000123', 'CZ-0000-JANA', 'waste_fee', 'Poplatek za komunální odpad', '2026',
        900.00, '19-1234567/0100', '1337000123', '0558');
INSERT INTO instalments (fee_key, no, due_date, amount) VALUES
    ('R-2026-000123', 1, '2026-05-31', 450.00),
    ('R-2026-000123', 2, '2026-07-31', 450.00);

-- Petr's dog fee: no instalments, one due date for the whole amount.
INSERT INTO fees (key, person_ref, kind, title, period, amount_due, due_date,
                  iban, variable_symbol)
VALUES ('R-2026-000124', 'CZ-0000-PETR', 'dog_fee', 'Poplatek ze psů', '2026',
        600.00, '2026-06-30', 'CZ6508000000192000145399', '1337000124');

-- Jana's application, registered and assigned to the building office.
INSERT INTO filing_records (key, person_ref, filing_number, case_number, matter, status,
                            status_native, assigned_to, received_at, deadline)
VALUES ('SPIS-2026-0042', 'CZ-0000-JANA', 'LHOTA 1234/2026', 'OV/55/2026',
        'Žádost o vydání územního rozhodnutí', 'assigned', 'nevyrizen', 'Odbor výstavby',
        '2026-04-20 09:10:00+02', '2026-06-19');

COMMIT;
