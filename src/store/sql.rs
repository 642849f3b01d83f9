//! A small builder for queries whose WHERE clause depends on the request (filters),
//! numbering `$n` placeholders as values are bound, which both engines accept.

use sqlx::any::{Any, AnyArguments};
use sqlx::{Arguments, Encode, Type};

pub struct SqlBuf<'a> {
    sql: String,
    args: AnyArguments<'a>,
    count: usize,
    anonymous: bool,
}

impl<'a> SqlBuf<'a> {
    pub fn new(start: &str) -> Self {
        Self {
            sql: start.to_string(),
            args: AnyArguments::default(),
            count: 0,
            anonymous: false,
        }
    }

    /// For statements with a great many values (batched writes): on SQLite the
    /// placeholders are anonymous `?`, since the driver looks each `$n` up by name and
    /// that lookup is linear in the number of parameters.
    pub fn for_engine(engine: super::Engine, start: &str) -> Self {
        Self {
            anonymous: engine == super::Engine::Sqlite,
            ..Self::new(start)
        }
    }

    /// Appends SQL text.
    pub fn push(&mut self, s: &str) -> &mut Self {
        self.sql.push_str(s);
        self
    }

    /// Appends a placeholder for `value`.
    pub fn bind<T>(&mut self, value: T) -> &mut Self
    where
        T: 'a + Encode<'a, Any> + Type<Any>,
    {
        self.count += 1;
        if self.anonymous {
            self.sql.push('?');
        } else {
            self.sql.push('$');
            self.sql.push_str(&self.count.to_string());
        }
        // Encoding into AnyArguments only fails for types Any cannot carry, which
        // the type bound already rules out.
        let _ = self.args.add(value);
        self
    }

    pub fn sql(&self) -> &str {
        &self.sql
    }

    pub fn build(self) -> (String, AnyArguments<'a>) {
        (self.sql, self.args)
    }
}

/// One page of rows and the total count: `SELECT COUNT(*) <from>` and
/// `SELECT <columns> <from> <order> LIMIT .. OFFSET ..`, where `from` writes the
/// FROM and WHERE clauses once for both.
pub async fn page<'a, T>(
    db: &super::Db,
    columns: &str,
    from: impl Fn(&mut SqlBuf<'a>),
    order: &str,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<T>, i64)>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    let mut count = SqlBuf::new("SELECT COUNT(*)");
    from(&mut count);
    let (sql, args) = count.build();
    let total: i64 = sqlx::query_scalar_with(&sql, args)
        .fetch_one(db.pool())
        .await?;
    let mut q = SqlBuf::new(&format!("SELECT {columns}"));
    from(&mut q);
    q.push(" ").push(order).push(" LIMIT ").bind(limit);
    q.push(" OFFSET ").bind(offset);
    let (sql, args) = q.build();
    let rows = sqlx::query_as_with(&sql, args).fetch_all(db.pool()).await?;
    Ok((rows, total))
}
