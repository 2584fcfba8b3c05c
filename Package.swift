// swift-tools-version: 6.0
import PackageDescription

// Accord: one OpenAPI spec drives the models, the client SDK, the server stubs and the error
// catalog of the Todo Agent app. `Generated/` holds the committed output of `accord generate`.
let package = Package(
    name: "Accord",
    platforms: [.macOS(.v14), .iOS(.v17)],
    products: [
        .executable(name: "accord", targets: ["accord"]),
        .executable(name: "app-server", targets: ["app-server"]),
        // Contract-test mode (fake providers, /_contract/state, faults): never linked into app-server.
        .executable(name: "app-server-contract-test", targets: ["app-server-contract-test"]),
        // The iOS app adds these two: Foundation only.
        .library(name: "TodoAgentAPI", targets: ["TodoAgentAPI"]),
        .library(name: "TodoAgentClient", targets: ["TodoAgentClient"]),
        .library(name: "TodoAgentServer", targets: ["TodoAgentServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // The backend: SQL over SQLite and PostgreSQL, JWT, logging.
        .package(url: "https://github.com/vapor/sql-kit", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit", from: "2.17.0"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.7.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // Already under AsyncHTTPClient and Hummingbird; named for the contract tester's byte buffers.
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
    ],
    targets: [
        // Spec loading with source locations, the document model, $ref resolution, lint rules.
        .target(name: "AccordSpec", dependencies: [.product(name: "Yams", package: "Yams")]),
        // Translation of a loaded spec into a model of the Swift to emit, and rendering. The runtime
        // generated packages carry is embedded from Sources/AccordRuntime by a build plugin.
        .target(name: "AccordCodegen", dependencies: ["AccordSpec"], plugins: ["EmbedRuntime"]),
        .executableTarget(name: "EmbedRuntimeTool"),
        .plugin(name: "EmbedRuntime", capability: .buildTool(), dependencies: ["EmbedRuntimeTool"]),
        // The runtime of generated packages, compiled and tested here as ordinary modules; the
        // generator copies each into the matching generated module (imports renamed).
        .target(name: "AccordRuntimeModels", path: "Sources/AccordRuntime/Models"),
        .target(name: "AccordRuntimeClient", dependencies: ["AccordRuntimeModels"], path: "Sources/AccordRuntime/Client"),
        .target(name: "AccordRuntimeServer", dependencies: [
            "AccordRuntimeModels", .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
        ], path: "Sources/AccordRuntime/Server"),
        .target(name: "AccordRuntimeReplay", dependencies: ["AccordRuntimeClient"], path: "Sources/AccordRuntime/Replay"),
        // Contract testing: recorded exchanges, replay against live servers, coverage, recording.
        .target(name: "AccordContract", dependencies: [
            "AccordSpec",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
        ]),
        // Breaking-change detection between two versions of a spec, judged by the generated client.
        .target(name: "AccordDiff", dependencies: ["AccordSpec", "AccordCodegen"]),
        // The command-line tool.
        .executableTarget(name: "accord", dependencies: [
            "AccordSpec", "AccordCodegen", "AccordContract", "AccordDiff",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Generated from spec/api.yaml by `accord generate`; never edited by hand. Each module's
        // runtime (Sources/AccordRuntime, copied) is a module of its own beside it.
        .target(name: "TodoAgentAPIRuntime", path: "Generated/TodoAgentAPIRuntime"),
        .target(name: "TodoAgentAPI", dependencies: ["TodoAgentAPIRuntime"], path: "Generated/TodoAgentAPI"),
        .target(name: "TodoAgentClientRuntime", dependencies: ["TodoAgentAPIRuntime"],
                path: "Generated/TodoAgentClientRuntime"),
        .target(name: "TodoAgentClient", dependencies: ["TodoAgentAPI", "TodoAgentClientRuntime"],
                path: "Generated/TodoAgentClient"),
        .target(name: "TodoAgentServerRuntime", dependencies: [
            "TodoAgentAPIRuntime", .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
        ], path: "Generated/TodoAgentServerRuntime"),
        .target(name: "TodoAgentServer", dependencies: [
            "TodoAgentAPI", "TodoAgentServerRuntime", .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
        ], path: "Generated/TodoAgentServer"),
        // Drives the generated client with recorded exchanges for `accord verify`.
        .target(name: "TodoAgentClientReplayRuntime", dependencies: ["TodoAgentClientRuntime", "TodoAgentAPIRuntime"],
                path: "Generated/TodoAgentClientReplayRuntime"),
        .executableTarget(name: "TodoAgentClientReplay",
                          dependencies: ["TodoAgentClient", "TodoAgentClientReplayRuntime"],
                          path: "Generated/TodoAgentClientReplay"),

        // The Todo Agent backend, on the generated server stubs.
        .target(name: "AppServer", dependencies: [
            "TodoAgentAPI", "TodoAgentServer",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "SQLKit", package: "sql-kit"),
            .product(name: "SQLiteKit", package: "sqlite-kit"),
            .product(name: "PostgresKit", package: "postgres-kit"),
            .product(name: "JWTKit", package: "jwt-kit"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        .executableTarget(name: "app-server", dependencies: ["AppServer"]),
        // What contract-test mode adds: local fake providers, POST /_contract/state, fault middleware.
        .target(name: "AppServerContractTest", dependencies: [
            "AppServer", "TodoAgentAPI", "TodoAgentServer",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "SQLKit", package: "sql-kit"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        .executableTarget(name: "app-server-contract-test", dependencies: ["AppServer", "AppServerContractTest"]),

        // Compiles and runs generated packages with swiftc, for the tests that check generated code.
        .target(name: "AccordTestSupport", path: "Tests/AccordTestSupport"),
        .testTarget(name: "AccordSpecTests", dependencies: ["AccordSpec"]),
        .testTarget(name: "AccordRuntimeTests", dependencies: [
            "AccordRuntimeModels", "AccordRuntimeClient", "AccordRuntimeServer",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
        .testTarget(name: "AccordDiffTests", dependencies: ["AccordDiff", "AccordSpec", "AccordCodegen", "AccordTestSupport"]),
        .testTarget(name: "AccordContractTests", dependencies: [
            "AccordContract", "AccordSpec",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        .testTarget(name: "AccordCodegenTests", dependencies: ["AccordSpec", "AccordCodegen", "AccordTestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "TodoAgentAPITests", dependencies: ["TodoAgentAPI", "TodoAgentClient"]),
        .testTarget(name: "AppServerTests", dependencies: [
            "AppServer", "AppServerContractTest", "TodoAgentClient", "AccordSpec", "AccordContract",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .testTarget(name: "TodoAgentServerTests", dependencies: [
            "TodoAgentAPI", "TodoAgentServer",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
        ]),
    ]
)
