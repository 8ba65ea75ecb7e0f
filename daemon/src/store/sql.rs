//! Building the multi-row statements of the store: placeholders for `VALUES` rows and
//! `IN` lists, written for the engine that runs them.

/// The statement as the engine binds it fastest. SQLite looks up each named parameter
/// (`$N`) in a list of all the statement's names, so binding a multi-row statement of
/// 2,000 parameters took most of a large poll's time; bare `?` are bound by position.
/// Only a statement whose `$N` run 1, 2, 3, … in the order written is rewritten.
pub(super) fn positional(sql: String, sqlite: bool) -> String {
    if !sqlite {
        return sql;
    }
    let bytes = sql.as_bytes();
    let mut out = String::with_capacity(sql.len());
    let (mut next, mut i, mut copied) = (1usize, 0usize, 0usize);
    while i < bytes.len() {
        if bytes[i] == b'$' {
            let digits = bytes[i + 1..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            if digits > 0 {
                let n: usize = sql[i + 1..i + 1 + digits].parse().unwrap_or(0);
                if n != next {
                    return sql;
                }
                next += 1;
                out.push_str(&sql[copied..i]);
                out.push('?');
                i += 1 + digits;
                copied = i;
                continue;
            }
        }
        i += 1;
    }
    out.push_str(&sql[copied..]);
    out
}

/// Whether a transaction runs on SQLite (see [`positional`]).
pub(super) fn on_sqlite(tx: &sqlx::Transaction<'_, sqlx::Any>) -> bool {
    (**tx).backend_name() == "SQLite"
}

/// `$start, $start+1, …`: `n` placeholders for an `IN (…)` list.
pub(super) fn marks(start: usize, n: usize) -> String {
    (start..start + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `($1, $2, …), ($n+1, …)`: the VALUES of a multi-row statement with `rows` rows of
/// `cols` parameters. One statement per batch instead of one per row: SQLite runs each
/// statement on its worker thread, and the thread hand-offs, not SQLite, are the cost.
pub(super) fn value_rows(rows: usize, cols: usize) -> String {
    let mut out = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        out.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..cols {
            if c > 0 {
                out.push_str(", ");
            }
            out.push('$');
            out.push_str(&(r * cols + c + 1).to_string());
        }
        out.push(')');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_gets_bare_placeholders_only_where_they_run_in_order() {
        let rows = format!("INSERT INTO t (a, b) VALUES {}", value_rows(2, 2));
        assert_eq!(
            positional(rows.clone(), true),
            "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)"
        );
        assert_eq!(positional(rows.clone(), false), rows);
        let listed = format!("SELECT 1 WHERE a = $1 AND b IN ({})", marks(2, 3));
        assert_eq!(
            positional(listed, true),
            "SELECT 1 WHERE a = ? AND b IN (?, ?, ?)"
        );
        // A parameter used twice, or out of order, keeps its name.
        for kept in ["SELECT $1, $1", "SELECT $2, $1", "SELECT $1, $3"] {
            assert_eq!(positional(kept.to_string(), true), kept);
        }
        assert_eq!(positional("SELECT $1, $10".into(), true), "SELECT $1, $10");
        assert_eq!(positional("SELECT '$', $1".into(), true), "SELECT '$', ?");
    }
}
