import GRDB
import RapportKAM
import RapportSync
import Testing
@testable import RapportCLI
@testable import RapportClient

@Suite struct ErrorWordingTests {
    /// `sync --json`'s `retryable`: a server busy or its database away, not a damaged database file (which the
    /// message said to wait for the admin's restore while the flag said to try again).
    @Test func aDamagedServerDatabaseIsNotWorthRetrying() {
        let damaged = "the server's database file is damaged, so it cannot serve requests until your admin restores it from a backup (the server's log says how): tell your admin"
        #expect(SyncError.refused(status: 503, code: "unavailable", message: damaged, pending: 0).retryable == false)
        // Nor a database emptied under the server, which also waits for the admin.
        let emptied = SyncError.refused(status: 503, code: "unavailable", message: "the server's database no longer holds the team's data (emptied or replaced while the server ran), so it cannot serve requests until your admin restores it: tell your admin", pending: 0)
        #expect(emptied.retryable == false && !emptied.description.contains("again shortly"), "\(emptied.description)")
        #expect(SyncError.refused(status: 503, code: "unavailable", message: "the server cannot serve requests now; try again shortly", pending: 0).retryable == true)
        #expect(SyncError.refused(status: 429, code: "busy", message: "", pending: 0).retryable == true)
        #expect(SyncError.refused(status: 401, code: "unauthorized", message: "", pending: 0).retryable == false)
        #expect(SyncError.noServer.retryable == nil)
    }

    /// A version of a conflict with no common base began with a stray "- " (the empty base read as one line).
    @Test func aDiffAgainstAnEmptyTextIsAllAdded() {
        #expect(LineDiff.lines(from: "", to: "a\nb") == ["+ a", "+ b"])
        #expect(LineDiff.lines(from: "a", to: "") == ["- a"])
        #expect(LineDiff.lines(from: "a\nb", to: "a\nc") == ["  a", "- b", "+ c"])
        #expect(LineDiff.lines(from: "a\n", to: "a\n") == ["  a", "  "])
    }

    /// A value that starts with a dash, read as an option, left only "Missing expected argument '<meeting>'".
    @Test func aValueReadAsAnOptionIsNamedWithTheWayToGiveIt() {
        let day = Rapport.dashedValue(["meeting", "show", "-3"], message: "Missing expected argument '<meeting>'\nHelp:  <meeting>")
        #expect(day == "Missing expected argument '<meeting>': '-3' was taken for an option; give an argument that starts with a dash after `--` at the end of the command (`rapport meeting show ... -- -3`)")
        let bullet = Rapport.dashedValue(["note", "add", "Acme", "--text", "- first point"], message: "Missing value for '--text <text>'")
        #expect(bullet == "Missing value for '--text <text>': '- first point' was taken for an option; give a value that starts with a dash joined to its option with = (--text='- first point')")
        // The value of the option named, not an earlier one's that parsed (`--date -3`); one with two dashes too.
        let named = Rapport.dashedValue(["meeting", "add", "Acme", "--kind", "adhoc", "--date", "-3", "--text", "- bullet"], message: "Missing value for '--text <text>'")
        #expect(named?.contains("'- bullet' was taken for an option") == true && named?.contains("(--text='- bullet')") == true, "\(named ?? "")")
        let dashes = Rapport.dashedValue(["note", "add", "Acme", "--text", "--verbose"], message: "Missing value for '--text <text>'")
        #expect(dashes?.contains("(--text=--verbose)") == true, "\(dashes ?? "")")
        let argument = Rapport.dashedValue(["action", "add", "Acme", "--due", "-3", "-x"], message: "Missing expected argument '<text>'")
        #expect(argument?.contains("'-x' was taken for an option") == true, "\(argument ?? "")")
        // An option the command does not have is not a value gone astray.
        #expect(Rapport.dashedValue(["account", "list", "-z"], message: "Unknown option '-z'") == nil)
        #expect(Rapport.dashedValue(["meeting", "show"], message: "Missing expected argument '<meeting>'") == nil)
    }

    /// A sync notice groups whole amounts as tables do, and shows a fraction as it is: rounded to cents, two
    /// readings 0.123 and 0.124 read as one value replacing itself.
    @Test func aSyncNoticeShowsAmountsGroupedAndFractionsWhole() {
        #expect(Sync.shown(.real(175_000)) == "'175,000'" && Sync.shown(.int(2500)) == "'2500'")
        #expect(Sync.shown(.real(0.123)) == "'0.123'" && Sync.shown(.real(12_345.678)) == "'12345.678'")
        #expect(Sync.shown(.null) == "nothing")
    }

    /// SQLite's "database or disk is full" left people wondering whether their change was saved.
    @Test func aFullDiskOrDamagedFileSaysWhatWasKeptAndWhatToDo() throws {
        let full = try #require(Rapport.storageFailure(DatabaseError(resultCode: .SQLITE_FULL, message: "database or disk is full")))
        #expect(full.contains("not saved") && full.contains("free some space"))
        let damaged = try #require(Rapport.storageFailure(DatabaseError(resultCode: .SQLITE_CORRUPT, message: "database disk image is malformed")))
        #expect(damaged.contains("malformed") && damaged.contains("backup") && damaged.contains("for a replica"))
        // A server's file (`serve`, `admin`): the server's way back, not a replica's.
        let server = try #require(Rapport.storageFailure(DatabaseError(resultCode: .SQLITE_CORRUPT, message: "database disk image is malformed"), server: true))
        #expect(server.contains("the server's database file is damaged") && server.contains("`rapport admin restored --db FILE`") && !server.contains("replica"))
        #expect(Rapport.storageFailure(DatabaseError(resultCode: .SQLITE_CONSTRAINT)) == nil)
    }

