import AccordCodegen
import AccordContract
import AccordDiff
import AccordSpec
import Foundation

/// `accord.yaml`: what `accord generate` and `accord lint` read when given no paths.
struct ProjectConfiguration {
    var spec: String
    var output: String
    var name: String
    var requestIdHeader: String?
    /// The recorded exchanges (`accord verify`, `accord coverage`, `accord lint`).
    var exchanges: String
    /// `accord verify` with no arguments: how to build and start the server under test.
    var build: String?
    var serverCommand: String?
    /// The generated client-replay tool, as built (`accord verify` drives the client through it).
    var clientReplay: String?
    /// `accept:`: breaking changes `accord diff` reports as accepted, each with its reason.
    var accept: [Acceptance] = []
    /// Where `accord release` keeps shipped releases (`releaseFolder:`, default spec/releases).
    var releases = "spec/releases"
    /// `releases:`: which releases of each app `accord verify --releases` holds the server to.
    var releasePolicy = ReleasePolicy()
    /// `publicValues:`: values that look secret but are public test fixtures (demo codes), kept by
    /// `accord record` and `accord import-har`.
    var publicValues: [String] = []
    /// The header the app sends its version in (the generated client takes the version once).
    var appVersionHeader: String?
    var acronyms: [String] = []
    /// `signers:`, `untrustedIdentityHeaders:`, `missingCredentialsError:`: what the contract
    /// tester knows beyond the spec.
    var contract = ContractSettings()

    static func load(_ path: String) throws(Diagnostic) -> ProjectConfiguration {
        let docs = try SpecDocuments.load(path: path)
        let root = docs.root
        func string(_ key: String, default value: String? = nil) throws(Diagnostic) -> String {
            if let node = root[key] {
                guard let text = node.string else { throw .error("'\(key)' must be a string", at: node.location) }
                return text
            }
            if let value { return value }
            throw .error("accord.yaml needs '\(key)'", at: root.location)
        }
        guard let object = root.object else { throw .error("accord.yaml must be a mapping", at: root.location) }
        let known = Set([
            "spec", "output", "name", "requestIdHeader", "exchanges", "build", "serverCommand", "clientReplay",
            "accept",
            "releaseFolder", "releases", "publicValues", "appVersionHeader", "acronyms",
        ])
        .union(ContractSettings.keys)
        for entry in object.entries where !known.contains(entry.key) {
            throw .error(
                "unknown setting '\(entry.key)' (known: \(known.sorted().joined(separator: ", ")))",
                at: entry.keyLocation)
        }
        let name = try string("name")
        guard name.isSwiftIdentifier else {
            throw .error("'name' must be a Swift identifier", at: root["name"]?.location)
        }
        return ProjectConfiguration(
            spec: try string("spec"), output: try string("output", default: "Generated"), name: name,
            requestIdHeader: root["requestIdHeader"]?.string ?? "X-Request-ID",
            exchanges: try string("exchanges", default: "spec/exchanges"),
            build: root["build"]?.string, serverCommand: root["serverCommand"]?.string,
            clientReplay: root["clientReplay"]?.string, accept: try acceptances(root["accept"]),
            releases: try string("releaseFolder", default: "spec/releases"),
            releasePolicy: try ReleasePolicy.parse(root["releases"]),
            publicValues: (root["publicValues"]?.array ?? []).map { $0.string ?? $0.jsonText },
            appVersionHeader: root["appVersionHeader"]?.string,
            acronyms: try acronyms(root["acronyms"]),
            contract: try ContractSettings.parse(root))
    }

