import Dispatch
import Glibc

/// Ctrl-C, SIGTERM and a closed terminal (SIGHUP) taken in place of the process's silent end, for a command
/// with something to say or to clean up first (`demo`'s folder, an interrupted `sync`'s state). `restore` gives
/// them back their default.
struct StopSignals {
    private static let numbers: [Int32] = [SIGINT, SIGTERM, SIGHUP]
    private let sources: [any DispatchSourceSignal]

    init(_ handler: @escaping @Sendable () -> Void) {
        sources = Self.numbers.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: handler)
            source.resume()
            return source
        }
    }

    func restore() {
        for source in sources { source.cancel() }
        for number in Self.numbers { signal(number, SIG_DFL) }
    }
}
