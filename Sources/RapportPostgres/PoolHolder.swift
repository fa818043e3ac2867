import Foundation
import Logging
import PostgresNIO

/// The current connection pool, replaceable when it stops answering.
final class PoolHolder: @unchecked Sendable {
    private let lock = NSLock()
    private var client: PostgresClient
    private var runners: [Task<Void, Never>] = []
    private let url: PostgresURL
    private let logger: Logger

    init(url: PostgresURL, logger: Logger) {
        self.url = url
        self.logger = logger
        client = PostgresClient(configuration: url.configuration, backgroundLogger: logger)
        let client = self.client
        runners = [Task { await client.run() }]
    }

    var current: PostgresClient { lock.withLock { client } }

    /// Starts a fresh pool in place of `failed`, unless another caller already did. The old pool's runner
    /// is cancelled, which closes its connections.
    func replace(_ failed: PostgresClient) {
        lock.withLock {
            guard client === failed else { return }
            let fresh = PostgresClient(configuration: url.configuration, backgroundLogger: logger)
            client = fresh
            runners.last?.cancel()
            runners.append(Task { await fresh.run() })
        }
    }

    func shutdown() async {
        let all = lock.withLock { runners }
        for runner in all { runner.cancel() }
        for runner in all { await runner.value }
    }
}

/// Races an operation against a deadline without waiting for an operation that ignores cancellation.
enum Deadline {
    struct Exceeded: Error, CustomStringConvertible {
        var description: String { "the database did not answer in time" }
    }

    static func run<T: Sendable>(within limit: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let once = Once<T>()
        return try await withCheckedThrowingContinuation { continuation in
            once.continuation = continuation
            let work = Task { once.resume(with: await Result { try await operation() }) }
            Task {
                try? await Task.sleep(for: limit)
                if once.resume(with: .failure(Exceeded())) { work.cancel() }
            }
        }
    }

    /// Resumes a continuation exactly once, from whichever side finishes first.
    final class Once<T: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var done = false
        var continuation: CheckedContinuation<T, any Error>?

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
