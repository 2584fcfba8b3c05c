/// The Swift package a release's frozen client is built as: its models, client and replay tool,
/// each after its runtime module when the release carries one (releases cut before the runtime
/// became modules of their own carry it inside each module).
public enum FrozenPackage {
    public struct Target: Sendable, Equatable {
        public var kind: String
        public var name: String
        public var dependencies: [String]

        public init(_ kind: String, _ name: String, _ dependencies: [String]) {
            self.kind = kind
            self.name = name
            self.dependencies = dependencies
        }
    }

    /// `runtime(module)` names the runtime module the release carries for `module`, or nil.
    public static func targets(_ release: ReleaseManifest, runtime: (String) -> String?) -> [Target] {
        let m = release.modelsModule, c = release.clientModule, r = release.replayModule
        let modelsRuntime = runtime(m), clientRuntime = runtime(c), replayRuntime = runtime(r)
        var targets: [Target] = []
        if let modelsRuntime { targets.append(Target("target", modelsRuntime, [])) }
        targets.append(Target("target", m, [modelsRuntime].compactMap { $0 }))
        if let clientRuntime { targets.append(Target("target", clientRuntime, [modelsRuntime].compactMap { $0 })) }
        targets.append(Target("target", c, [m, clientRuntime].compactMap { $0 }))
        if let replayRuntime {
            targets.append(Target("target", replayRuntime, [clientRuntime, modelsRuntime].compactMap { $0 }))
        }
        targets.append(Target("executableTarget", r, [c, replayRuntime].compactMap { $0 }))
        return targets
    }

    public static func manifest(_ release: ReleaseManifest, targets: [Target]) -> String {
        let declarations = targets.map { target in
            let dependencies = target.dependencies.map { "\"\($0)\"" }.joined(separator: ", ")
            return "        .\(target.kind)(name: \"\(target.name)\", dependencies: [\(dependencies)]),"
        }
        return """
            // swift-tools-version: 6.0
            // Written by accord: the frozen client of \(release.app) \(release.version). Foundation only.
            import PackageDescription

            let package = Package(
                name: "Frozen",
                platforms: [.macOS(.v14), .iOS(.v17)],
                targets: [
            \(declarations.joined(separator: "\n"))
                ]
            )

            """
    }
}
