//! How a store function runs one statement on the pool: it says only its SQL and its
//! arguments ([`args!`]), and picks what comes back: the rows changed, one value, a row
//! or a value if there is one, or all rows; [`run_in`] runs one inside the caller's
//! transaction. Statements built per batch or per engine, rows read by hand (a `FromRow`
//! struct with an extra column), and reads inside a transaction bind on sqlx's own query.

use super::{Result, Store};
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::error::BoxDynError;
use sqlx::{Any, AnyConnection, Arguments, Encode, FromRow, Type};

/// The arguments of one statement, in the order of its `$1, $2, …`; made by [`args!`].
pub(super) struct Args<'q>(std::result::Result<AnyArguments<'q>, BoxDynError>);

impl<'q> Args<'q> {
    pub(super) fn new() -> Args<'q> {
        Args(Ok(AnyArguments::default()))
    }

    /// Adds the next argument. A value that cannot be encoded fails the statement with
    /// the error sqlx's own `bind` gives.
    pub(super) fn and<T: 'q + Encode<'q, Any> + Type<Any>>(mut self, value: T) -> Args<'q> {
        if let Ok(args) = &mut self.0 {
            let number = args.len() + 1;
            if let Err(error) = args.add(value) {
                self.0 = Err(format!("Encoding argument ${number} failed: {error}").into());
            }
        }
        self
    }

    fn into_arguments(self) -> Result<AnyArguments<'q>> {
        Ok(self.0.map_err(sqlx::Error::Encode)?)
    }
}

/// `args![a, b, c]`: the arguments `$1 = a, $2 = b, $3 = c` of a statement.
macro_rules! args {
    ($($value:expr),* $(,)?) => {
        $crate::store::run::Args::new()$(.and($value))*
    };
}
pub(super) use args;

/// What a row of a statement can be read as: a `FromRow` struct, a tuple, or `()` when
/// only whether there is a row matters.
pub(super) trait FromAnyRow: for<'r> FromRow<'r, AnyRow> + Send + Unpin {}

impl<T: for<'r> FromRow<'r, AnyRow> + Send + Unpin> FromAnyRow for T {}

/// Runs a statement inside the caller's transaction; returns how many rows it changed.
pub(super) async fn run_in(tx: &mut AnyConnection, sql: &str, args: Args<'_>) -> Result<u64> {
    let query = sqlx::query_with(sql, args.into_arguments()?);
    Ok(query.execute(tx).await?.rows_affected())
}

impl Store {
    /// Runs a statement; returns how many rows it changed.
    pub(super) async fn run(&self, sql: &str, args: Args<'_>) -> Result<u64> {
        let query = sqlx::query_with(sql, args.into_arguments()?);
        Ok(query.execute(&self.pool).await?.rows_affected())
    }

    /// The first row a statement returns, if it returns one.
    pub(super) async fn optional<T: FromAnyRow>(
        &self,
        sql: &str,
        args: Args<'_>,
    ) -> Result<Option<T>> {
        let query = sqlx::query_as_with(sql, args.into_arguments()?);
        Ok(query.fetch_optional(&self.pool).await?)
    }

    /// Every row a statement returns.
    pub(super) async fn all<T: FromAnyRow>(&self, sql: &str, args: Args<'_>) -> Result<Vec<T>> {
        let query = sqlx::query_as_with(sql, args.into_arguments()?);
        Ok(query.fetch_all(&self.pool).await?)
    }

    /// The first column of the first row a statement returns, if it returns one.
    pub(super) async fn optional_value<T>(&self, sql: &str, args: Args<'_>) -> Result<Option<T>>
    where
        (T,): FromAnyRow,
    {
        let row = self.optional::<(T,)>(sql, args).await?;
        Ok(row.map(|(value,)| value))
    }

    /// The first column of the one row a statement returns; no row is sqlx's
    /// `RowNotFound`, as from its own `fetch_one`.
    pub(super) async fn value<T>(&self, sql: &str, args: Args<'_>) -> Result<T>
    where
        (T,): FromAnyRow,
    {
        let value = self.optional_value(sql, args).await?;
        Ok(value.ok_or(sqlx::Error::RowNotFound)?)
    }
}
