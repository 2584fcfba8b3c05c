import AccordCodegen
import AccordContract
import Crypto
import Foundation

/// A release's frozen models + client + replay tool, built once per content hash and cached
/// under `.build/accord-releases/<hash>/` (the sources never change, so neither does the build).
struct FrozenClient: Sendable {
    let release: ReleaseManifest
    /// The release folder (`spec/releases/APP/VERSION`).
    let folder: String

    var sourcesFolder: String { folder + "/" + release.client }

    /// SHA-256 over the client sources, in path order: the cache key.
    static func hash(of folder: String) throws -> String {
        var hasher = SHA256()
        for path in try files(in: folder) {
            hasher.update(data: Data(path.utf8))
            hasher.update(data: Data([0]))
            hasher.update(data: try Data(contentsOf: URL(fileURLWithPath: folder + "/" + path)))
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Relative paths of the regular files under `folder`, sorted.
    static func files(in folder: String) throws -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: folder) else { return [] }
        var out: [String] = []
        while let item = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder + "/" + item, isDirectory: &isDirectory),
                !isDirectory.boolValue
            {
                out.append(item)
            }
        }
        return out.sorted()
    }

    struct BuildFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// Where built frozen clients are kept: `ACCORD_RELEASE_CACHE`, else `.build/accord-releases` here.
    static var cacheRoot: String {
        if let root = ProcessInfo.processInfo.environment["ACCORD_RELEASE_CACHE"], !root.isEmpty { return root }
        return FileManager.default.currentDirectoryPath + "/.build/accord-releases"
    }

    /// The replay tool's path, building it first when the cache does not hold it.
    func tool() throws -> String {
        let hash = try Self.hash(of: sourcesFolder)
        let final = Self.cacheRoot + "/" + String(hash.prefix(16))
        let finalTool = final + "/.build/debug/" + release.replayModule
        if FileManager.default.isExecutableFile(atPath: finalTool) { return finalTool }
        // Built in a folder of its own, then moved into place: two runs never share a half-built package.
        let package = final + ".building-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: package) }
        let tool = package + "/.build/debug/" + release.replayModule
        let runtimes = FileManager.default.fileExists(
            atPath: sourcesFolder + "/" + GeneratorConfiguration.runtime(of: release.modelsModule))
        let targets = GeneratorConfiguration.targets(
            models: release.modelsModule, client: release.clientModule, server: nil, replay: release.replayModule,
            runtimes: runtimes
        ).map { FrozenPackage.Target($0.isExecutable ? "executableTarget" : "target", $0.name, $0.dependencies) }
        for target in targets {
            let source = sourcesFolder + "/" + target.name, folder = package + "/Sources/" + target.name
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for file in try Self.files(in: source) {
                try? FileManager.default.removeItem(atPath: folder + "/" + file)
                try FileManager.default.copyItem(atPath: source + "/" + file, toPath: folder + "/" + file)
            }
        }
        let manifest = FrozenPackage.manifest(release, targets: targets)
        try manifest.write(toFile: package + "/Package.swift", atomically: true, encoding: .utf8)
        let build = try Subprocess.run(["swift", "build", "--product", release.replayModule, "--package-path", package])
        guard build.status == 0, FileManager.default.isExecutableFile(atPath: tool) else {
            let text = (build.output + build.errors).split(separator: "\n").filter { $0.contains("error") }
                .prefix(10)
            throw BuildFailure(
                description: "the frozen client of \(release.app) \(release.version) does not build:\n"
                    + text.joined(separator: "\n"))
        }
        // Another run may have finished the same hash first; either build is the same.
        if (try? FileManager.default.moveItem(atPath: package, toPath: final)) == nil,
            !FileManager.default.isExecutableFile(atPath: finalTool)
        {
            throw BuildFailure(description: "cannot move the frozen client into \(final)")
        }
        return finalTool
    }
}
