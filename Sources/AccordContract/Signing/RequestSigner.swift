import AccordSpec
import Crypto
import Foundation

/// How a caller signs the requests it sends (a provider's webhooks): an HMAC over a message
/// formed from the raw body and a timestamp, written into one header. Declared by name in
/// accord.yaml's `signers:`; a scenario step says `sign: {signer: NAME}` and the replayer signs
/// the body it sends at send time (a recorded signature goes stale).
public struct RequestSigner: Sendable {
    public enum Algorithm: String, Sendable, CaseIterable {
        case hmacSHA1 = "hmac-sha1"
        case hmacSHA256 = "hmac-sha256"
        case hmacSHA384 = "hmac-sha384"
        case hmacSHA512 = "hmac-sha512"
    }

    public enum DigestEncoding: String, Sendable, CaseIterable {
        /// Lower-case hexadecimal.
        case hex
        /// Standard base64 with padding.
        case base64
        /// URL-safe base64 without padding.
        case base64url
    }

    /// Where the HMAC key comes from: written out (contract-test keys), or read from the
    /// environment at send time (real keys never sit in a file).
    public enum KeySource: Sendable, Equatable {
        case literal(String)
        case environment(String)
    }

    public var name: String
    /// The header the signature is sent in.
    public var header: String
    public var algorithm: Algorithm
    public var key: KeySource
    /// Where `key` was written (accord.yaml), for errors about it.
    public var keyLocation: SourceLocation
    /// The signed bytes: `{body}`, `{timestamp_ms}`, `{timestamp_s}`, `{method}`, `{path}`.
    public var message: SignatureTemplate
    public var digest: DigestEncoding
    /// The header's value: `{signature}`, `{timestamp_ms}`, `{timestamp_s}`.
    public var value: SignatureTemplate
    public var location: SourceLocation

    public init(
        name: String, header: String, algorithm: Algorithm, key: KeySource, keyLocation: SourceLocation,
        message: SignatureTemplate, digest: DigestEncoding, value: SignatureTemplate, location: SourceLocation
    ) {
        self.name = name
        self.header = header
        self.algorithm = algorithm
        self.key = key
        self.keyLocation = keyLocation
        self.message = message
        self.digest = digest
        self.value = value
        self.location = location
    }

    /// The key's bytes; an environment variable that is not set is a located error (never the key itself).
    public static func keyBytes(
        _ source: KeySource, at location: SourceLocation, signer: String,
        environment: [String: String]
    ) throws(SigningFailure) -> Data {
        switch source {
        case .literal(let text): return Data(text.utf8)
        case .environment(let variable):
            guard let text = environment[variable], !text.isEmpty else {
                throw SigningFailure(
                    message: "signer '\(signer)': the environment variable \(variable) that holds its key is not set",
                    location: location)
            }
            return Data(text.utf8)
        }
    }

    /// The header to add to a request with this body, signed at `now`.
    public func signedHeader(
        body: Data?, method: String, target: String, now: Date, key: Data
    )
        -> (name: String, value: String)
    {
        let milliseconds = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
        let stamp = SignatureTemplate.Stamp(milliseconds: milliseconds)
        let signed = message.bytes(body: body ?? Data(), method: method, target: target, stamp: stamp, signature: "")
        let digestText = Self.encode(mac(signed, key: key), as: digest)
        let headerValue = value.bytes(body: Data(), method: method, target: target, stamp: stamp, signature: digestText)
        return (header, String(decoding: headerValue, as: UTF8.self))
    }

    func mac(_ message: Data, key: Data) -> Data {
        let symmetric = SymmetricKey(data: key)
        switch algorithm {
        case .hmacSHA1: return Data(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: symmetric))
        case .hmacSHA256: return Data(HMAC<SHA256>.authenticationCode(for: message, using: symmetric))
        case .hmacSHA384: return Data(HMAC<SHA384>.authenticationCode(for: message, using: symmetric))
        case .hmacSHA512: return Data(HMAC<SHA512>.authenticationCode(for: message, using: symmetric))
        }
    }

    static func encode(_ digest: Data, as encoding: DigestEncoding) -> String {
        switch encoding {
        case .hex: return digest.map { String(format: "%02x", $0) }.joined()
        case .base64: return digest.base64EncodedString()
        case .base64url:
            return digest.base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        }
    }
}

/// A signing problem at send time, located where the cause was written (a scenario's `sign`
/// directive, or the key in accord.yaml).
public struct SigningFailure: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var location: SourceLocation

    public var description: String { "\(location): \(message)" }
}

/// A small template: literal text with `{placeholder}`s; `{{` and `}}` are literal braces.
public struct SignatureTemplate: Sendable, Equatable {
    public enum Part: Sendable, Equatable {
        case literal(String)
        /// The raw request body bytes, exactly as sent.
        case body
        case timestampMilliseconds
        case timestampSeconds
        case method
        /// The request target: path and query, as sent.
        case path
        /// The encoded digest (header values only).
        case signature
    }

    /// One instant in both units, so a message and a header value agree.
    struct Stamp {
        var milliseconds: Int64
        var seconds: Int64 { milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000 }
    }

    public var parts: [Part]
    public var source: String

    static let placeholders: [String: Part] = [
        "body": .body, "timestamp_ms": .timestampMilliseconds, "timestamp_s": .timestampSeconds,
        "method": .method, "path": .path, "signature": .signature,
    ]

    /// Parses `text`, allowing only `allowed` placeholders; the error names what is wrong.
    public static func parse(_ text: String, allowed: [String]) -> Result<SignatureTemplate, TemplateError> {
        var parts: [Part] = []
        var literal = ""
        var index = text.startIndex
        func flush() {
            if !literal.isEmpty { parts.append(.literal(literal)) }
            literal = ""
        }
        while index < text.endIndex {
            let character = text[index]
            let next = text.index(after: index)
            if character == "{" || character == "}", next < text.endIndex, text[next] == character {
                literal.append(character)
                index = text.index(after: next)
                continue
            }
            if character == "}" { return .failure(TemplateError("a lone '}' (write '}}' for a literal brace)")) }
            if character == "{" {
                guard let close = text[next...].firstIndex(of: "}") else {
                    return .failure(TemplateError("'{' without its '}' (write '{{' for a literal brace)"))
                }
                let name = String(text[next..<close])
                guard allowed.contains(name), let part = placeholders[name] else {
                    let list = allowed.map { "{\($0)}" }.joined(separator: ", ")
                    return .failure(TemplateError("unknown placeholder '{\(name)}' (here: \(list))"))
                }
                flush()
                parts.append(part)
                index = text.index(after: close)
                continue
            }
            literal.append(character)
            index = next
        }
        flush()
        return .success(SignatureTemplate(parts: parts, source: text))
    }

    public struct TemplateError: Error, Sendable {
        public var message: String
        init(_ message: String) { self.message = message }
    }

    public func contains(_ part: Part) -> Bool { parts.contains(part) }

    func bytes(body: Data, method: String, target: String, stamp: Stamp, signature: String) -> Data {
        var out = Data()
        for part in parts {
            switch part {
            case .literal(let text): out.append(Data(text.utf8))
            case .body: out.append(body)
            case .timestampMilliseconds: out.append(Data(String(stamp.milliseconds).utf8))
            case .timestampSeconds: out.append(Data(String(stamp.seconds).utf8))
            case .method: out.append(Data(method.utf8))
            case .path: out.append(Data(target.utf8))
            case .signature: out.append(Data(signature.utf8))
            }
        }
        return out
    }
}
