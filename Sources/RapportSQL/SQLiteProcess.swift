import RapportSQLiteSetup

/// Settings for every SQLite connection the process will open, made before it opens the first.
public enum SQLiteProcess {
    /// Turns off SQLite's memory statistics, which nothing in Rapport reads: with them on, every allocation
    /// and free SQLite makes takes a process-wide lock to count it, 3-5% of applying a pulled page or merging
    /// a push. Call first thing in `main`; once SQLite is in use it keeps its settings and this does nothing.
    public static func prepare() {
        _ = rapport_sqlite_disable_memory_statistics()
    }
}
