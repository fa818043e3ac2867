import Foundation
import Logging
import PostgresNIO

/// The current connection pool, replaceable when it stops answering.
final class PoolHolder: @unchecked Sendable {
    private let lock = NSLock()
    private var client: PostgresClient
    private var runners: [Task<Void, Never>] = []
    /// Set by `shutdown`: a transaction that fails while the pools close must not start another.
    private var closed = false
    private let url: PostgresURL
    private let logger: Logger

    init(url: PostgresURL, logger: Logger) async {
        self.url = url
        self.logger = logger
        client = PostgresClient(configuration: url.configuration, backgroundLogger: logger)
        runners = [await Self.start(client)]
    }

    /// Runs `client` and returns once it is running, so that the first query (the schema migration) does not
    /// race `run()`: PostgresNIO serves a query made before it, but logs a warning that alarms whoever reads
    /// the server's log. `Task.immediate` enters `run()`, which marks the client running before it first
    /// suspends, before returning. (Where it is missing, before macOS 26, the task is awaited until it has
    /// begun, which a loaded machine still raced in one start of three.)
    private static func start(_ client: PostgresClient) async -> Task<Void, Never> {
        if #available(macOS 26, *) {
            return Task.immediate { await client.run() }
        }
        let (started, signal) = AsyncStream<Void>.makeStream()
        let runner = Task {
            signal.finish()
            await client.run()
        }
        for await _ in started {}
        return runner
    }

    var current: PostgresClient { lock.withLock { client } }

    /// Starts a fresh pool in place of `failed`, unless another caller already did. The old pool's runner
    /// is cancelled, which closes its connections.
    func replace(_ failed: PostgresClient) async {
        guard lock.withLock({ client === failed && !closed }) else { return }
        let fresh = PostgresClient(configuration: url.configuration, backgroundLogger: logger)
        let runner = await Self.start(fresh)
        let installed = lock.withLock {
            guard client === failed, !closed else { return false }
            client = fresh
            runners.last?.cancel()
            runners.append(runner)
            return true
        }
        if !installed { runner.cancel() }
    }

    func shutdown() async {
        let all = lock.withLock {
            closed = true
            return runners
        }
        for runner in all { runner.cancel() }
        for runner in all { await runner.value }
    }
}

/// Races an operation against a deadline without waiting for an operation that ignores cancellation.
enum Deadline {
    struct Exceeded: Error, CustomStringConvertible {
        var description: String { "the database did not answer in time" }
    }

    /// A question asked every `after` of an operation still running: an error it returns ends the operation
    /// with that error at once rather than at the deadline.
    struct Check: Sendable {
        var after: Duration
        var failure: @Sendable () async -> (any Error)?
    }

    static func run<T: Sendable>(
        within limit: Duration, check: Check? = nil, _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let once = Once<T>()
        // The timer and the check sleep for long: cancelled once the work is done, or thousands of them would
        // be parked on a busy server.
        let watchers = Watchers()
        return try await withCheckedThrowingContinuation { continuation in
            once.continuation = continuation
            let work = Task {
                once.resume(with: await Result { try await operation() })
                watchers.cancelAll()
            }
            watchers.add(Task {
                try? await Task.sleep(for: limit)
                if once.resume(with: .failure(Exceeded())) { work.cancel() }
            })
            if let check {
                watchers.add(Task {
                    while !once.isDone, !Task.isCancelled {
                        try? await Task.sleep(for: check.after)
                        guard !once.isDone, !Task.isCancelled else { return }
                        guard let failure = await check.failure() else { continue }
                        if once.resume(with: .failure(failure)) {
                            work.cancel()
                            watchers.cancelAll()
                        }
                        return
                    }
                })
            }
        }
    }

    /// Tasks to cancel together; one added after that is cancelled at once.
    final class Watchers: @unchecked Sendable {
        private let lock = NSLock()
        private var tasks: [Task<Void, Never>] = []
        private var cancelled = false

        func add(_ task: Task<Void, Never>) {
            let late = lock.withLock {
                if !cancelled { tasks.append(task) }
                return cancelled
            }
            if late { task.cancel() }
        }

        func cancelAll() {
            let all = lock.withLock {
                cancelled = true
                defer { tasks = [] }
                return tasks
            }
            for task in all { task.cancel() }
        }
    }

    /// Resumes a continuation exactly once, from whichever side finishes first.
    final class Once<T: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var done = false
        var continuation: CheckedContinuation<T, any Error>?

        var isDone: Bool { lock.withLock { done } }

        @discardableResult
        func resume(with result: Result<T, any Error>) -> Bool {
            let c: CheckedContinuation<T, any Error>? = lock.withLock {
                guard !done else { return nil }
                done = true
                return continuation
            }
            c?.resume(with: result)
            return c != nil
        }
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}

/// A transaction waiting for a connection: it either gets one and runs, or is abandoned by the check that found
/// the database unreachable, never both. Without that, a lease arriving as the check failed could run (and
/// commit) a push that the client was told had failed.
final class LeaseGate: @unchecked Sendable {
    private enum State { case waiting, leased, abandoned }
    private let lock = NSLock()
    private var state = State.waiting
    private var connection: PostgresConnection?
    private var probed = false

    /// True the first time only: the database is asked once per transaction.
    func firstProbe() -> Bool {
        lock.withLock {
            defer { probed = true }
            return !probed
        }
    }

    var isWaiting: Bool { lock.withLock { state == .waiting } }

    /// Whether the connection the transaction holds has closed under it: the database ended it (an
    /// administrator's `pg_terminate_backend`, a restart) between two of its queries. PostgresNIO then left the
    /// next query waiting for an answer that never comes, until the deadline, minutes later.
    var connectionClosed: Bool { lock.withLock { connection?.isClosed ?? false } }

    /// Called with the connection in hand; false if the transaction was abandoned meanwhile.
    func enter(_ connection: PostgresConnection) -> Bool {
        lock.withLock {
            guard state == .waiting else { return state == .leased }
            state = .leased
            self.connection = connection
            return true
        }
    }

    /// Called by the check; false if the transaction already has its connection.
    func abandon() -> Bool {
        lock.withLock {
            guard state == .waiting else { return state == .abandoned }
            state = .abandoned
            return true
        }
    }
}

/// Asks the database whether it can be reached, once for all the transactions waiting at a moment: each used
/// to open a connection of its own, dozens in a burst of syncs, each one more client on a busy database.
actor ReachabilityProbe {
    private let url: PostgresURL
    private let logger: Logger
    private var last: (at: ContinuousClock.Instant, failure: (any Error)?)?
    private var running: Task<(any Error)?, Never>?

    init(url: PostgresURL, logger: Logger) {
        self.url = url
        self.logger = logger
    }

    /// Nil if the database answered (even to refuse more clients: that is busy, not down), else why not.
    func failure() async -> (any Error)? {
        if let last, last.at.duration(to: .now) < .seconds(2) { return last.failure }
        if let running { return await running.value }
        let (url, logger) = (self.url, self.logger)
        let task = Task<(any Error)?, Never> {
            do {
                try await url.probe(logger: logger)
                return nil
            } catch PostgresStorageError.busy {
                return nil
            } catch {
                return error
            }
        }
        running = task
        let failure = await task.value
        running = nil
        last = (.now, failure)
        return failure
    }
}
