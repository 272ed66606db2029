//! Twin of the "resource pool" demo (`asyncpg.create_pool`, the seed's `AsyncDatabasePool`).

// #region demo
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Stands in for a database connection.
pub struct Connection {
    id: usize,
}

/// Opens connections for the pool.
pub struct Database {
    opened: AtomicUsize,
}

impl weft::pool::Manager for Database {
    type Object = Connection;
    type Error = std::io::Error;

    async fn create(&self) -> Result<Connection, std::io::Error> {
        let id = self.opened.fetch_add(1, Ordering::SeqCst) + 1; // open a connection
        Ok(Connection { id })
    }
}

/// `queries` queries sharing at most `max` connections; the results and how many were opened.
pub async fn use_db_pool(queries: usize, max: usize, query_ms: u64) -> (Vec<String>, usize) {
    let manager = Database {
        opened: AtomicUsize::new(0),
    };
    let db = weft::Pool::builder(manager)
        .max_size(max)
        .build()
        .await
        .expect("valid sizes");

    let execute = |sql: String| {
        let db = &db;
        async move {
            let conn = db.acquire().await.expect("the pool is open"); // waits for a free one
            weft::sleep(Duration::from_millis(query_ms)).await; // the query
            format!("{sql} on connection {}", conn.id)
        } // the connection goes back to the pool here
    };

    let sqls = (0..queries).map(|i| format!("SELECT * FROM users WHERE id = {i}"));
    let results = weft::gather(sqls.map(execute)).await;
    let opened = db.status().size;
    db.close().await; // closes every connection
    (results, opened)
}
// #endregion