    /// `acronyms:`: words written in capitals inside Swift names (`OTP` → `startOTP`).
    static func acronyms(_ node: SpecNode?) throws(Diagnostic) -> [String] {
        guard let node, !node.isNull else { return [] }
        guard let list = node.array else { throw .error("'acronyms' must be a list of words", at: node.location) }
        return try list.map { item throws(Diagnostic) -> String in
            guard let word = item.string, !word.isEmpty, word.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) })
            else {
                throw .error("an acronym is one word of ASCII letters and digits", at: item.location)
            }
            return word
        }
    }

    /// `accept:` entries: `rule` (a rule id of docs/DIFF.md), `operation` (an operationId; left out for
    /// changes to the whole API) and a `reason` for the reviewer.
    static func acceptances(_ node: SpecNode?) throws(Diagnostic) -> [Acceptance] {
        guard let node, !node.isNull else { return [] }
        guard let list = node.array else {
            throw .error("'accept' must be a list of {rule, operation, reason}", at: node.location)
        }
        let known = Set(DiffRule.table().map(\.id))
        var result: [Acceptance] = []
        for item in list {
            guard let object = item.object else {
                throw .error("an 'accept' entry must be a mapping", at: item.location)
            }
            for entry in object.entries where !["rule", "operation", "reason"].contains(entry.key) {
                throw .error(
                    "unknown key '\(entry.key)' in an 'accept' entry (known: operation, reason, rule)",
                    at: entry.keyLocation)
            }
            guard let rule = item["rule"]?.string else {
                throw .error("an 'accept' entry needs 'rule'", at: item.location)
            }
            guard known.contains(rule) else {
                throw .error(
                    "unknown rule '\(rule)' (the rules are listed in docs/DIFF.md)", at: item["rule"]?.location)
            }
            guard let reason = item["reason"]?.string, !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw .error("an 'accept' entry needs a 'reason': say why this break is acceptable", at: item.location)
            }
            if let op = item["operation"], op.string == nil {
                throw .error("'operation' must be an operationId", at: op.location)
            }
            result.append(
                Acceptance(rule: rule, operation: item["operation"]?.string, reason: reason, location: item.location))
        }
        return result
    }

    var generatorOptions: GeneratorOptions {
        GeneratorOptions(requestIdHeader: requestIdHeader, appVersionHeader: appVersionHeader, acronyms: acronyms)
    }

    var generatorConfiguration: GeneratorConfiguration {
        GeneratorConfiguration(specPath: spec, baseName: name)
    }
}

/// Writes generated files; removes files in the generated folders that the spec no longer produces.
struct OutputWriter {
    let root: String
    let ownedFolders: [String]

    private func existingFiles() -> Set<String> {
        var found = Set<String>()
        for folder in ownedFolders {
            let path = root + "/" + folder
            guard let enumerator = FileManager.default.enumerator(atPath: path) else { continue }
            while let item = enumerator.nextObject() as? String {
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: path + "/" + item, isDirectory: &isDirectory),
                    !isDirectory.boolValue
                {
                    found.insert(folder + "/" + item)
                }
            }
        }
        return found
    }

    /// Whether the file on disk already reads as `file`.
    private func isCurrent(_ file: GeneratedFile) -> Bool {
        (try? String(contentsOfFile: root + "/" + file.path, encoding: .utf8)) == file.contents
    }

    func staleFiles(_ files: [GeneratedFile]) -> [String] {
        let current = ParallelWork.map(files, isCurrent)
        var stale = zip(files, current).filter { !$0.1 }.map(\.0.path)
        let produced = Set(files.map(\.path))
        stale += existingFiles().subtracting(produced).sorted()
        return stale
    }

    /// Returns how many files changed. Files are compared and written side by side: on a large spec
    /// they are megabytes, and writing them one after another was a good part of the run.
    func write(_ files: [GeneratedFile]) throws -> Int {
        let outcomes = ParallelWork.map(files) { file -> Result<Bool, any Error> in
            Result {
                if isCurrent(file) { return false }
                let path = root + "/" + file.path
                try FileManager.default.createDirectory(
                    atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try Self.replace(path, with: file.contents)
                return true
            }
        }
        var changed = 0
        for outcome in outcomes where try outcome.get() { changed += 1 }
        let produced = Set(files.map(\.path))
        for leftover in existingFiles().subtracting(produced) {
            try FileManager.default.removeItem(atPath: root + "/" + leftover)
            changed += 1
        }
        return changed
    }

    /// Written beside the file and renamed over it, so a build never reads half a file. Not synced
    /// to disk (Foundation's atomic write syncs every file): generated files are made again from the
    /// spec, and the syncs took more of a large run than writing. A temporary file left by a killed run
    /// is in an owned folder and not produced, so the next run removes it.
    static func replace(_ path: String, with contents: String) throws {
        let temporary = path + ".accord-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)  // less the umask
        guard descriptor >= 0 else { throw OutputError(path: path, code: errno) }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        do {
            try handle.write(contentsOf: Data(contents.utf8))
            try handle.close()
            guard rename(temporary, path) == 0 else { throw OutputError(path: path, code: errno) }
        } catch {
            unlink(temporary)
            throw error
        }
    }
}

struct OutputError: Error, CustomStringConvertible {
    let path: String
    let code: Int32
    var description: String { "cannot write \(path): \(String(cString: strerror(code)))" }
}

extension String {
    /// `[A-Za-z_][A-Za-z0-9_]*`, checked by hand: a regular expression's engine costs more to start
    /// than a small spec's whole generation.
    var isSwiftIdentifier: Bool {
        guard let first = utf8.first, first.isASCIILetter || first == UInt8(ascii: "_") else { return false }
        return utf8.allSatisfy(\.isASCIIWordByte)
    }
}
