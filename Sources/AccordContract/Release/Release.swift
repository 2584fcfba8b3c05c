import AccordSpec
import Foundation

/// A shipped app release: `spec/releases/APP/VERSION/release.yaml` and what sits beside it (the
/// spec as it was, its exchanges, the generated models and client the app shipped with).
public struct ReleaseManifest: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case inReview = "in-review", live, retired
    }

    public var app: String
    public var version: String
    public var builds: [String]
    public var status: Status
    /// The commit the snapshot was cut from.
    public var commit: String
    /// `YYYY-MM-DD`.
    public var date: String
    /// File names inside the release folder.
    public var spec: String
    public var exchanges: String
    public var client: String
    /// The generated modules in `client`: models, client, and the client-replay tool.
    public var modelsModule: String
    public var clientModule: String
    public var replayModule: String
    /// SHA-256 of the spec, the exchanges and the client sources (`sha256:` + hex).
    public var hashes: [String: String]

    public init(
        app: String, version: String, builds: [String], status: Status, commit: String, date: String,
        spec: String, exchanges: String, client: String, modelsModule: String, clientModule: String,
        replayModule: String, hashes: [String: String]
    ) {
        self.app = app
        self.version = version
        self.builds = builds
        self.status = status
        self.commit = commit
        self.date = date
        self.spec = spec
        self.exchanges = exchanges
        self.client = client
        self.modelsModule = modelsModule
        self.clientModule = clientModule
        self.replayModule = replayModule
        self.hashes = hashes
    }

    /// `release.yaml` as written by `accord release`.
    public var yaml: String {
        var out = "# Written by `accord release`. The snapshot beside it is frozen: edit only `status` and `builds`.\n"
        out += "app: \(quoted(app))\nversion: \(quoted(version))\n"
        out += "builds: [\(builds.map(quoted).joined(separator: ", "))]\n"
        out += "# in-review | live | retired\nstatus: \(status.rawValue)\n"
        out += "commit: \(commit)\ndate: \(quoted(date))\n"
        out += "spec: \(quoted(spec))\nexchanges: \(quoted(exchanges))\nclient: \(quoted(client))\n"
        out += "modules: { models: \(modelsModule), client: \(clientModule), replay: \(replayModule) }\n"
        out += "hashes:\n"
        for key in hashes.keys.sorted() { out += "  \(key): \(quoted(hashes[key]!))\n" }
        return out
    }

    private func quoted(_ text: String) -> String { SpecNode(.string(text), at: JSON.nowhere).jsonText }

    /// Reads a release.yaml; every problem is located.
    public static func parse(_ root: SpecNode) throws(Diagnostic) -> ReleaseManifest {
        func string(_ key: String, in node: SpecNode = root) throws(Diagnostic) -> String {
            guard let value = node[key] else { throw .error("release.yaml needs '\(key)'", at: node.location) }
            switch value.value {
            case .string(let s): return s
            case .int, .double: return value.jsonText
            default: throw .error("'\(key)' must be a string", at: value.location)
            }
        }
        guard root.object != nil else { throw .error("release.yaml must be a mapping", at: root.location) }
        let statusText = try string("status")
        guard let status = Status(rawValue: statusText) else {
            throw .error(
                "status must be one of \(Status.allCases.map(\.rawValue).joined(separator: ", ")), not '\(statusText)'",
                at: root["status"]?.location)
        }
        guard let modules = root["modules"], modules.object != nil else {
            throw .error("release.yaml needs 'modules' (models, client, replay)", at: root.location)
        }
        var hashes: [String: String] = [:]
        for entry in root["hashes"]?.object?.entries ?? [] { hashes[entry.key] = entry.value.string }
        let builds = (root["builds"]?.array ?? []).map { $0.string ?? $0.jsonText }
        return ReleaseManifest(
            app: try string("app"), version: try string("version"), builds: builds, status: status,
            commit: try string("commit"),
            date: try string("date"), spec: try string("spec"), exchanges: try string("exchanges"),
            client: try string("client"),
            modelsModule: try string("models", in: modules), clientModule: try string("client", in: modules),
            replayModule: try string("replay", in: modules), hashes: hashes)
    }
}

