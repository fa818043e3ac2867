import Foundation
import RapportKAM
import RapportSync
import RapportTransfer
import Testing

@Suite struct CSVTests {
    let accounts = Schema.rapport.entity("account")!

    @Test func rowsKnowTheLineTheyStartOnAcrossQuotedLineBreaksAndBlankLines() throws {
        let text = "Name,Notes\r\nAcme,\"two\nlines\"\r\n\r\nGlobex,plain\r\n"
        let table = try CSVTable(parsing: text)
        #expect(table.header == ["Name", "Notes"])
        #expect(table.rows.map(\.line) == [2, 5])
        #expect(table.rows.map(\.fields) == [["Acme", "two\nlines"], ["Globex", "plain"]])
    }

    /// One stray quote used to read the rest of the file as one field of one row, and the import went on.
    @Test func aQuoteThatIsNeverClosedIsRefusedWithItsLine() throws {
        #expect(throws: TransferError.unclosedQuote(line: 3)) {
            try CSVTable(parsing: "Name,Revenue\nAcme,5\n\"Unclosed,100\nNext,5\n")
        }
        #expect(throws: TransferError.unclosedQuote(line: 2)) { try CSVTable(parsing: "Name,Notes\nAcme,\"said \"\"hi\"\"\n") }
        // Doubled quotes inside quoted and unquoted fields are fine.
        let table = try CSVTable(parsing: "Name,Notes\nAcme,\"said \"\"hi\"\"\"\nGlobex,5\"\" screen\n")
        #expect(table.rows.map(\.fields) == [["Acme", "said \"hi\""], ["Globex", "5\" screen"]])
    }

    @Test func commonCRMColumnNamesMapToAccountFields() {
        let header = ["Account Name", "Annual Revenue", "Account Owner", "Industry", "Created Date", "Renewal Date", "Phone", "Name"]
        let (columns, ignored) = AccountColumns.resolve(header)
        #expect(columns == [0: "name", 1: "revenue", 2: "owner", 3: "industry", 4: "customer_since", 5: "next_renewal"])
        #expect(ignored == ["Phone", "Name"])
        #expect(AccountColumns.resolve(["company", "ARR", "tier", "customer_since"]).columns == [0: "name", 1: "revenue", 2: "tier", 3: "customer_since"])
    }

    @Test func aGoodFileParsesWithCRMSpellingsOfValues() throws {
        let table = try CSVTable(parsing: "Company,ARR,Margin,Tier,Created Date\nAcme,\"$1,250,000.50\",31%,Key,2021-03-04T10:00:00Z\nGlobex,350k,,standard,\n")
        let plan = try AccountImport(table, entity: accounts)
        #expect(plan.rows.map(\.name) == ["Acme", "Globex"])
        #expect(plan.rows[0].values["revenue"] == .real(1_250_000.5))
        #expect(plan.rows[0].values["margin"] == .real(31))
        #expect(plan.rows[0].values["tier"] == .text("key"))
        #expect(plan.rows[0].values["customer_since"] == .text("2021-03-04"))
        #expect(plan.rows[1].values["revenue"] == .real(350_000))
        #expect(plan.rows[1].values["margin"] == nil)
    }

    @Test func everyBadRowIsReportedByLineAndTheFileIsRefusedWhole() throws {
        let table = try CSVTable(parsing: "Account Name,Revenue,Renewal Date\nAcme,1m,2027-01-31\n,5,\nGlobex,lots,2027-02-30\nacme,1,\n")
        #expect {
            try AccountImport(table, entity: accounts)
        } throws: { error in
            guard case TransferError.rows(let problems) = error else { return false }
            return problems.map(\.line) == [3, 4, 4, 5]
                && problems[0].message.contains("name cannot be empty")
                && problems[1].message.contains("'lots' is not a valid revenue")
                && problems[2].message.contains("YYYY-MM-DD")
                && problems[3].message.contains("already on line 2")
                && "\(error)".contains("nothing was imported")
        }
        #expect(throws: TransferError.missingColumn(field: "account name", accepted: AccountColumns.mapping[1].names)) {
            try AccountImport(try CSVTable(parsing: "Revenue\n5\n"), entity: accounts)
        }
    }

    /// The names `account add` refuses: a line break (a quoted CSV field may hold one), over 200 characters, or
    /// another row's name in other case ("STRASSE" is "Straße", as every command's lookup has it).
    @Test func namesFollowTheRulesOfAccountAdd() throws {
        let long = String(repeating: "x", count: 201)
        let table = try CSVTable(parsing: "Name\n\"Two\nLines\"\n\(long)\nStraße AG\nSTRASSE AG\n")
        #expect {
            try AccountImport(table, entity: accounts)
        } throws: { error in
            guard case TransferError.rows(let problems) = error else { return false }
            return problems.map(\.line) == [2, 4, 6]
                && problems[0].message.contains("one line")
                && problems[1].message.contains("201 characters long")
                && problems[2].message.contains("already on line 5")
        }
    }

    @Test func writingQuotesPerRFC4180() {
        #expect(CSVWriter.line(["plain", "a,b", "say \"hi\"", "two\nlines", ""]) == "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",")
        #expect(CSVWriter.document(header: ["a"], rows: [["1"]]) == "a\r\n1\r\n")
    }

    @Test func writtenCSVReadsBackTheSame() throws {
        let rows = [["Acme, Inc.", "He said \"no\"\nthen yes"], ["Globex", ""]]
        let table = try CSVTable(parsing: CSVWriter.document(header: ["name", "notes"], rows: rows))
        #expect(table.rows.map(\.fields) == rows)
    }
}

@Suite struct ICalendarTests {
    @Test func meetingsBecomeAllDayEventsWithEscapedTextCRLFAndFoldedLines() {
        let long = String(repeating: "Forecast review; stock, pricing ", count: 4) + "– done ✓"
        let ics = ICalendar.document([
            CalendarEvent(uid: "m1@rapport", date: Day("2026-05-27")!, summary: "Weekly check-in: Acme", description: "Line one\nLine two, with; marks\\ \(long)"),
        ], stamp: "20260527T080000Z")
        #expect(ics.hasPrefix("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"))
        #expect(ics.hasSuffix("END:VCALENDAR\r\n"))
        #expect(ics.contains("\r\nUID:m1@rapport\r\n"))
        #expect(ics.contains("\r\nDTSTART;VALUE=DATE:20260527\r\nDTEND;VALUE=DATE:20260528\r\n"))
        #expect(ics.contains("DESCRIPTION:Line one\\nLine two\\, with\\; marks\\\\ "))
        // No bare LF, and every physical line is at most 75 octets.
        #expect(!ics.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        let lines = ics.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.utf8.count <= 75 })
        #expect(lines.contains { $0.hasPrefix(" ") })
        // Unfolding gives back the escaped text, and no UTF-8 character was cut in two.
        let unfolded = ics.replacingOccurrences(of: "\r\n ", with: "")
        #expect(unfolded.contains(ICalendar.escape(long)))
    }
}
