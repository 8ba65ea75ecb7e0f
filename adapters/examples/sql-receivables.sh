#!/bin/sh
# hlidac exec adapter: receivables from a PostgreSQL table of the municipality's.
#
#     sql-receivables.sh [CONNINFO]   (else the usual PG* variables, PGSERVICE, ~/.pgpass)
#
# The query below reads a table
#     poplatky(cislo text, osoba text, druh text, nazev text, obdobi text,
#              predpis numeric(12,2), zbyva numeric(12,2), splatnost date,
#              vs text, zaplaceno boolean)
# and turns each row into a canonical receivable; adapt it to your schema. The person
# references asked about arrive on stdin as a JSON line and go to the query as one
# parameter, never spliced into SQL. psql -v ON_ERROR_STOP=1 makes any SQL error a
# non-zero exit, which hlidac treats as a failed poll.
set -eu
request=$(head -n 1)
echo '{"protocol": "hlidac-adapter/1"}'
psql -X -q -A -t -v ON_ERROR_STOP=1 -v request="$request" ${1:+"$1"} <<'SQL'
SELECT json_build_object(
    'key', p.cislo,
    'person_ref', p.osoba,
    'kind', p.druh,
    'title', p.nazev,
    'period', p.obdobi,
    'currency', 'CZK',
    'amount_due', to_char(p.predpis, 'FM999999990.00'),
    'amount_outstanding', to_char(CASE WHEN p.zaplaceno THEN 0 ELSE p.zbyva END, 'FM999999990.00'),
    'instalments', json_build_array(json_build_object(
        'no', 1, 'due_date', p.splatnost, 'amount', to_char(p.predpis, 'FM999999990.00'),
        'paid', p.zaplaceno)),
    'payment', json_build_object('variable_symbol', p.vs),
    -- The town's books say when a date was missed: only 'overdue' brings an overdue notice.
    'status', CASE WHEN p.zaplaceno THEN 'paid'
                   WHEN p.splatnost < current_date THEN 'overdue' ELSE 'open' END)
FROM poplatky p
WHERE p.osoba IN (SELECT json_array_elements_text((:'request')::json -> 'person_refs'))
ORDER BY p.cislo;
SQL
echo '{"end": true, "complete": true}'
