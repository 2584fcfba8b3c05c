/// The Swift package a release's frozen client is built as: its models, client and replay tool,
/// each after its runtime module when the release carries one (releases cut before the runtime
/// became modules of their own carry it inside each module). Which targets, and what each depends
/// on, is the generator's to say (`GeneratorConfiguration.targets`): the caller passes them in.
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
