import AsyncHTTPClient
import Crypto
import Foundation
import NIOSSL

/// Why a certificate given to `rapport config --ca-cert` cannot be used.
public enum ServerTrustError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, reason: String)
    case noCertificate(source: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            "cannot read \(path) (\(reason)): give --ca-cert the PEM file of the server's certificate or of the authority that signed it"
        case .noCertificate(let source):
            "\(source) holds no PEM certificate (a block starting -----BEGIN CERTIFICATE-----): ask your admin for the server's certificate, or its certificate authority's, as a PEM file"
        }
    }
}

/// The certificates a replica trusts for its server instead of the system's certificate authorities: the team's
/// own certificate authority, or the server's self-signed certificate. Like curl's `--cacert`, they replace the
/// system's trust store rather than add to it, so a replica told to trust its team's server trusts nothing else
/// for it.
public struct ServerTrust: Sendable {
    /// The certificates as given, in PEM; what the replica stores.
    public let pem: String
    let roots: [NIOSSLCertificate]

    public init(pem: String, source: String = "the stored certificate") throws(ServerTrustError) {
        guard let roots = try? NIOSSLCertificate.fromPEMBytes(Array(pem.utf8)), !roots.isEmpty else {
            throw .noCertificate(source: source)
        }
        self.pem = pem
        self.roots = roots
    }

    /// Reads the PEM file given to `rapport config --ca-cert`.
    public static func load(path: String) throws(ServerTrustError) -> ServerTrust {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { throw .unreadable(path: path, reason: "no such file") }
        guard !isFolder.boolValue else { throw .unreadable(path: path, reason: "a folder, not a file") }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path: path, reason: FileManager.default.isReadableFile(atPath: path) ? error.localizedDescription : "permission denied")
        }
        return try ServerTrust(pem: String(decoding: data, as: UTF8.self), source: path)
    }

    /// What identifies each certificate, to compare with what the admin handed out.
    public var certificates: [CertificateInfo] {
        roots.map { certificate in
            CertificateInfo(
                commonName: certificate.subjectName.first { $0.type == .commonName }?.value,
                expires: Date(timeIntervalSince1970: TimeInterval(certificate.notValidAfter)),
                sha256: ((try? certificate.toDERBytes()).map { SHA256.hash(data: $0).map { String(format: "%02X", $0) }.joined(separator: ":") }) ?? "?")
        }
    }

    public struct CertificateInfo: Sendable {
        public var commonName: String?
        public var expires: Date
        /// The SHA-256 fingerprint, as `openssl x509 -noout -fingerprint -sha256` prints it.
        public var sha256: String

        public var summary: String {
            "CN=\(commonName ?? "(none)"), \(expired ? "expired" : "expires") \(expiresDay), SHA-256 \(sha256)"
        }

        /// Past its end: every client refuses a server that presents it, whatever else is right.
        public var expired: Bool { expires < Date() }
        public var expiresDay: String { expires.formatted(.iso8601.year().month().day()) }
    }

    /// An HTTP client configuration that verifies the server's certificate, and its host name, against these
    /// certificates only.
    var httpClientConfiguration: HTTPClient.Configuration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(roots)
        var configuration = HTTPClient.Configuration.singletonConfiguration
        configuration.tlsConfiguration = tls
        return configuration
    }
}
