//! How a store function runs one statement on the pool: it says only its SQL and its
//! arguments ([`args!`]), and picks what comes back: the rows changed, one value, a row
//! or a value if there is one, or all rows. Statements inside a transaction, and those
//! built per batch, bind on sqlx's own query as before.

use super::{Result, Store};
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::error::BoxDynError;
use sqlx::{Any, Arguments, Encode, FromRow, Type};

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

impl Store {
    /// Runs a statement; returns how many rows it changed.
    pub(super) async fn run<'q>(&self, sql: &'q str, args: Args<'q>) -> Result<u64> {
        Ok(sqlx::query_with(sql, args.into_arguments()?)
            .execute(&self.pool)
            .await?
            .rows_affected())
    }

    /// The first column of the one row a statement returns.
    pub(super) async fn value<'q, T>(&self, sql: &'q str, args: Args<'q>) -> Result<T>
    where
        T: Send + Unpin,
        (T,): for<'r> FromRow<'r, AnyRow>,
    {
        Ok(sqlx::query_scalar_with(sql, args.into_arguments()?)
            .fetch_one(&self.pool)
            .await?)
    }

    /// The first column of the first row a statement returns, if it returns one.
    pub(super) async fn optional_value<'q, T>(
        &self,
        sql: &'q str,
        args: Args<'q>,
    ) -> Result<Option<T>>
    where
        T: Send + Unpin,
        (T,): for<'r> FromRow<'r, AnyRow>,
    {
        Ok(sqlx::query_scalar_with(sql, args.into_arguments()?)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// The first row a statement returns, if it returns one.
    pub(super) async fn optional<'q, T>(&self, sql: &'q str, args: Args<'q>) -> Result<Option<T>>
    where
        T: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
    {
        Ok(sqlx::query_as_with(sql, args.into_arguments()?)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Every row a statement returns.
    pub(super) async fn all<'q, T>(&self, sql: &'q str, args: Args<'q>) -> Result<Vec<T>>
    where
        T: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
    {
        Ok(sqlx::query_as_with(sql, args.into_arguments()?)
            .fetch_all(&self.pool)
            .await?)
    }
}
