// swift-tools-version: 6.0
// The peer of the benchmark: swift-openapi-generator's command-line tool, built from the
// local package mirror. scripts/bench builds it in release mode; nothing else uses it.
import PackageDescription

let package = Package(
    name: "BenchmarkPeer",
    dependencies: [
        .package(url: "https://github.com/apple/swift-openapi-generator", exact: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime", from: "1.13.4"),
        .package(url: "https://github.com/apple/swift-openapi-urlsession", from: "1.4.0"),
    ],
    targets: [
        // A target so the runtime libraries resolve; the generated code is compiled against them.
        .target(name: "PeerRuntime", dependencies: [
            .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
            .product(name: "OpenAPIURLSession", package: "swift-openapi-urlsession"),
        ]),
    ]
)