/// Version numbers compared as numbers, part by part: `1.10.0` is after `1.9.2`.
public struct AppVersion: Comparable, Sendable, CustomStringConvertible {
    public var text: String
    var parts: [Int]

    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).map { Int($0) }
        guard !parts.isEmpty, parts.allSatisfy({ $0 != nil && $0! >= 0 }) else { return nil }
        self.text = text
        self.parts = parts.map { $0! }
    }

    public var description: String { text }

    public static func < (lhs: AppVersion, rhs: AppVersion) -> Bool {
        for i in 0..<max(lhs.parts.count, rhs.parts.count) {
            let a = i < lhs.parts.count ? lhs.parts[i] : 0, b = i < rhs.parts.count ? rhs.parts[i] : 0
            if a != b { return a < b }
        }
        return false
    }

    public static func == (lhs: AppVersion, rhs: AppVersion) -> Bool { !(lhs < rhs) && !(rhs < lhs) }
}

/// `releases:` in accord.yaml: which releases of each app are still supported.
public struct ReleasePolicy: Sendable, Equatable {
    public struct App: Sendable, Equatable {
        /// Releases below it are no longer supported (skipped, listed).
        public var minimum: String?
        /// Builds that never reached users (skipped).
        public var except: [String]
        /// Builds still in review: verified and reported, never blocking.
        public var warnOnly: [String]

        public init(minimum: String?, except: [String], warnOnly: [String]) {
            self.minimum = minimum
            self.except = except
            self.warnOnly = warnOnly
        }
    }

    public var apps: [String: App]

    public init(apps: [String: App] = [:]) { self.apps = apps }

    public enum Decision: Equatable, Sendable {
        case blocking
        case warnOnly(String)
        case skipped(String)
    }

    /// What the deploy gate does with a release.
    public func decision(for release: ReleaseManifest) -> Decision {
        let rules = apps[release.app]
        if release.status == .retired { return .skipped("retired") }
        if rules?.except.contains(release.version) == true { return .skipped("listed in except") }
        if let minimum = rules?.minimum.flatMap(AppVersion.init), let version = AppVersion(release.version),
            version < minimum
        {
            return .skipped("below the minimum \(minimum)")
        }
        if rules?.warnOnly.contains(release.version) == true { return .warnOnly("listed in warnOnly") }
        if release.status == .inReview { return .warnOnly("in review") }
        return .blocking
    }

    /// Reads `releases:`: `APP: { minimum, except, warnOnly }`.
    public static func parse(_ node: SpecNode?) throws(Diagnostic) -> ReleasePolicy {
        guard let node, !node.isNull else { return ReleasePolicy() }
        guard let object = node.object else {
            throw .error("'releases' must map each app to { minimum, except, warnOnly }", at: node.location)
        }
        var apps: [String: App] = [:]
        for entry in object.entries {
            guard let rules = entry.value.object else {
                throw .error("'\(entry.key)' must be a mapping of minimum, except, warnOnly", at: entry.value.location)
            }
            for key in rules.entries where !["minimum", "except", "warnOnly"].contains(key.key) {
                throw .error("unknown key '\(key.key)' (known: except, minimum, warnOnly)", at: key.keyLocation)
            }
            func versions(_ key: String) throws(Diagnostic) -> [String] {
                guard let list = entry.value[key] else { return [] }
                guard let items = list.array else {
                    throw .error("'\(key)' must be a list of versions", at: list.location)
                }
                return items.map { $0.string ?? $0.jsonText }
            }
            let minimum = entry.value["minimum"].map { $0.string ?? $0.jsonText }
            if let minimum, AppVersion(minimum) == nil {
                throw .error(
                    "'minimum' must be a version like 1.2.0, not '\(minimum)'", at: entry.value["minimum"]?.location)
            }
            apps[entry.key] = App(minimum: minimum, except: try versions("except"), warnOnly: try versions("warnOnly"))
        }
        return ReleasePolicy(apps: apps)
    }
}
