import RapportPostgres
import Testing

/// Addresses are refused without their password: such messages end up in terminals, cron mail and logs.
@Suite struct PostgresURLTests {
    @Test func aRefusedAddressIsRepeatedWithItsPasswordMasked() {
        #expect(throws: PostgresStorageError.badParameter("postgresql://rapport:***@127.0.0.1:5432/db?sslmode=verify", "sslmode 'verify' is not one it knows")) {
            try PostgresURL("postgresql://rapport:secretpw@127.0.0.1:5432/db?sslmode=verify")
        }
        // Another driver's spelling was ignored, and the connection went in plain text.
        #expect(throws: PostgresStorageError.badParameter("postgres://rapport:***@db.internal/team?ssl=true", "it does not use 'ssl'")) {
            try PostgresURL("postgres://rapport:secretpw@db.internal/team?ssl=true")
        }
        #expect((try? PostgresURL("postgres://rapport:secretpw@db.internal/team?sslmode=require"))?.sslMode == "require")
        #expect((try? PostgresURL("postgres://rapport:secretpw@db.internal/team?sslmode=verify-full"))?.sslMode == "require")
        #expect(throws: PostgresStorageError.badParameter("postgres://rapport:***@db.internal/team?sslmode=disable&sslmode=require", "sslmode is given more than once")) {
            try PostgresURL("postgres://rapport:secretpw@db.internal/team?sslmode=disable&sslmode=require")
        }
        #expect(throws: PostgresStorageError.badURL("mysql://rapport:***@db.internal/rapport")) {
            try PostgresURL("mysql://rapport:s3cr:et@db.internal/rapport")
        }
        #expect(throws: PostgresStorageError.badURL("postgres://nouser@/db")) { try PostgresURL("postgres://nouser@/db") }
        #expect(throws: PostgresStorageError.badURL("mysql://u:***@db/x")) { try PostgresURL("mysql://u:s3cr@t!@db/x") }
        // A password holding "/" ended the user part: the rest was a database name, and the host the password's.
        let error = #expect(throws: PostgresStorageError.self) { try PostgresURL("postgres://rapport:p@ss/w:rd@127.0.0.1:5432/qa") }
        #expect(error == .passwordNotEncoded("postgres://rapport:***@127.0.0.1:5432/qa"))
        #expect(error?.description.contains("/ as %2F") == true && error?.description.contains("w:rd") == false, "\(error?.description ?? "")")
        #expect((try? PostgresURL("postgres://rapport:p%40ss%2Fw%3Ard@127.0.0.1:5432/qa"))?.password == "p@ss/w:rd")
        // An encoded @ in the database's name is its name, not a password's end; an address without a scheme is masked too.
        #expect((try? PostgresURL("postgres://rapport:pw@127.0.0.1:5432/team%40eu"))?.database == "team@eu")
        #expect(PostgresURL.redacted("rapport:s3cret@db/x") == "rapport:***@db/x")
        // An IPv6 address is the host inside its brackets (one with them was an "unknown host"); a slash after
        // the database's name is none of it.
        let six = try? PostgresURL("postgres://rapport:pw@[::1]:5432/team/")
        #expect(six?.host == "::1" && six?.database == "team" && six?.description == "postgres://rapport@[::1]:5432/team")
        // Addresses the URL parser cannot split still say nothing of the password (no scheme; '/', '#' or '?' in it).
        for text in ["rapport:s3cretpw@127.0.0.1:5432/db", "postgres://rapport:s3c/retpw@127.0.0.1:5432/db", "postgres://rapport:s3c#ret?pw@127.0.0.1/db"] {
            do {
                _ = try PostgresURL(text)
                Issue.record("\(text) was taken")
            } catch {
                #expect(!"\(error)".contains("s3c") && "\(error)".contains("rapport:***@127.0.0.1"), "\(error)")
            }
        }
        let url = try? PostgresURL("postgres://rapport:secretpw@127.0.0.1:5432/team")
        #expect(url?.description == "postgres://rapport@127.0.0.1:5432/team")
    }
}
