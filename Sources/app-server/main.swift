import AppServer
import Foundation
import Logging

// app-server [--contract-test]: the Todo Agent backend. Configuration comes from the
// environment (see README); with none at all it runs for local development on SQLite.
let arguments = CommandLine.arguments.dropFirst()
if arguments.contains("--help") || arguments.contains("-h") {
    print("usage: app-server [--contract-test]\n\nConfigured by environment variables: HOST, PORT, DATABASE_URL, JWT_KEY, ...; see README.md.")
    exit(0)
}
for argument in arguments where argument != "--contract-test" {
    FileHandle.standardError.write(Data("app-server: unknown argument '\(argument)' (try --help)\n".utf8))
    exit(2)
}

let environment = ProcessInfo.processInfo.environment
let configuration: ServerConfiguration
do {
    configuration = try ServerConfiguration.fromEnvironment(environment, contractTest: arguments.contains("--contract-test"))
} catch {
    FileHandle.standardError.write(Data("app-server: \(error)\n".utf8))
    exit(1)
}

let level = Logger.Level(rawValue: configuration.logLevel) ?? .info
LoggingSystem.bootstrap { label in
    var handler: any LogHandler = configuration.logFormat == "text" ? StreamLogHandler.standardError(label: label) : JSONLogHandler(label: label)
    handler.logLevel = level
    return handler
}
let logger = Logger(label: "app-server")
do {
    let app = try await TodoAgentApp.make(configuration, logger: logger)
    try await app.run()
} catch {
    logger.critical("app-server stopped: \(error)")
    exit(1)
}
