import AccordSpec
import Foundation

/// What the contract tester knows about the API beyond its spec, all from accord.yaml: the
/// request signers scenarios may name, and the headers that must never identify a caller. The
/// tester's code names no API, provider or header of its own.
public struct ContractSettings: Sendable {
    /// `signers:`: name → how that caller signs its requests.
    public var signers: [String: RequestSigner] = [:]
    /// `untrustedIdentityHeaders:`: headers that never identify a caller. A protected operation
    /// that accepts a request carrying one of them and no credentials fails verify.
    public var untrustedIdentityHeaders: [String] = []
    /// `missingCredentialsError:`: the catalog code a protected operation answers a request
    /// without credentials with (its status is the catalog's).
    public var missingCredentialsError: String?
    var missingCredentialsLocation: SourceLocation?

    public init() {}

    /// The accord.yaml keys these settings read.
    public static let keys: Set<String> = ["signers", "untrustedIdentityHeaders", "missingCredentialsError"]

    /// Reads the settings from a configuration file (accord.yaml).
    public static func load(path: String) throws(Diagnostic) -> ContractSettings {
        let docs = try SpecDocuments.load(path: path)
        return try parse(docs.root)
    }

    /// Reads the settings from accord.yaml's root mapping; the first problem is a located error.
    public static func parse(_ root: SpecNode) throws(Diagnostic) -> ContractSettings {
        var settings = ContractSettings()
        if let node = root["signers"], !node.isNull {
            guard let object = node.object else {
                throw .error("'signers' must map signer names to their settings", at: node.location)
            }
            for entry in object.entries {
                settings.signers[entry.key] = try signer(entry.key, entry.value, nameLocation: entry.keyLocation)
            }
        }
        if let node = root["untrustedIdentityHeaders"], !node.isNull {
            guard let list = node.array else {
                throw .error("'untrustedIdentityHeaders' must be a list of header names", at: node.location)
            }
            for item in list {
                guard let name = item.string, isHeaderName(name) else {
                    throw .error(
                        "'untrustedIdentityHeaders' entries are header names (letters, digits, '-')", at: item.location)
                }
                settings.untrustedIdentityHeaders.append(name)
            }
        }
        if let node = root["missingCredentialsError"], !node.isNull {
            guard let code = node.string, !code.isEmpty else {
                throw .error("'missingCredentialsError' must be an error code of the catalog", at: node.location)
            }
            settings.missingCredentialsError = code
            settings.missingCredentialsLocation = node.location
        }
        return settings
    }

    /// Problems only the spec can reveal: a `missingCredentialsError` the catalog does not hold.
    public func diagnostics(against document: APIDocument) -> [Diagnostic] {
        guard let code = missingCredentialsError, let catalog = document.errorCatalog, catalog.entry(code) == nil else {
            return []
        }
        return [
            .error(
                "'missingCredentialsError': \(code) is not a code of the error catalog", at: missingCredentialsLocation)
        ]
    }

    /// "401 CODE" (the catalog's status of `missingCredentialsError`), or "401" without one: the refusal expected.
    func expectedRefusal(catalog: ErrorCatalog?) -> String {
        guard let code = missingCredentialsError else { return "401" }
        return "\(catalog?.entry(code)?.status ?? 401) \(code)"
    }

    static let signerKeys = ["header", "algorithm", "key", "message", "digest", "value"]
    static let messagePlaceholders = ["body", "timestamp_ms", "timestamp_s", "method", "path"]
    static let valuePlaceholders = ["signature", "timestamp_ms", "timestamp_s"]

