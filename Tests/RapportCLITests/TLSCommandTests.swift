import Foundation
import RapportTestSupport
import Testing

/// `rapport serve --tls-cert --tls-key` and replicas that verify it, through the real binary and openssl's
/// self-signed certificates.
@Suite(.serialized) struct TLSCommandTests {
    /// A TLS server on a free port with users alice and bob, and the certificate it serves.
    struct Team {
        let dir: TemporaryFolder
        let certificate: SelfSignedCertificate
        let server: ServerProcess
        let tokens: [String: String]

        init() async throws {
            dir = try TemporaryFolder()
            certificate = try SelfSignedCertificate(in: dir, name: "server")
            let db = dir.file("server.sqlite")
            var tokens: [String: String] = [:]
            for user in ["alice", "bob"] {
                tokens[user] = try await RapportBinary().run(["admin", "add-user", user, "--db", db]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            self.tokens = tokens
            server = try ServerProcess(arguments: ["--db", db, "--tls-cert", certificate.certificate, "--tls-key", certificate.key])
        }

        func replica(_ user: String) async throws -> RapportBinary {
            let replica = RapportBinary(environment: ["RAPPORT_DB": dir.file("\(user).sqlite")])
            #expect(try await replica.run(["init", "--user", user, "--server", server.url, "--token", tokens[user]!]).status == 0)
            return replica
        }
    }

    @Test func replicasThatTrustTheServerCertificateSyncOverHTTPS() async throws {
        let team = try await Team()
        defer { team.server.stop() }
        #expect(team.server.url.hasPrefix("https://127.0.0.1:"))

        let alice = try await team.replica("alice")
        let shown = try await alice.run(["config", "--ca-cert", team.certificate.certificate])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains("ca-cert: CN=127.0.0.1"))
        let config = try #require(try await alice.json(["config"]) as? [String: Any])
        let trusted = try #require(config["ca_cert"] as? [[String: Any]])
        #expect(trusted.first?["common_name"] as? String == "127.0.0.1")
        #expect((trusted.first?["sha256"] as? String)?.count == 95)
        #expect(try await alice.run(["account", "add", "Acme", "--revenue", "100k"]).status == 0)
        let sync = try await alice.run(["sync"])
        #expect(sync.status == 0, "\(sync.stderr)")

        // Set at `init` (it took two commands), and a missing file there makes no replica.
        let bob = RapportBinary(environment: ["RAPPORT_DB": team.dir.file("bob.sqlite")])
        let missing = try await bob.run(["init", "--user", "bob", "--server", team.server.url, "--token", team.tokens["bob"]!, "--ca-cert", team.dir.file("none.pem")])
        #expect(missing.status == 64 && !FileManager.default.fileExists(atPath: team.dir.file("bob.sqlite")), "\(missing.stderr)")
        #expect(try await bob.run(["init", "--user", "bob", "--server", team.server.url, "--token", team.tokens["bob"]!, "--ca-cert", team.certificate.certificate]).status == 0)
        #expect(try await bob.run(["sync"]).status == 0)
        let account = try #require(try await bob.json(["account", "show", "Acme"]) as? [String: Any])
        #expect(account["revenue"] as? Double == 100_000)
    }

    @Test func anUntrustedCertificateIsRefusedAndNothingLocalChanges() async throws {
        let team = try await Team()
        defer { team.server.stop() }
        let alice = try await team.replica("alice")
        #expect(try await alice.run(["account", "add", "Acme"]).status == 0)
        let before = try await alice.run(["status", "--json"]).stdout

        // The system's authorities do not vouch for a self-signed certificate.
        let untrusted = try await alice.run(["sync"])
        #expect(untrusted.status != 0)
        #expect(untrusted.stderr.contains("presented a certificate this replica does not trust"), "\(untrusted.stderr)")
        #expect(untrusted.stderr.contains("3 changes kept locally"))
        #expect(untrusted.stderr.contains("rapport config --ca-cert FILE"))
        #expect(!untrusted.stderr.contains("NIOSSL"))

        // Nor does another certificate than the server's.
        let other = try SelfSignedCertificate(in: team.dir, name: "other")
        #expect(try await alice.run(["config", "--ca-cert", other.certificate]).status == 0)
        let wrong = try await alice.run(["sync"])
        #expect(wrong.status != 0)
        #expect(wrong.stderr.contains("does not vouch for"), "\(wrong.stderr)")
        // Nothing local changed but the record of why the sync failed, which `status` shows.
        func status(_ text: String) throws -> NSMutableDictionary {
            try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? NSDictionary).mutableCopy() as! NSMutableDictionary
        }
        let after = try status(try await alice.run(["status", "--json"]).stdout)
        #expect((after["sync_failure"] as? [String: Any])?["code"] as? String == "insecure_server", "\(after)")
        after.removeObject(forKey: "sync_failure")
        let then = try status(before)
        then.removeObject(forKey: "sync_failure")
        #expect(after == then)
    }

