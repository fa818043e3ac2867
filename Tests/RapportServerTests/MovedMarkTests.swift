import Foundation
import RapportServer
import RapportSync
import Testing

/// The mark `admin migrate` leaves on the SQLite file it moved: what was pushed while the copy ran comes with
/// the mark, the server on the file refuses from then on, and a copy that did not land takes the mark off.
@Suite struct MovedMarkTests {
    @Test func sealingHandsOverLatePushesAndRefusesTheRest() async throws {
        let folder = try TemporaryFolder()
        let storage = try SQLiteSyncStorage(path: folder.file("server.sqlite"))
        try await storage.addToken(user: "alice", tokenHash: "h1", label: "", now: 0)
        _ = try await storage.push(user: "alice", replica: "rep1", operations: StorageConformanceTests.ops(replica: "rep1", count: 10), now: 0)

        // The copy read up to 6; positions 7-10 came in while it ran.
        let late = try await storage.seal(movedTo: "postgres://rapport@db:5432/rapport", now: 0, copied: [defaultWorkspace: 6])
        #expect(late[defaultWorkspace]?.map(\.seq) == [7, 8, 9, 10])
        await #expect(throws: SyncServerError.moved(to: "postgres://rapport@db:5432/rapport")) {
            _ = try await storage.push(user: "alice", replica: "rep1", operations: StorageConformanceTests.ops(replica: "rep1", count: 1, from: 11), now: 0)
        }
        await #expect(throws: SyncServerError.moved(to: "postgres://rapport@db:5432/rapport")) {
            try await storage.recordHandshake(user: "alice", replica: "rep2", cursor: nil, now: 0)
        }
        await #expect(throws: SyncServerError.moved(to: "postgres://rapport@db:5432/rapport")) {
            _ = try await storage.snapshot(workspace: defaultWorkspace, after: 0, through: 10, limit: 100)
        }
        await #expect(throws: SyncServerError.self) { _ = try await storage.seal(movedTo: "elsewhere", now: 0, copied: [:]) }
        #expect {
            _ = try SQLiteSyncStorage(path: storage.path)
        } throws: { error in
            "\(error)".contains("was moved to postgres://rapport@db:5432/rapport by `rapport admin migrate` on 1970-01-01T00:00:00Z")
        }
        // The mark is in the file itself: a copy of the file without its -wal is refused too.
        let copy = folder.file("copy.sqlite")
        try FileManager.default.copyItem(atPath: storage.path, toPath: copy)
        #expect { _ = try SQLiteSyncStorage(path: copy) } throws: { "\($0)".contains("was moved to postgres://rapport@db:5432/rapport") }

        try await storage.unseal()
        _ = try await storage.push(user: "alice", replica: "rep1", operations: StorageConformanceTests.ops(replica: "rep1", count: 1, from: 11), now: 0)
        #expect(try await storage.head() == 11)
        try await storage.close()
        try await SQLiteSyncStorage(path: storage.path).close()
    }
}