    static func signer(
        _ name: String, _ node: SpecNode, nameLocation: SourceLocation
    ) throws(Diagnostic) -> RequestSigner {
        guard name.range(of: "^[A-Za-z0-9_.-]+$", options: .regularExpression) != nil else {
            throw .error("signer names are letters, digits, '_', '.' and '-'", at: nameLocation)
        }
        guard let object = node.object else {
            throw .error(
                "signer '\(name)' must be a mapping of \(signerKeys.joined(separator: ", "))", at: node.location)
        }
        for entry in object.entries where !signerKeys.contains(entry.key) {
            throw .error(
                "unknown key '\(entry.key)' in signer '\(name)' "
                    + "(known: \(signerKeys.sorted().joined(separator: ", ")))",
                at: entry.keyLocation)
        }
        func text(_ key: String) throws(Diagnostic) -> (String, SourceLocation) {
            guard let value = object[key] else { throw .error("signer '\(name)' needs '\(key)'", at: node.location) }
            guard let string = value.string, !string.isEmpty else {
                throw .error("signer '\(name)': '\(key)' must be a non-empty string", at: value.location)
            }
            return (string, value.location)
        }
        func template(_ key: String, allowed: [String]) throws(Diagnostic) -> SignatureTemplate {
            let (source, location) = try text(key)
            switch SignatureTemplate.parse(source, allowed: allowed) {
            case .success(let parsed): return parsed
            case .failure(let problem): throw .error("signer '\(name)': '\(key)': \(problem.message)", at: location)
            }
        }
        let (header, headerLocation) = try text("header")
        guard isHeaderName(header) else {
            throw .error(
                "signer '\(name)': '\(header)' is not a header name (letters, digits, '-')", at: headerLocation)
        }
        let (algorithmName, algorithmLocation) = try text("algorithm")
        guard let algorithm = RequestSigner.Algorithm(rawValue: algorithmName.lowercased()) else {
            let known = RequestSigner.Algorithm.allCases.map(\.rawValue).joined(separator: ", ")
            throw .error(
                "signer '\(name)': unknown algorithm '\(algorithmName)' (known: \(known))", at: algorithmLocation)
        }
        let (digestName, digestLocation) = try text("digest")
        guard let digest = RequestSigner.DigestEncoding(rawValue: digestName.lowercased()) else {
            let known = RequestSigner.DigestEncoding.allCases.map(\.rawValue).joined(separator: ", ")
            throw .error(
                "signer '\(name)': unknown digest encoding '\(digestName)' (known: \(known))", at: digestLocation)
        }
        guard let keyNode = object["key"] else { throw .error("signer '\(name)' needs 'key'", at: node.location) }
        let key = try keySource(keyNode, signer: name)
        let message = try template("message", allowed: messagePlaceholders)
        let value = try template("value", allowed: valuePlaceholders)
        guard value.contains(.signature) else {
            throw .error("signer '\(name)': 'value' must hold {signature}", at: object["value"]?.location)
        }
        return RequestSigner(
            name: name, header: header, algorithm: algorithm, key: key, keyLocation: keyNode.location,
            message: message, digest: digest, value: value, location: nameLocation)
    }

    /// A key: the text itself, or `{env: NAME}`. Also read for a scenario's `sign: {key: …}`.
    public static func keySource(_ node: SpecNode, signer: String) throws(Diagnostic) -> RequestSigner.KeySource {
        if let text = node.string {
            guard !text.isEmpty else { throw .error("signer '\(signer)': an empty key", at: node.location) }
            return .literal(text)
        }
        guard let object = node.object, object.count == 1, let variable = object["env"]?.string else {
            throw .error("signer '\(signer)': 'key' is the key's text or {env: VARIABLE}", at: node.location)
        }
        guard variable.range(of: "^[A-Za-z_][A-Za-z0-9_]*$", options: .regularExpression) != nil else {
            throw .error(
                "signer '\(signer)': '\(variable)' is not an environment variable name", at: object["env"]?.location)
        }
        return .environment(variable)
    }

    static func isHeaderName(_ text: String) -> Bool {
        text.range(of: "^[A-Za-z0-9][A-Za-z0-9-]*$", options: .regularExpression) != nil
    }
}
