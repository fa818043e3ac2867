import Logging

/// Keeps what the server logs at error level, so that a failure caused by a server error (which clients see
/// only as "503 internal error") can say what the error was.
struct ServerErrorLog: LogHandler {
    let sink: Locked<[String]>
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .error

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let details = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        sink.withLock { $0.append("\(event.message) \(details)") }
    }
}