    @Test func aCertificateForAnotherNameIsRefused() async throws {
        let dir = try TemporaryFolder()
        let certificate = try SelfSignedCertificate(in: dir, name: "elsewhere", commonName: "rapport.invalid", subjectAltName: "DNS:rapport.invalid")
        let db = dir.file("server.sqlite")
        let token = try await RapportBinary().run(["admin", "add-user", "alice", "--db", db]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let server = try ServerProcess(arguments: ["--db", db, "--tls-cert", certificate.certificate, "--tls-key", certificate.key])
        defer { server.stop() }
        let alice = RapportBinary(environment: ["RAPPORT_DB": dir.file("alice.sqlite")])
        #expect(try await alice.run(["init", "--user", "alice", "--server", server.url, "--token", token]).status == 0)
        #expect(try await alice.run(["config", "--ca-cert", certificate.certificate]).status == 0)
        #expect(try await alice.run(["account", "add", "Acme"]).status == 0)
        let sync = try await alice.run(["sync"])
        #expect(sync.status != 0)
        #expect(sync.stderr.contains("is not issued for 127.0.0.1"), "\(sync.stderr)")
        // With the way to read the names it is issued for.
        #expect(sync.stderr.contains("`openssl s_client -connect 127.0.0.1:\(server.port) </dev/null | openssl x509 -noout -ext subjectAltName` shows its names"), "\(sync.stderr)")
        #expect(sync.stderr.contains("3 changes kept locally"))
    }

    /// An expired certificate: the server says so when it starts, `config --ca-cert` when it is set, and the sync
    /// names the day, rather than sending people to compare fingerprints that match.
    @Test func anExpiredCertificateIsSaidSoWhereverItIsMet() async throws {
        let dir = try TemporaryFolder()
        let certificate = try SelfSignedCertificate(in: dir, name: "old", expired: true)
        let db = dir.file("server.sqlite")
        let token = try await RapportBinary().run(["admin", "add-user", "alice", "--db", db]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let server = try ServerProcess(arguments: ["--db", db, "--tls-cert", certificate.certificate, "--tls-key", certificate.key])
        defer { server.stop() }
        #expect(server.startLog.contains("the certificate in \(certificate.certificate) expired on "), "\(server.startLog)")
        let alice = RapportBinary(environment: ["RAPPORT_DB": dir.file("alice.sqlite")])
        #expect(try await alice.run(["init", "--user", "alice", "--server", server.url, "--token", token]).status == 0)
        let set = try await alice.run(["config", "--ca-cert", certificate.certificate])
        #expect(set.status == 0 && set.stderr.contains(") expired on ") && set.stdout.contains(", expired "), "\(set.stdout) \(set.stderr)")
        let sync = try await alice.run(["sync"])
        #expect(sync.status != 0 && sync.stderr.contains("the certificate set with `rapport config --ca-cert` expired on "), "\(sync.stderr)")
    }

    @Test func plainHTTPToTheTLSPortFailsCleanlyAndTheServerServesOn() async throws {
        let team = try await Team()
        defer { team.server.stop() }
        let alice = try await team.replica("alice")
        #expect(try await alice.run(["config", "--ca-cert", team.certificate.certificate]).status == 0)
        // A certificate file missing is a wrong value on the command line: exit 64, as others.
        let missing = try await alice.run(["config", "--ca-cert", "/nonexistent.pem"])
        #expect(missing.status == 64 && missing.stderr.contains("cannot read /nonexistent.pem (no such file)"), "\(missing.stderr)")
        #expect(try await alice.run(["account", "add", "Acme"]).status == 0)

        #expect(try await alice.run(["config", "--server", "http://127.0.0.1:\(team.server.port)"]).status == 0)
        let plain = try await alice.run(["sync"])
        #expect(plain.status != 0)
        #expect(plain.stderr.contains("if it serves HTTPS, the URL must start with https://"), "\(plain.stderr)")
        #expect(plain.stderr.contains("3 changes kept locally"))
        // A certificate set for a plain-HTTP address is kept, and said to be unused.
        let unused = try await alice.run(["config", "--ca-cert", team.certificate.certificate])
        #expect(unused.status == 0 && unused.stderr.contains("is plain HTTP, so this certificate is not used; it is kept for when"), "\(unused.stderr)")
        #expect(unused.stdout.contains("(kept, not used: the server's address is plain http://;"), "\(unused.stdout)")

        #expect(try await alice.run(["config", "--server", team.server.url]).status == 0)
        let sync = try await alice.run(["sync"])
        #expect(sync.status == 0, "\(sync.stderr)")
    }

    @Test func httpsToAPlainServerSaysItDoesNotSpeakHTTPS() async throws {
        let dir = try TemporaryFolder()
        let db = dir.file("server.sqlite")
        let token = try await RapportBinary().run(["admin", "add-user", "alice", "--db", db]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let server = try ServerProcess(arguments: ["--db", db])
        defer { server.stop() }
        let alice = RapportBinary(environment: ["RAPPORT_DB": dir.file("alice.sqlite")])
        #expect(try await alice.run(["init", "--user", "alice", "--server", "https://127.0.0.1:\(server.port)", "--token", token]).status == 0)
        let sync = try await alice.run(["sync"])
        #expect(sync.status != 0)
        #expect(sync.stderr.contains("does not speak HTTPS"), "\(sync.stderr)")
    }

    @Test func configRefusesAFileWithoutACertificateAndCanGoBackToTheSystemAuthorities() async throws {
        let dir = try TemporaryFolder()
        let certificate = try SelfSignedCertificate(in: dir, name: "server")
        let alice = RapportBinary(environment: ["RAPPORT_DB": dir.file("alice.sqlite")])
        #expect(try await alice.run(["init", "--user", "alice"]).status == 0)
        #expect((try await alice.json(["config"]) as? [String: Any])?["ca_cert"] is NSNull)
        #expect(try await alice.run(["config", "--ca-cert", certificate.certificate]).status == 0)

        for (file, message) in [(certificate.key, "holds no PEM certificate"), (dir.file("missing.pem"), "no such file")] {
            let refused = try await alice.run(["config", "--ca-cert", file, "--server", "https://example.invalid"])
            #expect(refused.status != 0)
            #expect(refused.stderr.contains(message), "\(refused.stderr)")
        }
        let kept = try #require(try await alice.json(["config"]) as? [String: Any])
        #expect(kept["server"] is NSNull)
        #expect((kept["ca_cert"] as? [Any])?.count == 1)

        #expect(try await alice.run(["config", "--system-ca"]).status == 0)
        #expect((try await alice.json(["config"]) as? [String: Any])?["ca_cert"] is NSNull)
    }

    @Test(arguments: [
        (["--tls-cert", "server.pem"], "needs both --tls-cert FILE and --tls-key FILE"),
        (["--tls-cert", "server.pem", "--tls-key", "missing.pem"], "cannot read"),
        (["--tls-cert", "server-key.pem", "--tls-key", "server-key.pem"], "holds no PEM certificate"),
        (["--tls-cert", "server.pem", "--tls-key", "server.pem"], "holds no PEM private key"),
        (["--tls-cert", "server.pem", "--tls-key", "other-key.pem"], "does not belong to the certificate"),
    ])
    func serveRefusesMissingOrMismatchedFiles(tls: [String], message: String) async throws {
        let dir = try TemporaryFolder()
        _ = try SelfSignedCertificate(in: dir, name: "server")
        _ = try SelfSignedCertificate(in: dir, name: "other")
        let arguments = ["--db", dir.file("server.sqlite")] + tls.map { $0.hasSuffix(".pem") ? dir.file($0) : $0 }
        do {
            let server = try ServerProcess(arguments: arguments)
            server.stop()
            Issue.record("rapport serve started with \(tls)")
        } catch {
            #expect("\(error.localizedDescription)".contains(message), "\(error)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.file("server.sqlite")))
    }
}
