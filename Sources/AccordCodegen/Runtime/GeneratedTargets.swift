/// One target of a generated package: a generated module or the runtime module beside it.
public struct GeneratedTarget: Sendable, Equatable {
    public var name: String
    public var isExecutable: Bool
    /// The generated modules this one imports, in the order a manifest lists them.
    public var dependencies: [String]
    /// Needs the HTTP server packages (Hummingbird, HTTPTypes).
    public var usesServerPackages: Bool
    /// The generated module this target is, or whose runtime it is (which folder it lives beside).
    public var module: String
    public var isRuntime: Bool
}

extension GeneratorConfiguration {
    /// The generated modules and what each depends on, stated once: the stand-alone manifest
    /// (`accord generate --output`) and a release's frozen package are both written from it.
    /// `server: nil` leaves the server out (a frozen client has none); `runtimes: false` is the
    /// layout of releases cut before the runtime became modules of their own.
    public static func targets(
        models: String, client: String, server: String?, replay: String, runtimes: Bool
    ) -> [GeneratedTarget] {
        func runtime(_ module: String) -> String? { runtimes ? Self.runtime(of: module) : nil }
        var targets: [GeneratedTarget] = []
        // Each module follows its runtime, which needs the runtimes of the modules it builds on.
        func add(_ module: String, on modules: [String], runtimeOn runtimeModules: [String], executable: Bool = false) {
            let server = module == server
            if let own = runtime(module) {
                targets.append(
                    GeneratedTarget(
                        name: own, isExecutable: false, dependencies: runtimeModules.compactMap(runtime),
                        usesServerPackages: server, module: module, isRuntime: true))
            }
            targets.append(
                GeneratedTarget(
                    name: module, isExecutable: executable, dependencies: modules + [runtime(module)].compactMap { $0 },
                    usesServerPackages: server, module: module, isRuntime: false))
        }
        add(models, on: [], runtimeOn: [])
        add(client, on: [models], runtimeOn: [models])
        if let server { add(server, on: [models], runtimeOn: [models]) }
        add(replay, on: [client], runtimeOn: [client, models], executable: true)
        return targets
    }
}
