import ArgumentParser
import Foundation
import GRDB
import Logging
import NIOPosix
import PostgresNIO
import RapportAPI
import RapportClient
import RapportPostgres
import RapportReplica
import RapportSQL
import RapportServer
import RapportSync
import RapportTestSupport

/// `swift build -c release && .build/release/rapport-bench`: the figures of the README's performance section.
///
/// Builds a whole team's history deterministically and measures each path an operation takes, against the
/// rate of plain batched SQLite inserts of the same rows (the limit without any sync bookkeeping).
@main
struct RapportBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rapport-bench",
        abstract: "Measure Rapport on a generated team data set (build in release mode first).")

    @Option(help: "Size of the data set; 1 is 10,000 accounts and about 2 million operations.")
    var scale = 1.0

    @Option(help: "A PostgreSQL admin URL (a role that may create databases); default $RAPPORT_TEST_POSTGRES. Empty skips PostgreSQL.")
    var postgres: String?

    @Option(help: "How many 10,000-operation batches to merge into PostgreSQL.")
    var postgresBatches = 10

    @Option(help: "How many 10,000-operation pulled pages a fresh replica applies.")
    var applyBatches = 40

    @Option(help: "How many single edits to time on the full replica.")
    var edits = 2_000

    @Option(help: "How many times to run each command.")
    var runs = 10

    @Option(help: "Changes the team makes while the laptop is offline for a month.")
    var offlineChanges = 100_000

    @Option(help: "Where to put the data set (default: a temporary folder, removed afterwards).")
    var folder: String?

    @Option(help: "Stop after this benchmark (merge, postgres, apply): a quicker run while working on one path.")
    var stopAfter: Part?

    enum Part: String, ExpressibleByArgument, CaseIterable {
        case merge, postgres, apply
    }

    static let batch = 10_000

    func validate() throws {
        guard scale >= 0.05, scale <= 10 else { throw ValidationError("--scale must be from 0.05 (500 accounts, ten batches) to 10") }
        guard postgresBatches >= 0, applyBatches >= 1, edits >= 1, runs >= 1, offlineChanges >= 0 else {
            throw ValidationError("counts must be positive")
        }
        // The later benchmarks time `rapport serve` and the commands as processes. Without a `rapport` beside
        // this executable, `RapportExecutable` falls back to .build/debug, and a debug server made a bootstrap
        // take three times as long, with nothing in the output to say so.
        if stopAfter == nil, let here = Bundle.main.executableURL?.resolvingSymlinksInPath().deletingLastPathComponent() {
            let beside = here.appendingPathComponent("rapport")
            guard RapportExecutable.url.resolvingSymlinksInPath().path == beside.path else {
                throw ValidationError("""
                    there is no `rapport` beside rapport-bench in \(here.path), so the benchmarks would time \
                    \(RapportExecutable.url.path) instead. Build it next to the bench: swift build -c release --product rapport \
                    (or copy a release `rapport` there); --stop-after merge, postgres or apply needs none.
                    """)
            }
        }
    }

    func run() async throws {
        SQLiteProcess.prepare()
        let temporary = folder == nil ? try TemporaryFolder() : nil
        let dir = folder ?? temporary!.path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let plan = TeamDataSet(scale: scale)
        print("Rapport benchmarks: \(plan.accounts) accounts, \(plan.stakeholders) stakeholders, \(plan.notes + plan.meetings) notes and meetings, \(plan.historyOperations) operations; \(ProcessInfo.processInfo.activeProcessorCount) cores")
        print("data in \(dir)\n")
        Report.header()

        // Two limits, one for each durability that Rapport's writes use: a push is acknowledged only once its
        // commit reached the disk; a pulled page can be pulled again, so its commit does not wait for the disk.
        let baseline = try plainInserts(dir: dir, synced: false)
        Report.line(baseline)
        let limit = baseline.rate
        let syncedBaseline = try plainInserts(dir: dir, synced: true)
        Report.line(syncedBaseline)
        let syncedLimit = syncedBaseline.rate

        var team = TeamDataSet(scale: scale)
        var merge = try await serverMerge(dir: dir, team: &team)
        merge.ratio = merge.rate / syncedLimit
        Report.line(merge)
        if stopAfter == .merge { return }

        if let url = postgresURL {
            var pg = try await postgresMerge(adminURL: url)
            pg.ratio = pg.rate / syncedLimit
            Report.line(pg)
        }
        if stopAfter == .postgres { return }

        var apply = try await clientApply(dir: dir)
        apply.ratio = apply.rate / limit
        Report.line(apply)
        if stopAfter == .apply { return }
        for figure in try pageDecoding() { Report.line(figure) }

        let token = Tokens.generate()
        let storage = try SQLiteSyncStorage(path: dir + "/server.sqlite")
        try await storage.addToken(user: TeamDataSet.user(0), tokenHash: Tokens.hash(token), label: "bench", now: TeamDataSet.startMs)
        try await storage.close()
        let server = try ServerProcess(arguments: ["--db", dir + "/server.sqlite"])
        defer { server.stop() }

        let laptop = dir + "/laptop.sqlite"
        let (bootstrap, replica) = try await bootstrap(path: laptop, server: server, token: token, operations: team.historyOperations)
        Report.line(bootstrap)
        Report.line(try localEdits(replica))
        Report.line(try syncedCommits(dir: dir))
        Report.line(try await monthOffline(replica, dir: dir, team: &team, server: server))
        try replica.close()

        // The month-offline sync leaves about a gigabyte for the kernel to write back; timed during that, the
        // commands measured the disk's queue (10-50% above the same commands a minute later).
        sync()
        for command in [["account", "list"], ["due"], ["due", "--all"]] {
            Report.line(try commandRun(command, replica: laptop))
        }
        print("\nDone. Reproduce: swift build -c release && .build/release/rapport-bench --scale \(scale)")
    }

    var postgresURL: String? {
        let url = postgres ?? ProcessInfo.processInfo.environment["RAPPORT_TEST_POSTGRES"]
        return url?.isEmpty == false ? url : nil
    }

    /// The limit: the same operation rows written with one prepared INSERT each, 10,000 to a transaction,
    /// into a table with no index and no sync bookkeeping; `synced`, each commit waits for the disk
    /// (`synchronous = FULL`, as a push's), otherwise not (NORMAL, as a pulled page's).
    func plainInserts(dir: String, synced: Bool) throws -> Figure {
        let db = try DatabasePool(path: dir + (synced ? "/plain-synced.sqlite" : "/plain.sqlite"))
        defer { try? db.close() }
        // GRDB leaves a pool's writer at NORMAL.
        if synced { try db.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") } }
        try db.write { db in
            try db.execute(sql: """
                CREATE TABLE plain (id TEXT, replica TEXT, counter INTEGER, author TEXT, entity TEXT, row TEXT, field TEXT,
                    value_type TEXT, value, ms INTEGER, logical INTEGER, base TEXT, supersedes TEXT, resolution INTEGER)
                """)
        }
        var team = TeamDataSet(scale: scale)
        let batches = min(applyBatches, team.historyOperations / Self.batch)
        Memory.resetPeak()
        var steps: [Double] = []
        for b in 0..<batches {
            let ops = team.nextBatch(Self.batch, manager: b % TeamDataSet.managers)
            let (_, seconds) = try Clock.time {
                try db.write { db in
                    // The fastest plain path: SQLite's C interface, as Rapport's own merge and apply use.
                    let statement = try FastStatement(db, sql: "INSERT INTO plain (\(OperationRows.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                    for op in ops {
                        statement.bind(operation: op)
                        try statement.run()
                    }
                }
            }
            steps.append(seconds)
        }
        return Figure(name: synced ? "plain SQLite insert, synced (limit)" : "plain SQLite insert (limit)", operations: batches * Self.batch,
                      seconds: steps.reduce(0, +), steps: steps, peakMB: Memory.peakMB(),
                      note: synced ? "as above, each commit synced: merge's limit" : "10k rows a transaction: apply's limit")
    }

    /// Every batch of the team's history merged into the embedded server store.
    func serverMerge(dir: String, team: inout TeamDataSet) async throws -> Figure {
        let storage = try SQLiteSyncStorage(path: dir + "/server.sqlite")
        let batches = team.historyOperations / Self.batch
        Memory.resetPeak()
        var steps = try await push(batches, of: &team, into: storage)
        // Pushes fold last-writer-wins winners in bulk every so many positions; what the last ones left is
        // part of the merge too.
        let (_, fold) = try await Clock.time { try await storage.foldWinners() }
        steps[steps.count - 1] += fold
        try await storage.close()
        return Figure(name: "server merge, SQLite (10k-op batch)", operations: batches * Self.batch, seconds: steps.reduce(0, +),
                      steps: steps, peakMB: Memory.peakMB(), target: "≥100k ops/s, ≥0.5× plain")
    }

    /// Pushes the team's next batches, the managers taking turns; returns each push's time.
    func push(_ batches: Int, of team: inout TeamDataSet, into storage: any SyncStorage) async throws -> [Double] {
        var steps: [Double] = []
        for b in 0..<batches {
            let manager = b % TeamDataSet.managers
            let ops = team.nextBatch(Self.batch, manager: manager)
            let (_, seconds) = try await Clock.time {
                try await storage.push(user: TeamDataSet.user(manager), replica: TeamDataSet.replica(manager), operations: ops, now: TeamDataSet.startMs)
            }
            steps.append(seconds)
            if b % 20 == 19 { Report.progress("server merge: \(b + 1)/\(batches) batches") }
        }
        return steps
    }

    func postgresMerge(adminURL: String) async throws -> Figure {
        let admin = try PostgresURL(adminURL)
        let name = "rapport_bench_\(ProcessInfo.processInfo.processIdentifier)"
        let logger = Logger(label: "rapport.bench")
        let config = PostgresConnection.Configuration(
            host: admin.host, port: admin.port, username: admin.user, password: admin.password, database: admin.database, tls: .disable)
        let connection = try await PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.any(), configuration: config, id: 1, logger: logger).get()
        try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        let storage = try await PostgresSyncStorage(url: admin.with(database: name))
        var team = TeamDataSet(scale: scale)
        let batches = min(postgresBatches, team.historyOperations / Self.batch)
        let steps = try await push(batches, of: &team, into: storage)
        try await storage.close()
        try await connection.query(PostgresQuery(unsafeSQL: "DROP DATABASE \(name)"), logger: logger)
        try await connection.close().get()
        return Figure(name: "server merge, PostgreSQL (10k-op batch)", operations: batches * Self.batch, seconds: steps.reduce(0, +),
                      steps: steps, peakMB: nil, target: "≥100k ops/s", note: "first \(batches) batches")
    }

    /// A fresh replica applying the server log's first pages, as a pull delivers them.
    func clientApply(dir: String) async throws -> Figure {
        let storage = try SQLiteSyncStorage(path: dir + "/server.sqlite")
        let replica = try Replica.create(at: dir + "/apply.sqlite", user: "reader")
        var cursor: Int64 = 0
        var steps: [Double] = []
        var operations = 0
        Memory.resetPeak()
        for _ in 0..<applyBatches {
            let page = try await storage.pull(after: cursor, limit: Self.batch)
            let ops = page.entries.compactMap { entry -> RapportSync.Operation? in
                if case .operation(_, let op) = entry { return op }
                return nil
            }
            let (_, seconds) = try Clock.time { try replica.applyPulled(ops, cursor: page.next) }
            steps.append(seconds)
            operations += ops.count
            cursor = page.next
            if !page.more { break }
        }
        try replica.close()
        try await storage.close()
        return Figure(name: "client apply (10k-op pulled page)", operations: operations, seconds: steps.reduce(0, +),
                      steps: steps, peakMB: Memory.peakMB(), target: "≥100k ops/s, ≥0.5× plain")
    }

    /// A client reading pulled pages of 5,000 operations: `PageReader`, which `rapport sync` uses, against the
    /// generated types' Foundation decoder that it replaced.
    func pageDecoding() throws -> [Figure] {
        var team = TeamDataSet(scale: scale)
        let ops = team.nextBatch(5_000, manager: 0)
        let page = Wire.PullResponse(
            entries: ops.enumerated().map { Wire.LogEntry(seq: Int64($0.offset + 1), operation: Wire.Operation($0.element), conflict: nil) },
            next: Int64(ops.count), more: true)
        let bytes = Array(try JSONEncoder().encode(page))
        let megabytes = Double(bytes.count) / 1_000_000
        func figure(_ name: String, _ decode: () throws -> Wire.PullResponse) throws -> Figure {
            var steps: [Double] = []
            Memory.resetPeak()
            for _ in 0..<runs {
                let (decoded, seconds) = try Clock.time { try decode() }
                guard decoded.entries.count == ops.count else { throw ValidationError("\(name) read \(decoded.entries.count) entries") }
                steps.append(seconds)
            }
            let total = steps.reduce(0, +)
            return Figure(name: name, operations: ops.count * runs, seconds: total, steps: steps, peakMB: Memory.peakMB(),
                          note: String(format: "%.0f MB/s of JSON", megabytes * Double(runs) / total))
        }
        return [
            try figure("decode a pulled page, PageReader") { try PageReader.read(bytes) },
            try figure("decode a pulled page, Foundation") { try JSONDecoder().decode(Wire.PullResponse.self, from: Data(bytes)) },
        ]
    }

    /// A brand-new laptop syncing the whole team over HTTP from `rapport serve`.
    func bootstrap(path: String, server: ServerProcess, token: String, operations: Int) async throws -> (Figure, Replica) {
        let replica = try Replica.create(at: path, user: TeamDataSet.user(0), server: server.url, token: token)
        var client = try SyncClient(replica: replica)
        client.pageSize = 5_000
        Memory.resetPeak()
        Memory.resetPeak(pid: server.process.processIdentifier)
        let (report, seconds) = try await Clock.time { try await client.sync() }
        let serverPeak = Memory.peakMB(pid: server.process.processIdentifier)
        return (Figure(name: "bootstrap a new replica over HTTP", operations: report.bootstrapped + report.pulled, seconds: seconds, steps: [seconds],
                       peakMB: Memory.peakMB(), target: "< 30 s",
                       note: "\(report.bootstrapped) live of \(operations) ops from the snapshot; server peak \(serverPeak.map { String(format: "%.0f MB", $0) } ?? "?")"), replica)
    }

    /// Single edits on the full replica, each its own transaction (row and operation together).
    func localEdits(_ replica: Replica) throws -> Figure {
        var rng = SplitMix(state: 7)
        let accounts = TeamDataSet(scale: scale).accounts
        var steps: [Double] = []
        steps.reserveCapacity(edits)
        Memory.resetPeak()
        for i in 0..<edits {
            let row = TeamDataSet.accountID(Int(rng.next() % UInt64(accounts)))
            let (_, seconds) = try Clock.time {
                try replica.change { change in
                    _ = try change.set("account", row: row, "revenue", to: .real(Double(100_000 + i)))
                }
            }
            steps.append(seconds)
        }
        return Figure(name: "local edit (row + operation)", operations: edits, seconds: steps.reduce(0, +), steps: steps,
                      peakMB: Memory.peakMB(), target: "p99 < 2 ms")
    }

    /// The floor under a local edit's latency on this disk: one row updated in a tiny table, each commit
    /// waiting for the disk (`synchronous = FULL`, as a local edit's).
    func syncedCommits(dir: String) throws -> Figure {
        let db = try DatabasePool(path: dir + "/floor.sqlite")
        defer { try? db.close() }
        try db.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "CREATE TABLE floor (id INTEGER PRIMARY KEY, value INTEGER)")
            try db.execute(sql: "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200) INSERT INTO floor SELECT i, 0 FROM n")
        }
        var steps: [Double] = []
        steps.reserveCapacity(edits)
        Memory.resetPeak()
        for i in 0..<edits {
            let (_, seconds) = try Clock.time {
                try db.write { db in try db.execute(sql: "UPDATE floor SET value = ? WHERE id = ?", arguments: [i, 1 + i % 200]) }
            }
            steps.append(seconds)
        }
        return Figure(name: "synced one-row commit (disk floor)", operations: edits, seconds: steps.reduce(0, +), steps: steps,
                      peakMB: Memory.peakMB(), note: "no Rapport code: this disk's latency")
    }

    /// The team makes `offlineChanges` changes while the laptop is away; then the laptop syncs.
    func monthOffline(_ replica: Replica, dir: String, team: inout TeamDataSet, server: ServerProcess) async throws -> Figure {
        let storage = try SQLiteSyncStorage(path: dir + "/server.sqlite")
        var made = 0
        var b = 0
        while made < offlineChanges {
            let manager = 1 + b % (TeamDataSet.managers - 1)
            let ops = team.nextBatch(min(Self.batch, offlineChanges - made), manager: manager)
            _ = try await storage.push(user: TeamDataSet.user(manager), replica: TeamDataSet.replica(manager), operations: ops, now: TeamDataSet.startMs)
            made += ops.count
            b += 1
        }
        try await storage.close()
        var client = try SyncClient(replica: replica)
        client.pageSize = 5_000
        Memory.resetPeak(pid: server.process.processIdentifier)
        let (report, seconds) = try await Clock.time { try await client.sync() }
        let serverPeak = Memory.peakMB(pid: server.process.processIdentifier)
        return Figure(name: "sync after a month offline", operations: report.pulled + report.pushed, seconds: seconds, steps: [seconds],
                      peakMB: serverPeak, target: "< 5 s",
                      note: "pulled \(report.pulled), pushed \(report.pushed); peak is the server's")
    }

    /// A command as a whole process, as a manager runs it.
    func commandRun(_ arguments: [String], replica: String) throws -> Figure {
        var steps: [Double] = []
        for _ in 0..<runs {
            let process = Process()
            process.executableURL = RapportExecutable.url
            process.arguments = arguments + ["--db", replica]
            process.standardOutput = FileHandle.nullDevice
            let errors = Pipe()
            process.standardError = errors
            let start = Clock.now()
            try process.run()
            process.waitUntilExit()
            steps.append(Clock.now() - start)
            guard process.terminationStatus == 0 else {
                let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                throw ValidationError("rapport \(arguments.joined(separator: " ")) failed: \(text)")
            }
        }
        return Figure(name: "rapport \(arguments.joined(separator: " ")) (process)", operations: 0, seconds: steps.reduce(0, +),
                      steps: steps, peakMB: nil, target: "< 100 ms")
    }
}
