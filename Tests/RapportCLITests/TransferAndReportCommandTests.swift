import Foundation
import RapportReplica
import Testing

/// Import, export and the account report, through the real binary.
@Suite struct TransferAndReportCommandTests {
    let dir: TemporaryFolder
    let rapport: RapportBinary

    init() throws {
        dir = try TemporaryFolder()
        rapport = RapportBinary(environment: ["RAPPORT_DB": dir.file("replica.sqlite")])
        #expect(try rapport.run(["init", "--user", "alice"]).status == 0)
    }

    @discardableResult
    func ok(_ arguments: [String]) throws -> String {
        let result = try rapport.run(arguments)
        #expect(result.status == 0, "\(arguments.joined(separator: " ")): \(result.stderr)")
        return result.stdout
    }

    func list(_ arguments: [String]) throws -> [[String: Any]] {
        try #require(try rapport.json(arguments) as? [[String: Any]])
    }

    func operationCount() throws -> Int {
        (try rapport.json(["status"]) as? [String: Any])?["operations"] as? Int ?? -1
    }

    func write(_ name: String, _ text: String) throws -> String {
        let path = dir.file(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    func accounts() throws -> [[String: Any]] { try #require(try rapport.json(["account", "list"]) as? [[String: Any]]) }

    /// Another table's export given to `import accounts` (the stakeholders file beside the accounts one): named
    /// as such, once, where every row was refused as "one row per account" or its people became accounts.
    @Test func anotherTablesExportIsNotTakenForAccounts() throws {
        try ok(["account", "add", "Acme"])
        try ok(["stakeholder", "add", "Acme", "Dana Lee", "--role", "decision-maker"])
        try ok(["stakeholder", "add", "Acme", "Raj Patel", "--role", "user"])
        let file = dir.file("stakeholders.csv")
        try ok(["export", "stakeholders", file])
        let refused = try rapport.run(["import", "accounts", file])
        #expect(refused.status == 64 && refused.stderr.contains("is Rapport's export of stakeholders (its columns are those `rapport export stakeholders` writes), not of accounts")
                && refused.stderr.contains("`rapport export accounts`"), "\(refused.stderr)")
        // A criteria file has no account column: each criterion became an account.
        try ok(["criteria", "add", "growth potential", "--weight", "30"])
        let criteria = dir.file("criteria.csv")
        try ok(["export", "criteria", criteria])
        let notAccounts = try rapport.run(["import", "accounts", criteria])
        #expect(notAccounts.status == 64 && notAccounts.stderr.contains("is Rapport's export of criteria"), "\(notAccounts.stderr)")
        // One from another version (a column more), known by its account columns and Rapport ids.
        let older = try write("older.csv", try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(of: "notes", with: "notes,linkedin"))
        let refusedToo = try rapport.run(["import", "accounts", older])
        #expect(refusedToo.status == 64 && refusedToo.stderr.contains("the file is an export of another table"), "\(refusedToo.stderr)")
        #expect(try accounts().count == 1)
        // A warehouse's accounts file so headed, with its own ids, is accounts.
        let warehouse = try write("warehouse.csv", "id,account,account_name\n1001,A-17,Initech\n")
        let taken = try rapport.run(["import", "accounts", warehouse, "--dry-run"])
        #expect(!taken.stderr.contains("another table"), "\(taken.stderr)")
    }

    /// What a team lead's first import from a CRM meets: names with runs of spaces, owners given as display
    /// names, a report's title line above the column names.
    @Test func aCRMsFirstImportIsTidiedAndItsSurprisesSaid() throws {
        let titled = try write("titled.csv", "Accounts export - generated 2026-12-01,,\nCompany Name,Account Owner,Tier\nUmbrella  Corp ,Bob Smith,key\n")
        let refused = try rapport.run(["import", "accounts", titled])
        #expect(refused.status == 64 && refused.stderr.contains("line 1 does not name the columns (a report's title?), line 2 does: remove the line above it"), "\(refused.stderr)")
        let file = try write("crm.csv", "Company Name,Account Owner,Tier\nUmbrella  Corp ,Bob Smith,key\nInitech,alice,standard\n")
        let imported = try rapport.run(["import", "accounts", file])
        #expect(imported.status == 0 && imported.stderr.contains("note: no one on this replica has synced as the owner Bob Smith (1 account): `rapport due` lists"), "\(imported.stderr)")
        #expect(!imported.stderr.contains("alice"))
        #expect(!imported.stderr.contains("margin"))
        // The replica's user in the CRM's capitals is stored as they sync: `due` finds accounts by the exact name.
        let capitals = try write("capitals.csv", "Company Name,Account Owner\nInitech,Alice\nInitech Labs,ALICE\n")
        let dry = try rapport.run(["import", "accounts", capitals, "--dry-run"])
        #expect(dry.stdout.contains("1 new, 0 updated, 1 unchanged") && dry.stderr.contains("note: owners given in other capitals would be stored as the user names they sync as: 'ALICE' as 'alice' (1 row) and 'Alice' as 'alice' (1 row)"),
                "\(dry.stdout)\(dry.stderr)")
        // The notes go to a script too.
        let notes = try #require(try rapport.json(["import", "accounts", capitals, "--dry-run", "--json"]) as? [String: Any])["notes"] as? [String]
        #expect(notes == ["owners given in other capitals would be stored as the user names they sync as: 'ALICE' as 'alice' (1 row) and 'Alice' as 'alice' (1 row)"], "\(String(describing: notes))")
        try ok(["import", "accounts", capitals])
        #expect((try rapport.json(["account", "show", "Initech Labs"]) as? [String: Any])?["owner"] as? String == "alice")
        try ok(["account", "remove", "Initech Labs"])
        // Margins kept as fractions by a CRM (0.22 for 22%) are said, not taken a hundred times too small in silence.
        let fractions = try write("fractions.csv", "Company Name,Gross Margin\nUmbrella Corp,0.22\nInitech,0.3\n")
        let said = try rapport.run(["import", "accounts", fractions, "--dry-run"])
        #expect(said.stderr.contains("note: every margin in the file is between -1 and 1 (0.22 is taken as 0.22%): if the file gives them as fractions, 0.22 meaning 22%"), "\(said.stderr)")
        // Stored with one space: found by the name as typed, and not added again in another spacing.
        #expect(try accounts().compactMap { $0["name"] as? String }.sorted() == ["Initech", "Umbrella Corp"])
        #expect((try rapport.json(["account", "show", "Umbrella Corp"]) as? [String: Any])?["owner"] as? String == "Bob Smith")
        #expect((try rapport.json(["account", "show", "umbrella   corp"]) as? [String: Any])?["owner"] as? String == "Bob Smith")
        let nbsp = try rapport.run(["account", "add", "Umbrella\u{00A0}Corp"])
        #expect(nbsp.status == 64 && nbsp.stderr.contains("there is already an account called Umbrella Corp"), "\(nbsp.stderr)")
        let twin = try rapport.run(["account", "add", "umbrella   corp"])
        #expect(twin.status == 64 && twin.stderr.contains("there is already an account called Umbrella Corp"), "\(twin.stderr)")
        // Said by its new name (it said "Updated Initech").
        #expect(try ok(["account", "set", "Initech", "name=Initech   Systems "]).hasPrefix("Updated Initech Systems (was Initech): 1 field."))
        #expect(try accounts().contains { $0["name"] as? String == "Initech Systems" })
    }

    /// Two processes on one replica at once: two imports of one file each added every account, and two `account add`
    /// of one name both passed the name check. Whichever way they interleave, each account is there once.
    @Test func twoCommandsAtOnceDoNotDoubleTheAccounts() async throws {
        let file = try write("many.csv", "Name,Industry\n" + (0..<1500).map { "Co \($0),Retail" }.joined(separator: "\n") + "\n")
        async let first = rapport.run(["import", "accounts", file])
        async let second = rapport.run(["import", "accounts", file])
        for result in try await [first, second] {
            // Either it imported (or found the other's accounts there already), or it found them changed meanwhile.
            #expect(result.status == 0 || (result.status == 1 && result.stderr.contains("changed while this command was checking what it would do")), "\(result.stderr)")
        }
        #expect(try accounts().count == 1500)
        let adds = try await withThrowingTaskGroup(of: RapportBinary.Result.self) { group in
            for _ in 0..<4 { group.addTask { try await self.rapport.run(["account", "add", "Race Co"]) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(adds.filter { $0.status == 0 }.count == 1 && adds.filter { $0.stderr.contains("there is already an account called Race Co") }.count == 3, "\(adds.map(\.stderr))")
        #expect(try accounts().filter { $0["name"] as? String == "Race Co" }.count == 1)
    }

    @Test func aFileWithABadRowImportsNothingAndNamesTheLines() throws {
        try ok(["account", "add", "Existing"])
        let before = try accounts().count
        let file = try write("bad.csv", "Company,ARR,Tier,Renewal Date,Customer Since\nGood Co,5,key,,\n\"Bad, Inc.\",lots,key,,\n\"Multi\nline Co\",1,standard,2027-02-30,\nWorse Co,1,gold,,\nLater Co,1,key,,2199-01-01\n")
        let result = try rapport.run(["import", "accounts", file])
        #expect(result.status != 0)
        // A day in the future is told with the rest (it came a round later, once the others were fixed).
        #expect(result.stderr.contains("line 7: customer_since 2199-01-01 is in the future"), "\(result.stderr)")
        #expect(result.stderr.contains("line 3: 'lots' is not a valid revenue"))
        #expect(result.stderr.contains("line 4: '2027-02-30' is not a valid next_renewal"))
        #expect(result.stderr.contains("line 6: 'gold' is not a valid tier"))
        #expect(result.stderr.contains("nothing was imported"))
        #expect(try accounts().count == before)
        // --json gives the problems line by line, beside the message.
        let json = try rapport.run(["import", "accounts", file, "--json"])
        let error = try #require((try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["error"] as? [String: Any])
        let problems = try #require(error["problems"] as? [[String: Any]])
        #expect(json.status == 64 && error["code"] as? String == "invalid" && (error["message"] as? String)?.contains("nothing was imported") == true)
        #expect(problems.map { $0["line"] as? Int } == [3, 4, 4, 6, 7] && (problems.last?["message"] as? String)?.hasPrefix("customer_since 2199-01-01 is in the future") == true, "\(problems)")
        // A file that is not there, a folder, and Excel's Windows encoding each say what is wrong and what to do.
        let latin1 = dir.file("latin1.csv")
        try Data([0x4E, 0x61, 0x6D, 0x65, 0x0A, 0x4D, 0xFC, 0x6C, 0x6C, 0x65, 0x72, 0x0A]).write(to: URL(fileURLWithPath: latin1))
        for (file, said) in [(dir.file("absent.csv"), "there is no such file"), (dir.path, "it is a folder"), (latin1, "iconv -f WINDOWS-1252 -t UTF-8 '")] {
            let refused = try rapport.run(["import", "accounts", file])
            #expect(refused.status == 64 && refused.stderr.contains(said), "\(refused.stderr)")
        }
        let twice = dir.file("twice.csv")
        #expect(try ok(["export", "accounts", twice]).hasSuffix("to \(twice).\n"))
        #expect(try ok(["export", "accounts", twice]).contains("in place of the file that was there"))
        for (file, said) in [(dir.path, "it is a folder"), (dir.file("nowhere/x.csv"), "there is no folder"), ("", "give a file name"), (twice + "/x.csv", "\(twice) is a file, not a folder")] {
            let refused = try rapport.run(["export", "accounts", file])
            #expect(refused.status == 64 && refused.stderr.contains(said), "\(refused.stderr)")
        }
        // Not over the replica in use, nor its write-ahead log: a report or export given its name destroyed it.
        let replica = dir.file("replica.sqlite")
        for arguments in [["report", "Existing", "--format", "md", "--out", replica], ["export", "accounts", replica, "--format", "csv"], ["export", "accounts", replica + "-wal", "--format", "csv"]] {
            let refused = try rapport.run(arguments)
            #expect(refused.status == 64 && refused.stderr.contains("an SQLite database (a Rapport replica or server file, perhaps the one in use); nothing was written"), "\(refused.stderr)")
        }
        #expect(try accounts().count == before)
    }

    /// A large import shows its progress on a terminal, the line ended before the summary, and stays quiet
    /// through a pipe.
    @Test func aLargeImportShowsProgressOnATerminalOnly() throws {
        let file = try write("big.csv", "Account Name,Industry\n" + (0..<1_000).map { "Co \($0),Retail\n" }.joined())
        let (status, shown) = try rapport.runOnATerminal(["import", "accounts", file])
        #expect(status == 0, "\(shown)")
        #expect(shown.contains("\r\u{1B}[Kcheck: 1000/1000") && shown.contains("\r\u{1B}[Kimport: 1000/1000") && shown.contains("\nImported 1000 accounts"), "\(shown.suffix(300).debugDescription)")
        let piped = try rapport.run(["import", "accounts", file])
        #expect(piped.status == 0 && !piped.stderr.contains("import:") && piped.stdout.contains("1000 unchanged"), "\(piped.stderr)")
    }

    /// --dry-run says, account by account, what an import would add and change, and changes nothing.
    @Test func aDryRunListsWhatWouldChange() throws {
        try ok(["account", "add", "Globex", "--industry", "Energy", "--revenue", "100k"])
        try ok(["account", "add", "Initech", "--industry", "Software"])
        let file = try write("dry.csv", "Account Name,Industry,Annual Revenue\nAcme Corp,Retail,1.2m\nglobex,Energy,350k\nInitech,Software,\n")
        let before = try accounts()
        let out = try ok(["import", "accounts", file, "--dry-run"])
        #expect(out.contains("Would import 3 accounts from \(file): 1 new, 1 updated, 1 unchanged. Nothing was changed."), "\(out)")
        #expect(out.contains("\n  new     Acme Corp\n") && out.contains("\n  update  Globex: revenue 100,000 → 350,000"), "\(out)")
        #expect(!out.contains("Initech"))
        #expect(try accounts().count == before.count)
    }

    /// An owner or industry cell holding a line break or a tab is refused by line, as a name's is.
    @Test func aOneLineFieldWithALineBreakIsRefusedByLine() throws {
        let file = try write("lines.csv", "Company,Owner,Industry\nGood Co,alice,Retail\nSplit Co,\"Ops\nTeam\",Retail\nTab Co,bob,\"Food\tDrink\"\n")
        let result = try rapport.run(["import", "accounts", file])
        #expect(result.status != 0)
        #expect(result.stderr.contains("line 3: 'Ops\\nTeam' is not a valid owner: expected one line of text"), "\(result.stderr)")
        #expect(result.stderr.contains("line 5: 'Food\\tDrink' is not a valid industry"), "\(result.stderr)")
        let dated = try write("dated.csv", "Company,Customer Since\nOld Co,9999-12-31\n")
        #expect(try rapport.run(["import", "accounts", dated]).stderr.contains("line 2: '9999-12-31' is not a valid customer_since: expected a date from 1900 to 2199"))
        #expect(try accounts().isEmpty)
    }

    @Test func aCRMExportImportsWithItsColumnNamesAndUpdatesKnownAccounts() throws {
        try ok(["account", "add", "Globex", "--industry", "Energy"])
        let file = try write("crm.csv", """
            Account Name,Annual Revenue,Account Owner,Industry,Created Date,Renewal Date,Phone,\r
            Acme Corp,"$1,250,000",bob,Retail,2021-03-04,2027-01-31,555-0100,\r
            globex,350k,,,,,,VIP\r

            """)
        let out = try rapport.run(["import", "accounts", file])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stdout.contains("2 accounts from \(file): 1 new, 1 updated."))
        // (A column without a name is named by its place, with a cell of it: it was dropped without a word.)
        #expect(out.stderr.contains("ignored columns: Phone, column 8, which has no name ('VIP' on line 3)"), "\(out.stderr)")
        let list = try accounts()
        #expect(list.count == 2)
        let acme = try #require(list.first { $0["name"] as? String == "Acme Corp" })
        #expect(acme["revenue"] as? Double == 1_250_000)
        #expect(acme["owner"] as? String == "bob")
        #expect(acme["customer_since"] as? String == "2021-03-04")
        #expect(acme["next_renewal"] as? String == "2027-01-31")
        #expect(acme["tier"] as? String == "standard")
        let globex = try #require(list.first { $0["name"] as? String == "Globex" })
        #expect(globex["revenue"] as? Double == 350_000)
        #expect(globex["industry"] as? String == "Energy")

        // Text a spreadsheet would run as a formula is exported as text (a leading quote), numbers stay numbers,
        // and the import takes the quote off: the export still imports back unchanged.
        try ok(["account", "set", "Globex", "industry=@SUM(A1)", "margin=-5"])
        let guarded = try ok(["export", "accounts", "-"])
        #expect(guarded.contains(",'@SUM(A1),") && guarded.contains(",-5,"), "\(guarded)")
        #expect(try ok(["export", "accounts", "-", "--raw"]).contains(",@SUM(A1),"))
        // A name the team wrote with a quote before a formula character keeps its quote through the round trip.
        try ok(["account", "add", "'=already"])
        #expect(try ok(["export", "accounts", "-"]).contains(",''=already,"))
        // An export imports back onto the same accounts.
        let exported = dir.file("accounts.csv")
        try ok(["export", "accounts", exported])
        // It changes nothing, and says so (it used to count every matched account as updated).
        let before = try operationCount()
        let again = try rapport.run(["import", "accounts", exported])
        #expect(again.stdout.contains("0 new, 0 updated, 3 unchanged."), "\(again.stdout)")
        // (Its merged_into columns are the export's own, not columns to report as ignored.)
        #expect(!again.stderr.contains("ignored columns"), "\(again.stderr)")
        #expect(try operationCount() == before)
        let edited = try read(exported).replacingOccurrences(of: "350000", with: "360000")
        try Data(edited.utf8).write(to: URL(fileURLWithPath: exported))
        #expect(try rapport.run(["import", "accounts", exported]).stdout.contains("0 new, 1 updated, 2 unchanged."))
        #expect(try accounts().count == 3)
        #expect(try accounts().first { $0["name"] as? String == "Globex" }?["industry"] as? String == "@SUM(A1)")

        // An unknown Rapport ID is a typo or an account not pulled yet, never a new account.
        let unknown = try write("unknown.csv", "Rapport ID,Name\nnot-an-id,Zed\n")
        let refused = try rapport.run(["import", "accounts", unknown])
        #expect(refused.status == 64 && refused.stderr.contains("line 2: no account here has Rapport ID 'not-an-id'"), "\(refused.stderr)")
        #expect(try accounts().count == 3)
    }

    /// An import finds accounts by name as every command does, and renames none onto another's name.
    @Test func importMatchesNamesAsCommandsDoAndRefusesADuplicateName() throws {
        try ok(["account", "add", "Straße AG"])
        try ok(["account", "add", "Initech"])
        let matched = try write("case.csv", "Name,Revenue\nSTRASSE AG,2m\n")
        #expect(try rapport.run(["import", "accounts", matched]).stdout.contains("0 new, 1 updated."))
        #expect(try accounts().count == 2)
        let initech = try #require(try accounts().first { $0["name"] as? String == "Initech" }?["id"] as? String)
        let rename = try write("rename.csv", "Rapport ID,Name\n\(initech),straße ag\n")
        let refused = try rapport.run(["import", "accounts", rename])
        #expect(refused.status == 64 && refused.stderr.contains("line 2: straße ag is the name of another account here"), "\(refused.stderr)")
        #expect(try accounts().map { $0["name"] as? String }.sorted { ($0 ?? "") < ($1 ?? "") } == ["Initech", "Straße AG"])
    }

    /// The same customer added twice, on two laptops (so two accounts of one name), then merged: the export holds
    /// both, and it imports back as it is. Rows are told apart by their Rapport IDs; one id twice, or a row
    /// without one of a name a row with one has, is still refused.
    @Test func anExportWithAMergedCopyOfTheSameNameImportsBack() throws {
        try ok(["account", "add", "Adventure Works", "--revenue", "1m"])
        let replica = try Replica.open(at: dir.file("replica.sqlite"))
        let copy = try replica.change { tx in try tx.create("account", values: [("name", .text("Adventure Works")), ("tier", .text("standard"))]) }
        try replica.close()
        let kept = try #require(try accounts().first { $0["id"] as? String != copy }?["id"] as? String)
        try ok(["account", "merge", String(copy.prefix(8)), "--into", String(kept.prefix(8))])
        let file = dir.file("accounts.csv")
        try ok(["export", "accounts", file])
        let dry = try rapport.run(["import", "accounts", file, "--dry-run"])
        #expect(dry.status == 0 && dry.stdout.contains("0 new, 0 updated, 2 unchanged"), "\(dry.stdout)\(dry.stderr)")
        // Without the copy's row too.
        let lines = try read(file).split(separator: "\n")
        let keptOnly = try write("kept.csv", ([lines[0]] + lines.filter { $0.hasPrefix(kept) }).joined(separator: "\n") + "\n")
        #expect(try rapport.run(["import", "accounts", keptOnly]).status == 0)
        let twice = try write("twice.csv", "Rapport ID,Name\n\(kept),Adventure Works\n\(kept),Adventure Works\n")
        let refused = try rapport.run(["import", "accounts", twice])
        #expect(refused.status == 64 && refused.stderr.contains("line 3: the Rapport ID \(kept) is already on line 2"), "\(refused.stderr)")
        let named = try write("named.csv", "Rapport ID,Name\n\(kept),Adventure Works\n,Adventure Works\n")
        #expect(try rapport.run(["import", "accounts", named]).stderr.contains("line 3: Adventure Works is already on line 2"))
        // Matched by name only, the two rows of one name are one account twice.
        let ignoring = try rapport.run(["import", "accounts", file, "--ignore-ids", "--dry-run"])
        #expect(ignoring.status == 64 && ignoring.stderr.contains("Adventure Works is already on line 2"), "\(ignoring.stderr)")
    }

    /// A CRM row, or an `account set`, by the name of a copy merged into another account: the row updates the
    /// account kept, and the set says its change is on the archived copy (both landed there without a word).
    @Test func aRowNamingACopyMergedAwayUpdatesTheAccountKept() throws {
        try ok(["account", "add", "Fabrikam Inc.", "--revenue", "1m"])
        try ok(["account", "add", "Fabrikam, Inc.", "--revenue", "900k"])
        try ok(["account", "merge", "Fabrikam, Inc.", "--into", "Fabrikam Inc."])
        let file = try write("crm.csv", "Account Name,Annual Revenue\n\"Fabrikam, Inc.\",3m\n")
        let imported = try rapport.run(["import", "accounts", file])
        #expect(imported.status == 0 && imported.stderr.contains("note: line 2: Fabrikam, Inc. (") && imported.stderr.contains("the row updates that account"), "\(imported.stderr)")
        #expect(try accounts().map { "\($0["name"] ?? "") \($0["revenue"] ?? "")" } == ["Fabrikam Inc. 3000000"])
        let set = try rapport.run(["account", "set", "Fabrikam, Inc.", "revenue=2m"])
        #expect(set.status == 0 && set.stderr.contains("and the change is on the archived copy, off the lists: `rapport account set ") && set.stderr.contains(" revenue=2m` changes the account kept"), "\(set.stderr)")
        // Renaming the copy, to free its name as `account add` advises, is no change to carry over.
        let freed = try rapport.run(["account", "set", "Fabrikam, Inc.", "name=Fabrikam, Inc. (old)"])
        #expect(freed.status == 0 && !freed.stderr.contains("note"), "\(freed.stderr)")
        try ok(["account", "set", "Fabrikam, Inc. (old)", "name=Fabrikam, Inc."])
        // A row for the account kept and one by the copy's name are one account twice: refused, as two rows of one name.
        let both = try write("both.csv", "Name,Industry\nFabrikam Inc.,A\n\"Fabrikam, Inc.\",B\n")
        let refused = try rapport.run(["import", "accounts", both])
        #expect(refused.status == 64 && refused.stderr.contains("line 3: Fabrikam, Inc. is Fabrikam Inc. (") && refused.stderr.contains("as line 2 is"), "\(refused.stderr)")
        // By the copy's Rapport ID (an export from before the merge), the change stays on the copy: said.
        let copy = try #require(try rapport.json(["account", "list", "--archived"]) as? [[String: Any]]).first { $0["name"] as? String == "Fabrikam, Inc." }?["id"] as? String
        let byID = try write("byid.csv", "Rapport ID,Name,Industry\n\(try #require(copy)),\"Fabrikam, Inc.\",Mining\n")
        let noted = try rapport.run(["import", "accounts", byID, "--dry-run"])
        #expect(noted.status == 0 && noted.stderr.contains("the row would change the archived copy, off the lists; empty its Rapport ID cell to update Fabrikam Inc. instead"), "\(noted.stderr)")
    }

    /// A name that differs from another's only in punctuation, spacing or accents is added (two companies may be so named)
    /// with a note and the merge that makes them one: a CRM export full of them left them to be found by hand.
    @Test func aNameDifferingOnlyInPunctuationIsSaid() throws {
        try ok(["account", "add", "Fabrikam, Inc."])
        let added = try rapport.run(["account", "add", "FABRIKAM INC"])
        #expect(added.status == 0 && added.stderr.contains("note: Fabrikam, Inc. (") && added.stderr.contains("differs from FABRIKAM INC only in punctuation, spacing or accents: " +
                "if they are one customer, `rapport account merge "), "\(added.stderr)")
        // A third one: both named, with the merges of the new one and of the other into the first.
        let third = try rapport.run(["account", "add", "Fabrikam-Inc"])
        #expect(third.stderr.contains("Fabrikam, Inc. (") && third.stderr.contains("FABRIKAM INC (") && third.stderr.contains(") differ from Fabrikam-Inc only in punctuation")
                && third.stderr.components(separatedBy: "rapport account merge").count == 3 && third.stderr.contains("make them one"), "\(third.stderr)")
        #expect(try !rapport.run(["account", "add", "Contoso"]).stderr.contains("note"))
        // Renamed to such a name, likewise.
        try ok(["account", "add", "Kickoff Co"])
        #expect(try rapport.run(["account", "set", "Kickoff Co", "name=Contoso."]).stderr.contains("note: Contoso (") )
        // A zero-width space pasted with a name is no other name; a direction override, which shows it reversed, is refused.
        let pasted = try rapport.run(["account", "add", "Conto\u{200B}so"])
        #expect(pasted.status == 64 && pasted.stderr.contains("there is already an account called Contoso ("), "\(pasted.stderr)")
        let reversed = try rapport.run(["stakeholder", "add", "Contoso", "Dana\u{202E}Smith"])
        #expect(reversed.status == 64 && reversed.stderr.contains("writing-direction override U+202E"), "\(reversed.stderr)")
        // Looked up with one, a name is found as it is stored.
        #expect(try rapport.run(["account", "show", "Con\u{200B}toso"]).status == 0)
        // A removed one too.
        try ok(["account", "add", "Umbrella"])
        try ok(["account", "remove", "Umbrella"])
        let gone = try rapport.run(["account", "show", "Umb\u{200B}rella"])
        #expect(gone.stderr.contains("the account Umbrella (") && gone.stderr.contains(") was removed by "), "\(gone.stderr)")
        let file = try write("similar.csv", "Name\nContoso Ltd\n\"Contoso, Ltd.\"\nGlobex\n")
        let imported = try rapport.run(["import", "accounts", file, "--dry-run"])
        #expect(imported.stderr.contains("note: a new account's name differs from another's only in punctuation, spacing or accents (line 3: Contoso, Ltd. beside Contoso Ltd): " +
                                         "if they are one customer, `rapport account merge 'Contoso, Ltd.' --into 'Contoso Ltd'` makes them one"), "\(imported.stderr)")
        // A copy merged away so named stands for the account it went into: the duplicate the merge made one came
        // back as a new account without a word (QA).
        try ok(["account", "add", "Adventure Works"])
        try ok(["account", "add", "Adventure Works, Inc."])
        try ok(["account", "merge", "Adventure Works, Inc.", "--into", "Adventure Works"])
        let reimport = try write("again.csv", "Name\nAdventure-Works Inc\n")
        let reimported = try rapport.run(["import", "accounts", reimport, "--dry-run"])
        #expect(reimported.stderr.contains("(line 2: Adventure-Works Inc beside Adventure Works, Inc., merged into Adventure Works): " +
                "if they are one customer, `rapport account merge 'Adventure-Works Inc' --into 'Adventure Works'` makes them one"), "\(reimported.stderr)")
        // Two such rows: each beside the copy, not the second beside the account it went into.
        let twoRows = try rapport.run(["import", "accounts", try write("again2.csv", "Name\nAdventure-Works Inc\nADVENTURE WORKS INC.\n"), "--dry-run"])
        #expect(twoRows.stderr.contains("line 3: ADVENTURE WORKS INC. beside Adventure Works, Inc., merged into Adventure Works"), "\(twoRows.stderr)")
        let again = try rapport.run(["account", "add", "Adventure Works Inc"])
        #expect(again.status == 0 && again.stderr.contains("note: Adventure Works, Inc. (") && again.stderr.contains("), whose name differs from Adventure Works Inc only in punctuation, " +
                "spacing or accents, was merged into Adventure Works (") && again.stderr.contains("`rapport account merge "), "\(again.stderr)")
        // Another replica's export of a copy merged away: its row is left out, said. Matched by name, it archived a
        // live account of that name here and overwrote it with the copy's old values.
        try ok(["account", "add", "initech inc", "--industry", "Foods"])
        let merged = try write("merged.csv", "id,name,industry,archived,merged_into,merged_into_name\n" +
                               "925934b4-3fad-4635-942b-c3da67d4c8f4,initech inc,Retail,true,6a9058d0-8d1c-4ea9-936b-9387e78677dd,\"Initech, Inc.\"\n" +
                               "6a9058d0-8d1c-4ea9-936b-9387e78677dd,\"Initech, Inc.\",Retail,,,\n")
        let copy = try rapport.run(["import", "accounts", merged, "--ignore-ids"])
        #expect(copy.status == 0 && copy.stdout.contains("2 accounts from \(merged): 1 new, 0 updated, 1 left out (merged away where the file was exported).")
                && copy.stderr.contains("note: line 2: initech inc was merged into Initech, Inc. where the file was exported: left out (its values are the copy's; the row of Initech, Inc. carries the customer)"),
                "\(copy.stdout)\(copy.stderr)")
        let leftOut = try #require((try rapport.json(["import", "accounts", merged, "--ignore-ids", "--dry-run", "--json"]) as? [String: Any])?["left_out"] as? [[String: Any]])
        #expect(leftOut.count == 1 && leftOut.first?["line"] as? Int == 2 && leftOut.first?["merged_into_name"] as? String == "Initech, Inc."
                && leftOut.first?["merged_into"] as? String == "6a9058d0-8d1c-4ea9-936b-9387e78677dd", "\(leftOut)")
        // Without the name column (a file cut down), by the id where it went.
        let byID = try write("merged-ids.csv", "id,name,industry,archived,merged_into\n" +
                             "925934b4-3fad-4635-942b-c3da67d4c8f4,initech inc,Retail,true,6a9058d0-8d1c-4ea9-936b-9387e78677dd\n")
        let cut = try rapport.run(["import", "accounts", byID, "--ignore-ids"])
        #expect(cut.stdout.contains("0 new, 0 updated, 1 left out") && cut.stderr.contains("note: line 2: initech inc was merged into another account (6a9058d0) where the file was exported: left out"),
                "\(cut.stdout)\(cut.stderr)")
        let live = try #require(try accounts().first { $0["name"] as? String == "initech inc" })
        #expect(live["archived"] as? Bool != true && live["industry"] as? String == "Foods", "\(live)")
        // A CRM export that dropped the accents.
        try ok(["account", "add", "Zürich Müller AG"])
        let plain = try rapport.run(["account", "add", "Zurich Muller AG"])
        #expect(plain.status == 0 && plain.stderr.contains("note: Zürich Müller AG (") && plain.stderr.contains("differs from Zurich Muller AG only in punctuation, spacing or accents"), "\(plain.stderr)")
    }

    /// `export --excel` writes what Excel in a decimal-comma locale opens as it should (semicolons, decimal commas,
    /// a byte-order mark for UTF-8), and `import` reads the file back unchanged.
    @Test func anExcelExportImportsBack() throws {
        try ok(["account", "add", "Société Générale", "--revenue", "1200000.5", "--margin", "1.125", "--industry", "Bau; Handel"])
        let file = dir.file("excel.csv")
        try ok(["export", "accounts", file, "--excel"])
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        #expect(data.starts(with: [0xEF, 0xBB, 0xBF]))
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(";Société Générale;\"Bau; Handel\";alice;standard;1200000,5;1,1250;"), "\(text)")
        // Matched by its Rapport ID (the byte-order mark is no part of the first column's name), every column taken.
        let back = try rapport.run(["import", "accounts", file, "--dry-run"])
        #expect(back.stdout.contains("0 new, 0 updated, 1 unchanged") && !back.stderr.contains("ignored columns"), "\(back.stdout)\(back.stderr)")
    }

    /// A script adding accounts gets their whole ids: `account add --json` gives the account, `import --json`
    /// each row's account and what it did (or, with --dry-run, would do).
    @Test func addingAndImportingTellAScriptTheIDs() throws {
        let added = try #require(try rapport.json(["account", "add", "Json Co", "--revenue", "5k"]) as? [String: Any])
        let id = try #require(added["id"] as? String)
        #expect(id.count == 36 && added["revenue"] as? Double == 5000 && added["name"] as? String == "Json Co", "\(added)")
        let file = try write("j.csv", "Name,Revenue\nJson Co,6k\nNew One,7\n")
        let preview = try #require(try rapport.json(["import", "accounts", file, "--dry-run"]) as? [String: Any])
        let rows = try #require(preview["rows"] as? [[String: Any]])
        #expect(preview["dry_run"] as? Bool == true && preview["new"] as? Int == 1 && preview["updated"] as? Int == 1, "\(preview)")
        #expect(rows[0]["id"] as? String == id && rows[0]["action"] as? String == "update" && rows[0]["changed"] as? [String] == ["revenue"] && rows[0]["name"] as? String == "Json Co", "\(rows)")
        #expect(rows[1]["id"] is NSNull && rows[1]["action"] as? String == "new" && rows[1]["line"] as? Int == 3, "\(rows)")
        let imported = try #require(try rapport.json(["import", "accounts", file]) as? [String: Any])
        let newID = try #require((imported["rows"] as? [[String: Any]])?[1]["id"] as? String)
        #expect((try rapport.json(["account", "show", newID]) as? [String: Any])?["name"] as? String == "New One")
        let again = try #require(try rapport.json(["import", "accounts", file]) as? [String: Any])
        #expect(again["unchanged"] as? Int == 2 && (again["rows"] as? [[String: Any]])?.allSatisfy { $0["action"] as? String == "unchanged" } == true, "\(again)")
    }

    /// Names with accents are listed among the others by their letters, as people look for them: SQLite's NOCASE
    /// put "Négoce" after "Northwind" and "Éclat" after every name in Z.
    @Test func accentedNamesAreListedInPlace() throws {
        for name in ["Northwind", "Zeta", "Négoce Lyon", "Éclat", "Nagoya", "ärztehaus"] { try ok(["account", "add", name]) }
        let names = try ok(["account", "list"]).split(separator: "\n").dropFirst().map { line in
            ["Éclat", "Nagoya", "Négoce Lyon", "Northwind", "Zeta", "ärztehaus"].first { line.contains($0) } ?? ""
        }
        #expect(names == ["ärztehaus", "Éclat", "Nagoya", "Négoce Lyon", "Northwind", "Zeta"], "\(names)")
        // Letters that are no accented ones sort (and are found) as spelled out: Ørsted among the O's.
        try ok(["account", "add", "Ørsted A/S"])
        let listed = try ok(["account", "list"])
        #expect(listed.range(of: "Ørsted")!.lowerBound < listed.range(of: "Zeta")!.lowerBound && listed.range(of: "Northwind")!.lowerBound < listed.range(of: "Ørsted")!.lowerBound, "\(listed)")
    }

    /// A name typed without its accents, as on a keyboard without them, finds the one record so named; an archived
    /// copy merged into the accented one is not where a new note goes.
    @Test func aNameTypedWithoutAccentsFindsItsRecord() throws {
        try ok(["account", "add", "Zürich Versicherung AG"])
        try ok(["account", "add", "Ørsted A/S"])
        #expect(try ok(["account", "show", "zurich"]).hasPrefix("Zürich Versicherung AG"))
        #expect(try ok(["account", "show", "Orsted"]).hasPrefix("Ørsted A/S"))
        try ok(["stakeholder", "add", "Ørsted", "François Dupont"])
        #expect(try ok(["stakeholder", "contacted", "Francois"]).contains("François Dupont"))
        // The same customer added without accents on another laptop, merged into the accented one.
        try ok(["account", "add", "Zurich Versicherung AG"])
        let copy = try #require(try list(["account", "list", "--archived"]).first { $0["name"] as? String == "Zurich Versicherung AG" }?["id"] as? String)
        let kept = try #require(try list(["account", "list", "--archived"]).first { $0["name"] as? String == "Zürich Versicherung AG" }?["id"] as? String)
        try ok(["account", "merge", copy, "--into", kept])
        #expect(try ok(["note", "add", "Zurich", "--text", "Renewal call"]).contains("to Zürich Versicherung AG."))
        // Two names it may mean are both named; an archived one is not traded for another customer's name.
        try ok(["account", "add", "Zürich Re"])
        let two = try rapport.run(["account", "show", "zurich"])
        #expect(two.status == 64 && two.stderr.contains("'zurich' matches 3 accounts (") && two.stderr.contains("Zürich Re") && two.stderr.contains("Zürich Versicherung AG"), "\(two.stderr)")
        try ok(["account", "add", "Acme Legacy"])
        try ok(["account", "archive", "Acme Legacy"])
        try ok(["account", "add", "Acmé Industries"])
        let acme = try rapport.run(["account", "show", "acme"])
        #expect(acme.status == 64 && acme.stderr.contains("'acme' matches 2 accounts (") && acme.stderr.contains("Acmé Industries"), "\(acme.stderr)")
        // The start of a name a copy merged into the account shares: the account.
        try ok(["account", "add", "Globex Corporation"])
        try ok(["account", "add", "Globex Corp"])
        try ok(["account", "merge", "Globex Corp", "--into", "Globex Corporation"])
        #expect(try ok(["account", "show", "Globex"]).hasPrefix("Globex Corporation"))
        // Through a chain of merges too.
        for name in ["Initrode A", "Initrode B", "Initrode Group"] { try ok(["account", "add", name]) }
        try ok(["account", "merge", "Initrode A", "--into", "Initrode B"])
        try ok(["account", "merge", "Initrode B", "--into", "Initrode Group"])
        #expect(try ok(["account", "show", "Initrode"]).hasPrefix("Initrode Group"))
        // A title of invisible characters alone is none.
        let blank = try rapport.run(["note", "add", "Globex", "--title", "\u{200B}", "--text", "x"])
        #expect(blank.status == 64 && blank.stderr.contains("a note needs a title"), "\(blank.stderr)")
        // A whole name typed without its accents is that name, before another that starts so.
        try ok(["account", "add", "Nestlé"])
        try ok(["account", "add", "Nestle Waters"])
        #expect(try ok(["account", "show", "nestle"]).hasPrefix("Nestlé"))
        // By its id, the copy is still the copy; and by its whole name, as an import takes it.
        #expect(try ok(["account", "show", String(copy.prefix(8))]).hasPrefix("Zurich Versicherung AG"))
        #expect(try ok(["account", "show", "zurich versicherung ag"]).hasPrefix("Zurich Versicherung AG"))
        // An import row by an archived account's name updates it, and says it is off the lists.
        try ok(["account", "add", "Shelved GmbH"])
        try ok(["account", "archive", "Shelved GmbH"])
        let file = try write("archived.csv", "Name,Revenue\nShelved GmbH,77\n")
        let imported = try rapport.run(["import", "accounts", file])
        #expect(imported.status == 0 && imported.stderr.contains("note: line 2: Shelved GmbH (") && imported.stderr.contains(") is archived: the row updates it, off the lists (`rapport account set "), "\(imported.stderr)")
        // Imported again, it changes nothing, and says nothing.
        #expect(try rapport.run(["import", "accounts", file]).stderr.isEmpty)
    }

    @Test func exportsQuoteCSVAndWriteMeetingsAsICalendar() throws {
        try ok(["account", "add", "Acme, Inc.", "--tier", "key"])
        try ok(["meeting", "add", "Acme", "--kind", "monthly", "--date", "2026-05-28", "--attendees", "Dana, Alice",
                "--text", "Results: conversion up; \"good\" month.\nNext: bundle pilot."])
        let meetings = try #require(try rapport.json(["meeting", "list"]) as? [[String: Any]])
        let id = try #require(meetings.first?["id"] as? String)
        try ok(["action", "add", "Acme", "Draft bundle offer", "--due", "2026-06-05", "--meeting", String(id.prefix(8))])

        let csvPath = dir.file("meetings.csv")
        try ok(["export", "meetings", csvPath])
        let csv = try read(csvPath)
        #expect(csv.hasPrefix("id,account,account_name,kind,date,attendees,notes\r\n"))
        // A note that a spreadsheet would run (a link that fetches, a command) is written as text.
        try ok(["meeting", "add", "Acme", "--kind", "adhoc", "--date", "2026-05-29", "--text", "=HYPERLINK(\"https://example.com\")"])
        #expect(try ok(["export", "meetings", "-"]).contains(",\"'=HYPERLINK(\"\"https://example.com\"\")\"\r\n"))
        #expect(csv.contains(",\"Acme, Inc.\",monthly,2026-05-28,\"Dana, Alice\",\"Results: conversion up; \"\"good\"\" month.\nNext: bundle pilot.\"\r\n"))

        let icsPath = dir.file("meetings.ics")
        try ok(["export", "meetings", icsPath])
        let ics = try read(icsPath)
        #expect(ics.hasPrefix("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"))
        #expect(ics.contains("UID:\(id)@rapport\r\n"))
        #expect(ics.contains("DTSTART;VALUE=DATE:20260528\r\n"))
        #expect(ics.contains("SUMMARY:Monthly review: Acme\\, Inc.\r\n"))
        #expect(ics.range(of: #"DTSTAMP:\d{8}T\d{6}Z\r\n"#, options: .regularExpression) != nil)
        #expect(ics.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 75 })
        let unfolded = ics.replacingOccurrences(of: "\r\n ", with: "")
        #expect(unfolded.contains("DESCRIPTION:Attendees: Dana\\, Alice\\n\\nResults: conversion up\\; \"good\" month.\\nNext: bundle pilot."))
        #expect(unfolded.contains("Actions agreed:\\n- Draft bundle offer (alice\\, due 2026-06-05)"))
        // One done since is said done, not listed as still to do.
        try ok(["action", "done", "Draft bundle offer", "--date", "2026-06-02"])
        try ok(["export", "meetings", icsPath])
        #expect(try read(icsPath).replacingOccurrences(of: "\r\n ", with: "").contains("- Draft bundle offer (alice\\, done 2026-06-02)"))
    }

    func accountWithAPlan() throws {
        try ok(["account", "add", "Acme", "--tier", "key"])
        try ok(["stakeholder", "add", "Acme", "Dana", "--role", "decision-maker", "--sentiment", "positive", "--last-contact", "2026-05-20"])
        try ok(["plan", "kpi", "add", "Acme", "conversion", "--unit", "%", "--target", "15"])
        for (date, value) in [("2026-03-31", "10"), ("2026-04-30", "11"), ("2026-05-20", "12.5")] {
            try ok(["plan", "reading", "conversion", value, "--date", date])
        }
        try ok(["plan", "kpi", "notes", "conversion", "--text", "New <images> lifted conversion & clicks."])
        try ok(["meeting", "add", "Acme", "--kind", "weekly", "--date", "2026-05-20", "--attendees", "Dana", "--text", "Agreed the pilot."])
        try ok(["action", "add", "Acme", "Send forecast", "--due", "2026-05-22"])
        try ok(["concern", "open", "Acme", "Late deliveries", "--text", "Three late shipments.", "--date", "2026-05-10"])
        try ok(["concern", "step", "Late", "clarify", "--text", "Orders 1123 and 1130, 2-4 days late.", "--date", "2026-05-12"])
        try ok(["scorecard", "record", "Acme", "--month", "2026-04", "--as-of", "2026-05-27"])
    }

    /// A KPI reading belongs to an account through its KPI: `--account` narrows an export of them too, and
    /// each row names the account (two accounts may both track "conversion").
    @Test func readingsExportByAccountAndNameIt() throws {
        for name in ["Acme", "Globex"] {
            try ok(["account", "add", name])
            try ok(["plan", "kpi", "add", name, "conversion", "--target", "15"])
            try ok(["plan", "reading", "conversion", "12", "--account", name, "--date", "2026-03-01"])
        }
        let csv = try ok(["export", "readings", "-", "--account", "Globex"])
        let lines = csv.split(whereSeparator: \.isNewline)
        #expect(lines.first == "id,kpi,kpi_name,date,value,account,account_name")
        #expect(lines.count == 2 && lines[1].hasSuffix(",Globex"), "\(csv)")
    }

    @Test func theMarkdownReportCoversThePeriod() throws {
        try accountWithAPlan()
        let md = try ok(["report", "Acme", "--period", "2026-05", "--as-of", "2026-05-27"])
        #expect(md.hasPrefix("# Account review: Acme\n"))
        #expect(md.contains("2026-05-01 to 2026-05-27"))
        #expect(md.contains("| conversion | ≥ 15% | 11% | 12.5% | +1.5 pp | 83% | improving |"))
        #expect(md.contains("> New \\<images> lifted conversion & clicks."))
        #expect(md.contains("> Orders 1123 and 1130, 2-4 days late."))
        #expect(md.contains("- 2026-05-20 weekly check-in with Dana: Agreed the pilot."))
        #expect(md.contains("| Send forecast | alice | 2026-05-22 | overdue |"))
        #expect(md.contains("| 2026-04 |"))
        let out = dir.file("acme.md")
        try ok(["report", "Acme", "--out", out, "--as-of", "2026-05-27"])
        #expect(try read(out) == md)
        // The file's extension picks the format when --format does not, as `export` does.
        let page = dir.file("acme.HTML")
        try ok(["report", "Acme", "--out", page, "--as-of", "2026-05-27"])
        #expect(try read(page).hasPrefix("<!DOCTYPE html>"))
        try ok(["report", "Acme", "--out", page, "--format", "md", "--as-of", "2026-05-27"])
        #expect(try read(page) == md)
        // A period that runs past the day is reviewed to it, and says so.
        let ahead = try rapport.run(["report", "Acme", "--period", "2026-05-01..2026-06-30", "--as-of", "2026-05-27"])
        #expect(ahead.status == 0 && ahead.stderr.contains("note: --period 2026-05-01..2026-06-30 runs past 2026-05-27: the review covers 2026-05-01 to 2026-05-27"), "\(ahead.stderr)")
        #expect(!(try rapport.run(["report", "Acme", "--period", "2026-05", "--as-of", "2026-05-31"]).stderr.contains("runs past")))
        // `--out -` is standard output, as `export` takes it: it wrote a file named "-".
        #expect(try ok(["report", "Acme", "--out", "-", "--as-of", "2026-05-27"]) == md)
        #expect(!FileManager.default.fileExists(atPath: "-") && !FileManager.default.fileExists(atPath: dir.file("-")))
    }

    /// The account's notes written in the period are in its review, whole; a review of a past period has none
    /// of today's.
    @Test func theReportHasTheNotesOfThePeriod() throws {
        try ok(["account", "add", "Acme"])
        try ok(["note", "add", "Acme", "--text", "Buyer changes in June\nDana moves to retail; Raj takes over."])
        let md = try ok(["report", "Acme"])
        let notes = try #require(md.components(separatedBy: "## Notes\n").last?.components(separatedBy: "\n## ").first)
        #expect(notes.contains("Buyer changes in June\n\n> Dana moves to retail; Raj takes over."), "\(md)")
        let c = Calendar.current.dateComponents([.year, .month, .day], from: Date())
        let today = String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
        #expect(notes.contains("### \(today) Buyer changes in June\n"), "\(md)")
        // `note show` gives the local time too (it gave the UTC stamp, a day apart from `note list` late at night).
        let shown = try ok(["note", "show", "Buyer changes in June"])
        #expect(shown.contains("written: \(today) ") && !shown.contains("Z\n"), "\(shown)")
        // A title taken from a first line made plain (a tab) is not said twice; one cut short, or given, keeps the text whole.
        try ok(["note", "add", "Acme", "--text", "Q3\tplan\nShip the pilot."])
        let long = String(repeating: "word ", count: 20) + "end"
        try ok(["note", "add", "Acme", "--text", long + "\nmore"])
        try ok(["note", "add", "Acme", "--title", "Own title", "--text", "Own title\nbody"])
        let more = try ok(["report", "Acme"])
        #expect(more.contains(" Q3 plan\n\n> Ship the pilot.\n") && more.contains("…\n\n> \(long)\n> more\n") && more.contains(" Own title\n\n> body\n"), "\(more)")
        let past = try ok(["report", "Acme", "--period", "2026-05", "--as-of", "2026-05-27"])
        #expect(past.contains("No notes written in this period") && !past.contains("Buyer changes"), "\(past)")
        // Archived today: today's review says so, May's (when it was in use) does not.
        try ok(["account", "set", "Acme", "archived=true"])
        #expect(try ok(["report", "Acme"]).contains(" · archived · "))
        #expect(try !ok(["report", "Acme", "--period", "2026-05", "--as-of", "2026-05-27"]).contains("archived"))
    }

    /// A month recorded at its end, then changed (a reading entered late): the report of that month shows
    /// what was recorded, as `scorecard` does, instead of a recomputation that disagreed with it.
    @Test func theReportOfARecordedMonthShowsWhatWasRecorded() throws {
        try accountWithAPlan()
        try ok(["scorecard", "record", "Acme", "--month", "2026-05", "--as-of", "2026-05-31"])
        try ok(["plan", "reading", "conversion", "15", "--date", "2026-05-30"])
        let card = try #require(try rapport.json(["scorecard", "Acme", "--month", "2026-05", "--as-of", "2026-06-10"]) as? [String: Any])
        let overall = try #require(card["overall"] as? Int)
        let md = try ok(["report", "Acme", "--period", "2026-05", "--as-of", "2026-06-10"])
        #expect(md.contains("Overall health for 2026-05: \(overall)"), "\(md)")
    }

    @Test func theHTMLReportIsOneSelfContainedFileWithInlineSVGCharts() throws {
        try accountWithAPlan()
        let out = dir.file("acme.html")
        try ok(["report", "Acme", "--period", "2026-04-01..2026-05-27", "--format", "html", "--out", out, "--as-of", "2026-05-27"])
        let html = try read(out)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<style>"))
        #expect(html.components(separatedBy: "<svg ").count - 1 == 2)  // KPI against target, scorecard history
        #expect(html.contains("stroke-dasharray"))
        #expect(html.contains("New &lt;images&gt; lifted conversion &amp; clicks."))
        #expect(!html.contains("<images>"))
        #expect(!html.contains("http://") && !html.contains("https://"))
        #expect(!html.contains("<script") && !html.contains("<link") && !html.contains("src="))
    }
}
