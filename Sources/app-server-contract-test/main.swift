import AppServer
import AppServerContractTest
import Foundation

// app-server-contract-test: app-server in contract-test mode (API.md's fixed values, in-memory
// SQLite unless DATABASE_URL is set, local fake providers, POST /_contract/state). Never deploy it.
let arguments = CommandLine.arguments.dropFirst()
if arguments.contains("--help") || arguments.contains("-h") {
    print("usage: app-server-contract-test [--contract-test]\n\nConfigured like app-server (README.md).")
    exit(0)
}
for argument in arguments where argument != "--contract-test" {
    FileHandle.standardError.write(Data("app-server-contract-test: unknown argument '\(argument)' (try --help)\n".utf8))
    exit(2)
}
await ServerLauncher.run(name: "app-server", contractTest: true, additions: [ContractTestAddition()])
