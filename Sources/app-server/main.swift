import AppServer
import Foundation

// app-server: the Todo Agent backend. Configuration comes from the environment (see README);
// with none at all it runs for local development on SQLite. Contract-test mode (fake providers,
// /_contract/state, faults) is not linked into this binary: `--contract-test` hands over to the
// `app-server-contract-test` executable built beside it, so existing commands keep working.
let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.contains("--help") || arguments.contains("-h") {
    print(
        """
        usage: app-server [--contract-test]

        Configured by environment variables: HOST, PORT, DATABASE_URL, JWT_KEY, ...; see README.md.
        --contract-test runs app-server-contract-test (built beside this binary).
        """)
    exit(0)
}
for argument in arguments where argument != "--contract-test" {
    FileHandle.standardError.write(Data("app-server: unknown argument '\(argument)' (try --help)\n".utf8))
    exit(2)
}
if arguments.contains("--contract-test") {
    let sibling = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        .deletingLastPathComponent().appendingPathComponent("app-server-contract-test").path
    guard FileManager.default.isExecutableFile(atPath: sibling) else {
        FileHandle.standardError.write(
            Data(
                """
                app-server: this build has no contract-test mode (\(sibling) is missing); build the \
                app-server-contract-test product\n
                """.utf8))
        exit(2)
    }
    // exec keeps the process id, so whoever started app-server can still signal it.
    let argv: [UnsafeMutablePointer<CChar>?] = [strdup(sibling), nil]
    execv(sibling, argv)
    FileHandle.standardError.write(
        Data("app-server: cannot run \(sibling): \(String(cString: strerror(errno)))\n".utf8))
    exit(2)
}
await ServerLauncher.run(name: "app-server", contractTest: false, additions: [])
