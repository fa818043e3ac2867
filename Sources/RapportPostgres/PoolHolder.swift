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

    /// Runs `client` and returns once its task has begun, so that the first query (the schema migration)
    /// practically never races `run()`: PostgresNIO serves a query made before it, but logs a warning that
    /// alarms whoever reads the server's log. (The waiter resumes on another thread while the task enters
    /// `run()`, which marks the client running before it first suspends; `Task.immediate` would make it
    /// certain, but needs macOS 26.)
    private static func start(_ client: PostgresClient) async -> Task<Void, Never> {
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

    /// A question asked once, `after` a while, of an operation still running: an error it returns ends the
    /// operation with that error at once rather than at the deadline.
    struct Check: Sendable {
        var after: Duration
        var failure: @Sendable () async -> (any Error)?
    }

    static func run<T: Sendable>(
        within limit: Duration, check: Check? = nil, _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let once = Once<T>()
        return try await withCheckedThrowingContinuation { continuation in
            once.continuation = continuation
            let work = Task { once.resume(with: await Result { try await operation() }) }
            let timer = Task {
                try? await Task.sleep(for: limit)
                if once.resume(with: .failure(Exceeded())) { work.cancel() }
            }
            if let check {
                Task {
                    try? await Task.sleep(for: check.after)
                    guard !once.isDone, let failure = await check.failure() else { return }
                    if once.resume(with: .failure(failure)) {
                        work.cancel()
                        timer.cancel()
                    }
                }
            }
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

/// Set once, read from other tasks.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var set = false

    var isSet: Bool { lock.withLock { set } }
    func raise() { lock.withLock { set = true } }
}
