import GRDB
import Testing
@testable import RapportCLI

@Suite struct ErrorWordingTests {
    /// SQLite's "database or disk is full" left people wondering whether their change was saved.
    @Test func aFullDiskOrDamagedFileSaysWhatWasKeptAndWhatToDo() throws {
        let full = try #require(Rapport.storageFailure(DatabaseError(resultCode: .SQLITE_FULL, message: "database or disk is full")))
        #expect(full.contains("not saved") && full.contains("free some space"))
        let damaged = try #require(Rapport.storageFailure(DatabaseError(resultCode: .SQLITE_CORRUPT, message: "database disk image is malformed")))
        #expect(damaged.contains("malformed") && damaged.contains("backup"))
        #expect(Rapport.storageFailure(DatabaseError(resultCode: .SQLITE_CONSTRAINT)) == nil)
    }
}
