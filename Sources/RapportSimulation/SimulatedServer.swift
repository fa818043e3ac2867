import Logging
import RapportServer

/// The sync server of a simulation: the real `SQLiteSyncStorage` and the real handlers, registered on the
/// simulated network, with a clock the simulator moves.
final class SimulatedServer {
    let folder: String
    let network: SimulatedNetwork
    let configuration: SyncServer.Configuration
    let logger: Logger
    /// How often pushes fold winners into the server's winners table (`SQLiteSyncStorage.foldWinners`).
    let foldEvery: Int64
    private(set) var storage: SQLiteSyncStorage
    private(set) var incarnation = 0

    static func token(for user: String) -> String { "rpt_simulated_\(user)" }

    init(folder: String, network: SimulatedNetwork, configuration: SyncServer.Configuration, foldEvery: Int64, users: [String], logger: Logger) async throws {
        self.folder = folder
        self.network = network
        self.configuration = configuration
        self.foldEvery = foldEvery
        self.logger = logger
        storage = try SQLiteSyncStorage(
            path: CrashImage.nextPath(base: "server", folder: folder, incarnation: 0), schema: configuration.schema, foldEvery: foldEvery)
        for user in users {
            try await storage.addToken(user: user, tokenHash: Tokens.hash(Self.token(for: user)), label: "simulation", now: configuration.now())
        }
        try SyncServer.registerAPI(on: network, storage: storage, configuration: configuration, logger: logger)
    }

    /// Kills the server process and starts a new one on what its database durably holds: a push in
    /// flight either committed or never happened.
    func crashAndRestart() async throws {
        network.unregisterAll()
        incarnation += 1
        let next = CrashImage.nextPath(base: "server", folder: folder, incarnation: incarnation)
        try CrashImage.copy(storage.path, to: next)
        try await storage.close()
        storage = try SQLiteSyncStorage(path: next, schema: configuration.schema, foldEvery: foldEvery)
        try SyncServer.registerAPI(on: network, storage: storage, configuration: configuration, logger: logger)
    }

    func close() async throws {
        network.unregisterAll()
        try await storage.close()
    }
}
