import Foundation

/// A value behind a lock.
///
/// The simulator runs every step one after another in a single task, so nothing here is ever contended; the
/// lock only lets the clock and the id generators hide behind the `@Sendable` closures that
/// `ReplicaEnvironment` and `SyncServer.Configuration` ask for, without unchecked shortcuts.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) {
        self.value = value
    }

    func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
