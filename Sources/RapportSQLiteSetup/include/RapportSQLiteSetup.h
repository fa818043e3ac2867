#ifndef RAPPORT_SQLITE_SETUP_H
#define RAPPORT_SQLITE_SETUP_H

/// Turns off SQLite's memory statistics for this process (SQLITE_CONFIG_MEMSTATUS). Returns SQLite's result
/// code: SQLITE_MISUSE once SQLite is in use, since the setting can only change before it starts.
///
/// In C because sqlite3_config takes variable arguments, which Swift cannot pass.
int rapport_sqlite_disable_memory_statistics(void);

#endif
