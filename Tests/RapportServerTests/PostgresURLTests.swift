import RapportPostgres
import Testing

/// Addresses are refused without their password: such messages end up in terminals, cron mail and logs.
@Suite struct PostgresURLTests {
    @Test func aRefusedAddressIsRepeatedWithItsPasswordMasked() {
        #expect(throws: PostgresStorageError.badURL("postgresql://rapport:***@127.0.0.1:5432/db?sslmode=verify")) {
            try PostgresURL("postgresql://rapport:secretpw@127.0.0.1:5432/db?sslmode=verify")
        }
        #expect(throws: PostgresStorageError.badURL("mysql://rapport:***@db.internal/rapport")) {
            try PostgresURL("mysql://rapport:s3cr:et@db.internal/rapport")
        }
        #expect(throws: PostgresStorageError.badURL("postgres://nouser@/db")) { try PostgresURL("postgres://nouser@/db") }
        #expect(throws: PostgresStorageError.badURL("mysql://u:***@db/x")) { try PostgresURL("mysql://u:s3cr@t!@db/x") }
        let url = try? PostgresURL("postgres://rapport:secretpw@127.0.0.1:5432/team")
        #expect(url?.description == "postgres://rapport@127.0.0.1:5432/team")
    }
}
