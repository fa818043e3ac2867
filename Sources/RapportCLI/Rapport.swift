import ArgumentParser
import RapportPostgres
import RapportReplica
import RapportServer
import RapportSync

/// `rapport`: an offline-first key-account management tool.
public struct Rapport: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "rapport",
        abstract: "Key-account management that works offline and syncs with your team.",
        discussion: """
            Each manager keeps a local replica (an SQLite file). Every change is recorded as a versioned \
            operation per field; `rapport sync` exchanges them through the team's server. Concurrent edits of \
            different fields both stand; concurrent edits of a note go to review (`rapport conflicts`).
            """,
        version: Rapport.version,
        subcommands: [
            Demo.self, Init.self, Config.self, Status.self,
            AccountCommand.self, NoteCommand.self, History.self,
            CriteriaCommand.self, ScoreCommand.self, RankCommand.self,
            StakeholderCommand.self, StakeholdersCommand.self, PlanCommand.self,
            MeetingCommand.self, ActionCommand.self, DueCommand.self,
            OpportunityCommand.self, PipelineCommand.self, FlagCommand.self, ConcernCommand.self,
            ScorecardCommand.self, PortfolioCommand.self, ReportCommand.self,
            ImportCommand.self, ExportCommand.self,
            Sync.self, Conflicts.self, Compact.self,
            Serve.self, Admin.self,
        ])

    public init() {}

    /// What `rapport --version` prints: the release, and the formats that decide what this binary can read and
    /// talk to (a replica or server file of a later format is refused; client and server must speak the same
    /// protocol), so that a bug report or an upgrade question can be answered from one line.
    static let release = "0.1.0"
    static var version: String {
        """
        rapport \(release)
        sync protocol \(Schema.protocolVersion); replica format \(Replica.format); \
        server formats: SQLite \(SQLiteSyncStorage.format), PostgreSQL \(PostgresSyncStorage.format)
        """
    }
}