    /// A web page where the server should be (a proxy's login page, say) was reported as the raw OpenAPI
    /// runtime error under "server unreachable".
    @Test func somethingElseAnsweringIsNamed() {
        struct Foreign: Error, CustomStringConvertible {
            var description: String { "Unexpected content type, expected: application/json, received: text/html; charset=utf-8" }
        }
        let html = SyncClient.reason(Foreign(), url: "http://example.com")
        #expect(html.hasPrefix("it answered with text/html") && html.contains("not a Rapport server's reply"), "\(html)")
        let json = SyncClient.reason(DecodingError.keyNotFound(AnyKey("head"), .init(codingPath: [], debugDescription: "")), url: "http://example.com")
        #expect(json.hasPrefix("it answered with JSON of another shape"), "\(json)")
    }

    /// A value a colleague synced with control characters (an escape sequence, a line break) is shown, not
    /// obeyed, in a table.
    @Test func aTableShowsControlCharactersInsteadOfSendingThem() {
        let table = Format.table(["NAME"], [["Evil\u{1B}[2J\u{1B}]0;pwned\u{07}\nsecond"], ["C1\u{9B}31m"], ["Plain – ünïcode"]])
        #expect(!table.unicodeScalars.contains { $0.properties.generalCategory == .control && $0 != "\n" })
        #expect(table.split(separator: "\n").count == 4 && table.contains("Plain – ünïcode") && table.contains("Evil�[2J"), "\(table)")
    }

    @Test func printableTextKeepsItsLayoutOnly() {
        #expect(Format.printable("a\tb\r\nc\nd") == "a\tb\r\nc\nd")
        #expect(Format.printable("over\rwrite\u{1B}[2J\u{7F}\u{85}end\r") == "over�write�[2J��end�")
        #expect(Format.printable("Plain – ünïcode") == "Plain – ünïcode")
    }

    /// Wide characters take two columns on a terminal: the columns after them line up.
    @Test func aTableLinesUpAfterWideCharacters() {
        #expect(Format.width("東京商事") == 8 && Format.width("Zürich Médical") == 14 && Format.width("Café 👍") == 7)
        #expect(Format.width("❤️ ok") == 5 && Format.width("©️1") == 3 && Format.width("é") == 1)
        let table = Format.table(["NAME", "TIER"], [["東京商事", "key"], ["Acme Ltd", "key"]]).split(separator: "\n")
        #expect(table[1].hasSuffix("東京商事  key") && table[2].hasSuffix("Acme Ltd  key"))
    }

    /// Each meeting kind is typed by the name `due` and `meeting show` give it ("monthly review"), which the schema's
    /// aliases spell out apart from `MeetingKind.title`.
    @Test func meetingKindsAreTypedByTheirTitles() throws {
        let kind = try #require(Schema.rapport.entity("meeting")?.field("kind"))
        for meeting in MeetingKind.allCases { #expect(try kind.parse(meeting.title) == .text(meeting.rawValue), "\(meeting.title)") }
        #expect(throws: SchemaError.self) { try kind.parse("review") }
    }

    /// A port no server can listen on is not a server URL (port 99999 crashed sync in the HTTP client).
    @Test func aServerURLHasAPortAServerCanListenOn() {
        let high = #expect(throws: SyncError.self) { try SyncClient.serverURL("http://127.0.0.1:99999") }
        #expect(high?.description.contains("(port 99999 is not one from 1 to 65535)") == true, "\(String(describing: high))")
        #expect((#expect(throws: SyncError.self) { try SyncClient.serverURL("http://ann:pw@server:8080") })?.description.contains("the token is the credential") == true)
        #expect(throws: SyncError.self) { try SyncClient.serverURL("http://127.0.0.1:0") }
        #expect((try? SyncClient.serverURL("https://rapport.example.com:8443")) != nil && (try? SyncClient.serverURL("http://127.0.0.1")) != nil)
    }

    /// A suggested command pastes back into a shell as it was meant: a name with a quote, an ampersand or a
    /// space is one argument.
    @Test func suggestedCommandsQuoteNamesForTheShell() {
        #expect(Shell.quote("Acme") == "Acme" && Shell.quote("2026-05-01") == "2026-05-01" && Shell.quote("Zürich") == "Zürich")
        #expect(Shell.quote("Acme & Sons") == "'Acme & Sons'")
        #expect(Shell.quote("O'Brien \"Quoted\" Ltd") == #"'O'\''Brien "Quoted" Ltd'"#)
        #expect(Shell.quote("$(rm -rf ~)") == "'$(rm -rf ~)'" && Shell.quote("") == "''")
        #expect(Shell.quote("=cmd") == "'=cmd'")
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
