import Foundation
import NIOSSL

/// Why `rapport serve` cannot serve HTTPS with the files it was given.
public enum ServerTLSError: Error, CustomStringConvertible, Equatable {
    case unreadable(option: String, path: String, reason: String)
    case noCertificate(path: String)
    case noPrivateKey(path: String)
    case encryptedKey(path: String)
    case keyDoesNotMatch(certificate: String, key: String)

    public var description: String {
        switch self {
        case .unreadable(let option, let path, let reason):
            "cannot read \(path) (\(reason)): give \(option) a readable PEM file"
        case .noCertificate(let path):
            "\(path) holds no PEM certificate (a block starting -----BEGIN CERTIFICATE-----): give --tls-cert the server's certificate, followed by any intermediate certificates"
        case .noPrivateKey(let path):
            "\(path) holds no PEM private key (a block starting -----BEGIN PRIVATE KEY----- or -----BEGIN RSA/EC PRIVATE KEY-----): give --tls-key the certificate's private key"
        case .encryptedKey(let path):
            "the private key in \(path) is encrypted with a passphrase, which the server cannot ask for: decrypt it once with `openssl pkey -in \(path) -out KEY.pem` and give --tls-key that file (readable only by the server's user)"
        case .keyDoesNotMatch(let certificate, let key):
            "the private key in \(key) does not belong to the certificate in \(certificate): give --tls-key the key the certificate was issued for"
        }
    }
}

/// The TLS side of `rapport serve --tls-cert FILE --tls-key FILE`.
public enum ServerTLS {
    /// A server TLS configuration from PEM files: the certificate (leaf first, then any intermediates) and its
    /// unencrypted private key. Every problem is found here, before the server starts listening, rather than
    /// at the first client's handshake.
    public static func configuration(certificatePath: String, keyPath: String) throws(ServerTLSError) -> TLSConfiguration {
        let certificatePEM = try read(certificatePath, option: "--tls-cert")
        let keyPEM = try read(keyPath, option: "--tls-key")

        guard let chain = try? NIOSSLCertificate.fromPEMBytes(certificatePEM), !chain.isEmpty else {
            throw .noCertificate(path: certificatePath)
        }
        let keyText = String(decoding: keyPEM, as: UTF8.self)
        if keyText.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || keyText.contains("Proc-Type: 4,ENCRYPTED") {
            throw .encryptedKey(path: keyPath)
        }
        // Without a passphrase callback BoringSSL would prompt on the terminal for an encrypted key that slipped
        // past the check above; this one makes decryption fail instead.
        guard let key = try? NIOSSLPrivateKey(bytes: keyPEM, format: .pem, passphraseCallback: { (_: ([UInt8]) -> Void) in }) else {
            throw .noPrivateKey(path: keyPath)
        }
        let configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        // BoringSSL refuses a key that does not match the leaf certificate when the context is made.
        guard (try? NIOSSLContext(configuration: configuration)) != nil else {
            throw .keyDoesNotMatch(certificate: certificatePath, key: keyPath)
        }
        return configuration
    }

    static func read(_ path: String, option: String) throws(ServerTLSError) -> [UInt8] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw .unreadable(option: option, path: path, reason: "no such file")
        }
        guard !isFolder.boolValue else { throw .unreadable(option: option, path: path, reason: "a folder, not a file") }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw .unreadable(option: option, path: path, reason: "permission denied")
        }
        do {
            return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw .unreadable(option: option, path: path, reason: error.localizedDescription)
        }
    }
}
